import databasesSql, { SQLItemType, type SQLItem, type SQLQuery } from '@databases/sql';
import type { Knex } from '@mikro-orm/knex';

/**
 * The one way to write SQL the ORM does not build. A fragment is a `SQLQuery` of
 * `@databases/sql`: text written in a template literal is SQL, and everything interpolated into it
 * is either another fragment, an identifier (`sql.ident`) or a bound value — a plain string can
 * never become SQL. The same fragment formats for either database (`formatSql`) or goes into a
 * knex query builder as a raw piece (`knexRaw`).
 */
export type Sql = SQLQuery;

export const sql = databasesSql;

export type SqlDialect = 'postgresql' | 'sqlite';

/** A statement's text with its dialect's placeholders, and the values bound to them in order. */
export interface FormattedSql {
  text: string;
  params: unknown[];
}

const quotedNames = new Map<string, string>();

/** Identifiers are few (tables, columns, aliases): each is quoted once per process. */
function quoteIdentifier(name: string): string {
  let quoted = quotedNames.get(name);
  if (quoted === undefined) {
    quoted = `"${name.replace(/"/g, '""')}"`;
    if (quotedNames.size < 10_000) {
      quotedNames.set(name, quoted);
    }
  }
  return quoted;
}

/** One pass over a fragment's items; compiled reads format a statement per request. */
const formatter =
  (placeholder: (position: number) => string) =>
  (items: readonly SQLItem[]): FormattedSql => {
    let text = '';
    const params: unknown[] = [];
    for (const item of items) {
      if (item.type === SQLItemType.RAW) {
        text += item.text;
      } else if (item.type === SQLItemType.VALUE) {
        params.push(item.value);
        text += placeholder(params.length);
      } else {
        text += (item.names as string[]).map(quoteIdentifier).join('.');
      }
    }
    return { text, params };
  };

const formats = {
  postgresql: formatter((position) => `$${position}`),
  sqlite: formatter(() => '?'),
} as const;

export function formatSql(fragment: Sql, dialect: SqlDialect): FormattedSql {
  return fragment.format(formats[dialect]);
}

const knexFormat = {
  escapeIdentifier: (name: string) => {
    // knex would take a `?` inside a quoted identifier for a placeholder.
    if (name.includes('?')) {
      throw new Error(`an identifier with "?" cannot go through knex: ${name}`);
    }
    return quoteIdentifier(name);
  },
  formatValue: (value: unknown) => ({ placeholder: '?', value }),
};

/** A fragment as knex's text and bindings (knex binds `?` on both databases). */
export function knexSql(fragment: Sql): { text: string; bindings: Knex.Value[] } {
  const { text, values } = fragment.format(knexFormat);
  return { text, bindings: values as Knex.Value[] };
}

/** A fragment as a knex raw piece, to use inside a knex query builder. */
export function knexRaw(knex: Knex, fragment: Sql): Knex.Raw {
  const { text, bindings } = knexSql(fragment);
  return knex.raw(text, bindings);
}

/**
 * An SQL string literal, for text known when the code is written (an enum value, a GraphQL name
 * used as a JSON key): standard quoting, the same on both databases. Values that come from a
 * request are bound with `${…}` instead.
 */
export function literal(text: string): Sql {
  return sql.__dangerous__rawValue(`'${text.replace(/'/g, "''")}'`);
}

/** A select-list position (`group by 1, 2`): a whole number, never text. */
export function position(at: number): Sql {
  if (!Number.isInteger(at) || at < 1) {
    throw new Error(`not a select-list position: ${at}`);
  }
  return sql.__dangerous__rawValue(String(at));
}

/** `(a, b, …)` of literals, for an IN list of enum values. */
export function literalList(texts: readonly string[]): Sql {
  return sql`(${sql.join(texts.map(literal), ', ')})`;
}

/** `column in (…)` for bound values; an empty list matches nothing, as MikroORM's `$in: []`. */
export function inList(column: Sql, values: readonly unknown[]): Sql {
  if (values.length === 0) {
    return sql`1 = 0`;
  }
  return sql`${column} in (${sql.join(
    values.map((value) => sql.value(value)),
    ', ',
  )})`;
}

/**
 * A column type from the ORM's metadata (`varchar(80)`, `jsonb`, `numeric(9,6)`), for DDL and
 * casts: checked to be a type name with an optional size, never arbitrary text.
 */
export function columnType(type: string): Sql {
  if (!/^[a-z][a-z0-9_ ]*(\(\d+(,\s*\d+)?\))?$/i.test(type)) {
    throw new Error(`not a column type: ${type}`);
  }
  return sql.__dangerous__rawValue(type);
}
