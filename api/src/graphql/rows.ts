import {
  ReferenceKind,
  type EntityMetadata,
  type EntityName,
  type FilterQuery,
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
    private readonly loadTarget: () => Promise<T | null>,
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
    return this.entity !== null ? Promise.resolve(this.entity) : this.loadTarget();
  }
}

const plainRows = new WeakSet<object>();

/** True for a row built by `readRows` (not a managed entity). */
export function isPlainRow(value: object): boolean {
  return plainRows.has(value);
}

interface RowShape {
  prototype: object;
  scalars: string[];
  toOne: { name: string; target: EntityMetadata }[];
}

const shapes = new WeakMap<EntityMetadata, RowShape>();

function shapeOf(meta: EntityMetadata): RowShape {
  let shape = shapes.get(meta);
  if (!shape) {
    const scalars: string[] = [];
    const toOne: RowShape['toOne'] = [];
    for (const prop of meta.props) {
      if (prop.persist === false || prop.formula) {
        continue;
      }
      if (prop.kind === ReferenceKind.SCALAR || prop.kind === ReferenceKind.EMBEDDED) {
        scalars.push(prop.name);
      } else if (
        (prop.kind === ReferenceKind.MANY_TO_ONE ||
          (prop.kind === ReferenceKind.ONE_TO_ONE && prop.owner)) &&
        prop.targetMeta
      ) {
        toOne.push({ name: prop.name, target: prop.targetMeta });
      }
    }
    shape = { prototype: meta.class.prototype as object, scalars, toOne };
    shapes.set(meta, shape);
  }
  return shape;
}

function primaryKeyOf(value: unknown): number | null {
  if (value === null || value === undefined) {
    return null;
  }
  if (typeof value === 'object') {
    const id = (value as { id?: unknown }).id;
    return id === null || id === undefined ? null : Number(id);
  }
  return Number(value);
}

/** A plain instance of `meta`'s class from one mapped result row (joined relations nested). */
function toInstance(em: Em, meta: EntityMetadata, row: Record<string, unknown>): object {
  const shape = shapeOf(meta);
  const instance = Object.create(shape.prototype) as Record<string, unknown>;
  for (const name of shape.scalars) {
    instance[name] = row[name];
  }
  for (const { name, target } of shape.toOne) {
    const value = row[name];
    const id = primaryKeyOf(value);
    if (id === null) {
      instance[name] = null;
      continue;
    }
    const joined =
      value !== null && typeof value === 'object' && Object.keys(value).length > 1
        ? toInstance(em, target, value as Record<string, unknown>)
        : null;
    instance[name] = new RowRef(
      id,
      joined,
      () =>
        em.getReference(target.class, id as never, { wrapped: true }).load() as Promise<
          object | null
        >,
    );
  }
  plainRows.add(instance);
  return instance;
}

export interface ReadRowsOptions<T extends object> {
  where: FilterQuery<T>;
  orderBy?: QueryOrderMap<T>[];
  offset?: number;
  limit?: number;
  /** To-one paths to join in the same statement (`['state', 'healthRegion.macroregion']`). */
  populate?: readonly string[];
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
  const qb = (em as unknown as SqlEntityManager).createQueryBuilder(entity, 'e0').select('*');
  const aliases = new Map<string, string>([['', 'e0']]);
  const paths = [...new Set(expandPaths(options.populate ?? []))].sort(
    (a, b) => a.split('.').length - b.split('.').length,
  );
  for (const path of paths) {
    const dot = path.lastIndexOf('.');
    const parent = aliases.get(dot < 0 ? '' : path.slice(0, dot))!;
    const alias = `j${aliases.size}`;
    aliases.set(path, alias);
    qb.leftJoinAndSelect(`${parent}.${path.slice(dot + 1)}` as never, alias);
  }
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
  const rows = await qb.execute<Record<string, unknown>[]>('all', true);
  return rows.map((row) => toInstance(em, meta, row) as T);
}

/** `a.b.c` → `a`, `a.b`, `a.b.c`: every prefix must be joined for the path to be. */
function expandPaths(paths: readonly string[]): string[] {
  return paths.flatMap((path) => {
    const parts = path.split('.');
    return parts.map((_, index) => parts.slice(0, index + 1).join('.'));
  });
}
