import {
  DeadlockException,
  LockMode,
  LockWaitTimeoutException,
  OptimisticLockError,
  UniqueConstraintViolationException,
} from '@mikro-orm/core';
import { AuditAction, AuditVia } from '../audit/audit.enums';
import { type AuditEntry } from '../audit/audit-entry.entity';
import { auditStateUf, originOf, recordAudit } from '../audit/audit.service';
import { canWriteIn, hasRole, scopeDescription } from '../auth/policy';
import { type Viewer } from '../auth/viewer';
import { withoutFields } from '../people/contact';
import { type BaseEntity } from '../common/base.entity';
import { fromGlobalId, toGlobalId } from '../common/global-id';
import type { Em } from '../db/orm';
import { Rollback } from '../db/rollback';
import { BadUserInputError, ConflictError, ForbiddenError, NotFoundError } from '../graphql/errors';
import { summarise, UpsertStatus, type UpsertResult, type UpsertRowResult } from './upsert.types';
import { Batch, sameValues, type Flat, type FieldProblem } from './write.batch';
import { type RelatedChange, type WriteSpec } from './write.spec';

/** Who writes, through which door: what the audit log records. */
export interface WriteActor {
  em: Em;
  viewer: Viewer;
  via: AuditVia;
  requestId?: string | null;
  importRunId?: number | null;
  /** PostgreSQL locks the rows it is about to change (`FOR UPDATE`); SQLite has one writer. */
  lockRows: boolean;
}

export type WriteMode = 'upsert' | 'create' | 'update';

export interface UpsertOptions {
  atomic?: boolean | null;
  dryRun?: boolean | null;
}

export const MAX_UPSERT_ROWS = 5000;
/** Rows per batch: each batch costs a constant number of statements. */
export const UPSERT_BATCH_SIZE = 500;

const appliedStatuses = new Set([UpsertStatus.CREATED, UpsertStatus.UPDATED]);

function rowResult(
  rowIndex: number,
  status: UpsertStatus,
  extra: Partial<UpsertRowResult> = {},
): UpsertRowResult {
  return { rowIndex, status, id: null, version: null, errors: [], current: null, ...extra };
}

/**
 * The one write path of the API: single-row mutations, bulk upserts and reverts all go through
 * it, so validation, domain rules, state scope, optimistic concurrency and audit happen here and
 * nowhere else. (Role checks happen before, in the schema's `authChecker`.)
 */
export async function writeRows(
  actor: WriteActor,
  spec: WriteSpec,
  mode: WriteMode,
  inputs: readonly Flat[],
  options: UpsertOptions = {},
): Promise<UpsertResult> {
  if (inputs.length > MAX_UPSERT_ROWS) {
    throw new BadUserInputError(
      `At most ${MAX_UPSERT_ROWS} rows per call (got ${inputs.length}); split the rows into several calls`,
      { argument: 'rows' },
    );
  }
  const atomic = Boolean(options.atomic);
  const dryRun = Boolean(options.dryRun);
  const em = actor.em.fork({ clear: true });
  const seenKeys = new Map<string, number>();
  const results: UpsertRowResult[] = [];
  const chunks: { index: number; input: Flat }[][] = [];
  inputs.forEach((input, index) => {
    if (index % UPSERT_BATCH_SIZE === 0) {
      chunks.push([]);
    }
    chunks.at(-1)!.push({ index, input });
  });

  const failed = () => results.some((row) => !appliedOrUnchanged(row.status));
  if (atomic || dryRun) {
    try {
      await em.transactional(async (tem) => {
        for (const chunk of chunks) {
          results.push(...(await writeChunk({ ...actor, em: tem }, spec, mode, chunk, seenKeys)));
        }
        if (dryRun || failed()) {
          throw new Rollback();
        }
      });
    } catch (error) {
      if (isRace(error)) {
        throw new ConflictError(`${RACE_MESSAGE}; nothing was written`, null);
      }
      if (!(error instanceof Rollback)) {
        throw error;
      }
    }
    if (atomic && failed()) {
      const firstFailure = results.find((row) => !appliedOrUnchanged(row.status))!;
      for (const row of results) {
        if (appliedStatuses.has(row.status)) {
          if (row.status === UpsertStatus.CREATED) {
            row.id = null;
            row.version = null;
          }
          row.status = UpsertStatus.UNCHANGED;
          row.errors = [
            {
              field: 'row',
              message: `not written: the atomic upsert stopped at row ${firstFailure.rowIndex} (${firstFailure.status})`,
            },
          ];
        }
      }
    }
    if (dryRun) {
      for (const row of results) {
        if (row.status === UpsertStatus.CREATED) {
          row.id = null;
          row.version = null;
        }
      }
    }
  } else {
    for (const chunk of chunks) {
      try {
        const chunkResults = await em.transactional((tem) =>
          writeChunk({ ...actor, em: tem }, spec, mode, chunk, seenKeys),
        );
        results.push(...chunkResults);
      } catch (error) {
        if (!isRace(error)) {
          throw error;
        }
        const message = `${RACE_MESSAGE}; no row of this batch (rows ${chunk[0]!.index}–${chunk.at(-1)!.index}) was written`;
        results.push(
          ...chunk.map(({ index }) =>
            rowResult(index, UpsertStatus.CONFLICT, { errors: [{ field: 'row', message }] }),
          ),
        );
      }
      em.clear();
    }
  }
  return summarise(results);
}

