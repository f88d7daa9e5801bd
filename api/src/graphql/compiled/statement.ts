import type { EntityMetadata, MetadataStorage } from '@mikro-orm/core';
import { getArgumentValues } from 'graphql';
import { today } from '../../common/dates';
import type { AppConfig } from '../../config';
import type { Em } from '../../db/orm';
import { mandateInForceOrder, mandateInForceWhere } from '../../people/people.input';
import { encodeCursor, pageWindow } from '../connection';
import { UnreachableCaseError } from '../errors';
import type { CompiledOperation, ConnectionPart, ObjectPlan, RootPlan } from './compile';
import { sql, value, type JsonDialect, type Sql } from './sql';
import {
  NotCompilable,
  columnOf,
  orderSql,
  quoted,
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
      : sql([
          'select ',
          sql(columns, ', '),
          ...(pages.length > 0 ? [' from ', sql(pages, ', ')] : []),
        ]);
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
    const joins: string[] = [];
    const object = objectJson(context, root.object, 'r', joins);
    const where = whereSql(context, meta, 'r', root.entry.where(args));
    columns.push(
      sql([
        context.dialect.text(
          sql([
            '(select ',
            object,
            ` from ${quoted(meta.tableName)} r `,
            ...joins.map((join) => `${join} `),
            'where ',
            where,
            ' limit 1)',
          ]),
        ),
        ` as ${name}`,
      ]),
    );
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
    const joins: string[] = [];
    const object = nodes ? objectJson(context, nodes.object, 'r', joins) : sql(['null']);
    const order = orderSql(context, meta, 'r', root.entry.orderBy(args), joins);
    const page = sql([
      `select row_number() over (order by ${order}) as rn, `,
      object,
      ` as j from ${quoted(meta.tableName)} r `,
      ...joins.map((join) => `${join} `),
      'where ',
      where,
      ` order by ${order} limit `,
      value(limit === 0 ? 0 : limit + 1),
      ' offset ',
      value(offset),
    ]);
    const rows = context.dialect.arrayAgg('x.j', 'x.rn', sql(['x.rn <= ', value(offset + limit)]));
    pages.push(
      sql([
        '(select ',
        context.dialect.text(rows),
        ' as n, count(*) as f from (',
        page,
        `) x) ${name}`,
      ]),
    );
    columns.push({ text: `${name}.n as ${name}n, ${name}.f as ${name}f`, params: [] });
  }
  if (root.parts.some((part) => part.kind === 'totalCount')) {
    columns.push(
      sql([`(select count(*) from ${quoted(meta.tableName)} r where `, where, `) as ${name}t`]),
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
      const fields = part.parts.map((field) => {
        const key = JSON.stringify(field.key);
        return (row: Record<string, unknown>) => {
          // As `paginate`: one row past the page says there is a next one.
          const fetched = Number(row[`${name}f`]);
          const count = Math.min(fetched, limit);
          switch (field.kind) {
            case 'constant':
              return `${key}:${field.json}`;
            case 'hasNextPage':
              return `${key}:${fetched > limit}`;
            case 'hasPreviousPage':
              return `${key}:${offset > 0}`;
            case 'startCursor':
              return `${key}:${count > 0 ? JSON.stringify(encodeCursor(offset)) : 'null'}`;
            case 'endCursor':
              return `${key}:${count > 0 ? JSON.stringify(encodeCursor(offset + count - 1)) : 'null'}`;
            default:
              throw new UnreachableCaseError(field);
          }
        };
      });
      return (row) => `{${fields.map((field) => field(row)).join(',')}}`;
    }
    default:
      throw new UnreachableCaseError(part);
  }
}

const primaryColumn = (meta: EntityMetadata) => quoted(columnOf(meta, meta.primaryKeys[0]!));

/** The JSON object of one row of `plan` aliased `alias`; to-one rows join into `joins`. */
function objectJson(context: Context, plan: ObjectPlan, alias: string, joins: string[]): Sql {
  const { dialect } = context;
  if (plan.fields.length > dialect.maxMembers) {
    throw new NotCompilable(`${plan.fields.length} fields in one object`);
  }
  const members = plan.fields.map((field): readonly [string, Sql] => {
    switch (field.kind) {
      case 'typename':
        // Type names are GraphQL names, safe inside an SQL string literal.
        return [field.key, { text: `'${field.typeName}'`, params: [] }];
      case 'column': {
        const column = `${alias}.${quoted(field.column)}`;
        return [field.key, field.boolean ? dialect.boolean(column) : { text: column, params: [] }];
      }
      case 'toOne': {
        const joined = context.alias();
        const key = `${joined}.${primaryColumn(field.target)}`;
        joins.push(
          `left join ${quoted(field.target.tableName)} ${joined} on ${key} = ${alias}.${quoted(field.column)}`,
        );
        const object = objectJson(context, field.object, joined, joins);
        return [
          field.key,
          dialect.embed(sql([`case when ${key} is null then null else `, object, ' end'])),
        ];
      }
      case 'inForce': {
        // The mandate of the role in force on the day, as the `gestor`/`mayor` resolvers pick it.
        const args = getArgumentValues(field.field, field.node, context.variables);
        const on = (args.asOf as string | null | undefined) ?? today();
        const mandate = field.object.meta;
        const inner = context.alias();
        const innerJoins: string[] = [];
        const object = objectJson(context, field.object, inner, innerJoins);
        const order = orderSql(context, mandate, inner, mandateInForceOrder, innerJoins);
        return [
          field.key,
          dialect.embed(
            sql([
              '(select ',
              object,
              ` from ${quoted(mandate.tableName)} ${inner} `,
              ...innerJoins.map((join) => `${join} `),
              `where ${inner}.${quoted(columnOf(mandate, 'municipality'))} = ${alias}.${primaryColumn(plan.meta)} and `,
              whereSql(context, mandate, inner, mandateInForceWhere(field.role, on)),
              ` order by ${order} limit 1)`,
            ]),
          ),
        ];
      }
      default:
        throw new UnreachableCaseError(field);
    }
  });
  return dialect.object(members);
}
