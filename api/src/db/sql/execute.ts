import type { EntityProperty } from '@mikro-orm/core';
import type { LogContext } from '@mikro-orm/core';
import type { Knex, SqlEntityManager } from '@mikro-orm/knex';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import type { Em } from '../orm';
import { columnType, knexSql, sql, type Sql, type SqlDialect } from './sql';

/** The protected parts of MikroORM's SQL connection that `execute` goes through. */
interface SqlConnection {
  getKnex(): Knex;
  executeQuery<T>(query: string, cb: () => Promise<T>, context?: LogContext): Promise<T>;
  transformRawResult<T>(res: unknown, method: 'all'): T;
}

/**
 * Runs a fragment on the entity manager's connection, inside its transaction if it has one, and
 * logged (and counted) like every statement the ORM sends. Values are bound, never inlined:
 * `em.execute` formats its parameters into the SQL text, which costs a copy and an escape of a
 * staging chunk's megabyte of JSON on both sides.
 */
export function execute<T = Record<string, unknown>>(em: Em, fragment: Sql): Promise<T[]> {
  const { text, bindings } = knexSql(fragment);
  return executeText<T>(em, text, bindings);
}

async function executeText<T>(
  em: Em,
  written: string,
  bindings: readonly Knex.Value[],
): Promise<T[]> {
  const text = em.config.get('onQuery')(written, bindings as unknown[]);
  const connection = em.getConnection() as unknown as SqlConnection;
  const transaction = (em as unknown as SqlEntityManager).getTransactionContext<Knex.Transaction>();
  return connection.executeQuery(
    text,
    async () => {
      const query = connection.getKnex().raw(text, bindings as Knex.Value[]);
      if (transaction) {
        void query.transacting(transaction);
      }
      return connection.transformRawResult<T[]>(await query, 'all');
    },
    { query: text },
  );
}

export function dialectOf(em: Em): SqlDialect {
  return em.getDriver() instanceof PostgreSqlDriver ? 'postgresql' : 'sqlite';
}

/**
 * A constant of an `INSERT … SELECT`, converted as the ORM converts a property's value (dates,
 * JSON, booleans on SQLite) and cast to the column's type on PostgreSQL, which would otherwise
 * take an untyped parameter in a select list for text.
 */
export function boundValue(em: Em, prop: EntityProperty, value: unknown): Sql {
  let converted: unknown = value ?? null;
  const dialect = dialectOf(em);
  if (converted instanceof Date) {
    converted = em.getPlatform().processDateProperty(converted);
  } else if (prop.type === 'json' && converted !== null) {
    converted = JSON.stringify(converted);
  } else if (typeof converted === 'boolean' && dialect === 'sqlite') {
    converted = converted ? 1 : 0;
  }
  return dialect === 'postgresql'
    ? sql`cast(${converted} as ${columnType(prop.columnTypes[0]!)})`
    : sql`${converted}`;
}
