import { type EntityClass, LockMode } from '@mikro-orm/core';
import { type Viewer } from '../auth/viewer';
import { type BaseEntity } from '../common/base.entity';
import type { Em } from '../db/orm';
import { BadUserInputError, ConflictError, NotFoundError } from '../graphql/errors';
import { ImportRun, ImportStatus } from '../imports/import-run.entity';
import { withoutContactUnlessUnscoped } from '../people/contact';
import {
  entityData,
  RefIndex,
  type RefNamespace,
  snapshot,
  type Target,
} from '../imports/import.targets';
import { Batch, type Flat, sameValue, sameValues } from '../writes/write.batch';
import { importTargets, writeSpecs } from '../writes/write.registry';
import { echoOf, recordRowAudit, type WriteActor } from '../writes/write.service';
import { AuditEntry } from './audit-entry.entity';
import { AuditAction } from './audit.enums';
import { originOf, recordAudit } from './audit.service';
import { revertCreatedRows } from './revert-created';
import { execute } from '../db/sql/execute';
import { sql } from '../db/sql/sql';
import { tableOf } from '../db/sql/tables';

interface Touched {
  entityType: string;
  entityId: number;
  first: AuditEntry;
  last: AuditEntry;
}

export interface RevertResult {
  importRunId: number;
  reverted: number;
  entries: AuditEntry[];
}

/**
 * Undoes an import from its audit entries alone: every row it touched goes back to the `before`
 * of its first entry (rows it created are soft-deleted, rows it pruned are restored). All or
 * nothing: if any row changed after the import, nothing is written and the CONFLICT lists those
 * rows — unless `force`, which writes them back too (their later changes are lost, and audited).
 * The revert is itself audited (action REVERT), in the same transaction.
 */
export async function revertImport(
  actor: WriteActor,
  importRunId: number,
  options: { force?: boolean } = {},
): Promise<RevertResult> {
  const em = actor.em.fork({ clear: true });
  return em.transactional(async (tem) => {
    const scoped: WriteActor = { ...actor, em: tem, importRunId };
    const audit = tableOf(tem, AuditEntry);
    const [summary] = await execute(
      tem,
      sql`select count(*) as n, max(${audit.column('id')}) as last,
            sum(case when ${audit.column('action')} = ${AuditAction.REVERT} then 1 else 0 end)
              as reverts
          from ${audit.table} where ${audit.column('importRunId')} = ${importRunId}`,
    );
    if (Number(summary?.n ?? 0) === 0) {
      throw new NotFoundError(`Import run ${importRunId} changed nothing, or does not exist`, {
        argument: 'id',
      });
    }
    const run = await tem.findOne(ImportRun, { id: importRunId });
    if (run?.status === ImportStatus.REVERTED || Number(summary!.reverts) > 0) {
      throw new BadUserInputError(`Import run ${importRunId} is already reverted`, {
        argument: 'id',
      });
    }
    const force = options.force ?? false;
    let reverted: number;
    if (run && run.source === `import:${run.kind}`) {
      // Runs of the import engine: their entries name fields as the write specs do, and also
      // carry what only the engine writes (`nameSearch`, `demo`, derived dates) and entity types
      // no spec writes (`MunicipalityName`), so they are written back through the import
      // targets. Rows they created and no one touched since are reverted set-based.
      const set = await revertCreatedRows(scoped, importRunId);
      const ids = await set.remainingEntryIds();
      const entries: AuditEntry[] = [];
      for (let start = 0; start < ids.length; start += CHUNK) {
        const chunk = ids.slice(start, start + CHUNK);
        entries.push(
          ...(await tem.find(AuditEntry, { id: { $in: chunk } }, { orderBy: { id: 'asc' } })),
        );
      }
      const rows = entries.length
        ? await revertEngineRun(scoped, touchedRows(entries), Number(summary!.last), force)
        : [];
      reverted = (await set.apply()) + rows.length;
    } else {
      const entries = await tem.find(AuditEntry, { importRunId }, { orderBy: { id: 'asc' } });
      reverted = (await revertWrites(scoped, touchedRows(entries), force)).length;
    }
    if (run) {
      run.status = ImportStatus.REVERTED;
    }
    await tem.flush();
    const entries = await tem.find(
      AuditEntry,
      { importRunId, action: AuditAction.REVERT },
      { orderBy: { id: 'asc' }, limit: REVERT_ENTRIES_SHOWN },
    );
    return { importRunId, reverted, entries };
  });
}

