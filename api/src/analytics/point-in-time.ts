import type { Em } from '../db/orm';
import type { GraphQLContext } from '../graphql/context';
import { requestLoader } from '../graphql/loaders';
import { Mandate } from '../people/mandate.entity';
import { MandateRole } from '../people/people.enums';
import { HealthMacroregion } from '../territory/health-macroregion.entity';
import { HealthRegion } from '../territory/health-region.entity';
import { inForceSql, mandateSpan, membershipSpan } from '../common/in-force';
import { knexRaw, sql, type Sql } from '../db/sql/sql';
import { knexOf, runSql, toInt } from './aggregate';

/**
 * Each municipality's health region on a day, as an SQL subquery (municipality_id,
 * health_region_id). Region memberships are [validFrom, validTo), like mandates; a municipality
 * with no membership history at all is taken to have always been in its current region, and one
 * whose history does not cover the day had no region then.
 */
export function regionOnSql(on: string): Sql {
  return sql`select m.id as municipality_id, coalesce(rm.health_region_id, case when not exists (select 1 from region_memberships z where z.municipality_id = m.id and z.deleted_at is null) then m.health_region_id end) as health_region_id
      from municipalities m
      left join region_memberships rm on rm.municipality_id = m.id and rm.deleted_at is null
        and ${inForceSql(membershipSpan, 'rm', on)}
      where m.deleted_at is null`;
}

/** `Municipality.healthRegion(asOf:)`: one statement for the page's memberships, one for regions. */
export function healthRegionOn(
  context: GraphQLContext,
  municipalityId: number,
  on: string,
): Promise<HealthRegion | null> {
  return requestLoader<number, HealthRegion | null>(context, `regionOn:${on}`, async (ids) => {
    const knex = knexOf(context.em);
    const query = knex
      .select('placed.municipality_id', 'placed.health_region_id')
      .from(knexRaw(knex, sql`(${regionOnSql(on)}) as placed`))
      .whereIn('placed.municipality_id', [...ids]);
    const rows = await runSql<{ municipality_id: unknown; health_region_id: unknown }>(
      context.em,
      query,
    );
    const regionOf = new Map<number, number>();
    for (const row of rows) {
      const regionId = toInt(row.health_region_id);
      if (regionId !== null) {
        regionOf.set(Number(row.municipality_id), regionId);
      }
    }
    const regionIds = [...new Set(regionOf.values())];
    const regions =
      regionIds.length === 0
        ? []
        : await context.em.find(HealthRegion, { id: { $in: regionIds }, deletedAt: null });
    const byId = new Map(regions.map((region) => [region.id, region]));
    return ids.map((id) => byId.get(regionOf.get(id) ?? -1) ?? null);
  }).load(municipalityId);
}

/**
 * `Municipality.macroregion(asOf:)`: the macroregion of the municipality's health region (the
 * current one, or the one on `on`), or — when that region has none or there is no region — the
 * one a file gave the municipality itself. One statement for the page, one for macroregions.
 */
export function macroregionOf(
  context: GraphQLContext,
  municipalityId: number,
  on: string | null,
): Promise<HealthMacroregion | null> {
  return requestLoader<number, HealthMacroregion | null>(
    context,
    `macroregionOf:${on ?? ''}`,
    async (ids) => {
      const knex = knexOf(context.em);
      const query = knex
        .select('m.id as municipality_id')
        .select(knexRaw(knex, sql`coalesce(hr.macroregion_id, m.macroregion_id) as macroregion_id`))
        .from('municipalities as m')
        .whereIn('m.id', [...ids]);
      if (on) {
        query
          .leftJoin(
            knexRaw(knex, sql`(${regionOnSql(on)}) as placed`),
            'placed.municipality_id',
            'm.id',
          )
          .leftJoin('health_regions as hr', 'hr.id', 'placed.health_region_id');
      } else {
        query.leftJoin('health_regions as hr', 'hr.id', 'm.health_region_id');
      }
      const rows = await runSql<{ municipality_id: unknown; macroregion_id: unknown }>(
        context.em,
        query,
      );
      const macroregionIdOf = new Map(
        rows.map((row) => [Number(row.municipality_id), toInt(row.macroregion_id)]),
      );
      const macroregionIds = [...new Set(macroregionIdOf.values())].filter(
        (id): id is number => id !== null,
      );
      const macroregions =
        macroregionIds.length === 0
          ? []
          : await context.em.find(HealthMacroregion, {
              id: { $in: macroregionIds },
              deletedAt: null,
            });
      const byId = new Map(macroregions.map((macroregion) => [macroregion.id, macroregion]));
      return ids.map((id) => byId.get(macroregionIdOf.get(id) ?? -1) ?? null);
    },
  ).load(municipalityId);
}

/** `HealthRegion.apoiadores(asOf:)`: the apoiador mandates covering each region on a day. */
export function apoiadoresOn(
  context: GraphQLContext,
  regionId: number,
  on: string,
): Promise<Mandate[]> {
  return requestLoader<number, Mandate[]>(context, `apoiadoresOn:${on}`, async (ids) => {
    const pairs = await regionMandatePairs(context.em, [...ids], on);
    const mandateIds = [...new Set(pairs.map((pair) => pair.mandateId))];
    const mandates =
      mandateIds.length === 0
        ? []
        : await context.em.find(
            Mandate,
            { id: { $in: mandateIds } },
            { orderBy: [{ startDate: 'asc' }, { id: 'asc' }] },
          );
    return ids.map((id) => {
      const forRegion = new Set(
        pairs.filter((pair) => pair.regionId === id).map((pair) => pair.mandateId),
      );
      return mandates.filter((mandate) => forRegion.has(mandate.id));
    });
  }).load(regionId);
}

async function regionMandatePairs(
  em: Em,
  regionIds: number[],
  on: string,
): Promise<{ regionId: number; mandateId: number }[]> {
  const rows = await runSql<{ health_region_id: unknown; mandate_id: unknown }>(
    em,
    knexOf(em)
      .select('mhr.health_region_id', 'mhr.mandate_id')
      .from('mandate_health_regions as mhr')
      .join('mandates as md', 'md.id', 'mhr.mandate_id')
      .join('people as p', 'p.id', 'md.person_id')
      .whereNull('p.deleted_at')
      .where('md.role', MandateRole.APOIADOR)
      .whereNull('md.deleted_at')
      .whereRaw(knexRaw(knexOf(em), inForceSql(mandateSpan, 'md', on)))
      .whereIn('mhr.health_region_id', regionIds),
  );
  return rows.map((row) => ({
    regionId: Number(row.health_region_id),
    mandateId: Number(row.mandate_id),
  }));
}
