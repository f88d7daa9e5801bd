import type { Knex, SqlEntityManager } from '@mikro-orm/knex';
import { Field, Float, Int, ObjectType } from 'type-graphql';
import type { Em } from '../db/orm';
import { knexRaw, position, sql, type Sql } from '../db/sql/sql';

type GraphQLTypeFn = NonNullable<Parameters<typeof Field>[0]> & (() => unknown);

/** The values of a group's key, by GraphQL field name (`uf`, `healthRegionCode`…). */
export type KeyValues = Record<string, unknown>;

/** One column of a group key: how SQL computes it and how GraphQL shows it. */
export interface KeyColumn {
  field: string;
  type: GraphQLTypeFn;
  description: string;
  /** Expression over the source's table aliases. */
  sql: Sql;
  /** Driver value → GraphQL value (PostgreSQL and SQLite return booleans and bigints differently). */
  parse: (value: unknown) => unknown;
}

/** Something to group by: one or more key columns, a label, and where its groups sort. */
export interface Dimension {
  columns: readonly KeyColumn[];
  /** Label of the group, in Portuguese (what staff read in a sheet); null keys get their own. */
  label: (key: KeyValues) => string;
  /** Sort position of a group; null sorts last. */
  rank: (key: KeyValues) => string | number | null;
}

/** A number computed per group by an SQL aggregate function. */
export interface Metric {
  field: string;
  type: 'Int' | 'Float';
  description: string;
  sql: Sql;
  /** A count: never null, 0 when nothing matched (sums stay null when nothing was reported). */
  counts?: boolean;
}

/** A ratio of two numbers of the same group, or of a group's number to its total over all groups. */
export interface Ratio {
  field: string;
  description: string;
  numerator: string;
  denominator: { metric: string } | { totalOf: string };
}

export interface AggregateSpec {
  metrics: readonly Metric[];
  ratios: readonly Ratio[];
}

/**
 * One group: its key columns and its numbers on one flat object. The GraphQL types `XRow`,
 * `XGroup` and `XKey` are three views of it (`key` is the object itself), so an answer builds one
 * object per group whichever of `groups` and `rows` a query selects, and `label` is put into
 * words only when a query selects it.
 */
export interface AggregateGroup {
  readonly key: KeyValues;
  readonly label: string;
  [field: string]: unknown;
}

/** Every aggregate answers in two shapes: nested groups, and flat rows of scalars for a sheet. */
export interface AggregateResult {
  groups: AggregateGroup[];
  rows: AggregateGroup[];
}

export const toInt = (value: unknown): number | null =>
  value === null || value === undefined ? null : Number(value);
export const toText = (value: unknown): string | null =>
  value === null || value === undefined ? null : String(value);
export const toBoolean = (value: unknown): boolean | null =>
  value === null || value === undefined ? null : value === true || Number(value) === 1;

export function knexOf(em: Em): Knex {
  return (em as unknown as SqlEntityManager).getKnex();
}

/** Runs SQL through the ORM's connection, so it is logged (and counted) like every statement. */
export function runSql<T = Record<string, unknown>>(
  em: Em,
  query: Knex.QueryBuilder | Sql,
): Promise<T[]> {
  const statement = sql.isSqlQuery(query) ? knexRaw(knexOf(em), query) : query;
  return (em as unknown as SqlEntityManager).getConnection().execute<T[]>(statement);
}

/**
 * Runs one `SELECT … GROUP BY` over `source` and shapes the result. The database does the
 * counting; JavaScript only parses the (few) group rows, derives ratios and sorts the groups by
 * each dimension's rank so size classes come in size order, not alphabetical order.
 */
