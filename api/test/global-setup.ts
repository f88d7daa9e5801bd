import 'reflect-metadata';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { initOrm, migrate } from '../src/db/orm';
import { seedTerritory } from '../src/territory/territory.seed';
import { POSTGRES_ADMIN_URL, type TestDatabase } from './database';

/**
 * Prepares one migrated, territory-seeded template per run; every test app starts from a copy
 * (a file copy on SQLite, `CREATE DATABASE … TEMPLATE` on PostgreSQL), so tests stay fast.
 */
export default async function setup(project: TestProject) {
  const driver = process.env.DB === 'postgres' ? 'postgresql' : 'sqlite';
  let database: TestDatabase;
  if (driver === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rede-hub-test-'));
    const file = path.join(dir, 'template.sqlite');
    await prepareTemplate({ driver: 'sqlite', file });
    database = { driver, template: file };
  } else {
    const reachable = await postgresReachable();
    if (!reachable) {
      if (process.env.CI === 'true') {
        throw new Error(
          `PostgreSQL is not reachable at ${POSTGRES_ADMIN_URL}; on CI the PostgreSQL suite must run`,
        );
      }
      process.stderr.write(
        `\n[skip] PostgreSQL is not reachable at ${POSTGRES_ADMIN_URL}: PostgreSQL tests are skipped\n`,
      );
      project.provide('database', { driver, template: null });
      return;
    }
    const template = `rede_hub_template_${process.pid}`;
    const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${template}`);
    await admin.end();
    const url = new URL(POSTGRES_ADMIN_URL);
    url.pathname = `/${template}`;
    await prepareTemplate({ driver: 'postgresql', url: url.toString() });
    database = { driver, template };
  }
  project.provide('database', database);

  return async () => {
    if (database.driver === 'postgresql' && database.template) {
      const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${database.template} WITH (FORCE)`);
      await admin.end();
    } else if (database.template) {
      fs.rmSync(path.dirname(database.template), { recursive: true, force: true });
    }
  };
}

async function prepareTemplate(target: Parameters<typeof initOrm>[0]['database']): Promise<void> {
  const orm = await initOrm({ database: target });
  try {
    await migrate(orm);
    await seedTerritory(orm.em.fork());
    if (target.driver === 'sqlite') {
      // Fold the WAL into the main file so a plain copy of the file is a complete database.
      await orm.em.getConnection().execute('PRAGMA wal_checkpoint(TRUNCATE)');
    }
  } finally {
    await orm.close(true);
  }
}

async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({
    connectionString: POSTGRES_ADMIN_URL,
    connectionTimeoutMillis: 3000,
  });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    database: TestDatabase;
  }
}
