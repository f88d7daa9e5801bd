import databasesSql, { type SQLQuery } from '@databases/sql';
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

const quoteIdentifier = (name: string) => `"${name.replace(/"/g, '""')}"`;

const formats = {
  postgresql: {
    escapeIdentifier: quoteIdentifier,
    formatValue: (value: unknown, index: number) => ({ placeholder: `$${index + 1}`, value }),
  },
  sqlite: {
    escapeIdentifier: quoteIdentifier,
    formatValue: (value: unknown) => ({ placeholder: '?', value }),
  },
} as const;

export function formatSql(fragment: Sql, dialect: SqlDialect): FormattedSql {
  const { text, values } = fragment.format(formats[dialect]);
  return { text, params: values };
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
