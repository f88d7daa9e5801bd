import {
  DataloaderType,
  DefaultLogger,
  MikroORM,
  type LoggerOptions,
  type LogContext,
  type Options,
  type IDatabaseDriver,
  type EntityManager,
} from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { SqliteDriver } from '@mikro-orm/sqlite';
import fs from 'node:fs';
import pg from 'pg';
import path from 'node:path';
import { ConfigError, type DatabaseTarget } from '../config';
import { recordStatement } from '../observability/metrics';
import { traceStatement } from '../observability/tracing';
import { entities } from './entities';
import { migrationsFor } from './migrations';
import { execute } from './sql/execute';
import { sql } from './sql/sql';

export type Orm = MikroORM<IDatabaseDriver>;
export type Em = EntityManager<IDatabaseDriver>;

/** Counts the SQL statements the ORM sends; tests and benchmarks read it to catch N+1. */
export class StatementCounter {
  count = 0;
  readonly statements: string[] = [];
  record(sql: string): void {
    this.count += 1;
    if (this.statements.length < 200) {
      this.statements.push(sql);
    }
  }
  reset(): void {
    this.count = 0;
    this.statements.length = 0;
  }
}

export interface OrmOptions {
  database: DatabaseTarget;
  /** Receives every SQL statement the ORM runs. */
  onQuery?: (sql: string) => void;
  debug?: boolean;
  /**
   * Server-side time limits for PostgreSQL sessions (ms, 0 or absent: none). The API sets them;
   * the CLI (imports, migrations, demo) does not, since a large import may rightly run long.
   */
  timeouts?: { statementMs: number; idleInTransactionMs: number };
  /** What metrics and traces call this database's connection (default `primary`). */
  label?: string;
  /** Told when a statement fails (a read replica is marked down at once). */
  onStatementError?: () => void;
}

/** The ORM options for a target: one place that knows the difference between the two databases. */
export function ormOptions({
  database,
  onQuery,
  debug,
  timeouts,
  label,
  onStatementError,
}: OrmOptions): Options {
  const common: Options = {
    entities,
    dataloader: DataloaderType.ALL,
    forceUtcTimezone: true,
    allowGlobalContext: false,
    extensions: [Migrator],
    migrations: {
      migrationsList: migrationsFor(database.driver),
      snapshot: false,
      transactional: true,
      allOrNothing: true,
      tableName: 'mikro_orm_migrations',
    },
    debug: Boolean(onQuery) || debug ? ['query'] : false,
    logger: onQuery ? (message: string) => onQuery(message) : () => undefined,
    loggerFactory: (options: LoggerOptions) =>
      new ObservedLogger(options, database.driver, label ?? 'primary', onStatementError),
  };
  if (database.driver === 'postgresql') {
    return {
      ...common,
      driver: PostgreSqlDriver,
      clientUrl: database.url,
      pool: { min: 0, max: 10 },
      // node-postgres sends these as startup parameters of every connection the pool opens.
      driverOptions: {
        connection: {
          ...(timeouts?.statementMs ? { statement_timeout: timeouts.statementMs } : {}),
          ...(timeouts?.idleInTransactionMs
            ? { idle_in_transaction_session_timeout: timeouts.idleInTransactionMs }
            : {}),
        },
      },
    };
  }
  if (database.file !== ':memory:') {
    fs.mkdirSync(path.dirname(database.file), { recursive: true });
    assertWritable(database.file);
  }
  return {
    ...common,
    driver: SqliteDriver,
    dbName: database.file,
    onQuery: escapeLikeWithBackslash,
    pool: {
      afterCreate: (
        connection: SqliteConnection,
        done: (error: Error | null, connection: unknown) => void,
      ) => {
        // WAL lets readers work while one writer commits; the busy timeout makes concurrent
        // writers wait their turn instead of failing with SQLITE_BUSY.
        connection.exec(
          'PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON;',
          (error) => done(error, connection),
        );
      },
    },
  } as Options;
}

