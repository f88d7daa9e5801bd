import type { EntityMetadata, MetadataStorage } from '@mikro-orm/core';
import { getArgumentValues } from 'graphql';
import { today } from '../../common/dates';
import type { AppConfig } from '../../config';
import type { Em } from '../../db/orm';
import { mandateInForceOrder, mandateInForceWhere } from '../../people/people.input';
import { pageInfoOf, pageWindow } from '../connection';
import { UnreachableCaseError } from '../errors';
import type { CompiledOperation, ConnectionPart, FieldPlan, ObjectPlan, RootPlan } from './compile';
import { formatSql, sql, type FormattedSql, type Sql, type SqlDialect } from '../../db/sql/sql';
import { jsonKey, type JsonDialect } from './json-dialect';
import {
  NotCompilable,
  Slot,
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
  driver: SqlDialect;
}

/**
 * What answers a compiled request: one statement whose single row holds the JSON of the rows it
 * reads (null when only plain data is selected), the plain-data roots to run (aggregates), and
 * how both become the response body.
 */
export interface CompiledStatement {
  sql: FormattedSql | null;
  loads: { name: string; run(em: Em): Promise<unknown> }[];
  body(row: Record<string, unknown>, data: Record<string, unknown>): string;
}

type Piece = (row: Record<string, unknown>, data: Record<string, unknown>) => string;

/** What a request's arguments give one root: its filter, its order and its page window. */
interface RootInput {
  args: Record<string, unknown>;
  where?: unknown;
  orderBy?: readonly unknown[];
  window?: { offset: number; limit: number };
  /** The page window's values as the statement binds them. */
  page?: { fetch: number; offset: number; upTo: number };
}

/** Everything a compiled statement reads from a request's arguments. */
interface Inputs {
  roots: (RootInput | null)[];
  /** The filter of each `gestor`/`mayor` field: the mandate of the role in force on the day. */
  inForce: Map<FieldPlan, unknown>;
}

/** A statement's text built for one argument shape, with the values it binds: slots or constants. */
interface Template {
  text: string;
  params: unknown[];
}

/** Argument shapes kept per document; a document's shapes are few (which filters, list lengths). */
const maxShapes = 32;

/**
 * Compiled statements for `options`. Building a statement costs more than running it prepared
 * (a lookup: ~0.1 ms of CPU per request), so each document's statement text is built once per
 * argument shape — which filters are present, which are null, list lengths, the order — and a
 * request only binds its values into the template's slots. A value is only ever a bound
 * parameter: a template's text comes from a build whose values were all `Slot`s.
 */
export function compiledStatements(
  options: StatementOptions,
): (compiled: CompiledOperation, variables: Record<string, unknown>) => CompiledStatement {
  const templates = new WeakMap<CompiledOperation, Map<string, Template | null>>();
  return (compiled, variables) => {
    const inputs = inputsOf(compiled, variables, options);
    const leaves: unknown[] = [];
    const shape = shapeOf(inputs, leaves, false).shape;
    let shapes = templates.get(compiled);
    if (!shapes) {
      shapes = new Map();
      templates.set(compiled, shapes);
    }
    let template = shapes.get(shape);
    if (template === undefined) {
      const slotted = shapeOf(inputs, [], true).value as Inputs;
      const statement = statementSql(compiled, slotted, options);
      template = statement && formatSql(statement, options.driver);
      if (shapes.size >= maxShapes) {
        shapes.delete(shapes.keys().next().value!);
      }
      shapes.set(shape, template);
    }
    return {
      sql: template && {
        text: template.text,
        params: template.params.map((param) =>
          param instanceof Slot ? leaves[param.index] : param,
        ),
      },
      ...answer(compiled, inputs),
    };
  };
}

/**
 * The arguments of every root and `gestor`/`mayor` field with these variables (already coerced).
 * Arguments are validated by the same functions the resolvers call, so a bad one throws the same
 * error — and the caller lets the resolvers answer it.
 */
