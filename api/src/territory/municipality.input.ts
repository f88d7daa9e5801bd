import { type FilterQuery } from '@mikro-orm/core';
import { Field, InputType, Int } from 'type-graphql';
import { containsPattern } from '../common/text';
import { orderEnum, type EnumValue } from '../graphql/ordering';
import type { HealthMacroregion } from './health-macroregion.entity';
import type { Municipality } from './municipality.entity';
import { ManagementType, SizeClass } from './territory.enums';
import { validIbgeCode, validUfs } from './territory.validation';

@InputType({
  description: 'Every condition given must hold (AND); list fields match any value (IN).',
})
export class MunicipalityFilter {
  @Field(() => [String], { nullable: true, description: 'State acronyms, e.g. ["RS", "SC"].' })
  uf?: string[];

  @Field(() => [String], { nullable: true })
  ibgeCode?: string[];

  @Field(() => [String], { nullable: true, description: 'Health region codes, e.g. ["43001"].' })
  healthRegionCode?: string[];

  @Field(() => [String], {
    nullable: true,
    description:
      "Health macroregion codes: the health region's macroregion, or the one a file gave the municipality itself when its region has none.",
  })
  macroregionCode?: string[];

  @Field(() => Boolean, {
    nullable: true,
    description: 'true: only municipalities with a health region; false: only those without.',
  })
  hasHealthRegion?: boolean;

  @Field(() => [SizeClass], { nullable: true })
  sizeClass?: SizeClass[];

  @Field(() => [ManagementType], { nullable: true })
  managementType?: ManagementType[];

  @Field(() => Boolean, { nullable: true })
  capital?: boolean;

  @Field(() => Int, { nullable: true, description: 'Population at least this (inclusive).' })
  populationMin?: number;

  @Field(() => Int, { nullable: true, description: 'Population at most this (inclusive).' })
  populationMax?: number;

  @Field(() => String, {
    nullable: true,
    description: 'Name contains this text, ignoring case and accents.',
  })
  nameContains?: string;

  @Field(() => Boolean, {
    nullable: true,
    description: 'Include soft-deleted rows (default false).',
  })
  includeDeleted?: boolean;
}

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

export function municipalityWhere(
  filter: MunicipalityFilter | null | undefined,
): FilterQuery<Municipality> {
  const where: FilterQuery<Municipality> & Record<string, unknown> = {};
  const and: FilterQuery<Municipality>[] = [];
  if (!filter?.includeDeleted) {
    where.deletedAt = null;
  }
  if (!filter) {
    return where;
  }
  if (filter.uf) {
    where.state = { uf: { $in: validUfs(filter.uf, 'filter.uf') } };
  }
  if (filter.ibgeCode) {
    where.ibgeCode = { $in: filter.ibgeCode.map((code) => validIbgeCode(code, 'filter.ibgeCode')) };
  }
  if (filter.healthRegionCode) {
    and.push({ healthRegion: { code: { $in: filter.healthRegionCode } } });
  }
  if (filter.macroregionCode) {
    and.push(inMacroregion({ code: { $in: filter.macroregionCode } }));
  }
  if (filter.hasHealthRegion !== undefined && filter.hasHealthRegion !== null) {
    and.push({ healthRegion: filter.hasHealthRegion ? { $ne: null } : null });
  }
  if (filter.sizeClass) {
    where.sizeClass = { $in: filter.sizeClass };
  }
  if (filter.managementType) {
    where.managementType = { $in: filter.managementType };
  }
  if (filter.capital !== undefined && filter.capital !== null) {
    where.isCapital = filter.capital;
  }
  if (filter.populationMin != null || filter.populationMax != null) {
    where.population = {
      ...(filter.populationMin != null ? { $gte: filter.populationMin } : {}),
      ...(filter.populationMax != null ? { $lte: filter.populationMax } : {}),
    };
  }
  if (filter.nameContains) {
    where.nameSearch = { $like: containsPattern(filter.nameContains) };
  }
  return and.length > 0 ? { $and: [where, ...and] } : where;
}