/**
 * MikroORM's logger, which hears of every statement the ORM runs (compiled reads report theirs to
 * it too): each one is counted in the metrics and, when tracing is on, becomes a child span of
 * the request. The message is formatted only when someone reads it (`onQuery`, debug).
 */
class ObservedLogger extends DefaultLogger {
  constructor(
    options: LoggerOptions,
    private readonly system: DatabaseTarget['driver'],
    private readonly label: string,
    private readonly onStatementError?: () => void,
  ) {
    super(options);
  }
  override logQuery(context: LogContext): void {
    if (context.level === 'error') {
      this.onStatementError?.();
    } else if (context.query) {
      const connection = this.label;
      recordStatement(connection, context.took);
      traceStatement(
        this.system === 'postgresql' ? 'postgresql' : 'sqlite',
        context.query,
        context.took,
        connection,
      );
    }
    super.logQuery(context as LogContext & { query: string });
  }
}

/**
 * LIKE patterns escape `%`, `_` and `\` with a backslash (`likeLiteral` in `common/text.ts`), so
 * a search for "100%" finds "100%" and "%" finds nothing. That is PostgreSQL's default escape
 * character; SQLite has none, so every `like ?` the ORM sends it says so.
 */
export function escapeLikeWithBackslash(sql: string): string {
  return sql.replace(/ like \?(?! escape)/gi, " like ? escape '\\'");
}

/**
 * SQLite writes the database file and, in WAL mode, `-wal`/`-shm` files beside it: refuse to start
 * on a read-only file or folder with a message that says so, instead of failing on first write.
 */
function assertWritable(file: string): void {
  for (const target of fs.existsSync(file) ? [file, path.dirname(file)] : [path.dirname(file)]) {
    try {
      fs.accessSync(target, fs.constants.W_OK);
    } catch (error) {
      throw new ConfigError(
        `The SQLite database ${target === file ? 'file' : 'folder'} ${target} is read-only (${(error as NodeJS.ErrnoException).code}); make it writable or point DATABASE_URL elsewhere`,
      );
    }
  }
}

interface SqliteConnection {
  exec(sql: string, callback: (error: Error | null) => void): void;
}

export async function initOrm(options: OrmOptions): Promise<Orm> {
  const orm = await MikroORM.init(ormOptions(options));
  if (options.database.driver === 'sqlite') {
    keepDatesAsDates(orm.em.getPlatform());
    queueWriteTransactions(orm);
  }
  return orm;
}

interface KnexTransaction {
  begin(connection: unknown): Promise<unknown>;
  query(connection: unknown, sql: string): Promise<unknown>;
  _evaluateContainer(config: unknown, container: unknown): Promise<unknown>;
}

interface KnexClient {
  transaction(container: unknown, config: unknown, outerTx?: unknown): KnexTransaction;
}

/** First come, first served: `acquire` resolves with the function that lets the next one in. */
class WriteQueue {
  private tail: Promise<void> = Promise.resolve();
  acquire(): Promise<() => void> {
    let release!: () => void;
    const turn = new Promise<void>((resolve) => (release = resolve));
    const ready = this.tail.then(() => release);
    this.tail = this.tail.then(() => turn);
    return ready;
  }
}

/**
 * SQLite has one writer at a time, so write transactions queue instead of failing:
 *
 * - They start with `BEGIN IMMEDIATE`, which takes the write lock up front, so the busy timeout
 *   makes a writer in another process (an import beside the API) wait its turn. Knex's plain
 *   `BEGIN` is deferred: the transaction reads from a snapshot, and its first write fails at once
 *   with SQLITE_BUSY if another process committed since, busy timeout or not; imports failed with
 *   "database is locked" and API upserts answered CONFLICT under load.
 * - Within one process they take turns in a queue before they even take a pooled connection. A
 *   writer waiting on the busy timeout sleeps in one of libuv's four threads, where every SQLite
 *   statement runs: ten of them waiting behind the lock holder also kept its own COMMIT from
 *   running, and requests stalled past the request timeout.
 *
 * Every transaction here writes (reads run outside transactions), so neither costs anything.
 * Savepoints (nested transactions) neither queue nor call `begin`.
 */
