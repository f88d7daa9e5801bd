import {
  ReferenceKind,
  raw,
  type EntityMetadata,
  type EntityName,
  type EntityProperty,
  type FilterQuery,
  type Platform,
  type QueryOrderMap,
} from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/knex';
import type { Em } from '../db/orm';

/**
 * The read path without managed entities. A CPU profile of the nested pull showed MikroORM's
 * entity hydration (factory, identity map, change-set snapshots, and the garbage behind them) as
 * ~60 % of the server's time. Reads that only feed GraphQL need none of it: `readRows` runs the
 * same query through the query builder, takes MikroORM's own result mapping (column → property,
 * booleans, dates) and builds plain instances of the entity classes — same prototype, so getters
 * (`globalId`), `constructor.name` (interface `resolveType`) and field resolvers work unchanged —
 * with a light `RowRef` in place of each to-one `Reference`.
 *
 * Rows read here are not in the identity map: never persist or modify them; writes load their
 * own entities.
 */

/** Stands in for MikroORM's `Reference` on a plain row: the target's id, and the target itself when it was joined. */
export class RowRef<T extends object> {
  constructor(
    readonly id: number,
    private readonly entity: T | null,
    private readonly em: Em,
    private readonly target: EntityMetadata,
  ) {}

  isInitialized(): boolean {
    return this.entity !== null;
  }

  getEntity(): T {
    if (this.entity === null) {
      throw new Error('RowRef.getEntity() on a relation that was not joined; use load()');
    }
    return this.entity;
  }

  unwrap(): T | null {
    return this.entity;
  }

  /** The joined target, or MikroORM's batched reference load (one statement per batch of rows). */
  load(): Promise<T | null> {
    if (this.entity !== null) {
      return Promise.resolve(this.entity);
    }
    return this.em
      .getReference(this.target.class, this.id as never, { wrapped: true })
      .load() as Promise<T | null>;
  }
}

const plainRows = new WeakSet<object>();

/** True for a row built by `readRows` (not a managed entity). */
export function isPlainRow(value: object): boolean {
  return plainRows.has(value);
}

/** Housekeeping columns no field resolver reads: read only when the query selects them. */
const housekeeping = new Set(['createdAt', 'updatedAt', 'deletedAt', 'version', 'source']);

interface Column {
  prop: EntityProperty;
  /** The column's alias in the result row: `<table alias>__<column>`. */
  key: string;
  convert: ((value: unknown) => unknown) | null;
}

/** How one joined (or the root) entity of a statement is read back from its columns. */
interface Plan {
  meta: EntityMetadata;
  alias: string;
  prototype: object;
  columns: Column[];
  toOne: { name: string; target: EntityMetadata; key: string; joined: Plan | null }[];
  primaryKey: string;
}

const prototypes = new WeakMap<EntityMetadata, object>();

/**
 * The class's prototype (getters such as `globalId`, `constructor.name`, `instanceof`) with every
 * column shadowed by a plain data property: MikroORM puts setters on the entity prototype that
 * create its per-entity helper on first assignment — hydration by the back door.
 */
function rowPrototype(meta: EntityMetadata): object {
  let prototype = prototypes.get(meta);
  if (!prototype) {
    prototype = Object.create(meta.class.prototype as object) as object;
    for (const prop of meta.props) {
      Object.defineProperty(prototype, prop.name, { value: undefined, writable: true });
    }
    prototypes.set(meta, prototype);
  }
  return prototype;
}

function converterFor(prop: EntityProperty, platform: Platform): Column['convert'] {
  if (prop.runtimeType === 'boolean') {
    return (value) => (value === null || value === undefined ? value : Boolean(value));
  }
  if (prop.runtimeType === 'Date') {
    const timezone = platform.getTimezone();
    return (value) => {
      if (typeof value === 'string') {
        const bare =
          timezone &&
          timezone !== 'local' &&
          !value.includes('+') &&
          value.lastIndexOf('-') < 11 &&
          !value.endsWith('Z');
        return platform.parseDate(bare ? value + timezone : value);
      }
      return typeof value === 'number' ? platform.parseDate(value) : value;
    };
  }
  if (prop.runtimeType === 'any' || prop.runtimeType === 'object') {
    return (value) => (typeof value === 'string' ? (JSON.parse(value) as unknown) : value);
  }
  return null;
}

