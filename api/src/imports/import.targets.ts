import { type EntityClass, Reference } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/knex';
import { Event } from '../activity/event.entity';
import { Participation } from '../activity/participation.entity';
import type { Em } from '../db/orm';
import { Mandate } from '../people/mandate.entity';
import { Organization } from '../people/organization.entity';
import { Person } from '../people/person.entity';
import { Adhesion } from '../programs/adhesion.entity';
import { InstrumentStatus } from '../programs/instrument-status.entity';
import { Program } from '../programs/program.entity';
import { HealthMacroregion } from '../territory/health-macroregion.entity';
import { HealthRegion } from '../territory/health-region.entity';
import { Municipality } from '../territory/municipality.entity';
import { MunicipalityName } from '../territory/municipality-name.entity';
import { PopulationEstimate } from '../territory/population-estimate.entity';
import { RegionMembership } from '../territory/region-membership.entity';
import { State } from '../territory/state.entity';
import { ufOfStateCode } from '../territory/territory.seed';
import { type Flat } from '../writes/write.batch';

/** Entities other rows point at by a natural key. */
export const refNamespaces = {
  State: { entity: State, keyField: 'uf' },
  Municipality: { entity: Municipality, keyField: 'ibgeCode' },
  HealthRegion: { entity: HealthRegion, keyField: 'code' },
  HealthMacroregion: { entity: HealthMacroregion, keyField: 'code' },
  Person: { entity: Person, keyField: 'code' },
  Organization: { entity: Organization, keyField: 'code' },
  Program: { entity: Program, keyField: 'code' },
  Event: { entity: Event, keyField: 'code' },
} as const;
export type RefNamespace = keyof typeof refNamespaces;

/** Natural key ↔ id of the rows of each namespace, loaded on demand; created rows join it. */
export class RefIndex {
  private readonly byKey = new Map<RefNamespace, Map<string, { id: number; deleted: boolean }>>();
  private readonly byId = new Map<RefNamespace, Map<number, string>>();

  constructor(private em: Em) {}

  /** Loads through this entity manager from now on (the import's transaction). */
  use(em: Em): void {
    this.em = em;
  }

