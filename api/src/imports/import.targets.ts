import { type EntityClass, Reference } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/knex';
import { Event } from '../activity/event.entity';
import type { Em } from '../db/orm';
import { Organization } from '../people/organization.entity';
import { Person } from '../people/person.entity';
import { Program } from '../programs/program.entity';
import { HealthMacroregion } from '../territory/health-macroregion.entity';
import { HealthRegion } from '../territory/health-region.entity';
import { Municipality } from '../territory/municipality.entity';
import { State } from '../territory/state.entity';
import { stateCodeOf } from '../territory/ibge-code';
import { ufOfStateCode } from '../territory/territory.seed';
import { type Flat } from '../writes/write.batch';
import { unwrapped } from '../writes/write.input';
import { type WriteSpec } from '../writes/write.spec';

/** An entity other rows point at by a natural key. */
interface RefNamespaceDefinition {
  entity: EntityClass<object>;
  keyField: string;
  /** Columns a row pointing at one needs to derive its own fields (an adhesion's dates). */
  terms?: readonly string[];
}

/** Entities other rows point at by a natural key. */
export const refNamespaces = {
  State: { entity: State, keyField: 'uf' },
  Municipality: { entity: Municipality, keyField: 'ibgeCode' },
  HealthRegion: { entity: HealthRegion, keyField: 'code' },
  HealthMacroregion: { entity: HealthMacroregion, keyField: 'code' },
  Person: { entity: Person, keyField: 'code' },
  Organization: { entity: Organization, keyField: 'code' },
  Program: {
    entity: Program,
    keyField: 'code',
    terms: ['decisionBusinessDays', 'validityMonths'],
  },
  Event: { entity: Event, keyField: 'code' },
} as const satisfies Record<string, RefNamespaceDefinition>;
export type RefNamespace = keyof typeof refNamespaces;

/** Natural key ↔ id of the rows of each namespace, loaded on demand; created rows join it. */
export class RefIndex {
  private readonly byKey = new Map<RefNamespace, Map<string, { id: number; deleted: boolean }>>();
  private readonly byId = new Map<RefNamespace, Map<number, string>>();
  private readonly terms = new Map<RefNamespace, Map<string, Record<string, unknown>>>();

  constructor(private em: Em) {}

  /** Loads through this entity manager from now on (the import's transaction). */
  use(em: Em): void {
    this.em = em;
  }

  async load(namespace: RefNamespace): Promise<void> {
    if (this.byKey.has(namespace)) {
      return;
    }
    const definition: RefNamespaceDefinition = refNamespaces[namespace];
    const { entity, keyField } = definition;
    const extra = definition.terms ?? [];
    const rows = (await (this.em as unknown as SqlEntityManager)
      .createQueryBuilder(entity)
      .select(['id', keyField, 'deletedAt', ...extra] as never)
      .execute('all', true)) as unknown as Record<string, unknown>[];
    const keys = new Map<string, { id: number; deleted: boolean }>();
    const ids = new Map<number, string>();
    const terms = new Map<string, Record<string, unknown>>();
    for (const row of rows) {
      const key = row[keyField] as string | null;
      const id = Number(row.id);
      if (key !== null && key !== undefined) {
        keys.set(key, { id, deleted: row.deletedAt !== null && row.deletedAt !== undefined });
        ids.set(id, key);
        if (extra.length > 0) {
          terms.set(key, Object.fromEntries(extra.map((name) => [name, row[name]])));
        }
      }
    }
    this.byKey.set(namespace, keys);
    this.byId.set(namespace, ids);
    this.terms.set(namespace, terms);
  }

  private keys(namespace: RefNamespace) {
    const keys = this.byKey.get(namespace);
    if (!keys) {
      throw new Error(`ref namespace ${namespace} was not loaded`);
    }
    return keys;
  }

  /** Id of a live (not soft-deleted) row, or undefined. */
  id(namespace: RefNamespace, key: string): number | undefined {
    const found = this.keys(namespace).get(key);
    return found && !found.deleted ? found.id : undefined;
  }

  has(namespace: RefNamespace, key: string): boolean {
    return this.id(namespace, key) !== undefined;
  }

  key(namespace: RefNamespace, id: number | null | undefined): string | null {
    if (id === null || id === undefined) {
      return null;
    }
    const keys = this.byId.get(namespace);
    if (!keys) {
      throw new Error(`ref namespace ${namespace} was not loaded`);
    }
    return keys.get(id) ?? `#${id}`;
  }

