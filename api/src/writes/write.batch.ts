import { type EntityClass } from '@mikro-orm/core';
import { Role } from '../auth/auth.enums';
import { hasRole } from '../auth/policy';
import { type Viewer } from '../auth/viewer';
import type { Em } from '../db/orm';
import { stateCodeOf } from '../territory/ibge-code';
import { State } from '../territory/state.entity';

/** Field name → message, as returned to clients in `errors`. */
export interface FieldProblem {
  field: string;
  message: string;
}

/**
 * A flat record of a row, the one shape of every write: scalars, lists, and related rows by
 * natural key (`ibgeCode`, `healthRegionCode`…), so a dry run can name rows not created yet.
 */
export type Flat = Record<string, unknown>;

/**
 * Everything the rows of one batch share, loaded with one statement per kind: the states, and the
 * referenced rows by natural key (regions by code, municipalities by IBGE code…). Specs read it
 * synchronously while they check and write rows, so the statement count grows with batches.
 */
export class Batch {
  private readonly refs = new Map<string, Map<string, unknown>>();
  private statesByIbge = new Map<string, State>();
  private statesByUf = new Map<string, State>();
  /** Per-spec scratch data (e.g. the gestor mandates of the batch's municipalities). */
  readonly scratch = new Map<string, unknown>();

  constructor(
    readonly em: Em,
    readonly viewer: Viewer,
  ) {}

  get isAdmin(): boolean {
    return hasRole(this.viewer, Role.ADMIN);
  }

  async loadStates(): Promise<void> {
    if (this.statesByUf.size > 0) {
      return;
    }
    const states = await this.em.find(State, {});
    this.statesByIbge = new Map(states.map((state) => [state.ibgeCode, state]));
    this.statesByUf = new Map(states.map((state) => [state.uf, state]));
  }

  state(uf: string): State | undefined {
    return this.statesByUf.get(uf);
  }

  /** Lets later rows of the batch refer to a state created earlier in it. */
  rememberState(state: State): void {
    this.statesByUf.set(state.uf, state);
    this.statesByIbge.set(state.ibgeCode, state);
  }

  /** UF of a municipality, region or macroregion code (`stateCodeOf`), from the loaded states. */
  ufOfCode(code: string | null | undefined): string | null {
    if (!code) {
      return null;
    }
    return this.statesByIbge.get(stateCodeOf(code))?.uf ?? null;
  }

  /** Loads rows of `entity` whose `field` is one of `values` (one statement), for `ref()`. */
  async loadRefs<T extends object>(
    entity: EntityClass<T>,
    field: keyof T & string,
    values: Iterable<string | null | undefined>,
    populate: string[] = [],
  ): Promise<void> {
    const wanted = [...new Set([...values].filter((v): v is string => typeof v === 'string'))];
    const cache = this.cacheOf(entity);
    const missing = wanted.filter((value) => !cache.has(value));
    if (missing.length === 0) {
      return;
    }
    const rows = await this.em.find(entity, { [field]: { $in: missing } } as never, {
      populate: populate as never,
    });
    for (const row of rows) {
      cache.set(String((row as Record<string, unknown>)[field]), row);
    }
  }

  /** Loads the rows the drafts name in `named` (a code or a list of codes) by the entity's `key`. */
  loadNamed<T extends object>(
    drafts: readonly Flat[],
    named: string,
    entity: EntityClass<T>,
    key: keyof T & string,
    populate: string[] = [],
  ): Promise<void> {
    const values = drafts.flatMap((draft) => draft[named] as string | string[] | null | undefined);
    return this.loadRefs(entity, key, values, populate);
  }

  /** Remembers a row under its natural key (rows created earlier in the same batch). */
  remember<T extends object>(entity: EntityClass<T>, key: string, row: T): void {
    this.cacheOf(entity).set(key, row);
  }

  ref<T extends object>(entity: EntityClass<T>, value: string | null | undefined): T | undefined {
    if (!value) {
      return undefined;
    }
    return this.cacheOf(entity).get(value) as T | undefined;
  }

