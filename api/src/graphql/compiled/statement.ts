import type { EntityMetadata, MetadataStorage } from '@mikro-orm/core';
import { getArgumentValues } from 'graphql';
import { today } from '../../common/dates';
import type { AppConfig } from '../../config';
import type { Em } from '../../db/orm';
import { mandateInForceOrder, mandateInForceWhere } from '../../people/people.input';
import { pageInfoOf, pageWindow } from '../connection';
import { UnreachableCaseError } from '../errors';
import type { CompiledOperation, ConnectionPart, ObjectPlan, RootPlan } from './compile';
import { sql, type Sql } from '../../db/sql/sql';
import { jsonKey, type JsonDialect } from './json-dialect';
import {
  NotCompilable,
  columnOf,
  leftJoin,
  orderSql,
  whereSql,
  type WhereContext,
} from './where-sql';

export interface StatementOptions {
  dialect: JsonDialect;
  metadata: MetadataStorage;
  limits: AppConfig['limits'];
}

/**
 * What answers a compiled request: one statement whose single row holds the JSON of the rows it
 * reads (null when only plain data is selected), the plain-data roots to run (aggregates), and
 * how both become the response body.
 */
export interface CompiledStatement {
  sql: Sql | null;
  loads: { name: string; run(em: Em): Promise<unknown> }[];
  body(row: Record<string, unknown>, data: Record<string, unknown>): string;
}

type Piece = (row: Record<string, unknown>, data: Record<string, unknown>) => string;

/**
 * The statement answering `compiled` with these variables (already coerced). Arguments are
 * validated by the same functions the resolvers call, so a bad one throws the same error — and
 * the caller lets the resolvers answer it.
 */
export function compiledStatement(
  compiled: CompiledOperation,
  variables: Record<string, unknown>,
  options: StatementOptions,
): CompiledStatement {
  let aliases = 0;
  const context: Context = {
    ...options,
    variables,
    alias: () => `t${++aliases}`,
  };
  const columns: Sql[] = [];
  const pages: Sql[] = [];
  const loads: CompiledStatement['loads'] = [];
  const pieces = compiled.roots.map((root, index): Piece => {
    const key = JSON.stringify(root.key);
    if (root.kind === 'data') {
      const args = getArgumentValues(root.field, root.node, variables);
      const name = `d${index}`;
      loads.push({ name, run: (em) => root.entry.run(em, args as Record<string, never>) });
      return (_row, data) => `${key}:${root.write(data[name])}`;
    }
    const piece = rootPiece(context, root, `c${index}`, columns, pages);
    return (row) => `${key}:${piece(row)}`;
  });
  const statement =
    columns.length === 0
      ? null
      : pages.length > 0
        ? sql`select ${sql.join(columns, ', ')} from ${sql.join(pages, ', ')}`
        : sql`select ${sql.join(columns, ', ')}`;
  return {
    sql: statement,
    loads,
    // Apollo ends its JSON with a newline; so does this answer.
    body: (row, data) => `{"data":{${pieces.map((piece) => piece(row, data)).join(',')}}}\n`,
  };
}

type Context = WhereContext & StatementOptions & { variables: Record<string, unknown> };

function rootPiece(
  context: Context,
  root: Exclude<RootPlan, { kind: 'data' }>,
  name: string,
  columns: Sql[],
  pages: Sql[],
): (row: Record<string, unknown>) => string {
  if (root.kind === 'constant') {
    return () => root.json;
  }
  const args = getArgumentValues(root.field, root.node, context.variables);
  if (root.kind === 'lookup') {
    const meta = root.object.meta;
    const joins: Sql[] = [];
    const object = objectJson(context, root.object, 'r', joins);
    const where = whereSql(context, meta, 'r', root.entry.where(args));
    const lookup = sql`(select ${object} from ${sql.ident(meta.tableName)} r ${joinList(joins)}where ${where} limit 1)`;
    columns.push(sql`${context.dialect.text(lookup)} as ${sql.ident(name)}`);
    return (row) => (row[name] as string | null) ?? 'null';
  }
  if (args.last != null || args.before != null) {
    throw new NotCompilable('backward paging');
  }
  const { offset, limit } = pageWindow(args, context.limits);
  const meta = root.meta;
  const where = whereSql(context, meta, 'r', root.entry.where(args));
  const nodes = root.parts.find((part) => part.kind === 'nodes');
  if (nodes || root.parts.some((part) => part.kind === 'pageInfo')) {
    const joins: Sql[] = [];
    const object = nodes ? objectJson(context, nodes.object, 'r', joins) : sql`null`;
    const order = orderSql(context, meta, 'r', root.entry.orderBy(args), joins);
    const page = sql`select row_number() over (order by ${order}) as rn, ${object} as j from ${sql.ident(meta.tableName)} r ${joinList(joins)}where ${where} order by ${order} limit ${limit === 0 ? 0 : limit + 1} offset ${offset}`;
    const rows = context.dialect.arrayAgg(sql`x.j`, sql`x.rn`, sql`x.rn <= ${offset + limit}`);
    pages.push(
      sql`(select ${context.dialect.text(rows)} as n, count(*) as f from (${page}) x) ${sql.ident(name)}`,
    );
    columns.push(
      sql`${sql.ident(name, 'n')} as ${sql.ident(`${name}n`)}, ${sql.ident(name, 'f')} as ${sql.ident(`${name}f`)}`,
    );
  }
  if (root.parts.some((part) => part.kind === 'totalCount')) {
    columns.push(
      sql`(select count(*) from ${sql.ident(meta.tableName)} r where ${where}) as ${sql.ident(`${name}t`)}`,
    );
  }
  const parts = root.parts.map((part) => {
    const key = JSON.stringify(part.key);
    const piece = connectionPiece(part, name, offset, limit);
    return (row: Record<string, unknown>) => `${key}:${piece(row)}`;
  });
  return (row) => `{${parts.map((part) => part(row)).join(',')}}`;
}

