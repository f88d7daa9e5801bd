import {
  ReferenceKind,
  type EntityMetadata,
  type EntityProperty,
  type MetadataStorage,
} from '@mikro-orm/core';
import { inList, sql, type Sql } from '../../db/sql/sql';
import { isPlainObject } from '../filters';

/**
 * The filters and orders of compiled reads are the same MikroORM `FilterQuery` and order maps
 * the resolvers build (`municipalityWhere`, `municipalityOrder`, `activeOnWhere`): one filter
 * builder, translated here into SQL. Only the subset those builders produce is understood; any
 * other shape throws `NotCompilable` and the request takes the resolvers' path.
 */
export class NotCompilable extends Error {
  override name = 'NotCompilable';
}

/** The one column of a scalar or many-to-one property. */
export function columnOf(meta: EntityMetadata, property: string): string {
  const prop = meta.properties[property as never] as EntityProperty | undefined;
  if (!prop || prop.fieldNames?.length !== 1) {
    throw new NotCompilable(`${meta.className}.${property} is not a single column`);
  }
  return prop.fieldNames[0]!;
}

function propertyOf(meta: EntityMetadata, name: string): EntityProperty {
  const prop = meta.properties[name as never] as EntityProperty | undefined;
  if (!prop) {
    throw new NotCompilable(`${meta.className} has no property ${name}`);
  }
  return prop;
}

const comparisons: Record<string, Sql> = {
  $gte: sql`>=`,
  $lte: sql`<=`,
  $gt: sql`>`,
  $lt: sql`<`,
};

/**
 * A value slot: where a request's value goes in a statement built once per document and argument
 * shape (`statement.ts`). It is bound like any value, so the text never holds a request's value.
 */
export class Slot {
  constructor(
    readonly index: number,
    readonly type: 'string' | 'number' | 'boolean',
  ) {}
}

function isScalar(candidate: unknown): candidate is string | number | boolean | Slot {
  return candidate instanceof Slot || ['string', 'number', 'boolean'].includes(typeof candidate);
}

const isString = (candidate: unknown) =>
  typeof candidate === 'string' || (candidate instanceof Slot && candidate.type === 'string');

export interface WhereContext {
  metadata: MetadataStorage;
  /** Makes a fresh table alias for relation subqueries. */
  alias(): string;
}

/** `where` over rows of `meta` aliased `alias`, as one SQL condition. */
export function whereSql(
  context: WhereContext,
  meta: EntityMetadata,
  alias: string,
  where: unknown,
): Sql {
  if (!isPlainObject(where)) {
    throw new NotCompilable('a condition that is not an object');
  }
  const parts: Sql[] = [];
  for (const [name, condition] of Object.entries(where)) {
    if (condition === undefined) {
      continue;
    }
    if (name === '$and' || name === '$or') {
      if (!Array.isArray(condition) || condition.length === 0) {
        throw new NotCompilable(`${name} without a list`);
      }
      const joined = sql.join(
        condition.map((item) => sql`(${whereSql(context, meta, alias, item)})`),
        name === '$and' ? sql` and ` : sql` or `,
      );
      parts.push(sql`(${joined})`);
      continue;
    }
    if (name.startsWith('$')) {
      throw new NotCompilable(`operator ${name}`);
    }
    parts.push(propertyCondition(context, meta, alias, propertyOf(meta, name), condition));
  }
  return parts.length === 0 ? sql`1 = 1` : sql.join(parts, sql` and `);
}

