import type { EntityManager } from '@mikro-orm/knex';
import { createHash } from 'node:crypto';
import type { AppConfig } from '../../config';
import type { Em, Orm } from '../../db/orm';
import type { FormattedSql } from '../../db/sql/sql';

/**
 * The one row of a compiled statement, run as a prepared statement kept per connection and text.
 * Planning a statement that builds JSON costs more than running it: on PostgreSQL a lookup's
 * statement took ~1 ms to plan every time and ~0.15 ms prepared, on a database that shares the
 * machine's cores with the API; SQLite prepares in-process, but still once instead of per request.
 * The statement goes through the ORM's own pool and is logged like every statement the ORM runs
 * (tests count them).
 */
export async function preparedRow(
  orm: Orm,
  em: Em,
  driver: AppConfig['database']['driver'],
  formatted: FormattedSql,
): Promise<Record<string, unknown>> {
  const client = (em as unknown as EntityManager).getConnection().getKnex().client as {
    acquireConnection(): Promise<unknown>;
    releaseConnection(connection: unknown): Promise<void>;
  };
  const started = Date.now();
  const connection = await client.acquireConnection();
  try {
    const { text, rows } =
      driver === 'postgresql'
        ? await postgresRows(connection as PgClient, formatted)
        : await sqliteRows(connection as SqliteDatabase, formatted);
    orm.config.getLogger().logQuery({
      query: text,
      params: formatted.params,
      took: Date.now() - started,
      results: rows.length,
      level: 'info',
    });
    return rows[0] as Record<string, unknown>;
  } finally {
    await client.releaseConnection(connection);
  }
}

interface PgClient {
  query(query: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

/** node-postgres prepares a named statement once per connection and reuses it by name. */
async function postgresRows(pg: PgClient, statement: FormattedSql) {
  const { text } = statement;
  const name = `rh_${createHash('sha1').update(text).digest('base64url').slice(0, 24)}`;
  const result = await pg.query({ name, text, values: statement.params });
  return { text, rows: result.rows };
}

interface SqliteStatement {
  all(params: unknown[], callback: (error: Error | null, rows: unknown[]) => void): void;
  finalize(): void;
}

interface SqliteDatabase {
  prepare(sql: string): SqliteStatement;
}

const maxStatementsPerConnection = 200;
const sqliteStatements = new WeakMap<SqliteDatabase, Map<string, SqliteStatement>>();

/**
 * node-sqlite3 statements kept per connection (a WeakMap: a closed connection takes its
 * statements with it). `all` runs each to completion, so no read transaction stays open.
 */
async function sqliteRows(database: SqliteDatabase, statement: FormattedSql) {
  let statements = sqliteStatements.get(database);
  if (!statements) {
    statements = new Map();
    sqliteStatements.set(database, statements);
  }
  let prepared = statements.get(statement.text);
  if (!prepared) {
    if (statements.size >= maxStatementsPerConnection) {
      const [oldest, evicted] = statements.entries().next().value!;
      statements.delete(oldest);
      evicted.finalize();
    }
    prepared = database.prepare(statement.text);
    statements.set(statement.text, prepared);
  }
  const rows = await new Promise<unknown[]>((resolve, reject) =>
    prepared.all(statement.params, (error, result) => (error ? reject(error) : resolve(result))),
  ).catch((error: unknown) => {
    statements.delete(statement.text);
    throw error;
  });
  return { text: statement.text, rows };
}
