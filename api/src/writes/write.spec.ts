import { type EntityClass, type FilterQuery } from '@mikro-orm/core';
import { type ClassType } from 'type-graphql';
import { type z } from 'zod';
import { type AuditAction } from '../audit/audit.enums';
import { type Role } from '../auth/auth.enums';
import { type BaseEntity } from '../common/base.entity';
import { type Batch, type Flat, type FieldProblem } from './write.batch';
import { rowIdentity } from './write.fields';
import { upsertInput } from './write.input';

/**
 * How the write engine handles one entity type. Everything row-specific works on *flat*
 * records named like the upsert input (`healthRegionCode`, not a relation): the engine merges
 * the current values with the provided ones into a draft, the spec checks the draft (domain
 * rules, references, scope) and only then writes it onto the entity. Audit `before`/`after`
 * use the same flat shape, which is what lets `revertImport` write a `before` back.
 */
export interface WriteSpec<E extends BaseEntity = BaseEntity> {
  /** GraphQL type name, also the global-id type and the audit `entityType`. */
  typeName: string;
  /** Plural of `typeName` in mutation names (`upsertPeople`), when not `typeName` + s. */
  plural?: string;
  entity: EntityClass<E>;
  /**
   * The GraphQL upsert input, made from `schema` (`upsertInput`): fields the schema lets be
   * absent are optional, so that an omitted field is left unchanged and `null` clears it; `id`
   * (global id) or the natural key finds an existing row; `expectedVersion` is the version the
   * client last saw.
   */
  input: ClassType;
  /**
   * Flat input fields, excluding `id` and `expectedVersion`: `schema`'s own keys less
   * `transientFields` (`writeSpec` derives them).
   */
  fields: readonly string[];
  /**
   * Input-only fields (e.g. a municipality's `effectiveFrom`): copied into the draft for `check`
   * and `related`, but neither stored, compared for UNCHANGED nor snapshotted.
   */
  transientFields?: readonly string[];
  /** Roles beyond `editor` that some actions need (states: only admins create, delete, restore). */
  roles?: { create?: Role; delete?: Role };
  /** Fields a new row must have. */
  requiredOnCreate: readonly string[];
  /**
   * Validates and normalises one input row (every field optional; `null` clears). Imports check
   * their cells by the same rules (`ruled`, in `imports/import.columns.ts`).
   */
  schema: z.ZodObject;
  /** Natural key of an input row or a snapshot (both flat, named alike), or null when it has none. */
  keyOf(flat: Flat): string | null;
  /** Loads existing rows by id or natural key, with what `snapshot` needs (deleted rows too). */
  load(em: Em, query: { ids: number[]; keys: string[] }): Promise<E[]>;
  /**
   * Loads what `check` and `write` need for these drafts (references, related rows). `changes`
   * pairs each row's `before` with its draft, for specs whose related writes depend on what changed.
   */
  prepare(batch: Batch, drafts: Flat[], changes?: RowChange[]): Promise<void>;
  snapshot(row: E, batch: Batch): Flat;
  /**
   * Rules on the row's own values alone (no database, no earlier version): a range that ends
   * before it starts, what a role needs, territory in one state, the decision date a status
   * needs. Mutations apply them before `check`; imports apply them to every row they read
   * (`entityKind`), in the same words.
   */
  rowRules?(
    draft: Flat,
    ufOfCode: (code: string | null | undefined) => string | null,
  ): FieldProblem[];
  /** Domain rules and references; `selfId` is the row's id when it exists. */
  check(draft: Flat, before: Flat | null, batch: Batch, selfId: number | null): FieldProblem[];
  /** States the row belongs to; an empty list means no state (e.g. a person without mandates). */
  ufsOf(flat: Flat, batch: Batch): string[];
  /**
   * Fields of this row the batch's viewer may not read (a person's email and phone outside the
   * key's state). They are left out of every echo of the row (a conflict's `current`), and a
   * write that names them is never answered UNCHANGED, which would tell whether a guess matched.
   */
  hiddenFields?(flat: Flat, batch: Batch): readonly string[];
  /**
   * Why the viewer may not write this draft even inside its state, or null: a scope rule beyond
   * `ufsOf`, such as a mandate that would give a state-scoped key the contact data of a person
   * of another state. Asked of every write that leaves the row live (restores included).
   */
  scopeRefusal?(draft: Flat, batch: Batch): string | null;
  create(em: Em): E;
  /** Writes a checked draft onto the entity. */
  write(row: E, draft: Flat, batch: Batch): void;
  /** After a row is written: lets later rows of the batch see it. */
  afterWrite?(row: E, draft: Flat, batch: Batch): void;
  /**
   * Lets later rows of the batch see a checked draft, before or without writing it (`id`: the
   * stored row's, or null): called after each write, and by an import checking a whole file.
   */
  remember?(draft: Flat, id: number | null, batch: Batch): void;
  /**
   * Rows of other types that this write changes too (a region change opens and closes region
   * memberships; the newest population estimate updates its municipality). The engine persists
   * and audits them in the same transaction; `before` is null for a row it creates.
   */
  related?(row: E, before: Flat | null, draft: Flat, batch: Batch): RelatedChange[];
  /**
   * Like `related`, after a soft delete or restore (`row.deletedAt` already set): e.g. deleting
   * the newest population estimate gives the municipality the next newest one.
   */
  relatedOnDelete?(row: E, batch: Batch): Promise<RelatedChange[]>;
  /** Why this row may not be soft-deleted (e.g. a state that still has municipalities). */
  checkDelete?(row: E, batch: Batch): Promise<FieldProblem[]>;
}

