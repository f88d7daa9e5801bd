import type { FilterQuery } from '@mikro-orm/core';
import { AuditEntry } from '../audit/audit-entry.entity';
import { auditRow } from '../audit/audit.service';
import { AuditAction, AuditVia } from '../audit/audit.enums';
import type { Viewer } from '../auth/viewer';
import { insertRows } from '../db/insert-rows';
import type { Em } from '../db/orm';
import {
  columnData,
  entityData,
  insertableInBulk,
  type RefIndex,
  snapshot,
  type Target,
} from './import.targets';
import { type Flat, sameValue } from '../writes/write.batch';

export type ChangeAction = 'create' | 'update' | 'delete';

/** One row the import will write, in flat form: only the changed fields of an update. */
export interface Change {
  action: ChangeAction;
  key: string;
  /** Row id for updates and deletes. */
  id: number | null;
  before: Flat | null;
  after: Flat;
  stateUf: string | null;
}

export interface ChangeCounts {
  created: number;
  updated: number;
  unchanged: number;
  deleted: number;
}

/** What an import does to one entity: the same object drives the dry run and the apply. */
export interface TargetPlan {
  target: Target;
  /** Every change, or (a staged import, `counts` given) the examples the summary shows. */
  changes: Change[];
  unchanged: number;
  /** The counts, when `changes` holds only examples (a staged import keeps its rows in SQL). */
  counts?: ChangeCounts;
}

export function countsOf(plan: TargetPlan): ChangeCounts {
  if (plan.counts) {
    return plan.counts;
  }
  const counts: ChangeCounts = { created: 0, updated: 0, unchanged: plan.unchanged, deleted: 0 };
  for (const change of plan.changes) {
    if (change.action === 'create') {
      counts.created += 1;
    } else if (change.action === 'update') {
      counts.updated += 1;
    } else {
      counts.deleted += 1;
    }
  }
  return counts;
}

const LOOKUP_CHUNK = 1000;
const APPLY_CHUNK = 1000;

/** A stored row in flat form, as the diff compares it. */
export interface Existing {
  id: number;
  values: Flat;
  deletedAt: Date | null;
}

/**
 * The update that makes a stored row what the file says (its changed fields only, and an
 * undelete when it was soft-deleted), or null when it already is.
 */
export function updateOf(
  target: Target,
  refs: RefIndex,
  key: string,
  values: Flat,
  current: Existing,
): Change | null {
  const before: Flat = {};
  const after: Flat = {};
  for (const [name, value] of Object.entries(values)) {
    if (!sameValue(value, current.values[name])) {
      before[name] = current.values[name] ?? null;
      after[name] = value;
    }
  }
  if (current.deletedAt) {
    before.deletedAt = current.deletedAt.toISOString();
    after.deletedAt = null;
  }
  if (Object.keys(after).length === 0) {
    return null;
  }
  const stateUf = target.stateUfOf?.(values, refs) ?? target.stateUfOf?.(current.values, refs);
  return { action: 'update', key, id: current.id, before, after, stateUf: stateUf ?? null };
}

/**
 * Diffs the rows a file wants against the database: create, update (changed fields only),
 * unchanged, and with `prune` a delete for each row of the scope the file no longer has.
 */