function connectionPiece(
  part: ConnectionPart,
  name: string,
  offset: number,
  limit: number,
): (row: Record<string, unknown>) => string {
  switch (part.kind) {
    case 'constant':
      return () => part.json;
    case 'totalCount':
      return (row) => String(Number(row[`${name}t`]));
    case 'nodes':
      return (row) => row[`${name}n`] as string;
    case 'pageInfo': {
      const fields = part.parts.map((field) => [JSON.stringify(field.key), field] as const);
      return (row) => {
        // As `paginate`: one row past the page says there is a next one.
        const fetched = Number(row[`${name}f`]);
        const info = pageInfoOf(offset, Math.min(fetched, limit), fetched > limit);
        const members = fields.map(
          ([key, field]) =>
            `${key}:${field.kind === 'constant' ? field.json : JSON.stringify(info[field.kind])}`,
        );
        return `{${members.join(',')}}`;
      };
    }
    default:
      throw new UnreachableCaseError(part);
  }
}

const primaryColumn = (meta: EntityMetadata, alias: string) =>
  sql.ident(alias, columnOf(meta, meta.primaryKeys[0]!));

/** Joins, each followed by a space, ahead of a WHERE. */
const joinList = (joins: readonly Sql[]) =>
  sql.join(
    joins.map((join) => sql`${join} `),
    '',
  );

/** The JSON object of one row of `plan` aliased `alias`; to-one rows join into `joins`. */
function objectJson(context: Context, plan: ObjectPlan, alias: string, joins: Sql[]): Sql {
  const { dialect } = context;
  if (plan.fields.length > dialect.maxMembers) {
    throw new NotCompilable(`${plan.fields.length} fields in one object`);
  }
  const members = plan.fields.map((field): readonly [string, Sql] => {
    switch (field.kind) {
      case 'typename':
        // Type names are GraphQL names, safe inside an SQL string literal.
        return [field.key, jsonKey(field.typeName)];
      case 'column': {
        const column = sql.ident(alias, field.column);
        return [field.key, field.boolean ? dialect.boolean(column) : column];
      }
      case 'toOne': {
        const joined = context.alias();
        const key = primaryColumn(field.target, joined);
        joins.push(leftJoin(field.target, joined, sql.ident(alias, field.column)));
        const object = objectJson(context, field.object, joined, joins);
        return [
          field.key,
          dialect.embed(sql`case when ${key} is null then null else ${object} end`),
        ];
      }
      case 'inForce': {
        // The mandate of the role in force on the day, as the `gestor`/`mayor` resolvers pick it.
        const args = getArgumentValues(field.field, field.node, context.variables);
        const on = (args.asOf as string | null | undefined) ?? today();
        const mandate = field.object.meta;
        const inner = context.alias();
        const innerJoins: Sql[] = [];
        const object = objectJson(context, field.object, inner, innerJoins);
        const order = orderSql(context, mandate, inner, mandateInForceOrder, innerJoins);
        const ofRow = sql`${sql.ident(inner, columnOf(mandate, 'municipality'))} = ${primaryColumn(plan.meta, alias)}`;
        const inForce = whereSql(context, mandate, inner, mandateInForceWhere(field.role, on));
        return [
          field.key,
          dialect.embed(
            sql`(select ${object} from ${sql.ident(mandate.tableName)} ${sql.ident(inner)} ${joinList(innerJoins)}where ${ofRow} and ${inForce} order by ${order} limit 1)`,
          ),
        ];
      }
      default:
        throw new UnreachableCaseError(field);
    }
  });
  return dialect.object(members);
}