export async function aggregate(
  em: Em,
  source: Knex.QueryBuilder,
  dimensions: readonly Dimension[],
  spec: AggregateSpec,
): Promise<AggregateResult> {
  const knex = knexOf(em);
  const columns = uniqueColumns(dimensions);
  const query = source.clone();
  const keys = columns.map((_, index) => sql.ident(`k${index}`));
  columns.forEach((column, index) =>
    query.select(knexRaw(knex, sql`${column.sql} as ${keys[index]!}`)),
  );
  spec.metrics.forEach((metric, index) =>
    query.select(knexRaw(knex, sql`${metric.sql} as ${sql.ident(`m${index}`)}`)),
  );
  if (columns.length > 0) {
    // Positions, not expressions: a parameterised key expression would not match itself.
    query.groupByRaw(
      knexRaw(
        knex,
        sql.join(
          keys.map((_, index) => position(index + 1)),
          ', ',
        ),
      ),
    );
  }
  const raw = await runSql(em, query);
  const groups = shapeGroups(raw, columns, dimensions, spec);
  return { groups, rows: groups };
}

/** Parses the group rows, derives the ratios and puts the groups in their dimensions' order. */
function shapeGroups(
  raw: readonly Record<string, unknown>[],
  columns: readonly KeyColumn[],
  dimensions: readonly Dimension[],
  spec: AggregateSpec,
): AggregateGroup[] {
  const prototype = groupPrototype(dimensions);
  const metricKeys = spec.metrics.map((_, index) => `m${index}`);
  const columnKeys = columns.map((_, index) => `k${index}`);
  const totals: Record<string, number> = {};
  const groups = raw.map((row) => {
    const group = Object.create(prototype) as AggregateGroup & Record<string, unknown>;
    for (let index = 0; index < columns.length; index += 1) {
      const column = columns[index]!;
      group[column.field] = column.parse(row[columnKeys[index]!]);
    }
    for (let index = 0; index < spec.metrics.length; index += 1) {
      const metric = spec.metrics[index]!;
      const value = toInt(row[metricKeys[index]!]);
      group[metric.field] = metric.counts ? (value ?? 0) : value;
      totals[metric.field] = (totals[metric.field] ?? 0) + (value ?? 0);
    }
    return group;
  });
  for (const group of groups) {
    for (const ratio of spec.ratios) {
      const numerator = (group[ratio.numerator] as number | null) ?? 0;
      const denominator =
        'metric' in ratio.denominator
          ? ((group[ratio.denominator.metric] as number | null) ?? 0)
          : (totals[ratio.denominator.totalOf] ?? 0);
      group[ratio.field] = denominator === 0 ? null : numerator / denominator;
    }
  }
  return sortByRank(groups, dimensions);
}

/** What every group of one answer shares: `key` (itself) and `label`, worked out on demand. */
function groupPrototype(dimensions: readonly Dimension[]): object {
  return {
    get key(): KeyValues {
      return this as KeyValues;
    },
    get label(): string {
      return dimensions.length === 0
        ? 'total'
        : dimensions.map((dimension) => dimension.label(this as KeyValues)).join(' · ');
    },
  };
}

type Rank = string | number | null;

/**
 * Sorts the groups by their dimensions' ranks (null last), stable. Each dimension's distinct ranks
 * are few (months, regions, size classes), so each is sorted once and a group's place becomes one
 * whole number per dimension; with their combinations and the group's index packed into one
 * number, the numbers sort natively instead of through a comparison function called
 * n·log n times.
 */
export function sortByRank(
  groups: AggregateGroup[],
  dimensions: readonly Dimension[],
): AggregateGroup[] {
  const count = groups.length;
  if (dimensions.length === 0 || count < 2) {
    return groups;
  }
  // Plain loops: `Array.from` over a typed array with a mapping function is several times slower.
  const places = dimensions.map((dimension) => {
    const ranks = groups.map((group) => dimension.rank(group));
    const distinct = [...new Set(ranks)].sort(compareRanks);
    const placeOf = new Map(distinct.map((rank, index) => [rank, index]));
    const of = new Uint32Array(count);
    for (let index = 0; index < count; index += 1) {
      of[index] = placeOf.get(ranks[index]!)!;
    }
    return { of, size: distinct.length };
  });
  const sorted = new Array<AggregateGroup>(count);
  const combinations = places.reduce((product, { size }) => product * size, 1);
  if (combinations * count <= Number.MAX_SAFE_INTEGER) {
    const keys = new Float64Array(count);
    for (let index = 0; index < count; index += 1) {
      let key = 0;
      for (const place of places) {
        key = key * place.size + place.of[index]!;
      }
      keys[index] = key * count + index;
    }
    keys.sort();
    for (let position = 0; position < count; position += 1) {
      sorted[position] = groups[keys[position]! % count]!;
    }
    return sorted;
  }
  const order = Array.from(groups, (_, index) => index);
  order.sort((a, b) => {
    for (const place of places) {
      const difference = place.of[a]! - place.of[b]!;
      if (difference !== 0) {
        return difference;
      }
    }
    return a - b;
  });
  for (let position = 0; position < count; position += 1) {
    sorted[position] = groups[order[position]!]!;
  }
  return sorted;
}