/** REVERT entries a revert returns (it counts them all). */
export const REVERT_ENTRIES_SHOWN = 1000;

/** Each row the entries touched, with its first and last entry (entries in id order). */
function touchedRows(entries: AuditEntry[]): Map<string, Touched> {
  const byRow = groupBy(entries, (entry) => `${entry.entityType}:${entry.entityId}`);
  return new Map(
    [...byRow].map(([key, [first, ...rest]]) => [
      key,
      {
        entityType: first!.entityType,
        entityId: first!.entityId,
        first: first!,
        last: rest.at(-1) ?? first!,
      },
    ]),
  );
}

function conflictError(importRunId: number, conflicts: Record<string, unknown>[]): ConflictError {
  return new ConflictError(
    `${conflicts.length} row(s) changed after import ${importRunId}; nothing was reverted (force: true, or --force on the command line, reverts them anyway)`,
    { conflicts },
  );
}

/** Rows the write service changed with an import run's id (e.g. a sheet pushed as an import). */
async function revertWrites(
  scoped: WriteActor,
  touched: Map<string, Touched>,
  force: boolean,
): Promise<AuditEntry[]> {
  const tem = scoped.em;
  const importRunId = scoped.importRunId!;
  const batch = new Batch(tem, scoped.viewer);
  await batch.loadStates();
  const rows = new Map<string, BaseEntity>();
  for (const [entityType, list] of groupBy(touched.values(), (t) => t.entityType)) {
    const spec = writeSpecs.get(entityType);
    if (!spec) {
      throw new BadUserInputError(`Rows of type ${entityType} cannot be reverted`, {
        argument: 'id',
      });
    }
    const ids = list.map((t) => t.entityId);
    for (const row of await spec.load(tem, { ids, keys: [] })) {
      rows.set(`${entityType}:${row.id}`, row);
    }
    if (scoped.lockRows && ids.length > 0) {
      await tem.find(
        spec.entity,
        { id: { $in: ids } },
        { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
      );
    }
  }
  const plans: { touched: Touched; row: BaseEntity; current: Flat; target: Flat | null }[] = [];
  const conflicts: Record<string, unknown>[] = [];
  for (const [key, t] of touched) {
    const spec = writeSpecs.get(t.entityType)!;
    const row = rows.get(key);
    if (!row) {
      conflicts.push({
        entityType: t.entityType,
        entityId: t.entityId,
        reason: 'the row no longer exists',
      });
      continue;
    }
    const current = spec.snapshot(row, batch);
    const after = t.last.after ?? null;
    const changedSince =
      after !== null &&
      (!sameValues({ ...current, ...pick(after, spec.fields) }, current, spec.fields) ||
        (typeof after.version === 'number' && after.version !== row.version) ||
        ('deleted' in after && Boolean(after.deleted) !== Boolean(row.deletedAt)));
    if (changedSince && !force) {
      conflicts.push({
        entityType: t.entityType,
        entityId: t.entityId,
        reason: 'changed after the import',
        current: echoOf(spec, current, batch, { version: row.version }),
      });
      continue;
    }
    plans.push({
      touched: t,
      row,
      current,
      target: t.first.before ? { ...current, ...t.first.before } : null,
    });
  }
  if (conflicts.length > 0) {
    throw conflictError(importRunId, conflicts);
  }
  for (const [entityType, list] of groupBy(plans, (p) => p.touched.entityType)) {
    await writeSpecs.get(entityType)!.prepare(
      batch,
      list.flatMap((p) => (p.target ? [p.target] : [])),
    );
  }

  for (const plan of plans) {
    const spec = writeSpecs.get(plan.touched.entityType)!;
    if (plan.target === null) {
      plan.row.deletedAt ??= new Date();
    } else {
      spec.write(plan.row, plan.target, batch);
      plan.row.deletedAt = plan.target.deleted ? (plan.row.deletedAt ?? new Date()) : null;
    }
  }
  await tem.flush();
  const written = plans.map((plan) => {
    const spec = writeSpecs.get(plan.touched.entityType)!;
    return recordRowAudit(
      scoped,
      spec,
      plan.row,
      AuditAction.REVERT,
      { ...plan.current, deleted: plan.touched.last.after?.deleted ?? false },
      spec.snapshot(plan.row, batch),
      batch,
    );
  });
  return written;
}

const CHUNK = 500;

interface EngineRow {
  touched: Touched;
  target: Target;
  row: BaseEntity & Record<string, unknown>;
  current: Flat;
}

/** Whether the row should be soft-deleted after the entry: a DELETE, or an update that prunes. */
function deletedAfter(entry: AuditEntry): boolean {
  const after = entry.after ?? {};
  return entry.action === AuditAction.DELETE || (after.deletedAt ?? null) !== null;
}

/** The fields an audit entry says the import wrote, in its flat form (soft delete apart). */
function importedFields(entry: AuditEntry): Flat {
  const fields = { ...(entry.after ?? {}) } as Flat;
  delete fields.deletedAt;
  return fields;
}

/**
 * Reverts a run of the import engine. Its audit entries name relations by natural key (a
 * municipality by IBGE code, a region by code), as its diffs do; they are mapped back to ids
 * through the same `RefIndex` the import used. A row changed since the import is one whose
 * fields differ from the import's `after`, whose soft delete differs, or that a later audit entry
 * touched.
 */
async function revertEngineRun(
  scoped: WriteActor,
  touched: Map<string, Touched>,
  lastEntryId: number,
  force: boolean,
): Promise<AuditEntry[]> {
  const refs = new RefIndex(scoped.em);
  const { rows, later } = await loadEngineRows(scoped, refs, touched, lastEntryId);
  await forgetRevertedRuns(scoped.em, later);
  const conflicts = rows.flatMap((item) => engineConflict(scoped.viewer, item, later));
  if (conflicts.length > 0 && !force) {
    throw conflictError(scoped.importRunId!, conflicts);
  }
  const before = await restoreEngineRows(scoped.em, refs, rows);
  return rows.map((item) => {
    const { touched: t, target, row } = item;
    return recordAudit(scoped.em, {
      ...originOf(scoped),
      importRunId: scoped.importRunId,
      entityType: t.entityType,
      entityId: row.id,
      action: AuditAction.REVERT,
      before: before.get(item)!,
      after: { ...snapshot(target, row, refs), deleted: Boolean(row.deletedAt) },
      stateUf: t.first.stateUf ?? null,
    });
  });
}

/**
 * Locks and loads the touched rows in their flat form, by type and in chunks, with the audit
 * entries written after the run's last one (`later`, by `entityType:entityId`).
 */
async function loadEngineRows(
  scoped: WriteActor,
  refs: RefIndex,
  touched: Map<string, Touched>,
  lastEntryId: number,
): Promise<{ rows: EngineRow[]; later: Map<string, AuditEntry[]> }> {
  const tem = scoped.em;
  const rows: EngineRow[] = [];
  const later = new Map<string, AuditEntry[]>();
  for (const [entityType, list] of groupBy([...touched.values()], (t) => t.entityType)) {
    const target = importTargets.get(String(entityType));
    if (!target) {
      throw new BadUserInputError(`Rows of type ${entityType} cannot be reverted`, {
        argument: 'id',
      });
    }
    for (const definition of target.fields) {
      if (definition.type === 'ref' || definition.type === 'refList') {
        await refs.load(definition.namespace);
      }
    }
    // Not the type's own namespace: no field points at its own type, and a national import's
    // own rows (a million events) would all be held for nothing.
    for (let start = 0; start < list.length; start += CHUNK) {
      const chunk = list.slice(start, start + CHUNK);
      const ids = chunk.map((t) => t.entityId);
      const entity = target.entity as EntityClass<BaseEntity>;
      if (scoped.lockRows) {
        // Locked apart from the populate: PostgreSQL refuses FOR UPDATE on an outer join.
        await tem.find(entity, { id: { $in: ids } }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      }
      const found = await tem.find(
        entity,
        { id: { $in: ids } },
        { populate: (target.populate ?? []) as never[] },
      );
      const byId = new Map(found.map((row) => [row.id, row]));
      for (const t of chunk) {
        const row = byId.get(t.entityId);
        if (!row) {
          throw new NotFoundError(
            `${entityType} #${t.entityId} changed by import ${scoped.importRunId} no longer exists; it cannot be reverted`,
            { argument: 'id' },
          );
        }
        const current = snapshot(target, row, refs);
        rows.push({ touched: t, target, row: row as EngineRow['row'], current });
      }
      const changes = await tem.find(
        AuditEntry,
        { id: { $gt: lastEntryId }, entityType, entityId: { $in: ids } },
        { orderBy: { id: 'asc' } },
      );
      for (const [key, list] of groupBy(changes, (c) => `${entityType}:${c.entityId}`)) {
        later.set(key, list);
      }
    }
  }
  return { rows, later };
}

/** A later import that was itself reverted changed nothing that is still there. */
async function forgetRevertedRuns(tem: Em, later: Map<string, AuditEntry[]>): Promise<void> {
  const laterRuns = new Set(
    [...later.values()].flat().flatMap((entry) => (entry.importRunId ? [entry.importRunId] : [])),
  );
  if (laterRuns.size === 0) {
    return;
  }
  const undone = new Set(
    (await tem.find(ImportRun, { id: { $in: [...laterRuns] }, status: ImportStatus.REVERTED })).map(
      (run) => run.id,
    ),
  );
  for (const [key, list] of later) {
    later.set(
      key,
      list.filter((entry) => !entry.importRunId || !undone.has(entry.importRunId)),
    );
  }
}

/** Why a row cannot be reverted without `force`: its fields, soft delete or later entries. */
function engineConflict(
  viewer: Viewer,
  { touched: t, target, row, current }: EngineRow,
  later: Map<string, AuditEntry[]>,
): Record<string, unknown>[] {
  const expected = importedFields(t.last);
  const fields = Object.keys(expected).filter((name) => !sameValue(expected[name], current[name]));
  const deletedNow = Boolean(row.deletedAt);
  const deletedDiffers = deletedNow !== deletedAfter(t.last);
  const since = later.get(`${t.entityType}:${t.entityId}`) ?? [];
  if (fields.length === 0 && !deletedDiffers && since.length === 0) {
    return [];
  }
  return [
    {
      entityType: t.entityType,
      entityId: t.entityId,
      key: target.keyOf(current),
      reason: 'changed after the import',
      fields: deletedDiffers ? [...fields, 'deletedAt'] : fields,
      changedBy: since.map((entry) => ({
        auditEntryId: entry.id,
        action: entry.action,
        actor: entry.actor,
        at: entry.at.toISOString(),
      })),
      current: withoutContactUnlessUnscoped(viewer, t.entityType, {
        ...current,
        deleted: deletedNow,
        version: row.version,
      }),
    },
  ];
}

/**
 * Writes each row's first `before` back (rows the run created are soft-deleted) and returns
 * what each row was just before, for the REVERT entries. Rows live before the import come back
 * first, so restored fields can point at them.
 */
async function restoreEngineRows(
  tem: Em,
  refs: RefIndex,
  rows: EngineRow[],
): Promise<Map<EngineRow, Flat>> {
  const now = new Date();
  const before = new Map<EngineRow, Flat>();
  for (const item of rows) {
    const { touched: t, target, row, current } = item;
    before.set(item, { ...current, deleted: Boolean(row.deletedAt) });
    if (t.first.action === AuditAction.CREATE) {
      continue;
    }
    const was = t.first.before ?? null;
    const deletedAt = was && typeof was.deletedAt === 'string' ? new Date(was.deletedAt) : null;
    row.deletedAt = deletedAt;
    if (!deletedAt && target.namespace) {
      refs.undelete(target.namespace as RefNamespace, target.keyOf(current));
    }
  }
  for (const { touched: t, target, row } of rows) {
    if (t.first.action === AuditAction.CREATE) {
      row.deletedAt ??= now;
      continue;
    }
    const was: Flat = { ...(t.first.before ?? {}) };
    delete was.deletedAt;
    if (Object.keys(was).length > 0) {
      tem.assign(row, entityData(target, was, refs, tem) as never);
    }
  }
  await tem.flush();
  return before;
}

function groupBy<T>(items: Iterable<T>, keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) {
      group.push(item);
    } else {
      groups.set(key, [item]);
    }
  }
  return groups;
}

function pick(flat: Flat, fields: readonly string[]): Flat {
  return Object.fromEntries(fields.filter((f) => f in flat).map((f) => [f, flat[f]]));
}