function plan(
  meta: EntityMetadata,
  path: string,
  aliases: ReadonlyMap<string, string>,
  selected: ReadonlyMap<string, ReadonlySet<string>> | undefined,
  platform: Platform,
): Plan {
  const alias = aliases.get(path)!;
  const fields = selected?.get(path);
  const columns: Column[] = [];
  const toOne: Plan['toOne'] = [];
  for (const prop of meta.props) {
    if (prop.persist === false || prop.formula || !prop.fieldNames?.length) {
      continue;
    }
    const key = `${alias}__${prop.fieldNames[0]}`;
    if (prop.kind === ReferenceKind.SCALAR || prop.kind === ReferenceKind.EMBEDDED) {
      if (selected && housekeeping.has(prop.name) && !fields?.has(prop.name)) {
        continue;
      }
      columns.push({ prop, key, convert: converterFor(prop, platform) });
    } else if (
      (prop.kind === ReferenceKind.MANY_TO_ONE ||
        (prop.kind === ReferenceKind.ONE_TO_ONE && prop.owner)) &&
      prop.targetMeta &&
      prop.fieldNames.length === 1
    ) {
      const childPath = path ? `${path}.${prop.name}` : prop.name;
      toOne.push({
        name: prop.name,
        target: prop.targetMeta,
        key,
        joined: aliases.has(childPath)
          ? plan(prop.targetMeta, childPath, aliases, selected, platform)
          : null,
      });
    }
  }
  const primary = meta.getPrimaryProps()[0]!;
  return {
    meta,
    alias,
    prototype: rowPrototype(meta),
    columns,
    toOne,
    primaryKey: `${alias}__${primary.fieldNames[0]}`,
  };
}

/** Every column a plan reads, as `alias.column as alias__column`. */
function selectList(p: Plan, quote: (id: string) => string, out: string[]): string[] {
  for (const column of p.columns) {
    out.push(`${quote(p.alias)}.${quote(column.prop.fieldNames[0]!)} as ${quote(column.key)}`);
  }
  for (const relation of p.toOne) {
    const column = relation.key.slice(p.alias.length + 2);
    out.push(`${quote(p.alias)}.${quote(column)} as ${quote(relation.key)}`);
    if (relation.joined) {
      selectList(relation.joined, quote, out);
    }
  }
  return out;
}

/** A plain instance of the plan's class from one result row (joined relations nested). */
function toInstance(em: Em, p: Plan, row: Record<string, unknown>): object {
  const instance = Object.create(p.prototype) as Record<string, unknown>;
  for (const column of p.columns) {
    const value = row[column.key];
    instance[column.prop.name] = column.convert ? column.convert(value) : value;
  }
  for (const { name, target, key, joined } of p.toOne) {
    const raw = row[key];
    if (raw === null || raw === undefined) {
      instance[name] = null;
      continue;
    }
    const id = Number(raw);
    const entity =
      joined && row[joined.primaryKey] !== null && row[joined.primaryKey] !== undefined
        ? toInstance(em, joined, row)
        : null;
    instance[name] = new RowRef(id, entity, em, target);
  }
  plainRows.add(instance);
  return instance;
}

/** The fields selected per path as one string (`*`: all columns): equal keys read the same columns. */
export function selectionKey(
  selected: ReadonlyMap<string, ReadonlySet<string>> | undefined,
): string {
  return selected
    ? [...selected].map(([path, names]) => `${path}:${[...names].sort().join(',')}`).join(';')
    : '*';
}

const plans = new WeakMap<EntityMetadata, Map<string, { root: Plan; columns: string[] }>>();

/** The plan and select list of one (entity, joins, selection) shape, built once per process. */
function cachedPlan(
  meta: EntityMetadata,
  aliases: ReadonlyMap<string, string>,
  selected: ReadonlyMap<string, ReadonlySet<string>> | undefined,
  platform: Platform,
): { root: Plan; columns: string[] } {
  const key = `${[...aliases.keys()].join(',')}|${selectionKey(selected)}`;
  let byKey = plans.get(meta);
  if (!byKey) {
    byKey = new Map();
    plans.set(meta, byKey);
  }
  let cached = byKey.get(key);
  if (!cached) {
    const root = plan(meta, '', aliases, selected, platform);
    const quote = (id: string) => platform.quoteIdentifier(id);
    cached = { root, columns: selectList(root, quote, []) };
    if (byKey.size < 1_000) {
      byKey.set(key, cached);
    }
  }
  return cached;
}

