import { ReferenceKind, type EntityMetadata, type Reference } from '@mikro-orm/core';
import { type FieldNode, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';
import type { Em } from '../db/orm';
import { fieldsOf } from './document-fields';

/** Where the nodes of a connection sit in its selection. */
const connectionNodePaths = [['nodes'], ['edges', 'node']] as const;

/**
 * The to-one relations a query selects below a field, as MikroORM populate paths
 * (`['state', 'healthRegion', 'healthRegion.macroregion']`). Loading them with joins in the
 * page's own statement replaces one batched statement — and one round trip — per relation and
 * level. Only argument-free fields named like a many-to-one property count: a field with
 * arguments (`healthRegion(asOf:)`) is resolved its own way, so preloading it would be waste.
 */
export function selectedToOneRelations(
  info: GraphQLResolveInfo,
  em: Em,
  entityName: string,
  options: { connection?: boolean; maxDepth?: number } = {},
): string[] {
  return readPlan(info, em, entityName, options).populate;
}

/** What a read needs from the selection: the to-one paths to join. */
export interface ReadPlan {
  /** To-one paths to join (see `selectedToOneRelations`). */
  populate: string[];
  /** The paths as one string: equal keys read the same rows (loader names). */
  key: string;
}

/**
 * Plans by the field's first AST node. graphql-js hands every row of a list the same
 * `fieldNodes` array (a field resolver called once per row — the gestor of 5,571 municipalities —
 * computes its plan once), and Apollo's document cache hands every request of the same text the
 * same AST, so a repeated query (point lookups under load) computes it once per process. The
 * plan depends on the selection only (not on variables), and the node belongs to one document.
 */
const plans = new WeakMap<
  FieldNode,
  { nodes: readonly FieldNode[]; byOptions: Map<string, ReadPlan> }[]
>();

export function readPlan(
  info: GraphQLResolveInfo,
  em: Em,
  entityName: string,
  options: { connection?: boolean; maxDepth?: number } = {},
): ReadPlan {
  const cacheKey = `${entityName}:${options.connection ? 'c' : ''}:${options.maxDepth ?? 3}`;
  const first = info.fieldNodes[0]!;
  let entries = plans.get(first);
  if (!entries) {
    entries = [];
    plans.set(first, entries);
  }
  let entry = entries.find(
    ({ nodes }) =>
      nodes === info.fieldNodes ||
      (nodes.length === info.fieldNodes.length &&
        nodes.every((node, index) => node === info.fieldNodes[index])),
  );
  if (!entry) {
    entry = { nodes: info.fieldNodes, byOptions: new Map() };
    if (entries.length < 8) {
      entries.push(entry);
    }
  }
  let plan = entry.byOptions.get(cacheKey);
  if (!plan) {
    plan = buildReadPlan(info, em, entityName, options);
    entry.byOptions.set(cacheKey, plan);
  }
  return plan;
}

function buildReadPlan(
  info: GraphQLResolveInfo,
  em: Em,
  entityName: string,
  options: { connection?: boolean; maxDepth?: number },
): ReadPlan {
  const plan: ReadPlan = { populate: [], key: '' };
  const meta = em.getMetadata().find(entityName);
  if (!meta) {
    return plan;
  }
  const roots = info.fieldNodes.flatMap((node) => (node.selectionSet ? [node.selectionSet] : []));
  const sets = options.connection
    ? connectionNodePaths.flatMap((path) => descend(info, roots, [...path]))
    : roots;
  const paths = new Set<string>();
  collect(info, sets, meta, '', options.maxDepth ?? 3, paths);
  plan.populate = [...paths];
  plan.key = plan.populate.join(',');
  return plan;
}

/** The selection sets reached by following field names (through fragments) from `sets`. */
function descend(
  info: GraphQLResolveInfo,
  sets: readonly SelectionSetNode[],
  path: string[],
): SelectionSetNode[] {
  if (path.length === 0) {
    return [...sets];
  }
  const [name, ...rest] = path;
  const next: SelectionSetNode[] = [];
  for (const set of sets) {
    for (const field of fieldsOf(set, info.fragments)) {
      if (field.name.value === name && field.selectionSet) {
        next.push(field.selectionSet);
      }
    }
  }
  return descend(info, next, rest);
}

function collect(
  info: GraphQLResolveInfo,
  sets: readonly SelectionSetNode[],
  meta: EntityMetadata,
  prefix: string,
  depth: number,
  paths: Set<string>,
): void {
  const children = new Map<string, SelectionSetNode[]>();
  for (const set of sets) {
    for (const field of fieldsOf(set, info.fragments)) {
      if (depth === 0) {
        continue;
      }
      const property = meta.properties[field.name.value as keyof typeof meta.properties];
      if (
        !property ||
        property.kind !== ReferenceKind.MANY_TO_ONE ||
        (field.arguments?.length ?? 0) > 0 ||
        !field.selectionSet
      ) {
        continue;
      }
      const list = children.get(property.name) ?? [];
      list.push(field.selectionSet);
      children.set(property.name, list);
    }
  }
  for (const [name, childSets] of children) {
    const path = `${prefix}${name}`;
    paths.add(path);
    const target = meta.properties[name as keyof typeof meta.properties]!.targetMeta;
    if (target) {
      collect(info, childSets, target, `${path}.`, depth - 1, paths);
    }
  }
}

/**
 * A relation's entity: at once when it was loaded with its parent (no promise, no microtask per
 * field over thousands of rows), otherwise through MikroORM's batched `load()`.
 */
export function loadedOrLoad<T extends object>(
  reference: Reference<T> | null | undefined,
): T | null | Promise<T | null> {
  if (!reference) {
    return null;
  }
  return reference.isInitialized() ? reference.getEntity() : reference.load();
}