  async load(namespace: RefNamespace): Promise<void> {
    if (this.byKey.has(namespace)) {
      return;
    }
    const { entity, keyField } = refNamespaces[namespace];
    const rows = (await (this.em as unknown as SqlEntityManager)
      .createQueryBuilder(entity as EntityClass<object>)
      .select(['id', keyField, 'deletedAt'] as never)
      .execute('all', true)) as unknown as Record<string, unknown>[];
    const keys = new Map<string, { id: number; deleted: boolean }>();
    const ids = new Map<number, string>();
    for (const row of rows) {
      const key = row[keyField] as string | null;
      const id = Number(row.id);
      if (key !== null && key !== undefined) {
        keys.set(key, { id, deleted: row.deletedAt !== null && row.deletedAt !== undefined });
        ids.set(id, key);
      }
    }
    this.byKey.set(namespace, keys);
    this.byId.set(namespace, ids);
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

export type FieldDef =
  | { name: string; type: 'scalar' }
  | { name: string; type: 'json' }
  | { name: string; type: 'ref'; namespace: RefNamespace }
  | { name: string; type: 'refList'; namespace: RefNamespace };

const scalar = (name: string): FieldDef => ({ name, type: 'scalar' });
const ref = (name: string, namespace: RefNamespace): FieldDef => ({ name, type: 'ref', namespace });

/** What the engine needs to know about an entity it writes. */
export interface Target {
  name: string;
  entity: EntityClass<object>;
  fields: FieldDef[];
  /** Natural key of a row, from its flat form. */
  keyOf(values: Flat): string;
  /** Created rows are registered in this namespace under `keyOf`. */
  namespace?: RefNamespace;
  /** The field existing rows are looked up by (the key, or its first component). */
  lookup: FieldDef;
  /** Relations to populate when loading (collections). */
  populate?: string[];
  /** UF of a row, for the audit log's state scope. */
  stateUfOf?(values: Flat, refs: RefIndex): string | null;
}

/** UF of a row that names its municipality by IBGE code (the first two digits are the state's). */
const ufOfMunicipality = (values: Flat) =>
  typeof values.municipality === 'string'
    ? (ufOfStateCode(values.municipality.slice(0, 2)) ?? null)
    : null;

function field(fields: FieldDef[], name: string): FieldDef {
  return fields.find((definition) => definition.name === name)!;
}

function define(target: Omit<Target, 'lookup'> & { lookup: string }): Target {
  return { ...target, lookup: field(target.fields, target.lookup) };
}

const macroregionFields = [
  scalar('code'),
  scalar('name'),
  scalar('nameSearch'),
  ref('state', 'State'),
  scalar('demo'),
];
const regionFields = [
  scalar('code'),
  scalar('name'),
  scalar('nameSearch'),
  ref('state', 'State'),
  ref('macroregion', 'HealthMacroregion'),
  scalar('demo'),
];
const municipalityFields = [
  scalar('ibgeCode'),
  scalar('name'),
  scalar('nameAsOf'),
  scalar('nameSearch'),
  ref('state', 'State'),
  ref('macroregion', 'HealthMacroregion'),
  scalar('isCapital'),
  scalar('latitude'),
  scalar('longitude'),
  ref('healthRegion', 'HealthRegion'),
  scalar('population'),
  scalar('populationYear'),
  scalar('sizeClass'),
];
const municipalityNameFields = [
  ref('municipality', 'Municipality'),
  scalar('name'),
  scalar('knownFrom'),
  scalar('knownTo'),
];
const membershipFields = [
  ref('municipality', 'Municipality'),
  ref('healthRegion', 'HealthRegion'),
  scalar('validFrom'),
  scalar('validTo'),
];
const personFields = [
  scalar('code'),
  scalar('name'),
  scalar('nameSearch'),
  scalar('email'),
  scalar('phone'),
];
const mandateFields: FieldDef[] = [
  scalar('code'),
  ref('person', 'Person'),
  ref('organization', 'Organization'),
  scalar('role'),
  scalar('seat'),
  ref('state', 'State'),
  ref('municipality', 'Municipality'),
  { name: 'healthRegions', type: 'refList', namespace: 'HealthRegion' },
  scalar('startDate'),
  scalar('endDate'),
];
const eventFields: FieldDef[] = [
  scalar('code'),
  scalar('kind'),
  scalar('title'),
  scalar('startDate'),
  scalar('endDate'),
  scalar('modality'),
  ref('organization', 'Organization'),
  ref('state', 'State'),
  ref('healthRegion', 'HealthRegion'),
  ref('municipality', 'Municipality'),
  { name: 'topics', type: 'json' },
  scalar('participantCount'),
  scalar('accessCount'),
  scalar('notes'),
];
const participationFields = [
  ref('event', 'Event'),
  ref('person', 'Person'),
  ref('municipality', 'Municipality'),
  scalar('role'),
];
const adhesionFields = [
  ref('municipality', 'Municipality'),
  ref('program', 'Program'),
  scalar('status'),
  scalar('requestedOn'),
  scalar('decisionDueOn'),
  scalar('decidedOn'),
  scalar('validUntil'),
  scalar('notes'),
];
const instrumentFields = [
  ref('municipality', 'Municipality'),
  scalar('instrument'),
  scalar('period'),
  scalar('status'),
  scalar('statusDate'),
  scalar('dueDate'),
];

export const targets = {
  HealthMacroregion: define({
    name: 'HealthMacroregion',
    entity: HealthMacroregion,
    fields: macroregionFields,
    keyOf: (values) => String(values.code),
    namespace: 'HealthMacroregion',
    lookup: 'code',
    stateUfOf: (values) => (typeof values.state === 'string' ? values.state : null),
  }),
  HealthRegion: define({
    name: 'HealthRegion',
    entity: HealthRegion,
    fields: regionFields,
    keyOf: (values) => String(values.code),
    namespace: 'HealthRegion',
    lookup: 'code',
    stateUfOf: (values) => (typeof values.state === 'string' ? values.state : null),
  }),
  Municipality: define({
    name: 'Municipality',
    entity: Municipality,
    fields: municipalityFields,
    keyOf: (values) => String(values.ibgeCode),
    namespace: 'Municipality',
    lookup: 'ibgeCode',
    stateUfOf: (values) => (typeof values.state === 'string' ? values.state : null),
  }),
  MunicipalityName: define({
    name: 'MunicipalityName',
    entity: MunicipalityName,
    fields: municipalityNameFields,
    keyOf: (values) => `${values.municipality}|${values.name}`,
    lookup: 'municipality',
    stateUfOf: ufOfMunicipality,
  }),
  RegionMembership: define({
    name: 'RegionMembership',
    entity: RegionMembership,
    fields: membershipFields,
    keyOf: (values) => `${values.municipality}@${values.validFrom ?? ''}`,
    lookup: 'municipality',
  }),
  PopulationEstimate: define({
    name: 'PopulationEstimate',
    entity: PopulationEstimate,
    fields: [ref('municipality', 'Municipality'), scalar('year'), scalar('population')],
    keyOf: (values) => `${values.municipality}/${values.year}`,
    lookup: 'municipality',
  }),
  Person: define({
    name: 'Person',
    entity: Person,
    fields: personFields,
    keyOf: (values) => String(values.code),
    namespace: 'Person',
    lookup: 'code',
  }),
  Mandate: define({
    name: 'Mandate',
    entity: Mandate,
    fields: mandateFields,
    keyOf: (values) => String(values.code),
    lookup: 'code',
    populate: ['healthRegions'],
    stateUfOf: (values) => (typeof values.state === 'string' ? values.state : null),
  }),
  Event: define({
    name: 'Event',
    entity: Event,
    fields: eventFields,
    keyOf: (values) => String(values.code),
    namespace: 'Event',
    lookup: 'code',
    stateUfOf: (values) => (typeof values.state === 'string' ? values.state : null),
  }),
  Participation: define({
    name: 'Participation',
    entity: Participation,
    fields: participationFields,
    keyOf: (values) => `${values.event}|${values.person ?? ''}|${values.municipality ?? ''}`,
    lookup: 'event',
  }),
  Adhesion: define({
    name: 'Adhesion',
    entity: Adhesion,
    fields: adhesionFields,
    keyOf: (values) => `${values.municipality}|${values.program}`,
    lookup: 'municipality',
    stateUfOf: ufOfMunicipality,
  }),
  InstrumentStatus: define({
    name: 'InstrumentStatus',
    entity: InstrumentStatus,
    fields: instrumentFields,
    keyOf: (values) => `${values.municipality}|${values.instrument}|${values.period}`,
    lookup: 'municipality',
    stateUfOf: ufOfMunicipality,
  }),
} satisfies Record<string, Target>;

/** The flat form of a loaded row (relations by natural key, collections sorted). */
export function snapshot(target: Target, entity: object, refs: RefIndex): Flat {
  const record: Flat = {};
  const row = entity as Record<string, unknown>;
  for (const definition of target.fields) {
    const value = row[definition.name];
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
        data[definition.name] = value;
        break;
      case 'ref': {
        const id = value === null ? null : refId(definition.namespace, String(value), refs);
        data[definition.name] = id === null || !pointAt ? id : pointAt(definition.namespace, id);
        break;
      }
      case 'refList':
        if (!pointAt) {
          throw new Error(
            `${target.name}.${definition.name}: a many-to-many cannot be bulk-inserted`,
          );
        }
        data[definition.name] = (value as string[]).map((key) =>
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

/** Whether new rows of the target can go through `insertRows` (no many-to-many to write). */
export function insertableInBulk(target: Target): boolean {
  return target.fields.every((definition) => definition.type !== 'refList');
}

/** A new row for `insertRows`: the flat record with related rows as ids. */
export function columnData(target: Target, values: Flat, refs: RefIndex): Record<string, unknown> {
  return rowData(target, values, refs, null);
}