export interface ReadRowsOptions<T extends object> {
  where: FilterQuery<T>;
  orderBy?: QueryOrderMap<T>[];
  offset?: number;
  limit?: number;
  /** To-one paths to join in the same statement (`['state', 'healthRegion.macroregion']`). */
  populate?: readonly string[];
  /**
   * The GraphQL fields selected per path (`''` is the root; see `selectedFields`): housekeeping
   * columns (timestamps, version, source) not selected are not read. All columns when absent.
   */
  selected?: ReadonlyMap<string, ReadonlySet<string>>;
}

/**
 * One statement: the rows matching `where`, with the `populate` paths left-joined, as plain
 * instances of the entity class (see the module comment).
 */
export async function readRows<T extends object>(
  em: Em,
  entity: EntityName<T>,
  options: ReadRowsOptions<T>,
): Promise<T[]> {
  const meta = em
    .getMetadata()
    .get(typeof entity === 'string' ? entity : (entity as { name: string }).name);
  const platform = em.getPlatform();
  const leaves: unknown[] = [];
  const key = statementKey(meta, options, leaves);
  let statements = statementsByOrm.get(platform);
  if (!statements) {
    statements = new Map();
    statementsByOrm.set(platform, statements);
  }
  let statement = key === null ? undefined : statements.get(key);
  if (!statement) {
    const built = buildStatement(em, entity, meta, options);
    if (key !== null) {
      const template = templateOf(em, entity, meta, options, leaves, built);
      if (template && statements.size < 500) {
        statements.set(key, template);
      }
    }
    statement = {
      sql: built.sql,
      root: built.root,
      slots: built.bindings.map((value) => ({ value })),
    };
    leaves.length = 0;
  }
  const bindings = statement.slots.map((slot) => ('leaf' in slot ? leaves[slot.leaf] : slot.value));
  const connection = (em as unknown as SqlEntityManager)
    .getDriver()
    .getConnection(platform.getConfig().get('preferReadReplicas') ? 'read' : 'write');
  const rows = (await connection.execute(
    statement.sql,
    bindings,
    'all',
    em.getTransactionContext(),
    { id: em.id } as never,
  )) as Record<string, unknown>[];
  const root = statement.root;
  return rows.map((row) => toInstance(em, root, row) as T);
}

/**
 * Compiled statements by shape. A CPU profile of point lookups under load showed MikroORM's query
 * builder (criteria processing, knex compilation) as the largest single cost per request — for
 * a statement whose text is the same every time, only the values differ. The shape (entity,
 * joins, selection, `where` with its values taken out, order, limit, offset) is the key; the
 * values (`leaves`) go back into the bindings by position. One cache per ORM (its platform), so
 * two databases in one process never share a text.
 */
const statementsByOrm = new WeakMap<Platform, Map<string, Statement>>();

interface Statement {
  sql: string;
  root: Plan;
  /** Each binding: a value of `where` by its position (`leaf`), or a constant of the shape. */
  slots: ({ leaf: number } | { value: unknown })[];
}

interface Built {
  sql: string;
  bindings: unknown[];
  root: Plan;
}

class NotCacheable extends Error {}

/**
 * `where` as text with every string and number replaced by `?` (pushed on `leaves`, in order);
 * null, booleans and structure stay in the text. Null (never cached) for anything else: dates,
 * raw fragments, class instances.
 */
function shapeOf(value: unknown, leaves: unknown[] | null): string {
  if (typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))) {
    if (leaves === null) {
      return JSON.stringify(value);
    }
    leaves.push(value);
    return typeof value === 'string' ? '?s' : '?n';
  }
  if (value === null || value === undefined || typeof value === 'boolean') {
    return String(value);
  }
  if (Array.isArray(value)) {
    return `[${value.map((item) => shapeOf(item, leaves)).join(',')}]`;
  }
  if (typeof value === 'object') {
    const prototype = Object.getPrototypeOf(value) as unknown;
    if (prototype !== Object.prototype && prototype !== null) {
      throw new NotCacheable();
    }
    return `{${Object.entries(value)
      .map(([name, item]) => `${JSON.stringify(name)}:${shapeOf(item, leaves)}`)
      .join(',')}}`;
  }
  throw new NotCacheable();
}