  private cacheOf(entity: EntityClass<unknown>): Map<string, unknown> {
    let cache = this.refs.get(entity.name);
    if (!cache) {
      cache = new Map();
      this.refs.set(entity.name, cache);
    }
    return cache;
  }
}

/** How `refProblems` checks one reference besides "the row exists". */
export interface RefRule<T> {
  /** Checked even when empty (a field of the key): a missing code reads `No … has code null`. */
  required?: boolean;
  /** A soft-deleted row counts as missing. */
  live?: boolean;
  /** A further rule on the row found: a message for the same field, or null. */
  then?: (row: T, code: string) => string | null;
}

/**
 * A draft field naming a row by natural key (`[field, Entity, noun, rule?]`, the row looked up
 * with `Batch.ref` among those `prepare` loaded) or a state by UF (`[field, 'State']`). A list
 * field names one row per element.
 */
export type Reference<T = object> =
  | readonly [field: string, entity: EntityClass<T>, noun: string, rule?: RefRule<T>]
  | readonly [field: string, kind: 'State'];

/**
 * The states a row names: its own `stateUf` and the state each code (municipality, region) starts
 * with, once each, in that order. Events and mandates are scoped and audited by them.
 */
export function statesNamed(
  stateUf: unknown,
  codes: readonly unknown[],
  ufOfCode: (code: string | null | undefined) => string | null,
): string[] {
  const ufs = new Set<string>();
  if (stateUf) {
    ufs.add(stateUf as string);
  }
  for (const code of codes) {
    const uf = ufOfCode(code as string | null | undefined);
    if (uf) {
      ufs.add(uf);
    }
  }
  return [...ufs];
}

/** A draft whose `endDate` is before its `startDate` (events, mandates): the problem, or none. */
export function endsBeforeItStarts(draft: Flat): FieldProblem[] {
  const startDate = draft.startDate as string;
  const endDate = (draft.endDate as string | null | undefined) ?? null;
  return endDate !== null && endDate < startDate
    ? [{ field: 'endDate', message: `Ends (${endDate}) before it starts (${startDate})` }]
    : [];
}

/**
 * The one reference rule of writes: a code the batch has no row for is
 * `No <noun> has code <code>` (`Unknown UF <uf>` for states), on the field that names it, in the
 * order of `references`.
 */
export function refProblems<const T extends readonly unknown[]>(
  draft: Flat,
  batch: Batch,
  references: { [K in keyof T]: Reference<T[K]> },
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  type Loose = readonly [string, EntityClass<object> | 'State', string?, RefRule<object>?];
  for (const [field, entity, noun, rule] of references as unknown as readonly Loose[]) {
    const value = draft[field];
    for (const code of Array.isArray(value) ? (value as string[]) : [value as string]) {
      if (!code && !rule?.required) {
        continue;
      }
      if (entity === 'State') {
        if (!batch.state(code)) {
          problems.push({ field, message: `Unknown UF ${code}` });
        }
        continue;
      }
      const row = batch.ref(entity, code);
      const message =
        !row || (rule?.live && (row as { deletedAt?: Date | null }).deletedAt)
          ? `No ${noun!} has code ${String(code)}`
          : (rule?.then?.(row, code) ?? null);
      if (message) {
        problems.push({ field, message });
      }
    }
  }
  return problems;
}

/**
 * Whether two values of a flat record are the same: lists by value, and coordinates within a
 * billionth (SQLite's text-to-double conversion is not always correctly rounded: -52.55884 may
 * read back as -52.558840000000004). The one comparison of mutations, imports and reverts.
 */
export function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number' && !Number.isInteger(a)) {
    return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a));
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return JSON.stringify(a ?? []) === JSON.stringify(b ?? []);
  }
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/** Compares two flat records field by field, for UNCHANGED detection. */
export function sameValues(a: Flat, b: Flat, fields: readonly string[]): boolean {
  return fields.every((field) => sameValue(a[field], b[field]));
}
