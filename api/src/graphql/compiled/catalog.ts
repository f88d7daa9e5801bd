import * as groupStats from '../../analytics/group-stats';
import type { Em } from '../../db/orm';
import { MandateRole } from '../../people/people.enums';
import {
  municipalityByIbgeCode,
  municipalityOrder,
  municipalityWhere,
} from '../../territory/municipality.input';
import {
  healthMacroregionByCode,
  healthRegionByCode,
  stateByUf,
} from '../../territory/region.input';

/**
 * What compiled reads answer: the object types, fields and root fields whose value is a column,
 * a many-to-one row or a mandate in force — exactly what the resolvers return for them, with no
 * per-viewer rule. Fields resolved any other way (global ids, timestamps, floats, computed labels,
 * personal data, arguments other than those listed) are not here, and a document that selects
 * one takes the resolvers' path. `api/test/graphql/compiled-reads.test.ts` checks every entry
 * against the resolvers on both databases.
 */
export interface ObjectEntry {
  /** The MikroORM entity behind the GraphQL object type of the same name. */
  entity: string;
  /** GraphQL fields read straight from the property's column. */
  columns: readonly string[];
  /** Argument-free GraphQL fields that are the property's many-to-one row. */
  toOne: readonly string[];
  /** Fields answering "the mandate of this role in force on `asOf` (default today)". */
  inForce?: Readonly<Record<string, MandateRole>>;
}

const housekeeping = ['version', 'source'] as const;

export const objectCatalog: Readonly<Record<string, ObjectEntry>> = {
  Municipality: {
    entity: 'Municipality',
    columns: [
      'ibgeCode',
      'name',
      'isCapital',
      'population',
      'populationYear',
      'sizeClass',
      'managementType',
      ...housekeeping,
    ],
    toOne: ['state', 'healthRegion'],
    inForce: { gestor: MandateRole.MUNICIPAL_SECRETARY, mayor: MandateRole.MAYOR },
  },
  State: {
    entity: 'State',
    columns: ['uf', 'ibgeCode', 'name', 'region', ...housekeeping],
    toOne: [],
  },
  HealthRegion: {
    entity: 'HealthRegion',
    columns: ['code', 'name', 'demo', ...housekeeping],
    toOne: ['state', 'macroregion'],
  },
  HealthMacroregion: {
    entity: 'HealthMacroregion',
    columns: ['code', 'name', 'demo', ...housekeeping],
    toOne: ['state'],
  },
  Mandate: {
    entity: 'Mandate',
    columns: ['code', 'role', 'seat', 'startDate', 'endDate', 'demo', ...housekeeping],
    toOne: ['person'],
  },
  Person: {
    entity: 'Person',
    columns: ['code', 'name', 'demo', ...housekeeping],
    toOne: [],
  },
};

/** Root fields answering one row by a key argument, with the resolver's own condition. */
export interface LookupEntry {
  type: string;
  where(args: Record<string, unknown>): unknown;
}

export const lookupCatalog: Readonly<Record<string, LookupEntry>> = {
  municipality: {
    type: 'Municipality',
    where: (args) => municipalityByIbgeCode(args.ibgeCode as string),
  },
  state: { type: 'State', where: (args) => stateByUf(args.uf as string) },
  healthRegion: { type: 'HealthRegion', where: (args) => healthRegionByCode(args.code as string) },
  healthMacroregion: {
    type: 'HealthMacroregion',
    where: (args) => healthMacroregionByCode(args.code as string),
  },
};

/** Root connections, with the resolver's own filter and order builders. */
export interface ConnectionEntry {
  type: string;
  where(args: Record<string, unknown>): unknown;
  orderBy(args: Record<string, unknown>): readonly unknown[];
}

export const connectionCatalog: Readonly<Record<string, ConnectionEntry>> = {
  municipalities: {
    type: 'Municipality',
    where: (args) => municipalityWhere(args.filter as never),
    orderBy: (args) => municipalityOrder(args.orderBy as never),
  },
};

/**
 * Root fields whose answer is plain data — objects whose GraphQL fields are their own properties
 * (no field resolvers): the aggregates. Compiled reads run the same function as the resolver
 * and write the selected fields as JSON directly, without graphql-js resolving 40,000 rows × N
 * fields.
 */
export interface DataEntry {
  run(em: Em, args: Record<string, never>): Promise<unknown>;
}

export const dataCatalog: Readonly<Record<string, DataEntry>> = {
  municipalityStats: {
    run: (em, args) =>
      groupStats.municipalityStats(em, args.filter ?? null, args.groupBy, args.regionsAsOf ?? null),
  },
  eventStats: { run: (em, args) => groupStats.eventStats(em, args.filter ?? null, args.groupBy) },
  adhesionStats: {
    run: (em, args) => groupStats.adhesionStats(em, args.filter ?? null, args.groupBy),
  },
  instrumentStats: {
    run: (em, args) => groupStats.instrumentStats(em, args.filter ?? null, args.groupBy),
  },
};
