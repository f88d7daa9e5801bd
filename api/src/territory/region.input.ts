import { type FilterQuery } from '@mikro-orm/core';
import { filterInput, list, nameContains } from '../graphql/filters';
import { orderEnum, type EnumValue } from '../graphql/ordering';
import type { HealthMacroregion } from './health-macroregion.entity';
import type { HealthRegion } from './health-region.entity';
import type { State } from './state.entity';
import { GeographicRegion } from './territory.enums';
import { validUf, validUfs } from './territory.validation';

export const [StateFilter, stateWhere] = filterInput<State>()('StateFilter', {
  uf: list(String, (ufs) => ({ uf: { $in: validUfs(ufs, 'filter.uf') } })),
  region: list(GeographicRegion, (region) => ({ region: { $in: region } })),
});
export type StateFilter = InstanceType<typeof StateFilter>;

export const [StateOrder, stateOrder] = orderEnum<State>()(
  'StateOrder',
  { UF: 'uf', NAME: 'name', IBGE_CODE: 'ibgeCode' },
  'UF_ASC',
);
export type StateOrder = EnumValue<typeof StateOrder>;

/** `state(uf:)`: the live state with that acronym. */
export function stateByUf(uf: string): FilterQuery<State> {
  return { uf: validUf(uf, 'uf'), deletedAt: null };
}

/** `healthRegion(code:)`: the live region with that code. */
export function healthRegionByCode(code: string): FilterQuery<HealthRegion> {
  return { code: code.trim(), deletedAt: null };
}

/** `healthMacroregion(code:)`: the live macroregion with that code. */
export function healthMacroregionByCode(code: string): FilterQuery<HealthMacroregion> {
  return { code: code.trim(), deletedAt: null };
}

/** A region or macroregion in these states. */
const inStates = list(String, (ufs) => ({ state: { uf: { $in: validUfs(ufs, 'filter.uf') } } }));
const codeIn = list(String, (codes) => ({ code: { $in: codes } }));

export const [HealthMacroregionFilter, macroregionWhere] = filterInput<HealthMacroregion>()(
  'HealthMacroregionFilter',
  { uf: inStates, code: codeIn, nameContains },
);
export type HealthMacroregionFilter = InstanceType<typeof HealthMacroregionFilter>;

export const [HealthRegionFilter, healthRegionWhere] = filterInput<HealthRegion>()(
  'HealthRegionFilter',
  {
    uf: inStates,
    code: codeIn,
    macroregionCode: list(String, (codes) => ({ macroregion: { code: { $in: codes } } })),
    nameContains,
  },
);
export type HealthRegionFilter = InstanceType<typeof HealthRegionFilter>;

export const [RegionOrder, regionOrder] = orderEnum<HealthRegion | HealthMacroregion>()(
  'RegionOrder',
  { CODE: 'code', NAME: 'nameSearch' },
  'CODE_ASC',
  'Orders health regions and macroregions.',
);
export type RegionOrder = EnumValue<typeof RegionOrder>;
