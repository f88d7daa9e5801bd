import type { Logger } from 'pino';
import type { AppConfig } from './config';
import type { Orm } from './db/orm';
import { createFirstAdminKey } from './auth/first-admin-key';
import { seedTerritory } from './territory/territory.seed';
import { Person } from './people/person.entity';
import { seedDemoNetwork } from '../../seeds/demo/demo.seed';

export interface StartupContext {
  orm: Orm;
  config: AppConfig;
  logger: Logger;
  /** False when the caller brings its own data (tests): skip seeding tasks. */
  seed: boolean;
}

/** Something that runs once at start, after migrations and before the server listens. */
export type StartupTask = (context: StartupContext) => Promise<void>;

const loadShippedTerritory: StartupTask = async ({ orm, logger, seed }) => {
  if (!seed) {
    return;
  }
  const result = await seedTerritory(orm.em.fork());
  if (result.statesCreated > 0 || result.municipalitiesCreated > 0) {
    logger.info(result, 'loaded the shipped territory');
  }
};

const firstAdminKey: StartupTask = (context) => createFirstAdminKey(context);
/** A fresh database gets the fictional demo network, so `npm start` shows a living graph. */
const buildDemoNetworkOnFirstStart: StartupTask = async ({ orm, config, logger, seed }) => {
  if (!seed || !config.demoOnStart || (await orm.em.fork().count(Person, {})) > 0) {
    return;
  }
  const result = await seedDemoNetwork(orm, { seed: 425, scale: 1 });
  logger.info(
    { rows: result.rows, seconds: result.seconds, importRunId: result.runId },
    'built the demo network (fictional people, marked demo; DEMO_ON_START=false skips it)',
  );
};

/** In order; features append theirs (demo network, first admin key…). */
export const startupTasks: StartupTask[] = [
  loadShippedTerritory,
  buildDemoNetworkOnFirstStart,
  firstAdminKey,
];
