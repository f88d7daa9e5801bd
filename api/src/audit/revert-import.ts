import { LockMode } from '@mikro-orm/core';
import { type Viewer } from '../auth/viewer';
import { type BaseEntity } from '../common/base.entity';
import type { Em } from '../db/orm';
import { BadUserInputError, ConflictError, NotFoundError } from '../graphql/errors';
import { ImportRun, ImportStatus } from '../imports/import-run.entity';
import { withoutContactUnlessUnscoped } from '../people/contact';
import { entityData, RefIndex, snapshot } from '../imports/import.targets';
import { Batch, type Flat, sameValue } from '../writes/write.batch';
import { type WriteActor } from '../writes/write.service';
import { AuditEntry } from './audit-entry.entity';
import { AuditAction } from './audit.enums';
import { originOf, recordAudit } from './audit.service';
import { revertCreatedRows, type Writer, writerOf } from './revert-created';
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
    // Rows it created and no one touched since go back set-based; the rest row by row.
    const set = await revertCreatedRows(scoped, importRunId);
    const ids = await set.remainingEntryIds();
    const left: AuditEntry[] = [];
    for (let start = 0; start < ids.length; start += CHUNK) {
      const chunk = ids.slice(start, start + CHUNK);
      left.push(
        ...(await tem.find(AuditEntry, { id: { $in: chunk } }, { orderBy: { id: 'asc' } })),
      );
    }
    const rows = left.length
      ? await revertRows(scoped, touchedRows(left), Number(summary!.last), options.force ?? false)
      : [];
    const reverted = (await set.apply()) + rows.length;
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

const CHUNK = 500;

interface RevertRow {
  touched: Touched;
  writer: Writer;
  row: BaseEntity;
  current: Flat;
  /** Whether the row was soft-deleted when the revert loaded it. */
  wasDeleted: boolean;
}

/** A row's flat form: the spec's fields, with what only imports store (named alike). */
function flatOf(writer: Writer, row: BaseEntity, refs: RefIndex, batch: Batch): Flat {
  return {
    ...(writer.target ? snapshot(writer.target, row, refs) : {}),
    ...(writer.spec ? writer.spec.snapshot(row, batch) : {}),
  };
}

/** Whether an entry leaves its row soft-deleted (a DELETE, an import's prune, `deleted: true`). */
function deletedAfter(entry: AuditEntry): boolean {
  const after = entry.after ?? {};
  return (
    entry.action === AuditAction.DELETE ||
    (after.deletedAt ?? null) !== null ||
    after.deleted === true
  );
}

/** An entry's fields in flat form, less the row's soft delete and version. */
function fieldsOf(flat: Flat | null | undefined): Flat {
  const fields = { ...(flat ?? {}) } as Flat;
  delete fields.deletedAt;
  delete fields.deleted;
  delete fields.version;
  return fields;
}

/**
 * Writes every touched row back to the `before` of its first entry (rows the run created are
 * soft-deleted). Relations are named by natural key in the entries, as in the specs' flat form. A
 * row changed since the import is one whose fields differ from the run's last `after`, whose
 * soft delete differs, or that a later audit entry touched (runs since reverted apart).
 */
async function revertRows(
  scoped: WriteActor,
  touched: Map<string, Touched>,
  lastEntryId: number,
  force: boolean,
): Promise<AuditEntry[]> {
  const refs = new RefIndex(scoped.em);
  const batch = new Batch(scoped.em, scoped.viewer);
  await batch.loadStates();
  const { rows, later } = await loadRows(scoped, refs, batch, touched, lastEntryId);
  await forgetRevertedRuns(scoped.em, later);
  const conflicts = rows.flatMap((item) => conflictOf(scoped.viewer, item, later));
  if (conflicts.length > 0 && !force) {
    throw conflictError(scoped.importRunId!, conflicts);
  }
  await restoreRows(scoped.em, refs, batch, rows);
  return rows.map(({ touched: t, writer, row, current, wasDeleted }) =>
    recordAudit(scoped.em, {
      ...originOf(scoped),
      importRunId: scoped.importRunId,
      entityType: t.entityType,
      entityId: row.id,
      action: AuditAction.REVERT,
      before: { ...current, deleted: wasDeleted },
      after: {
        ...flatOf(writer, row, refs, batch),
        version: row.version,
        deleted: Boolean(row.deletedAt),
      },
      stateUf: t.first.stateUf ?? null,
    }),
  );
}

/**
 * Locks and loads the touched rows in their flat form, by type and in chunks, with the audit
 * entries written after the run's last one (`later`, by `entityType:entityId`).
 */