function propertyCondition(
  context: WhereContext,
  meta: EntityMetadata,
  alias: string,
  prop: EntityProperty,
  condition: unknown,
): Sql {
  const column = sql.ident(alias, columnOf(meta, prop.name));
  const relation = prop.kind === ReferenceKind.MANY_TO_ONE;
  if (prop.kind !== ReferenceKind.SCALAR && !relation) {
    throw new NotCompilable(`${meta.className}.${prop.name} is a ${prop.kind} relation`);
  }
  if (condition === null) {
    return sql`${column} is null`;
  }
  if (isScalar(condition)) {
    return sql`${column} = ${condition}`;
  }
  if (!isPlainObject(condition)) {
    throw new NotCompilable(`${meta.className}.${prop.name}: an unsupported value`);
  }
  const operators = Object.keys(condition);
  if (relation && !operators.some((operator) => operator.startsWith('$'))) {
    // A condition on the related row: the key column among the related rows that match.
    const target = context.metadata.get(prop.type);
    const inner = context.alias();
    return sql`${column} in (select ${sql.ident(inner, target.primaryKeys[0]!)} from ${sql.ident(target.tableName)} ${sql.ident(inner)} where ${whereSql(context, target, inner, condition)})`;
  }
  return sql.join(
    operators.map((operator) => {
      const operand = condition[operator];
      if (operator === '$in' && Array.isArray(operand) && operand.every(isScalar)) {
        return inList(column, operand);
      }
      if (operator === '$ne' && operand === null) {
        return sql`${column} is not null`;
      }
      if (operator === '$eq' && isScalar(operand)) {
        return sql`${column} = ${operand}`;
      }
      if (operator === '$like' && isString(operand)) {
        // As the ORM's LIKE on both databases: a backslash escapes (`likeLiteral`).
        return sql`${column} like ${operand} escape '\\'`;
      }
      const comparison = comparisons[operator];
      if (comparison && isScalar(operand)) {
        return sql`${column} ${comparison} ${operand}`;
      }
      throw new NotCompilable(`${meta.className}.${prop.name}: operator ${operator}`);
    }),
    sql` and `,
  );
}

const directions: Record<string, Sql> = {
  asc: sql`asc`,
  desc: sql`desc`,
  'asc nulls last': sql`asc nulls last`,
  'desc nulls last': sql`desc nulls last`,
  'asc nulls first': sql`asc nulls first`,
  'desc nulls first': sql`desc nulls first`,
};

/** `left join <table> <alias> on <alias>.<key> = <column>`: a to-one row, or nulls. */
export function leftJoin(target: EntityMetadata, alias: string, on: Sql): Sql {
  return sql`left join ${sql.ident(target.tableName)} ${sql.ident(alias)} on ${sql.ident(alias, target.primaryKeys[0]!)} = ${on}`;
}

/**
 * An order map list (`[{ population: 'DESC NULLS LAST' }, { state: { uf: 'ASC' } }, { id: 'ASC' }]`)
 * as an ORDER BY list; a to-one path adds a left join to `joins`.
 */
export function orderSql(
  context: WhereContext,
  meta: EntityMetadata,
  alias: string,
  orderBy: readonly unknown[],
  joins: Sql[],
): Sql {
  const terms: Sql[] = [];
  const walk = (current: EntityMetadata, currentAlias: string, order: unknown) => {
    if (!isPlainObject(order)) {
      throw new NotCompilable('an order that is not an object');
    }
    for (const [name, direction] of Object.entries(order)) {
      const prop = propertyOf(current, name);
      if (prop.kind === ReferenceKind.MANY_TO_ONE && isPlainObject(direction)) {
        const target = context.metadata.get(prop.type);
        const joined = context.alias();
        joins.push(leftJoin(target, joined, sql.ident(currentAlias, columnOf(current, name))));
        walk(target, joined, direction);
        continue;
      }
      const sqlDirection =
        typeof direction === 'string' ? directions[direction.toLowerCase()] : undefined;
      if (prop.kind !== ReferenceKind.SCALAR || !sqlDirection) {
        throw new NotCompilable(`order by ${current.className}.${name}`);
      }
      terms.push(sql`${sql.ident(currentAlias, columnOf(current, name))} ${sqlDirection}`);
    }
  };
  for (const order of orderBy) {
    walk(meta, alias, order);
  }
  if (terms.length === 0) {
    throw new NotCompilable('an empty order');
  }
  return sql.join(terms, ', ');
}