function queueWriteTransactions(orm: Orm): void {
  const knex = (
    orm.em.getConnection() as unknown as { getKnex(): { client: KnexClient } }
  ).getKnex();
  const client = knex.client;
  const create = client.transaction.bind(client);
  const queue = new WriteQueue();
  client.transaction = (container, config, outerTx) => {
    const transaction = create(container, config, outerTx);
    if (outerTx) {
      return transaction;
    }
    // Knex evaluates the container and calls `begin` on a later tick, so replacing them here,
    // right after construction, is in time.
    const evaluate = transaction._evaluateContainer.bind(transaction);
    transaction._evaluateContainer = async (...args) => {
      const release = await queue.acquire();
      try {
        return await evaluate(...args);
      } finally {
        release();
      }
    };
    transaction.begin = (connection) => transaction.query(connection, 'BEGIN IMMEDIATE;');
    return transaction;
  };
}

/**
 * MikroORM's SQLite platform turns `Date`s into numbers when it computes change sets, but the
 * snapshot of a loaded row keeps the hydrated `Date` (with `forceUtcTimezone`), so every loaded
 * row with a datetime column looked changed: any flush rewrote it and bumped its `version`, which
 * turned innocent reads into optimistic-lock conflicts. Comparing `Date` with `Date` fixes it; the
 * sqlite3 driver still stores a `Date` as epoch milliseconds, as before.
 */
function keepDatesAsDates(platform: object): void {
  Object.assign(platform, { processDateProperty: (value: unknown) => value });
}

/**
 * After a bulk load PostgreSQL's planner still believes the tables hold the few rows it last
 * sampled (autovacuum analyses later, on its own schedule) and picks nested loops: the apoiador
 * coverage of MG took 3.6 s right after the demo network was built and 0.3 s after `ANALYZE`.
 * Bulk writers (demo network, imports) call this once they have committed. SQLite plans from
 * its indexes without statistics, so there is nothing to refresh there.
 */
export async function refreshPlannerStatistics(em: Em, tables: string[] = []): Promise<void> {
  if (em.getDriver() instanceof PostgreSqlDriver) {
    await execute(
      em,
      sql`analyze ${sql.join(
        tables.map((table) => sql.ident(table)),
        ', ',
      )}`,
    );
  }
}

/** The key of the PostgreSQL advisory lock held while an instance migrates and seeds. */
export const STARTUP_LOCK_KEY = 0x52656465; // "Rede"

/**
 * Runs `work` (migrations and start-up tasks) while holding a PostgreSQL session advisory lock,
 * so instances started together take turns: the first migrates and seeds, the others wait, then
 * find nothing to do. The lock is held on a connection of its own and released with it (also when
 * the process dies). SQLite has one process per file in practice and migrates in a transaction.
 */
export async function withStartupLock<T>(
  database: DatabaseTarget,
  work: () => Promise<T>,
  onWait?: () => void,
): Promise<T> {
  if (database.driver !== 'postgresql') {
    return work();
  }
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ locked: boolean }>(
      'select pg_try_advisory_lock($1) as locked',
      [STARTUP_LOCK_KEY],
    );
    if (!rows[0]!.locked) {
      onWait?.();
      await client.query('select pg_advisory_lock($1)', [STARTUP_LOCK_KEY]);
    }
    try {
      return await work();
    } finally {
      await client.query('select pg_advisory_unlock($1)', [STARTUP_LOCK_KEY]);
    }
  } finally {
    await client.end();
  }
}

/** Applies the committed migrations of the target's dialect; safe to call on every start. */
export async function migrate(orm: Orm): Promise<string[]> {
  const applied = await orm.getMigrator().up();
  return applied.map((migration) => migration.name);
}
