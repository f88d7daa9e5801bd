import { type FilterQuery } from '@mikro-orm/core';
import { Field, InputType } from 'type-graphql';
import { containsPattern } from '../common/text';
import { orderEnum, type EnumValue } from '../graphql/ordering';
import type { HealthMacroregion } from './health-macroregion.entity';
import type { HealthRegion } from './health-region.entity';
import type { State } from './state.entity';
import { GeographicRegion } from './territory.enums';
import { validUf, validUfs } from './territory.validation';

@InputType()
export class StateFilter {
  @Field(() => [String], { nullable: true })
  uf?: string[];

  @Field(() => [GeographicRegion], { nullable: true })
  region?: GeographicRegion[];
}

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

export function stateWhere(filter: StateFilter | null | undefined): FilterQuery<State> {
  return {
    deletedAt: null,
    ...(filter?.uf ? { uf: { $in: validUfs(filter.uf, 'filter.uf') } } : {}),
    ...(filter?.region ? { region: { $in: filter.region } } : {}),
  };
}

@InputType()
export class HealthMacroregionFilter {
  @Field(() => [String], { nullable: true })
  uf?: string[];

  @Field(() => [String], { nullable: true })
  code?: string[];

  @Field(() => String, {
    nullable: true,
    description: 'Name contains this text, ignoring case and accents.',
  })
  nameContains?: string;
}

@InputType()
export class HealthRegionFilter {
  @Field(() => [String], { nullable: true })
  uf?: string[];

  @Field(() => [String], { nullable: true })
  code?: string[];

  @Field(() => [String], { nullable: true })
  macroregionCode?: string[];

  @Field(() => String, {
    nullable: true,
    description: 'Name contains this text, ignoring case and accents.',
  })
  nameContains?: string;
}

export const [RegionOrder, regionOrder] = orderEnum<HealthRegion | HealthMacroregion>()(
  'RegionOrder',
  { CODE: 'code', NAME: 'nameSearch' },
  'CODE_ASC',
  'Orders health regions and macroregions.',
);
export type RegionOrder = EnumValue<typeof RegionOrder>;

export function macroregionWhere(
  filter: HealthMacroregionFilter | null | undefined,
): FilterQuery<HealthMacroregion> {
  return {
    deletedAt: null,
    ...(filter?.uf ? { state: { uf: { $in: validUfs(filter.uf, 'filter.uf') } } } : {}),
    ...(filter?.code ? { code: { $in: filter.code } } : {}),
    ...(filter?.nameContains
      ? { nameSearch: { $like: containsPattern(filter.nameContains) } }
      : {}),
  };
}

export function healthRegionWhere(
  filter: HealthRegionFilter | null | undefined,
): FilterQuery<HealthRegion> {
  return {
    deletedAt: null,
    ...(filter?.uf ? { state: { uf: { $in: validUfs(filter.uf, 'filter.uf') } } } : {}),
    ...(filter?.code ? { code: { $in: filter.code } } : {}),
    ...(filter?.macroregionCode ? { macroregion: { code: { $in: filter.macroregionCode } } } : {}),
    ...(filter?.nameContains
      ? { nameSearch: { $like: containsPattern(filter.nameContains) } }
      : {}),
  };
}
