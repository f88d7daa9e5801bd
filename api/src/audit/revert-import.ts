import { LockMode } from '@mikro-orm/core';
import { type BaseEntity } from '../common/base.entity';
import { BadUserInputError, ConflictError, NotFoundError } from '../graphql/errors';
import { ImportRun, ImportStatus } from '../imports/import-run.entity';
import { Batch, sameValues, type Flat } from '../writes/write.batch';
import { writeSpecs } from '../writes/write.resolvers';
import { recordRowAudit, type WriteActor } from '../writes/write.service';
import { AuditEntry } from './audit-entry.entity';
import { AuditAction } from './audit.enums';

interface Touched {
  entityType: string;
  entityId: number;
  first: AuditEntry;
  last: AuditEntry;
}

/**
 * Undoes an import from its audit entries alone: every row it touched goes back to the `before`
 * of its first entry (rows it created are soft-deleted). All or nothing: if any row changed after
 * the import (its current values differ from the `after` of its last entry), nothing is written
 * and the CONFLICT lists those rows. The revert is itself audited (action REVERT).
 */
export async function revertImport(
  actor: WriteActor,
  importRunId: number,
): Promise<{ importRunId: number; reverted: number; entries: AuditEntry[] }> {
  const em = actor.em.fork({ clear: true });
  return em.transactional(async (tem) => {
    const scoped: WriteActor = { ...actor, em: tem, importRunId };
    const entries = await tem.find(AuditEntry, { importRunId }, { orderBy: { id: 'asc' } });
    if (entries.length === 0) {
      throw new NotFoundError(`Import run ${importRunId} changed nothing, or does not exist`, {
        argument: 'id',
      });
    }
    if (entries.some((entry) => entry.action === AuditAction.REVERT)) {
      throw new BadUserInputError(`Import run ${importRunId} is already reverted`, {
        argument: 'id',
      });
    }
    const touched = new Map<string, Touched>();
    for (const entry of entries) {
      const key = `${entry.entityType}:${entry.entityId}`;
      const known = touched.get(key);
      if (known) {
        known.last = entry;
      } else {
        touched.set(key, {
          entityType: entry.entityType,
          entityId: entry.entityId,
          first: entry,
          last: entry,
        });
      }
    }
    const batch = new Batch(tem, scoped.viewer);
    await batch.loadStates();
    const rows = new Map<string, BaseEntity>();
    for (const entityType of new Set([...touched.values()].map((t) => t.entityType))) {
      const spec = writeSpecs.get(entityType);
      if (!spec) {
        throw new BadUserInputError(`Rows of type ${entityType} cannot be reverted`, {
          argument: 'id',
        });
      }
      const ids = [...touched.values()]
        .filter((t) => t.entityType === entityType)
        .map((t) => t.entityId);
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
      if (changedSince) {
        conflicts.push({
          entityType: t.entityType,
          entityId: t.entityId,
          reason: 'changed after the import',
          current: { ...current, version: row.version },
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
      throw new ConflictError(
        `${conflicts.length} row(s) changed after import ${importRunId}; nothing was reverted`,
        { conflicts },
      );
    }
    for (const entityType of new Set(plans.map((p) => p.touched.entityType))) {
      const spec = writeSpecs.get(entityType)!;
      await spec.prepare(
        batch,
        plans
          .filter((p) => p.touched.entityType === entityType)
          .flatMap((p) => (p.target ? [p.target] : [])),
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
    const run = await tem.findOne(ImportRun, { id: importRunId });
    if (run) {
      run.status = ImportStatus.REVERTED;
    }
    await tem.flush();
    return { importRunId, reverted: plans.length, entries: written };
  });
}

function pick(flat: Flat, fields: readonly string[]): Flat {
  return Object.fromEntries(fields.filter((f) => f in flat).map((f) => [f, flat[f]]));
}
