import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import type { AppConfig } from '../config';
import { reportPool, type PoolState } from '../observability/metrics';
import { databaseUnavailable } from '../security/database-errors';
import { initOrm, type Orm } from './orm';

/**
 * PostgreSQL streaming replicas (`DATABASE_READ_URLS`) and which requests read from them:
 *
 * 1. A request carrying a mutation runs wholly on the primary (its reads too).
 * 2. A read by a caller (an API key, a CSV link, or else the client address: the rate limit's
 *    identity) that had a mutation answered by this instance within `READ_YOUR_WRITES_MS` runs on
 *    the primary, so it sees its own write whatever the replicas' lag.
 * 3. A read with the header `X-Rede-Consistency: primary` runs on the primary.
 * 4. Any other read runs on a healthy replica, in turn; with none healthy, on the primary.
 *
 * A replica is healthy while it answers `select 1` (asked every `HEALTH_EVERY_MS`); a statement
 * that fails on it marks it down at once, and a compiled read that failed there is answered by the
 * resolvers on the primary. Start-up, migrations, imports, exports and backups use the primary.
 */
export interface Replica {
  name: string;
  orm: Orm;
  healthy: boolean;
}

const HEALTH_EVERY_MS = 250;
const routed = Symbol('read replica');

export interface ReadRouting {
  replicas: Replica[];
  /** Decides where a `/graphql` request reads; call after authentication. */
  route(req: Request, res: Response, operationType: string): void;
  /** The replica a request was routed to, if it is still healthy. */
  replicaOf(res: Response): Replica | undefined;
  /** Sends the rest of a request to the primary (its read on a replica failed). */
  toPrimary(res: Response, error: unknown): void;
  /** Remembers that `identity` just wrote (its next reads go to the primary for a while). */
  wrote(identity: string): void;
  markDown(replica: Replica, error: unknown): void;
  close(): Promise<void>;
}

export async function createReadRouting(
  config: AppConfig,
  logger: Logger,
  poolStateOf: (orm: Orm) => PoolState | null,
  identityOf: (req: Request, res: Response) => string,
): Promise<ReadRouting | null> {
  const urls = config.database.driver === 'postgresql' ? config.readUrls : [];
  if (urls.length === 0) {
    return null;
  }
  const replicas: Replica[] = [];
  const stopReporting: (() => void)[] = [];
  const routing: ReadRouting = {
    replicas,
    route(req, res, operationType) {
      const locals = res.locals as { [routed]?: Replica };
      delete locals[routed];
      if (operationType !== 'query' || req.get('x-rede-consistency') === 'primary') {
        return;
      }
      const until = writers.get(identityOf(req, res));
      if (until !== undefined && until > Date.now()) {
        return;
      }
      const healthy = replicas.filter((replica) => replica.healthy);
      if (healthy.length > 0) {
        locals[routed] = healthy[turn++ % healthy.length];
      }
    },
    replicaOf(res) {
      const replica = (res.locals as { [routed]?: Replica })[routed];
      return replica?.healthy ? replica : undefined;
    },
    toPrimary(res, error) {
      const locals = res.locals as { [routed]?: Replica };
      const replica = locals[routed];
      if (replica) {
        delete locals[routed];
        if (databaseUnavailable(error)) {
          routing.markDown(replica, error);
        }
      }
    },
    wrote(identity) {
      if (config.readYourWritesMs > 0) {
        writers.set(identity, Date.now() + config.readYourWritesMs);
      }
    },
    markDown(replica, error) {
      if (replica.healthy) {
        replica.healthy = false;
        logger.warn(
          { replica: replica.name, err: { message: (error as Error)?.message } },
          'read replica unavailable; its reads go to the primary',
        );
      }
    },
    async close() {
      clearInterval(timer);
      clearInterval(sweeper);
      stopReporting.forEach((stop) => stop());
      await Promise.all(replicas.map((replica) => replica.orm.close(true)));
    },
  };
  let turn = 0;
  const writers = new Map<string, number>();
  for (const [index, url] of urls.entries()) {
    const name = `replica-${index + 1}`;
    const orm = await initOrm({
      database: { driver: 'postgresql', url },
      label: name,
      onStatementError: () => routing.markDown(replica, new Error('a statement failed')),
      timeouts: {
        statementMs: config.limits.statementTimeoutMs,
        idleInTransactionMs: config.limits.idleInTransactionTimeoutMs,
      },
    });
    const replica: Replica = { name, orm, healthy: false };
    replicas.push(replica);
    stopReporting.push(reportPool(name, () => poolStateOf(orm)));
  }
  const check = async (replica: Replica) => {
    try {
      // Through knex, not the ORM: health checks are not the application's statements.
      await (
        replica.orm.em.getConnection() as unknown as {
          getKnex(): { raw(sql: string): Promise<unknown> };
        }
      )
        .getKnex()
        .raw('select 1');
      if (!replica.healthy) {
        replica.healthy = true;
        logger.info({ replica: replica.name }, 'read replica available');
      }
    } catch (error) {
      routing.markDown(replica, error);
    }
  };
  await Promise.all(replicas.map(check));
  let checking = false;
  const timer = setInterval(() => {
    if (checking) {
      return;
    }
    checking = true;
    void Promise.all(replicas.map(check)).finally(() => (checking = false));
  }, HEALTH_EVERY_MS);
  timer.unref();
  const sweeper = setInterval(() => {
    const now = Date.now();
    for (const [identity, until] of writers) {
      if (until <= now) {
        writers.delete(identity);
      }
    }
  }, 60_000);
  sweeper.unref();
  return routing;
}