const RACE_MESSAGE =
  'Another write to the same rows committed at the same moment; send the rows again';

/** Errors that mean "someone else wrote these rows concurrently", never a bug of the input. */
function isRace(error: unknown): boolean {
  return (
    error instanceof OptimisticLockError ||
    error instanceof UniqueConstraintViolationException ||
    error instanceof DeadlockException ||
    error instanceof LockWaitTimeoutException
  );
}

function appliedOrUnchanged(status: UpsertStatus): boolean {
  return appliedStatuses.has(status) || status === UpsertStatus.UNCHANGED;
}

function zodProblems(error: {
  issues: { path: PropertyKey[]; message: string }[];
}): FieldProblem[] {
  return error.issues.map((issue) => ({
    field: issue.path.map(String).join('.') || 'row',
    message: issue.message,
  }));
}

/** Decodes a global id of `spec`'s type, or explains why it is not one. */
function rowIdOf(spec: WriteSpec, id: string): number | FieldProblem {
  try {
    const decoded = fromGlobalId(id);
    if (decoded.typeName !== spec.typeName) {
      return {
        field: 'id',
        message: `"${id}" is the id of a ${decoded.typeName}, not a ${spec.typeName}`,
      };
    }
    return decoded.rowId;
  } catch (error) {
    return { field: 'id', message: (error as Error).message };
  }
}