function inputsOf(
  compiled: CompiledOperation,
  variables: Record<string, unknown>,
  options: StatementOptions,
): Inputs {
  const inForce = new Map<FieldPlan, unknown>();
  const walk = (plan: ObjectPlan) => {
    for (const field of plan.fields) {
      if (field.kind === 'toOne') {
        walk(field.object);
      } else if (field.kind === 'inForce') {
        const args = getArgumentValues(field.field, field.node, variables);
        const on = (args.asOf as string | null | undefined) ?? today();
        inForce.set(field, mandateInForceWhere(field.role, on));
        walk(field.object);
      }
    }
  };
  const roots = compiled.roots.map((root): RootInput | null => {
    if (root.kind === 'constant') {
      return null;
    }
    const args = getArgumentValues(root.field, root.node, variables);
    if (root.kind === 'data') {
      return { args };
    }
    if (root.kind === 'lookup') {
      walk(root.object);
      return { args, where: root.entry.where(args) };
    }
    if (args.last != null || args.before != null) {
      throw new NotCompilable('backward paging');
    }
    const { offset, limit } = pageWindow(args, options.limits);
    for (const part of root.parts) {
      if (part.kind === 'nodes') {
        walk(part.object);
      }
    }
    return {
      args,
      where: root.entry.where(args),
      orderBy: root.entry.orderBy(args),
      window: { offset, limit },
      page: { fetch: limit === 0 ? 0 : limit + 1, offset, upTo: offset + limit },
    };
  });
  return { roots, inForce };
}

/**
 * The shape of `inputs` — everything but the values, which it pushes on `leaves` in order — and,
 * when `slots`, a copy of `inputs` with value `i` replaced by `Slot(i)`. Orders are part of the
 * shape (their directions are SQL words); page windows are values. Anything else than plain
 * objects, lists, strings, numbers, booleans and nulls is not compiled.
 */
function shapeOf(
  value: unknown,
  leaves: unknown[],
  slots: boolean,
  verbatim = false,
): { shape: string; value: unknown } {
  if (value === null || value === undefined) {
    return { shape: value === null ? 'n' : 'u', value };
  }
  if (verbatim) {
    return { shape: JSON.stringify(value), value };
  }
  const type = typeof value;
  if (type === 'string' || type === 'number' || type === 'boolean') {
    leaves.push(value);
    return {
      shape: type[0]!,
      value: slots ? new Slot(leaves.length - 1, type as Slot['type']) : value,
    };
  }
  if (Array.isArray(value)) {
    const items = value.map((item) => shapeOf(item, leaves, slots));
    return {
      shape: `[${items.map((item) => item.shape).join(',')}]`,
      value: slots ? items.map((item) => item.value) : value,
    };
  }
  if (value instanceof Map) {
    const entries = [...value].map(([key, item]) => [key, shapeOf(item, leaves, slots)] as const);
    return {
      shape: `<${entries.map(([, item]) => item.shape).join(',')}>`,
      value: slots ? new Map(entries.map(([key, item]) => [key, item.value])) : value,
    };
  }
  if (Object.getPrototypeOf(value) === Object.prototype) {
    let shape = '{';
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      // Root arguments are read through `where`, `orderBy` and `page` only.
      if (key === 'args' || key === 'window') {
        continue;
      }
      const member = shapeOf(item, leaves, slots, key === 'orderBy');
      shape += `${JSON.stringify(key)}:${member.shape},`;
      copy[key] = member.value;
    }
    return { shape: `${shape}}`, value: slots ? copy : value };
  }
  throw new NotCompilable('an argument value that is not plain data');
}