  /** The `terms` columns of a loaded row (see `refNamespaces`), or undefined. */
  termsOf(namespace: RefNamespace, key: string): Record<string, unknown> | undefined {
    return this.terms.get(namespace)?.get(key);
  }

  register(namespace: RefNamespace, key: string, id: number): void {
    this.keys(namespace).set(key, { id, deleted: false });
    this.byId.get(namespace)!.set(id, key);
  }

  undelete(namespace: RefNamespace, key: string): void {
    const found = this.byKey.get(namespace)?.get(key);
    if (found) {
      found.deleted = false;
    }
  }
}

/**
 * A field of a target: `name` in flat records and audit entries (the write spec's name, e.g.
 * `healthRegionCode`), `property` on the entity (`healthRegion`).
 */
export type FieldDef = { name: string; property: string } & (
  | { type: 'scalar' }
  | { type: 'json' }
  | { type: 'ref'; namespace: RefNamespace }
  | { type: 'refList'; namespace: RefNamespace }
);

/**
 * Fields of a target, written `name` (a column), `name:json`, or, for a related row by natural
 * key, `name=property:Namespace` (`healthRegionCode=healthRegion:HealthRegion`) and
 * `name=property:[Namespace]` (a many-to-many): one line per entity. A flat record names a field
 * as the entity's write spec does, so imports and mutations audit rows alike.
 */
function fieldsOf(list: string): FieldDef[] {
  return list
    .trim()
    .split(/\s+/)
    .map((entry): FieldDef => {
      const [named, kind] = entry.split(':') as [string, string | undefined];
      const [name, property = name] = named.split('=') as [string, string | undefined];
      if (kind === undefined) {
        return { name, property, type: 'scalar' };
      }
      if (kind === 'json') {
        return { name, property, type: 'json' };
      }
      const namespace = kind.replace(/^\[|\]$/g, '');
      if (!(namespace in refNamespaces)) {
        throw new Error(`${entry}: no ref namespace ${namespace}`);
      }
      const type = kind.startsWith('[') ? 'refList' : 'ref';
      return { name, property, type, namespace: namespace as RefNamespace };
    });
}

/** What the engine needs to know about an entity it writes. */
export interface Target {
  name: string;
  entity: EntityClass<object>;
  fields: FieldDef[];
  /** Natural key of a row, from its flat form: its `keyFields` joined by `|`. */
  keyOf(values: Flat): string;
  /** Created rows are registered in this namespace under `keyOf`. */
  namespace?: RefNamespace;
  /** The field existing rows are looked up by (the key, or its first component). */
  lookup: FieldDef;
  /** The fields whose values make `keyOf`, in order: what a set-based apply matches rows on (`lookup` when not given). */
  keyFields: string[];
  /** Relations to populate when loading (collections). */
  populate?: string[];
  /** UF of a row, for the audit log's state scope. */
  stateUfOf?(values: Flat, refs: RefIndex): string | null;
  /**
   * The audit log's state of stored rows whose state is not in their own values (a person's,
   * from their mandates), by natural key: asked for the rows an import changes or prunes.
   */
  storedStateUfs?(em: Em, keys: string[]): Promise<Map<string, string | null>>;
  /** `storedStateUfs` is asked for new rows too: their state is another stored row's (a participation's, its event's). */
  storedStatesOfNewRows?: true;
}

/** UF of a municipality, region or macroregion code (`stateCodeOf`), from the shipped states. */
export const ufOfCode = (code: string | null | undefined): string | null =>
  code ? (ufOfStateCode(stateCodeOf(code)) ?? null) : null;
/** UF of a row that names its municipality by IBGE code. */
export const ufOfMunicipality = (values: Flat) =>
  typeof values.ibgeCode === 'string' ? ufOfCode(values.ibgeCode) : null;
export const ufOfState = (values: Flat) =>
  typeof values.stateUf === 'string' ? values.stateUf : null;

/**
 * A target's field list (`importTarget`'s syntax) from its write spec: every field the spec
 * writes, in its order, a relation as `relations` writes it (`name=property:Namespace`), a list
 * of text as JSON, then what only imports store (`extra`), so that a written field is named once.
 */
