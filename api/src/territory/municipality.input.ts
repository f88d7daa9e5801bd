import { type FilterQuery } from '@mikro-orm/core';
import { Int } from 'type-graphql';
import { field, filterInput, list, nameContains, type Condition } from '../graphql/filters';
import { orderEnum, type EnumValue } from '../graphql/ordering';
import type { HealthMacroregion } from './health-macroregion.entity';
import type { Municipality } from './municipality.entity';
import { ManagementType, SizeClass } from './territory.enums';
import { validIbgeCode, validUfs } from './territory.validation';

export const [MunicipalityFilter, municipalityWhere] = filterInput<Municipality>()(
  'MunicipalityFilter',
  {
    uf: list(String, (ufs) => ({ state: { uf: { $in: validUfs(ufs, 'filter.uf') } } }), {
      description: 'State acronyms, e.g. ["RS", "SC"].',
    }),
    ibgeCode: list(String, (codes) => ({
      ibgeCode: { $in: codes.map((code) => validIbgeCode(code, 'filter.ibgeCode')) },
    })),
    healthRegionCode: list(String, (codes) => ({ healthRegion: { code: { $in: codes } } }), {
      description: 'Health region codes, e.g. ["43001"].',
      separate: true,
    }),
    macroregionCode: list(String, (codes) => inMacroregion({ code: { $in: codes } }) as Condition, {
      description:
        "Health macroregion codes: the health region's macroregion, or the one a file gave the municipality itself when its region has none.",
      separate: true,
    }),
    hasHealthRegion: field(Boolean, (has) => ({ healthRegion: has ? { $ne: null } : null }), {
      description: 'true: only municipalities with a health region; false: only those without.',
      separate: true,
    }),
    sizeClass: list(SizeClass, (sizeClass) => ({ sizeClass: { $in: sizeClass } })),
    managementType: list(ManagementType, (types) => ({ managementType: { $in: types } })),
    capital: field(Boolean, (capital) => ({ isCapital: capital })),
    populationMin: field(Int, (min) => ({ population: { $gte: min } }), {
      description: 'Population at least this (inclusive).',
    }),
    populationMax: field(Int, (max) => ({ population: { $lte: max } }), {
      description: 'Population at most this (inclusive).',
    }),
    nameContains,
    includeDeleted: field(Boolean, { description: 'Include soft-deleted rows (default false).' }),
  },
  {
    description: 'Every condition given must hold (AND); list fields match any value (IN).',
    base: (filter) => (filter?.includeDeleted ? {} : { deletedAt: null }),
  },
);
export type MunicipalityFilter = InstanceType<typeof MunicipalityFilter>;

export const [MunicipalityOrder, municipalityOrder] = orderEnum<Municipality>()(
  'MunicipalityOrder',
  { NAME: 'nameSearch', IBGE_CODE: 'ibgeCode', POPULATION: 'population', UF: 'state.uf' },
  'IBGE_CODE_ASC',
);
export type MunicipalityOrder = EnumValue<typeof MunicipalityOrder>;

/**
 * Municipalities whose macroregion matches: their health region's macroregion, or — when they
 * have no region, or a region without one — the macroregion a file gave them directly (the SQL
 * of aggregates joins `coalesce(hr.macroregion_id, m.macroregion_id)` the same way). Written
 * with no left join so the ORM and the compiled reads read it alike.
 */
export function inMacroregion(
  macroregion: FilterQuery<HealthMacroregion>,
): FilterQuery<Municipality> {
  return {
    $or: [
      { healthRegion: { macroregion } },
      { healthRegion: null, macroregion },
      { healthRegion: { macroregion: null }, macroregion },
    ],
  } as FilterQuery<Municipality>;
}

/** `municipality(ibgeCode:)`: the live municipality with that code. */
export function municipalityByIbgeCode(ibgeCode: string): FilterQuery<Municipality> {
  return { ibgeCode: validIbgeCode(ibgeCode, 'ibgeCode'), deletedAt: null };
}