/** The loads and the body of a request: what it reads besides the statement, and its answer. */
function answer(
  compiled: CompiledOperation,
  inputs: Inputs,
): Pick<CompiledStatement, 'loads' | 'body'> {
  const loads: CompiledStatement['loads'] = [];
  const pieces = compiled.roots.map((root, index): Piece => {
    const key = JSON.stringify(root.key);
    if (root.kind === 'constant') {
      return () => `${key}:${root.json}`;
    }
    const input = inputs.roots[index]!;
    if (root.kind === 'data') {
      const name = `d${index}`;
      loads.push({ name, run: (em) => root.entry.run(em, input.args as Record<string, never>) });
      return (_row, data) => `${key}:${root.write(data[name])}`;
    }
    const name = `c${index}`;
    if (root.kind === 'lookup') {
      return (row) => `${key}:${(row[name] as string | null) ?? 'null'}`;
    }
    const { offset, limit } = input.window!;
    const parts = root.parts.map((part) => {
      const partKey = JSON.stringify(part.key);
      const piece = connectionPiece(part, name, offset, limit);
      return (row: Record<string, unknown>) => `${partKey}:${piece(row)}`;
    });
    return (row) => `${key}:{${parts.map((part) => part(row)).join(',')}}`;
  });
  return {
    loads,
    // Apollo ends its JSON with a newline; so does this answer.
    body: (row, data) => `{"data":{${pieces.map((piece) => piece(row, data)).join(',')}}}\n`,
  };
}

type Context = WhereContext & StatementOptions & { inForce: Inputs['inForce'] };

/** The statement of `compiled` over `inputs` (slotted), or null when no root reads rows. */
function statementSql(
  compiled: CompiledOperation,
  inputs: Inputs,
  options: StatementOptions,
): Sql | null {
  let aliases = 0;
  const context: Context = {
    ...options,
    inForce: inputs.inForce,
    alias: () => `t${++aliases}`,
  };
  const columns: Sql[] = [];
  const pages: Sql[] = [];
  compiled.roots.forEach((root, index) => {
    if (root.kind === 'lookup' || root.kind === 'connection') {
      rootSql(context, root, inputs.roots[index]!, `c${index}`, columns, pages);
    }
  });
  return columns.length === 0
    ? null
    : pages.length > 0
      ? sql`select ${sql.join(columns, ', ')} from ${sql.join(pages, ', ')}`
      : sql`select ${sql.join(columns, ', ')}`;
}

function rootSql(
  context: Context,
  root: Extract<RootPlan, { kind: 'lookup' | 'connection' }>,
  input: RootInput,
  name: string,
  columns: Sql[],
  pages: Sql[],
): void {
  if (root.kind === 'lookup') {
    const meta = root.object.meta;
    const joins: Sql[] = [];
    const object = objectJson(context, root.object, 'r', joins);
    const where = whereSql(context, meta, 'r', input.where);
    const lookup = sql`(select ${object} from ${sql.ident(meta.tableName)} r ${joinList(joins)}where ${where} limit 1)`;
    columns.push(sql`${context.dialect.text(lookup)} as ${sql.ident(name)}`);
    return;
  }
  const meta = root.meta;
  const where = whereSql(context, meta, 'r', input.where);
  const { fetch, offset, upTo } = input.page!;
  const nodes = root.parts.find((part) => part.kind === 'nodes');
  if (nodes || root.parts.some((part) => part.kind === 'pageInfo')) {
    const joins: Sql[] = [];
    const object = nodes ? objectJson(context, nodes.object, 'r', joins) : sql`null`;
    const order = orderSql(context, meta, 'r', input.orderBy!, joins);
    const page = sql`select row_number() over (order by ${order}) as rn, ${object} as j from ${sql.ident(meta.tableName)} r ${joinList(joins)}where ${where} order by ${order} limit ${fetch} offset ${offset}`;
    const rows = context.dialect.arrayAgg(sql`x.j`, sql`x.rn`, sql`x.rn <= ${upTo}`);
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
        // As `connectionOf`: one row past the page says there is a next one.
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
        const mandate = field.object.meta;
        const inner = context.alias();
        const innerJoins: Sql[] = [];
        const object = objectJson(context, field.object, inner, innerJoins);
        const order = orderSql(context, mandate, inner, mandateInForceOrder, innerJoins);
        const ofRow = sql`${sql.ident(inner, columnOf(mandate, 'municipality'))} = ${primaryColumn(plan.meta, alias)}`;
        const inForce = whereSql(context, mandate, inner, context.inForce.get(field));
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