export async function planTarget(
  em: Em,
  refs: RefIndex,
  target: Target,
  desired: Flat[],
  options: { pruneWhere?: FilterQuery<object> | null } = {},
): Promise<TargetPlan> {
  // Snapshots name related rows by natural key: every namespace the target points at is needed.
  for (const definition of target.fields) {
    if (definition.type === 'ref' || definition.type === 'refList') {
      await refs.load(definition.namespace);
    }
  }
  const desiredByKey = new Map<string, Flat>();
  for (const values of desired) {
    desiredByKey.set(target.keyOf(values), values);
  }
  const existing = new Map<string, Existing>();
  const lookupValues = new Set<string | number>();
  for (const values of desired) {
    const value = values[target.lookup.name];
    if (value === null || value === undefined) {
      continue;
    }
    if (target.lookup.type === 'ref') {
      const id = refs.id(target.lookup.namespace, String(value));
      if (id !== undefined) {
        lookupValues.add(id);
      }
    } else {
      lookupValues.add(value as string | number);
    }
  }
  const lookups = [...lookupValues];
  for (let start = 0; start < lookups.length; start += LOOKUP_CHUNK) {
    const rows = await em.find(
      target.entity,
      { [target.lookup.property]: { $in: lookups.slice(start, start + LOOKUP_CHUNK) } } as never,
      { populate: (target.populate ?? []) as never[], orderBy: { id: 'asc' } as never },
    );
    for (const row of rows) {
      const values = snapshot(target, row, refs);
      const key = target.keyOf(values);
      if (desiredByKey.has(key) && !existing.has(key)) {
        const record = row as unknown as { id: number; deletedAt?: Date | null };
        existing.set(key, { id: record.id, values, deletedAt: record.deletedAt ?? null });
      }
    }
    em.clear();
  }

  const plan: TargetPlan = { target, changes: [], unchanged: 0 };
  for (const [key, values] of desiredByKey) {
    const current = existing.get(key);
    if (!current) {
      const stateUf = target.stateUfOf?.(values, refs) ?? null;
      plan.changes.push({ action: 'create', key, id: null, before: null, after: values, stateUf });
      continue;
    }
    const change = updateOf(target, refs, key, values, current);
    if (change) {
      plan.changes.push(change);
    } else {
      plan.unchanged += 1;
    }
  }

  if (options.pruneWhere) {
    let lastId = 0;
    for (;;) {
      const rows = await em.find(
        target.entity,
        { $and: [options.pruneWhere, { deletedAt: null, id: { $gt: lastId } }] } as never,
        {
          populate: (target.populate ?? []) as never[],
          orderBy: { id: 'asc' } as never,
          limit: LOOKUP_CHUNK,
        },
      );
      if (rows.length === 0) {
        break;
      }
      for (const row of rows) {
        const change = deleteOf(target, refs, row);
        if (!desiredByKey.has(change.key)) {
          plan.changes.push(change);
        }
        lastId = change.id!;
      }
      em.clear();
    }
  }
  await withStoredStates(em, target, plan.changes);
  return plan;
}

/**
 * Gives the changes of stored rows (and, with `storedStatesOfNewRows`, new ones) the audit state
 * their target reads from the database (`storedStateUfs`: a person's, from their mandates; a
 * participation's, from its event), for both the in-memory and the staged plan.
 */
export async function withStoredStates(
  em: Em,
  target: Target,
  changes: Change[],
): Promise<Change[]> {
  const stored = changes.filter(
    (change) => change.action !== 'create' || target.storedStatesOfNewRows,
  );
  if (target.storedStateUfs && stored.length > 0) {
    const ufs = await target.storedStateUfs(em, [...new Set(stored.map((change) => change.key))]);
    stored.forEach((change) => (change.stateUf = ufs.get(change.key) ?? null));
  }
  return changes;
}

/** The soft delete of a stored row the file no longer has (`--prune`). */
export function deleteOf(target: Target, refs: RefIndex, row: object): Change {
  const values = snapshot(target, row, refs);
  return {
    action: 'delete',
    key: target.keyOf(values),
    id: (row as { id: number }).id,
    before: { deletedAt: null },
    after: { deletedAt: 'now' },
    stateUf: target.stateUfOf?.(values, refs) ?? null,
  };
}

/** Rows the plans write: created, updated and deleted (unchanged rows cost nothing). */
export function totalChanges(plans: TargetPlan[]): number {
  return plans.reduce((sum, plan) => {
    const counts = countsOf(plan);
    return sum + counts.created + counts.updated + counts.deleted;
  }, 0);
}

export interface ApplyContext {
  em: Em;
  refs: RefIndex;
  viewer: Viewer;
  importRunId: number;
  source: string;
  onProgress?: (done: number) => void;
}

const auditActions: Record<ChangeAction, AuditAction> = {
  create: AuditAction.CREATE,
  update: AuditAction.UPDATE,
  delete: AuditAction.DELETE,
};

/**
 * Writes the plans in order (a later plan may point at rows an earlier one created), in chunks
 * inside the caller's transaction, each change with its audit entry. New rows and audit entries
 * go in as multi-row INSERTs (`insertRows`); updates and soft deletes through the unit of work,
 * one flush per chunk. The identity map is cleared after each chunk so memory stays bounded.
 */
