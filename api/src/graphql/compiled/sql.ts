/** A piece of SQL with its `?` bindings, in the order they appear in the text. */
export interface Sql {
  text: string;
  params: unknown[];
}

export type SqlPart = Sql | string;

/** Joins pieces (and plain text) into one, keeping each piece's bindings in text order. */
export function sql(parts: readonly SqlPart[], separator = ''): Sql {
  const texts: string[] = [];
  const params: unknown[] = [];
  for (const part of parts) {
    if (typeof part === 'string') {
      texts.push(part);
    } else {
      texts.push(part.text);
      params.push(...part.params);
    }
  }
  return { text: texts.join(separator), params };
}

/** One bound value. */
export function value(bound: unknown): Sql {
  return { text: '?', params: [bound] };
}

/** `(?, ?, …)` for an IN list; an empty list matches nothing, as MikroORM's `$in: []` does. */
export function inList(column: string, values: readonly unknown[]): Sql {
  if (values.length === 0) {
    return { text: '1 = 0', params: [] };
  }
  return { text: `${column} in (${values.map(() => '?').join(', ')})`, params: [...values] };
}

/** A JSON key as an SQL string literal: GraphQL names are `[_A-Za-z][_0-9A-Za-z]*`. */
function key(name: string): string {
  if (!/^[_A-Za-z][_0-9A-Za-z]*$/.test(name)) {
    throw new Error(`not a GraphQL name: ${name}`);
  }
  return `'${name}'`;
}

/**
 * How each database builds JSON. Both keep an object's keys in the order given, so the text
 * follows the query's selection order as graphql-js's answer does.
 */
export interface JsonDialect {
  name: 'postgresql' | 'sqlite';
  /** An object from (key, value) pairs; values are SQL expressions already valid as JSON members. */
  object(members: readonly (readonly [string, Sql])[]): Sql;
  /** A JSON value produced by a subquery, embedded as JSON rather than as a string. */
  embed(subquery: Sql): Sql;
  /** A boolean column (PostgreSQL `boolean`, SQLite 0/1) as JSON `true`/`false`/`null`. */
  boolean(column: string): Sql;
  /** The JSON array of `item` over the rows of a FROM clause, in `orderBy`, where `filter` holds. */
  arrayAgg(item: string, orderBy: string, filter: Sql): Sql;
  /** A JSON value as text for the driver to hand back unparsed. */
  text(json: Sql): Sql;
  /** PostgreSQL's `json_build_object` takes at most 100 arguments. */
  maxMembers: number;
}

const postgresql: JsonDialect = {
  name: 'postgresql',
  object: (members) =>
    sql([
      'json_build_object(',
      sql(
        members.flatMap(([name, v]) => [key(name), v]),
        ', ',
      ),
      ')',
    ]),
  embed: (subquery) => subquery,
  boolean: (column) => ({ text: column, params: [] }),
  arrayAgg: (item, orderBy, filter) =>
    sql([
      `coalesce(json_agg(${item} order by ${orderBy}) filter (where `,
      filter,
      `), '[]'::json)`,
    ]),
  text: (json) => sql(['(', json, ')::text']),
  maxMembers: 50,
};

const sqlite: JsonDialect = {
  name: 'sqlite',
  object: (members) =>
    sql([
      'json_object(',
      sql(
        members.flatMap(([name, v]) => [key(name), v]),
        ', ',
      ),
      ')',
    ]),
  // A value leaving a subquery loses SQLite's JSON subtype and would be embedded as a string.
  embed: (subquery) => sql(['json(', subquery, ')']),
  boolean: (column) => ({
    text: `json(case when ${column} is null then null when ${column} then 'true' else 'false' end)`,
    params: [],
  }),
  // Elements are JSON text already; json_group_array would need json() on each, and SQLite drops
  // the JSON subtype of values sorted by an aggregate's ORDER BY (they would become strings).
  arrayAgg: (item, orderBy, filter) =>
    sql([
      `'[' || coalesce(group_concat(${item}, ',' order by ${orderBy}) filter (where `,
      filter,
      `), '') || ']'`,
    ]),
  text: (json) => json,
  maxMembers: 1_000,
};

export function jsonDialect(driver: 'postgresql' | 'sqlite'): JsonDialect {
  return driver === 'postgresql' ? postgresql : sqlite;
}