async function loadRows(
  scoped: WriteActor,
  refs: RefIndex,
  batch: Batch,
  touched: Map<string, Touched>,
  lastEntryId: number,
): Promise<{ rows: RevertRow[]; later: Map<string, AuditEntry[]> }> {
  const tem = scoped.em;
  const rows: RevertRow[] = [];
  const later = new Map<string, AuditEntry[]>();
  for (const [entityType, list] of groupBy([...touched.values()], (t) => t.entityType)) {
    const writer = writerOf(entityType);
    for (const definition of writer.target?.fields ?? []) {
      if (definition.type === 'ref' || definition.type === 'refList') {
        await refs.load(definition.namespace);
      }
    }
    // Not the type's own namespace: no field points at its own type, and a national import's
    // own rows (a million events) would all be held for nothing.
    for (let start = 0; start < list.length; start += CHUNK) {
      const chunk = list.slice(start, start + CHUNK);
      const ids = chunk.map((t) => t.entityId);
      if (scoped.lockRows) {
        // Locked apart from the populate: PostgreSQL refuses FOR UPDATE on an outer join.
        await tem.find(
          writer.entity,
          { id: { $in: ids } },
          { lockMode: LockMode.PESSIMISTIC_WRITE },
        );
      }
      const found = writer.spec
        ? ((await writer.spec.load(tem, { ids, keys: [] })) as BaseEntity[])
        : await tem.find(writer.entity, { id: { $in: ids } });
      if (writer.target?.populate) {
        await tem.populate(found, writer.target.populate as never[]);
      }
      const byId = new Map(found.map((row) => [row.id, row]));
      for (const t of chunk) {
        const row = byId.get(t.entityId);
        if (!row) {
          throw new NotFoundError(
            `${entityType} #${t.entityId} changed by import ${scoped.importRunId} no longer exists; it cannot be reverted`,
            { argument: 'id' },
          );
        }
        rows.push({
          touched: t,
          writer,
          row,
          current: flatOf(writer, row, refs, batch),
          wasDeleted: Boolean(row.deletedAt),
        });
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
function conflictOf(
  viewer: Viewer,
  { touched: t, writer, row, current }: RevertRow,
  later: Map<string, AuditEntry[]>,
): Record<string, unknown>[] {
  const expected = fieldsOf(t.last.after);
  const fields = Object.keys(expected).filter((name) => !sameValue(expected[name], current[name]));
  const deletedDiffers = Boolean(row.deletedAt) !== deletedAfter(t.last);
  const since = later.get(`${t.entityType}:${t.entityId}`) ?? [];
  if (fields.length === 0 && !deletedDiffers && since.length === 0) {
    return [];
  }
  return [
    {
      entityType: t.entityType,
      entityId: t.entityId,
      key: (writer.spec ?? writer.target)!.keyOf(current),
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
        deleted: Boolean(row.deletedAt),
        version: row.version,
      }),
    },
  ];
}

/** The soft delete an entry's `before` states: a pruning import's `deletedAt`, a spec's `deleted`. */
function deletedAtBefore(was: Flat, row: BaseEntity, now: Date): Date | null {
  if (typeof was.deletedAt === 'string') {
    return new Date(was.deletedAt);
  }
  return was.deleted === true ? (row.deletedAt ?? now) : null;
}

/**
 * Writes each row's first `before` back (rows the run created are soft-deleted): through the
 * spec, which derives what it derives, then what only imports store as the entry has it. Rows
 * live before the import come back first, so restored fields can point at them.
 */
async function restoreRows(tem: Em, refs: RefIndex, batch: Batch, rows: RevertRow[]) {
  const now = new Date();
  const updated = rows.filter((item) => item.touched.first.action !== AuditAction.CREATE);
  for (const { touched: t, writer, row, current } of rows) {
    if (t.first.action === AuditAction.CREATE) {
      row.deletedAt ??= now;
      continue;
    }
    row.deletedAt = deletedAtBefore(t.first.before ?? {}, row, now);
    if (!row.deletedAt && writer.target?.namespace) {
      refs.undelete(writer.target.namespace, writer.target.keyOf(current));
    }
  }
  await tem.flush();
  const drafts = updated.map((item) => ({
    item,
    was: fieldsOf(item.touched.first.before),
  }));
  for (const [, list] of groupBy(drafts, (d) => d.item.writer.type)) {
    await list[0]!.item.writer.spec?.prepare(
      batch,
      list.map(({ item, was }) => ({ ...item.current, ...was })),
    );
  }
  for (const { item, was } of drafts) {
    const { writer, row, current } = item;
    const own = writer.spec?.fields ?? [];
    if (writer.spec && own.some((field) => field in was)) {
      writer.spec.write(row, { ...current, ...was }, batch);
    }
    const stored = Object.fromEntries(
      Object.entries(was).filter(([field]) => !own.includes(field)),
    );
    if (writer.target && Object.keys(stored).length > 0) {
      tem.assign(row, entityData(writer.target, stored, refs, tem) as never);
    }
  }
  await tem.flush();
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