export async function applyPlans(plans: TargetPlan[], context: ApplyContext): Promise<void> {
  const { em } = context;
  let done = 0;
  for (const plan of plans) {
    const { target } = plan;
    for (let start = 0; start < plan.changes.length; start += APPLY_CHUNK) {
      const chunk = plan.changes.slice(start, start + APPLY_CHUNK);
      const ids = new Map<Change, number>();
      await createRows(chunk, target, context, ids);
      await changeRows(chunk, target, context, ids);
      const at = new Date();
      await insertRows(
        em,
        AuditEntry,
        chunk.map((change) =>
          auditRow(
            {
              viewer: context.viewer,
              via: AuditVia.IMPORT,
              importRunId: context.importRunId,
              entityType: target.name,
              entityId: ids.get(change)!,
              action: auditActions[change.action],
              before: change.before,
              after: change.after,
              stateUf: change.stateUf,
            },
            at,
          ),
        ),
      );
      em.clear();
      done += chunk.length;
      context.onProgress?.(done);
    }
  }
}

/** Inserts a chunk's new rows and registers their keys, so later rows can point at them. */
async function createRows(
  chunk: Change[],
  target: Target,
  context: ApplyContext,
  ids: Map<Change, number>,
): Promise<void> {
  const { em, refs } = context;
  const creates = chunk.filter((change) => change.action === 'create');
  if (creates.length === 0) {
    return;
  }
  // Rows with many-to-many links go through the unit of work, which writes the join table.
  const [bulk, linked]: [Change[], Change[]] = [[], []];
  for (const change of creates) {
    (insertableInBulk(target, change.after) ? bulk : linked).push(change);
  }
  const bulkIds = await insertRows(
    em,
    target.entity,
    bulk.map((change) => ({ ...columnData(target, change.after, refs), source: context.source })),
  );
  const entities = linked.map(
    (change) =>
      em.create(target.entity, {
        ...entityData(target, change.after, refs, em),
        source: context.source,
      } as never) as { id: number },
  );
  if (entities.length > 0) {
    await em.flush();
  }
  bulk.forEach((change, index) => ids.set(change, bulkIds[index]!));
  linked.forEach((change, index) => ids.set(change, entities[index]!.id));
  if (target.namespace) {
    for (const change of creates) {
      refs.register(target.namespace, change.key, ids.get(change)!);
    }
  }
}

/** Updates and soft-deletes a chunk's existing rows: one load, one flush. */
async function changeRows(
  chunk: Change[],
  target: Target,
  context: ApplyContext,
  ids: Map<Change, number>,
): Promise<void> {
  const { em, refs } = context;
  const changes = chunk.filter((change) => change.action !== 'create');
  if (changes.length === 0) {
    return;
  }
  const now = new Date();
  const loaded = new Map<number, object>();
  const rows = await em.find(
    target.entity,
    { id: { $in: changes.map((change) => change.id!) } } as never,
    { populate: (target.populate ?? []) as never[] },
  );
  for (const row of rows) {
    loaded.set((row as { id: number }).id, row);
  }
  for (const change of changes) {
    const entity = loaded.get(change.id!) as Record<string, unknown> & { id: number };
    if (!entity) {
      throw new Error(`${target.name} #${change.id} vanished while the import was applied`);
    }
    if (change.action === 'delete') {
      entity.deletedAt = now;
      change.after = { deletedAt: now.toISOString() };
    } else {
      em.assign(entity, entityData(target, change.after, refs, em) as never);
      if ('deletedAt' in change.after) {
        entity.deletedAt = null;
        if (target.namespace) {
          refs.undelete(target.namespace, change.key);
        }
      }
    }
    entity.source = context.source;
    ids.set(change, entity.id);
  }
  await em.flush();
}

function show(value: unknown): string {
  return value === null || value === undefined ? '∅' : JSON.stringify(value);
}

/** The diff as text: counts per entity and a few example changes, field by field. */
export function describePlans(plans: TargetPlan[], examples = 3): string[] {
  const lines: string[] = [];
  for (const plan of plans) {
    const counts = countsOf(plan);
    lines.push(
      `${plan.target.name}: ${counts.created} to create, ${counts.updated} to update, ${counts.unchanged} unchanged, ${counts.deleted} to delete`,
    );
    for (const action of ['create', 'update', 'delete'] as const) {
      for (const change of plan.changes.filter((c) => c.action === action).slice(0, examples)) {
        const fields = Object.keys(change.after)
          .filter((name) => name !== 'nameSearch')
          .map((name) =>
            action === 'create'
              ? `${name}=${show(change.after[name])}`
              : `${name}: ${show(change.before?.[name])} → ${show(change.after[name])}`,
          );
        lines.push(`  ${action} ${change.key}: ${fields.join(', ')}`);
      }
    }
  }
  return lines;
}