function statementKey(
  meta: EntityMetadata,
  options: ReadRowsOptions<object>,
  leaves: unknown[],
): string | null {
  try {
    return [
      meta.className,
      shapeOf(options.where, leaves),
      shapeOf(options.orderBy ?? null, null),
      options.offset ?? '',
      options.limit ?? '',
      [...new Set(options.populate ?? [])].join(','),
      selectionKey(options.selected),
    ].join('|');
  } catch (error) {
    if (error instanceof NotCacheable) {
      leaves.length = 0;
      return null;
    }
    throw error;
  }
}

/** `where` with its leaves (see `shapeOf`) replaced, in order, by `replace(leaf)`. */
function replaceLeaves(value: unknown, replace: (leaf: unknown) => unknown): unknown {
  if (typeof value === 'string' || typeof value === 'number') {
    return replace(value);
  }
  if (Array.isArray(value)) {
    return value.map((item) => replaceLeaves(item, replace));
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([name, item]) => [name, replaceLeaves(item, replace)]),
    );
  }
  return value;
}

/**
 * The statement of this shape with the positions of the leaves among its bindings, found by
 * building it once more with a unique stand-in for every leaf. Kept only when the template,
 * filled with this request's leaves, gives exactly the statement built the ordinary way (so a
 * value MikroORM converts, or a shape whose text depends on values, is never cached).
 */
function templateOf<T extends object>(
  em: Em,
  entity: EntityName<T>,
  meta: EntityMetadata,
  options: ReadRowsOptions<T>,
  leaves: readonly unknown[],
  built: Built,
): Statement | null {
  const stand = new Map<unknown, number>();
  let index = 0;
  const probeWhere = replaceLeaves(options.where, (leaf) => {
    const standIn =
      typeof leaf === 'string' ? `\u0001rh-leaf-${index}\u0001` : 1_000_000_007 + index;
    stand.set(standIn, index);
    index += 1;
    return standIn;
  });
  let probe: Built;
  try {
    probe = buildStatement(em, entity, meta, { ...options, where: probeWhere as never });
  } catch {
    return null;
  }
  if (probe.sql !== built.sql || probe.bindings.length !== built.bindings.length) {
    return null;
  }
  const slots: Statement['slots'] = probe.bindings.map((value) =>
    stand.has(value) ? { leaf: stand.get(value)! } : { value },
  );
  const filled = slots.map((slot) => ('leaf' in slot ? leaves[slot.leaf] : slot.value));
  if (filled.some((value, position) => value !== built.bindings[position])) {
    return null;
  }
  return { sql: built.sql, root: built.root, slots };
}

/** The statement as MikroORM's query builder writes it. */
function buildStatement<T extends object>(
  em: Em,
  entity: EntityName<T>,
  meta: EntityMetadata,
  options: ReadRowsOptions<T>,
): Built {
  const platform = em.getPlatform();
  const qb = (em as unknown as SqlEntityManager).createQueryBuilder(entity, 'e0');
  const aliases = new Map<string, string>([['', 'e0']]);
  const paths = [...new Set(expandPaths(options.populate ?? []))].sort(
    (a, b) => a.split('.').length - b.split('.').length,
  );
  for (const path of paths) {
    const dot = path.lastIndexOf('.');
    const parent = aliases.get(dot < 0 ? '' : path.slice(0, dot));
    if (!parent) {
      continue;
    }
    const alias = `j${aliases.size}`;
    aliases.set(path, alias);
    qb.leftJoin(`${parent}.${path.slice(dot + 1)}` as never, alias);
  }
  const { root, columns } = cachedPlan(meta, aliases, options.selected, platform);
  qb.select(columns.map((column) => raw(column)) as never);
  qb.where(options.where as never);
  if (options.orderBy?.length) {
    qb.orderBy(options.orderBy as never);
  }
  if (options.offset) {
    qb.offset(options.offset);
  }
  if (options.limit !== undefined) {
    qb.limit(options.limit);
  }
  const { sql, bindings } = qb.toQuery()._sql;
  return { sql, bindings: [...(bindings as unknown[])], root };
}

/** `a.b.c` → `a`, `a.b`, `a.b.c`: every prefix must be joined for the path to be. */
function expandPaths(paths: readonly string[]): string[] {
  return paths.flatMap((path) => {
    const parts = path.split('.');
    return parts.map((_, index) => parts.slice(0, index + 1).join('.'));
  });
}
