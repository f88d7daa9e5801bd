import type { EntityProperty } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/knex';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import type { Em } from '../orm';
import { columnType, knexSql, sql, type Sql, type SqlDialect } from './sql';

/**
 * Runs a fragment on the entity manager's connection, inside its transaction if it has one, so
 * it is logged and counted like every statement the ORM sends.
 */
export function execute<T = Record<string, unknown>>(em: Em, fragment: Sql): Promise<T[]> {
  const { text, bindings } = knexSql(fragment);
  return (em as unknown as SqlEntityManager).execute<T[]>(text, bindings);
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