/**
 * A write spec whose `fields` are its schema's keys, less `rowIdentity` and `transientFields`,
 * and whose GraphQL upsert input is made from the same schema: a written field is named once.
 */
export function writeSpec<E extends BaseEntity>(
  spec: Omit<WriteSpec<E>, 'fields' | 'input'>,
): WriteSpec<E> {
  const transient = new Set(spec.transientFields ?? []);
  const fields = Object.keys(spec.schema.shape).filter(
    (name) => !(name in rowIdentity) && !transient.has(name),
  );
  return { ...spec, fields, input: upsertInput(`${spec.typeName}UpsertInput`, spec.schema) };
}

export interface RowChange {
  before: Flat | null;
  draft: Flat;
}

export interface RelatedChange {
  spec: WriteSpec;
  row: BaseEntity;
  before: Flat | null;
  action: AuditAction.CREATE | AuditAction.UPDATE;
}

/** A related change of a row of `spec`'s type, typed at the call site. */
export function relatedChange<T extends BaseEntity>(
  spec: WriteSpec<T>,
  row: T,
  before: Flat | null,
  action: AuditAction.CREATE | AuditAction.UPDATE,
): RelatedChange {
  return { spec: spec as unknown as WriteSpec, row, before, action };
}

type Em = Batch['em'];

/** What `ufsOf` returns for rows of the whole country (no state): only unscoped keys write them. */
export const NATIONAL = 'BR';

/** The states a row's territory names, or, with no territory at all, the whole country. */
export const orNational = (ufs: string[]): string[] => (ufs.length > 0 ? ufs : [NATIONAL]);

/** `ufsOf` of a row in the state its `field` (a municipality's, region's or macroregion's code) names. */
export const stateOfCode =
  (field: string) =>
  (flat: Flat, batch: Batch): string[] => {
    const uf = batch.ufOfCode(flat[field] as string | undefined);
    return uf ? [uf] : [];
  };

/**
 * A spec's `load`: rows by id or matching `byKeys(keys)` (deleted rows too), with `populate`.
 * With `keyOfRow`, `byKeys` may match more than the keys asked (by a key's first part) and only
 * the rows whose own key was asked are kept.
 */
export function loadRows<E extends BaseEntity>(
  entity: EntityClass<E>,
  byKeys: (keys: string[]) => FilterQuery<E>[],
  populate: readonly string[] = [],
  keyOfRow?: (row: E) => string | null,
): WriteSpec<E>['load'] {
  return async (em, { ids, keys }) => {
    const where = { $or: [{ id: { $in: ids } }, ...byKeys(keys)] } as FilterQuery<E>;
    const rows = await em.find(entity, where, { populate: populate as never });
    const [wantedIds, wantedKeys] = [new Set(ids), new Set(keys)];
    return keyOfRow
      ? rows.filter((row) => wantedIds.has(row.id) || wantedKeys.has(keyOfRow(row) ?? ''))
      : rows;
  };
}

/** `loadRows`'s `byKeys` of rows keyed by their code. */
export const byCode = (keys: string[]) => [{ code: { $in: keys } }];

/** Natural key of a row keyed by its `code`. */
export const codeKey = (flat: Flat): string | null =>
  typeof flat.code === 'string' ? flat.code : null;

/** Natural key of a row keyed by two codes (`ibgeCode|programCode`), or null if one is missing. */
export function pairKey(first: unknown, second: unknown): string | null {
  return typeof first === 'string' && typeof second === 'string' ? `${first}|${second}` : null;
}

/** The two codes of each `pairKey`. */
export function splitKeys(keys: string[]): [string, string][] {
  return keys.map((key) => key.split('|') as [string, string]);
}
