import { literal, sql, type Sql, type SqlDialect } from '../../db/sql/sql';

const keys = new Map<string, Sql>();

/** A JSON key as an SQL string literal: GraphQL names are `[_A-Za-z][_0-9A-Za-z]*`. */
export function jsonKey(name: string): Sql {
  let key = keys.get(name);
  if (!key) {
    if (!/^[_A-Za-z][_0-9A-Za-z]*$/.test(name)) {
      throw new Error(`not a GraphQL name: ${name}`);
    }
    key = literal(name);
    if (keys.size < 10_000) {
      keys.set(name, key);
    }
  }
  return key;
}

/**
 * How each database builds JSON. Both keep an object's keys in the order given, so the text
 * follows the query's selection order as graphql-js's answer does.
 */
export interface JsonDialect {
  name: SqlDialect;
  /** An object from (key, value) pairs; values are SQL expressions already valid as JSON members. */
  object(members: readonly (readonly [string, Sql])[]): Sql;
  /** A JSON value produced by a subquery, embedded as JSON rather than as a string. */
  embed(subquery: Sql): Sql;
  /** A boolean column (PostgreSQL `boolean`, SQLite 0/1) as JSON `true`/`false`/`null`. */
  boolean(column: Sql): Sql;
  /** The JSON array of `item` over the rows of a FROM clause, in `orderBy`, where `filter` holds. */
  arrayAgg(item: Sql, orderBy: Sql, filter: Sql): Sql;
  /** A JSON value as text for the driver to hand back unparsed. */
  text(json: Sql): Sql;
  /** PostgreSQL's `json_build_object` takes at most 100 arguments. */
  maxMembers: number;
}

const memberList = (members: readonly (readonly [string, Sql])[]) =>
  sql.join(
    members.map(([name, value]) => sql`${jsonKey(name)}, ${value}`),
    ', ',
  );

const postgresql: JsonDialect = {
  name: 'postgresql',
  object: (members) => sql`json_build_object(${memberList(members)})`,
  embed: (subquery) => subquery,
  boolean: (column) => column,
  arrayAgg: (item, orderBy, filter) =>
    sql`coalesce(json_agg(${item} order by ${orderBy}) filter (where ${filter}), '[]'::json)`,
  text: (json) => sql`(${json})::text`,
  maxMembers: 50,
};

const sqlite: JsonDialect = {
  name: 'sqlite',
  object: (members) => sql`json_object(${memberList(members)})`,
  // A value leaving a subquery loses SQLite's JSON subtype and would be embedded as a string.
  embed: (subquery) => sql`json(${subquery})`,
  boolean: (column) =>
    sql`json(case when ${column} is null then null when ${column} then 'true' else 'false' end)`,
  // Elements are JSON text already; json_group_array would need json() on each, and SQLite drops
  // the JSON subtype of values sorted by an aggregate's ORDER BY (they would become strings).
  arrayAgg: (item, orderBy, filter) =>
    sql`'[' || coalesce(group_concat(${item}, ',' order by ${orderBy}) filter (where ${filter}), '') || ']'`,
  text: (json) => json,
  maxMembers: 1_000,
};

export function jsonDialect(driver: SqlDialect): JsonDialect {
  return driver === 'postgresql' ? postgresql : sqlite;
}
