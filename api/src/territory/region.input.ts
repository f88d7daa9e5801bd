import { type FilterQuery } from '@mikro-orm/core';
import { Field, InputType, registerEnumType } from 'type-graphql';
import { containsPattern } from '../common/text';
import { orderFrom } from '../graphql/ordering';
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

export enum StateOrder {
  UF_ASC = 'UF_ASC',
  UF_DESC = 'UF_DESC',
  NAME_ASC = 'NAME_ASC',
  NAME_DESC = 'NAME_DESC',
  IBGE_CODE_ASC = 'IBGE_CODE_ASC',
  IBGE_CODE_DESC = 'IBGE_CODE_DESC',
}
registerEnumType(StateOrder, { name: 'StateOrder' });

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

export function stateOrder(values: readonly StateOrder[] | null | undefined) {
  return orderFrom<State, StateOrder>(
    values,
    {
      UF_ASC: (d) => ({ uf: d }),
      UF_DESC: (d) => ({ uf: d }),
      NAME_ASC: (d) => ({ name: d }),
      NAME_DESC: (d) => ({ name: d }),
      IBGE_CODE_ASC: (d) => ({ ibgeCode: d }),
      IBGE_CODE_DESC: (d) => ({ ibgeCode: d }),
    },
    [StateOrder.UF_ASC],
  );
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

export enum RegionOrder {
  CODE_ASC = 'CODE_ASC',
  CODE_DESC = 'CODE_DESC',
  NAME_ASC = 'NAME_ASC',
  NAME_DESC = 'NAME_DESC',
}
registerEnumType(RegionOrder, {
  name: 'RegionOrder',
  description: 'Orders health regions and macroregions.',
});

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

export function regionOrder<T extends HealthRegion | HealthMacroregion>(
  values: readonly RegionOrder[] | null | undefined,
) {
  return orderFrom<T, RegionOrder>(
    values,
    {
      CODE_ASC: (d) => ({ code: d }) as never,
      CODE_DESC: (d) => ({ code: d }) as never,
      NAME_ASC: (d) => ({ nameSearch: d }) as never,
      NAME_DESC: (d) => ({ nameSearch: d }) as never,
    },
    [RegionOrder.CODE_ASC],
  );
}