function compareRanks(left: Rank, right: Rank): number {
  if (left === right) {
    return 0;
  }
  if (left === null) {
    return 1;
  }
  if (right === null) {
    return -1;
  }
  return left < right ? -1 : 1;
}

function uniqueColumns(dimensions: readonly Dimension[]): KeyColumn[] {
  const byField = new Map<string, KeyColumn>();
  for (const dimension of dimensions) {
    for (const column of dimension.columns) {
      byField.set(column.field, column);
    }
  }
  return [...byField.values()];
}

/** Deduplicates a `groupBy` list, keeping the order the analyst gave. */
export function dimensionsOf<D extends string>(
  groupBy: readonly D[] | null | undefined,
  registry: Record<D, Dimension>,
): Dimension[] {
  return [...new Set(groupBy ?? [])].map((name) => registry[name]);
}

export interface AggregateTypeOptions extends AggregateSpec {
  description: string;
  dimensions: readonly Dimension[];
}

/**
 * Builds the GraphQL types of one aggregate, named after it: `XKey` (the group's key columns
 * and label), `XGroup` (key + numbers), `XRow` (the same, flat: scalars only, for a sheet) and
 * `X` itself (`groups` and `rows`). One description of the columns feeds SQL and schema alike.
 */
export function aggregateTypes(name: string, options: AggregateTypeOptions) {
  const columns = uniqueColumns(options.dimensions);
  const labelField = (target: object) =>
    Field(() => String, {
      description: 'The group in words, e.g. "43001 Região Centro-Sul · até 5 mil".',
    })(target, 'label');
  const columnFields = (target: object) => {
    for (const column of columns) {
      Field(column.type, {
        nullable: true,
        description: `${column.description} Null when not grouped by it, or for the group without one.`,
      })(target, column.field);
    }
  };
  const numberFields = (target: object) => {
    for (const metric of options.metrics) {
      Field(() => (metric.type === 'Int' ? Int : Float), {
        nullable: !metric.counts,
        description: metric.description,
      })(target, metric.field);
    }
    for (const ratio of options.ratios) {
      Field(() => Float, { nullable: true, description: ratio.description })(target, ratio.field);
    }
  };

  class Key {}
  labelField(Key.prototype);
  columnFields(Key.prototype);
  ObjectType(`${name}Key`, {
    description: `What a group of \`${name}\` shares.`,
    simpleResolvers: true,
  })(Key);

  class Group {}
  Field(() => Key)(Group.prototype, 'key');
  numberFields(Group.prototype);
  ObjectType(`${name}Group`, { description: `One group of \`${name}\`.`, simpleResolvers: true })(
    Group,
  );

  class Row {}
  labelField(Row.prototype);
  columnFields(Row.prototype);
  numberFields(Row.prototype);
  ObjectType(`${name}Row`, {
    description: `One group of \`${name}\` as scalar columns, ready for a spreadsheet.`,
    simpleResolvers: true,
  })(Row);

  class Result {}
  Field(() => [Group], { description: 'Groups with their key as an object.' })(
    Result.prototype,
    'groups',
  );
  Field(() => [Row], { description: 'The same groups as flat rows of scalars.' })(
    Result.prototype,
    'rows',
  );
  ObjectType(name, { description: options.description, simpleResolvers: true })(Result);
  return Result as new () => AggregateResult;
}