export function specFields(spec: WriteSpec, relations: string, extra = ''): string {
  const annotated = new Map(
    relations
      .split(/\s+/)
      .filter(Boolean)
      .map((entry) => [entry.split(/[=:]/)[0]!, entry]),
  );
  for (const name of annotated.keys()) {
    if (!spec.fields.includes(name)) {
      throw new Error(`${spec.typeName}.${name}: not a field of its write spec`);
    }
  }
  const fieldOf = (name: string) => {
    const list = unwrapped(spec.schema.shape[name] as never).inner.def.type === 'array';
    return annotated.get(name) ?? (list ? `${name}:json` : name);
  };
  return [...spec.fields.map(fieldOf), extra].join(' ');
}

export function importTarget(
  entity: EntityClass<object>,
  fields: string,
  target: Omit<Target, 'name' | 'entity' | 'fields' | 'lookup' | 'keyFields' | 'keyOf'> & {
    lookup: string;
    keyFields?: string;
  },
): Target {
  const defs = fieldsOf(fields);
  const lookup = defs.find((definition) => definition.name === target.lookup)!;
  const keyFields = (target.keyFields ?? target.lookup).split(' ');
  const keyOf = (values: Flat) => keyFields.map((field) => values[field] ?? '').join('|');
  return { ...target, name: entity.name, entity, fields: defs, lookup, keyFields, keyOf };
}

/** The flat form of a loaded row (relations by natural key, collections sorted). */
export function snapshot(target: Target, entity: object, refs: RefIndex): Flat {
  const record: Flat = {};
  const row = entity as Record<string, unknown>;
  for (const definition of target.fields) {
    const value = row[definition.property];
    switch (definition.type) {
      case 'scalar':
        record[definition.name] = (value ?? null) as unknown;
        break;
      case 'json':
        record[definition.name] = (value ?? []) as unknown;
        break;
      case 'ref': {
        const related = value
          ? (Reference.unwrapReference(value as object) as { id: number })
          : null;
        record[definition.name] = refs.key(definition.namespace, related?.id);
        break;
      }
      case 'refList': {
        const items = (value as { getItems(): { id: number }[] }).getItems();
        record[definition.name] = items
          .map((item) => refs.key(definition.namespace, item.id) ?? '')
          .sort();
        break;
      }
    }
  }
  return record;
}

function refId(namespace: RefNamespace, key: string, refs: RefIndex): number {
  const id = refs.id(namespace, key);
  if (id === undefined) {
    throw new Error(`${namespace} "${key}" has no row to point at`);
  }
  return id;
}

/**
 * The row data of (part of) a flat record, with each related row's natural key turned into
 * whatever `pointAt` makes of its id: a reference for `em.create`, the bare id for `insertRows`.
 */
function rowData(
  target: Target,
  values: Flat,
  refs: RefIndex,
  pointAt: ((namespace: RefNamespace, id: number) => unknown) | null,
): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const definition of target.fields) {
    if (!(definition.name in values)) {
      continue;
    }
    const value = values[definition.name];
    switch (definition.type) {
      case 'scalar':
      case 'json':
        data[definition.property] = value;
        break;
      case 'ref': {
        const id = value === null ? null : refId(definition.namespace, String(value), refs);
        data[definition.property] =
          id === null || !pointAt ? id : pointAt(definition.namespace, id);
        break;
      }
      case 'refList':
        if (!pointAt && (value as string[]).length === 0) {
          // Nothing for the join table: the row itself can be inserted in bulk.
          break;
        }
        if (!pointAt) {
          throw new Error(
            `${target.name}.${definition.name}: a many-to-many cannot be bulk-inserted`,
          );
        }
        data[definition.property] = (value as string[]).map((key) =>
          pointAt(definition.namespace, refId(definition.namespace, key, refs)),
        );
        break;
    }
  }
  return data;
}

/** Entity data for `em.create`/`em.assign` from (part of) a flat record. */
export function entityData(
  target: Target,
  values: Flat,
  refs: RefIndex,
  em: Em,
): Record<string, unknown> {
  return rowData(target, values, refs, (namespace, id) =>
    em.getReference(refNamespaces[namespace].entity as EntityClass<object>, id as never),
  );
}

/**
 * Whether new rows of the target (or, given `values`, this new row) can go through `insertRows`:
 * no many-to-many links to write.
 */
export function insertableInBulk(target: Target, values?: Flat): boolean {
  return target.fields.every(
    (definition) =>
      definition.type !== 'refList' ||
      (values !== undefined && ((values[definition.name] as unknown[] | null) ?? []).length === 0),
  );
}

/** A new row for `insertRows`: the flat record with related rows as ids. */
export function columnData(target: Target, values: Flat, refs: RefIndex): Record<string, unknown> {
  return rowData(target, values, refs, null);
}