async function loadExisting(
  actor: WriteActor,
  spec: WriteSpec,
  query: { ids: number[]; keys: string[] },
): Promise<BaseEntity[]> {
  if (query.ids.length === 0 && query.keys.length === 0) {
    return [];
  }
  const rows = await spec.load(actor.em, query);
  if (actor.lockRows && rows.length > 0) {
    // Lock, then re-read: the version compared below is the one no one else can change until commit.
    await actor.em.find(
      spec.entity,
      { id: { $in: rows.map((row) => row.id) } },
      { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
    );
  }
  return rows;
}

/** A row of a chunk that parsed, with its identity: a decoded global id or a natural key. */
interface ParsedRow {
  index: number;
  input: Flat;
  rowId: number | null;
  key: string | null;
}

/** A parsed row with the row it names (if any), that row's snapshot and the merged draft. */
interface TargetRow extends ParsedRow {
  current: BaseEntity | undefined;
  before: Flat | null;
  draft: Flat;
}

interface WrittenRow {
  index: number;
  row: BaseEntity;
  before: Flat | null;
  action: AuditAction;
}

/**
 * One chunk of a write, in one transaction and a fixed number of statements: parse → load →
 * decide each row in order (later rows see the earlier ones) → write → audit.
 */
async function writeChunk(
  actor: WriteActor,
  spec: WriteSpec,
  mode: WriteMode,
  chunk: { index: number; input: Flat }[],
  seenKeys: Map<string, number>,
): Promise<UpsertRowResult[]> {
  const batch = new Batch(actor.em, actor.viewer);
  await batch.loadStates();
  const results = new Map<number, UpsertRowResult>();
  const parsed = parseRows(spec, chunk, seenKeys, results);
  const targets = await loadTargets(actor, spec, batch, parsed);
  const written: WrittenRow[] = [];
  // Rows of other types the chunk changes too, once each (the first `before` is the true one).
  const related = new Map<BaseEntity, RelatedChange>();
  for (const target of targets) {
    const outcome = decideRow(actor.viewer, spec, mode, target, batch, seenKeys);
    if (outcome) {
      results.set(target.index, outcome);
    } else {
      written.push(applyRow(actor, spec, target, batch, related));
    }
  }
  await flushAndAudit(actor, spec, batch, written, related.values(), results);
  return chunk.map(({ index }) => results.get(index)!);
}

/** Parses every row and finds its identity; rows that fail get their result in `results`. */
function parseRows(
  spec: WriteSpec,
  chunk: { index: number; input: Flat }[],
  seenKeys: Map<string, number>,
  results: Map<number, UpsertRowResult>,
): ParsedRow[] {
  const parsed: ParsedRow[] = [];
  const invalid = (index: number, errors: FieldProblem[]) =>
    results.set(index, rowResult(index, UpsertStatus.INVALID, { errors }));
  for (const { index, input } of chunk) {
    const outcome = spec.schema.safeParse(input);
    if (!outcome.success) {
      invalid(index, zodProblems(outcome.error));
      continue;
    }
    const data = outcome.data;
    const rowId = typeof data.id === 'string' ? rowIdOf(spec, data.id) : null;
    if (rowId !== null && typeof rowId !== 'number') {
      invalid(index, [rowId]);
      continue;
    }
    const key = spec.keyOf(data);
    if (rowId === null && key === null) {
      invalid(index, [{ field: 'id', message: `Give the row's \`id\` or its natural key` }]);
      continue;
    }
    const identity = rowId !== null ? `id:${rowId}` : `key:${key}`;
    const earlier = seenKeys.get(identity);
    if (earlier !== undefined) {
      invalid(index, [
        { field: rowId !== null ? 'id' : 'key', message: `Same row as row ${earlier}` },
      ]);
      continue;
    }
    seenKeys.set(identity, index);
    parsed.push({ index, input: data, rowId, key });
  }
  return parsed;
}

/** Loads the existing rows and everything the drafts refer to: a fixed number of statements. */
async function loadTargets(
  actor: WriteActor,
  spec: WriteSpec,
  batch: Batch,
  parsed: ParsedRow[],
): Promise<TargetRow[]> {
  const existing = await loadExisting(actor, spec, {
    ids: parsed.flatMap((row) => (row.rowId !== null ? [row.rowId] : [])),
    keys: parsed.flatMap((row) => (row.rowId === null && row.key !== null ? [row.key] : [])),
  });
  const byId = new Map(existing.map((row) => [row.id, row]));
  const byKey = new Map<string, BaseEntity>();
  const snapshots = new Map<BaseEntity, Flat>();
  for (const row of existing) {
    const snapshot = spec.snapshot(row, batch);
    snapshots.set(row, snapshot);
    const key = spec.keyOf(snapshot);
    if (key !== null) {
      byKey.set(key, row);
    }
  }
  const inputFields = [...spec.fields, ...(spec.transientFields ?? [])];
  const provided = (input: Flat): Flat =>
    Object.fromEntries(inputFields.filter((f) => input[f] !== undefined).map((f) => [f, input[f]]));
  const targets = parsed.map((row) => {
    const current = row.rowId !== null ? byId.get(row.rowId) : byKey.get(row.key!);
    const before = current ? snapshots.get(current)! : null;
    return { ...row, current, before, draft: { ...(before ?? {}), ...provided(row.input) } };
  });
  await spec.prepare(
    batch,
    targets.flatMap((t) => (t.before ? [t.before, t.draft] : [t.draft])),
    targets.map((t) => ({ before: t.before, draft: t.draft })),
  );
  return targets;
}

/**
 * What becomes of one row short of writing it: INVALID, FORBIDDEN, CONFLICT or UNCHANGED, or
 * null when it is to be written. The order of the checks is part of the contract: identity,
 * scope of the stored row, version, domain rules, scope of the draft, then UNCHANGED.
 */
function decideRow(
  viewer: Viewer,
  spec: WriteSpec,
  mode: WriteMode,
  target: TargetRow,
  batch: Batch,
  seenKeys: Map<string, number>,
): UpsertRowResult | null {
  const { index, current, before, draft, input } = target;
  const result = (status: UpsertStatus, extra: Partial<UpsertRowResult> = {}) =>
    rowResult(index, status, extra);
  const error = (field: string, message: string) => ({ errors: [{ field, message }] });
  if (!current) {
    if (target.rowId !== null) {
      return result(
        UpsertStatus.INVALID,
        error('id', `No ${spec.typeName} has id ${String(input.id)}`),
      );
    }
    if (mode === 'update') {
      return result(
        UpsertStatus.INVALID,
        error('key', `No ${spec.typeName} with key ${target.key}`),
      );
    }
    if (spec.roles?.create && !hasRole(viewer, spec.roles.create)) {
      return result(
        UpsertStatus.FORBIDDEN,
        error('row', `Only the ${spec.roles.create} role creates a ${spec.typeName}`),
      );
    }
  } else {
    const identity = { id: toGlobalId(spec.typeName, current.id), version: current.version };
    // One row named twice (by id and by natural key) would let the second edit slip past the version check.
    const earlier = seenKeys.get(`row:${current.id}`);
    if (earlier !== undefined && earlier !== index) {
      return result(UpsertStatus.INVALID, {
        ...identity,
        ...error('row', `Same row as row ${earlier}`),
      });
    }
    seenKeys.set(`row:${current.id}`, index);
    if (!canWriteIn(viewer, spec.ufsOf(before!, batch))) {
      return result(UpsertStatus.FORBIDDEN, {
        ...identity,
        ...error('row', forbiddenMessage(viewer, spec, before!, batch)),
      });
    }
    if (mode === 'create') {
      return result(UpsertStatus.INVALID, {
        ...identity,
        ...error('key', `A ${spec.typeName} with key ${target.key} already exists`),
      });
    }
    if (current.deletedAt) {
      return result(UpsertStatus.INVALID, {
        ...identity,
        ...error('row', `This ${spec.typeName} is deleted; restore it first`),
      });
    }
    const expected = input.expectedVersion;
    if (expected === undefined || expected === null || expected !== current.version) {
      return result(UpsertStatus.CONFLICT, {
        ...identity,
        current: echoOf(spec, before!, batch, identity),
        ...error(
          'expectedVersion',
          expected === undefined || expected === null
            ? `The row exists (version ${current.version}); send \`expectedVersion\` to change it`
            : `The row was changed by someone else: your version is ${expected}, the current one is ${current.version}`,
        ),
      });
    }
  }
  const missing = current
    ? []
    : spec.requiredOnCreate
        .filter((field) => draft[field] === undefined || draft[field] === null)
        .map((field) => ({ field, message: `Required to create a ${spec.typeName}` }));
  const problems = missing.length
    ? missing
    : [
        ...(spec.rowRules?.(draft, (code) => batch.ufOfCode(code)) ?? []),
        ...spec.check(draft, before, batch, current?.id ?? null),
      ];
  if (problems.length > 0) {
    return result(UpsertStatus.INVALID, {
      id: current ? toGlobalId(spec.typeName, current.id) : null,
      version: current?.version ?? null,
      errors: problems,
    });
  }
  if (!canWriteIn(viewer, spec.ufsOf(draft, batch))) {
    return result(
      UpsertStatus.FORBIDDEN,
      error('row', forbiddenMessage(viewer, spec, draft, batch)),
    );
  }
  const refusal = spec.scopeRefusal?.(draft, batch) ?? null;
  if (refusal) {
    return result(UpsertStatus.FORBIDDEN, error('row', refusal));
  }
  // A field the viewer cannot read is written whenever it is sent: UNCHANGED would confirm a guess.
  const blind =
    current && (spec.hiddenFields?.(before!, batch) ?? []).some((f) => input[f] !== undefined);
  if (current && !blind && sameValues(before!, draft, spec.fields)) {
    return result(UpsertStatus.UNCHANGED, {
      id: toGlobalId(spec.typeName, current.id),
      version: current.version,
    });
  }
  return null;
}

/** Writes a decided draft onto its row (new or existing) and queues it and its related rows. */
function applyRow(
  actor: WriteActor,
  spec: WriteSpec,
  target: TargetRow,
  batch: Batch,
  related: Map<BaseEntity, RelatedChange>,
): WrittenRow {
  const { em } = actor;
  const { index, current, before, draft } = target;
  const row = current ?? spec.create(em);
  spec.write(row, draft, batch);
  row.source =
    actor.via === AuditVia.SHEETS ? 'sheets' : actor.via === AuditVia.IMPORT ? 'import' : 'api';
  em.persist(row);
  spec.afterWrite?.(row, draft, batch);
  spec.remember?.(draft, row.id ?? null, batch);
  for (const change of spec.related?.(row, before, draft, batch) ?? []) {
    change.row.source = row.source;
    em.persist(change.row);
    if (!related.has(change.row)) {
      related.set(change.row, change);
    }
  }
  return { index, row, before, action: current ? AuditAction.UPDATE : AuditAction.CREATE };
}

/** Writes the rows, then their audit entries (they need the new ids): same transaction. */
async function flushAndAudit(
  actor: WriteActor,
  spec: WriteSpec,
  batch: Batch,
  written: WrittenRow[],
  related: Iterable<RelatedChange>,
  results: Map<number, UpsertRowResult>,
): Promise<void> {
  if (written.length === 0) {
    return;
  }
  await actor.em.flush();
  auditRelated(actor, related, batch);
  for (const { index, row, before, action } of written) {
    recordRowAudit(actor, spec, row, action, before, spec.snapshot(row, batch), batch);
    const status = action === AuditAction.CREATE ? UpsertStatus.CREATED : UpsertStatus.UPDATED;
    results.set(
      index,
      rowResult(index, status, { id: toGlobalId(spec.typeName, row.id), version: row.version }),
    );
  }
  await actor.em.flush();
}

/** Queues the audit entry of one written row (its `after` with version and soft delete). */
function recordRowAudit(
  actor: WriteActor,
  spec: WriteSpec,
  row: BaseEntity,
  action: AuditAction,
  before: Flat | null,
  after: Flat | null,
  batch: Batch,
): AuditEntry {
  const ufs = spec.ufsOf(after ?? before ?? {}, batch);
  return recordAudit(actor.em, {
    ...originOf(actor),
    importRunId: actor.importRunId,
    entityType: spec.typeName,
    entityId: row.id,
    action,
    before,
    after: after ? { ...after, version: row.version, deleted: Boolean(row.deletedAt) } : null,
    stateUf: auditStateUf(ufs),
  });
}

/** Audits the rows a write changed alongside its own (e.g. a municipality's population). */
function auditRelated(actor: WriteActor, related: Iterable<RelatedChange>, batch: Batch): void {
  for (const change of related) {
    recordRowAudit(
      actor,
      change.spec,
      change.row,
      change.action,
      change.before,
      change.spec.snapshot(change.row, batch),
      batch,
    );
  }
}

/**
 * A row as a conflict shows it to the viewer: its flat values with `extra` (id, version), less
 * what the viewer may not read (`hiddenFields`).
 */
function echoOf(spec: WriteSpec, flat: Flat, batch: Batch, extra: Flat): Flat {
  return withoutFields({ ...flat, ...extra }, spec.hiddenFields?.(flat, batch) ?? []);
}

function forbiddenMessage(viewer: Viewer, spec: WriteSpec, flat: Flat, batch: Batch): string {
  const ufs = spec.ufsOf(flat, batch);
  return `Your key writes only ${scopeDescription(viewer)}; this ${spec.typeName} belongs to ${ufs.join(', ') || 'no state'} (an unscoped editor or an admin is needed)`;
}

/** A single-row write: the upsert path, with its row status turned into the matching error. */
export async function writeOne(
  actor: WriteActor,
  spec: WriteSpec,
  mode: WriteMode,
  input: Flat,
): Promise<BaseEntity> {
  const result = (await writeRows(actor, spec, mode, [input], { atomic: true })).rows[0]!;
  throwIfFailed(result, spec);
  const rowId = fromGlobalId(result.id!).rowId;
  return actor.em.fork({ clear: true }).findOneOrFail(spec.entity, { id: rowId });
}

function throwIfFailed(result: UpsertRowResult, spec: WriteSpec): void {
  const details = result.errors.map((e) => `${e.field}: ${e.message}`).join('; ');
  switch (result.status) {
    case UpsertStatus.CREATED:
    case UpsertStatus.UPDATED:
    case UpsertStatus.UNCHANGED:
      return;
    case UpsertStatus.INVALID:
      throw new BadUserInputError(`Invalid ${spec.typeName}: ${details}`, {
        fields: result.errors,
      });
    case UpsertStatus.CONFLICT:
      throw new ConflictError(`Conflict on ${spec.typeName}: ${details}`, result.current);
    case UpsertStatus.FORBIDDEN:
      throw new ForbiddenError(details, { fields: result.errors });
    default:
      throw new Error(`Unexpected status ${String(result.status)}`);
  }
}

/** Soft delete (`deleted: true`) or restore: scope, version and audit as for any write. */
export async function setDeleted(
  actor: WriteActor,
  spec: WriteSpec,
  globalId: string,
  expectedVersion: number,
  deleted: boolean,
): Promise<BaseEntity> {
  const rowId = rowIdOf(spec, globalId);
  if (typeof rowId !== 'number') {
    throw new BadUserInputError(rowId.message, { argument: 'id' });
  }
  const em = actor.em.fork({ clear: true });
  return em.transactional(async (tem) => {
    const scoped = { ...actor, em: tem };
    const batch = new Batch(tem, actor.viewer);
    await batch.loadStates();
    const [row] = await loadExisting(scoped, spec, { ids: [rowId], keys: [] });
    if (!row) {
      throw new NotFoundError(`No ${spec.typeName} has id ${globalId}`, { argument: 'id' });
    }
    const before = spec.snapshot(row, batch);
    await spec.prepare(batch, [before]);
    if (!canWriteIn(actor.viewer, spec.ufsOf(before, batch))) {
      throw new ForbiddenError(forbiddenMessage(actor.viewer, spec, before, batch));
    }
    if (spec.roles?.delete && !hasRole(actor.viewer, spec.roles.delete)) {
      throw new ForbiddenError(
        `Only the ${spec.roles.delete} role deletes or restores a ${spec.typeName}`,
      );
    }
    if (row.version !== expectedVersion) {
      throw new ConflictError(
        `The row was changed by someone else: your version is ${expectedVersion}, the current one is ${row.version}`,
        echoOf(spec, before, batch, { id: globalId, version: row.version }),
      );
    }
    if (Boolean(row.deletedAt) === deleted) {
      throw new BadUserInputError(
        `This ${spec.typeName} is ${deleted ? 'already deleted' : 'not deleted'}`,
        { argument: 'id' },
      );
    }
    const refusal = deleted ? null : (spec.scopeRefusal?.(before, batch) ?? null);
    if (refusal) {
      throw new ForbiddenError(refusal);
    }
    // A delete passes the spec's delete check (e.g. no live rows under it), a restore the row's own.
    const problems = deleted
      ? ((await spec.checkDelete?.(row, batch)) ?? [])
      : spec.check(before, null, batch, row.id);
    if (problems.length > 0) {
      throw new BadUserInputError(
        `Cannot ${deleted ? 'delete' : 'restore'} ${spec.typeName}: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`,
        { fields: problems },
      );
    }
    row.deletedAt = deleted ? new Date() : null;
    const related = (await spec.relatedOnDelete?.(row, batch)) ?? [];
    await tem.flush();
    recordRowAudit(
      scoped,
      spec,
      row,
      deleted ? AuditAction.DELETE : AuditAction.RESTORE,
      { ...before, deleted: !deleted },
      spec.snapshot(row, batch),
      batch,
    );
    auditRelated(scoped, related, batch);
    await tem.flush();
    return row;
  });
}
