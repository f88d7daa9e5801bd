import { type EntityClass, type EntityProperty, ReferenceKind } from '@mikro-orm/core';
import type { AbstractSqlDriver } from '@mikro-orm/knex';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import type { Em } from './orm';

/** Rows per INSERT statement, whatever the width of the table. */
export const INSERT_CHUNK_ROWS = 2000;

/** Bound parameters one statement may carry (SQLite ≥ 3.32: 32,766; PostgreSQL: 65,535). */
function parameterLimit(em: Em): number {
  return em.getDriver() instanceof PostgreSqlDriver ? 65_535 : 32_766;
}

/** How many rows of `columns` columns fit in one statement. */
export function rowsPerStatement(em: Em, columns: number): number {
  return Math.max(1, Math.min(INSERT_CHUNK_ROWS, Math.floor(parameterLimit(em) / columns)));
}

export const persisted = (prop: EntityProperty) =>
  prop.persist !== false &&
  !prop.primary &&
  !prop.getter &&
  (prop.kind === ReferenceKind.SCALAR || prop.kind === ReferenceKind.MANY_TO_ONE);

/**
 * The values a new entity starts with (property initialisers: `version = 1`, `demo = false`,
 * `topics = []`, timestamps…), read once from a fresh instance so the bulk path and
 * `em.create` give a row the same defaults.
 */
export function defaultsOf(
  entity: EntityClass<object>,
  props: EntityProperty[],
): Record<string, unknown> {
  const template = new (entity as unknown as new () => Record<string, unknown>)();
  const defaults: Record<string, unknown> = {};
  for (const prop of props) {
    if (template[prop.name] !== undefined) {
      defaults[prop.name] = template[prop.name];
    }
  }
  return defaults;
}

/**
 * Inserts new rows without the unit of work: multi-row `INSERT … VALUES (…), (…) RETURNING id`
 * through the SQL driver's `nativeInsertMany` (the statement the unit of work itself batches
 * with, so column mapping and JSON/Date conversion are the ORM's own), on the caller's entity
 * manager and its transaction, in statements bounded by rows and by parameters. The query
 * builder's `insert([...])` is not used: knex writes a multi-row SQLite insert as
 * `SELECT … UNION ALL SELECT …`, which SQLite caps at 500 terms.
 *
 * Rows name properties (`startDate`, `state`); a many-to-one is given as the related row's id.
 * Properties a row leaves out take the entity's defaults; `createdAt`/`updatedAt` are stamped
 * with one time per call. Returns the new ids in the order of `rows`: ids come from an
 * increasing sequence (PostgreSQL) or rowid (SQLite) assigned row by row within one statement,
 * so the ids a statement returns, sorted, line up with its rows whatever order RETURNING uses.
 */
export async function insertRows(
  em: Em,
  entity: EntityClass<object>,
  rows: Record<string, unknown>[],
): Promise<number[]> {
  if (rows.length === 0) {
    return [];
  }
  const meta = em.getMetadata().get(entity.name);
  const props = meta.props.filter(persisted);
  const known = new Set(props.map((prop) => prop.name));
  const given = new Set<string>();
  for (const row of rows) {
    for (const name of Object.keys(row)) {
      given.add(name);
    }
  }
  for (const name of given) {
    if (!known.has(name)) {
      throw new Error(`insertRows(${entity.name}): "${name}" is not a column property`);
    }
  }
  const now = new Date();
  const defaults = defaultsOf(entity, props);
  for (const stamp of ['createdAt', 'updatedAt']) {
    if (stamp in defaults) {
      defaults[stamp] = now;
    }
  }
  const columns = props.filter((prop) => prop.name in defaults || given.has(prop.name));
  const size = rowsPerStatement(
    em,
    columns.reduce((sum, prop) => sum + prop.fieldNames.length, 0),
  );
  const ids: number[] = [];
  for (let start = 0; start < rows.length; start += size) {
    const data = rows.slice(start, start + size).map((row) => {
      const record: Record<string, unknown> = {};
      for (const prop of columns) {
        const value = prop.name in row ? row[prop.name] : defaults[prop.name];
        record[prop.name] = value === undefined ? null : value;
      }
      return record;
    });
    const result = await (em.getDriver() as unknown as AbstractSqlDriver).nativeInsertMany(
      entity.name,
      data as never,
      { ctx: em.getTransactionContext(), processCollections: false, convertCustomTypes: true },
    );
    const returned = (result.rows ?? []).map((row) => Number(row.id));
    if (returned.length !== data.length) {
      throw new Error(
        `insertRows(${entity.name}): ${data.length} rows sent, ${returned.length} ids returned`,
      );
    }
    ids.push(...returned.sort((a: number, b: number) => a - b));
  }
  return ids;
}
