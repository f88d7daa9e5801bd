import type { Em } from '../db/orm';
import { MandateRole } from '../people/people.enums';
import { inForceSql, mandateSpan, membershipSpan } from '../common/in-force';
import { literal, sql, type Sql } from '../db/sql/sql';
import { runSql, toInt, toText } from './aggregate';
import type { ApoiadorCoverage, ApoiadorCoverageGroup } from './analytics.types';

/**
 * Apoiador mandates in office on the day with their regions of one state (`covered`), and the
 * municipalities in those regions on that day (`placed`): those whose membership history places
 * them there, plus those without history whose current region it is (see `regionOnSql`), and
 * the gestores in office (`gestores`). Only the covered regions are placed; `gestores` is grouped
 * so SQLite materialises it once and joins it by an automatic index, instead of walking the
 * mandates' role index per municipality (seconds on a national network).
 */
function coverageCtes(uf: string, at: string): Sql {
  return sql`with covered as (
        select distinct md.person_id, mhr.health_region_id
        from mandates md
        join mandate_health_regions mhr on mhr.mandate_id = md.id
        join health_regions hr on hr.id = mhr.health_region_id
        join states s on s.id = hr.state_id
        join people p on p.id = md.person_id and p.deleted_at is null
        where md.role = ${literal(MandateRole.APOIADOR)} and md.deleted_at is null and hr.deleted_at is null
          and ${inForceSql(mandateSpan, 'md', at)} and s.uf = ${uf}
      ),
      placed as (
        select rm.health_region_id, rm.municipality_id
        from region_memberships rm
        join municipalities m on m.id = rm.municipality_id and m.deleted_at is null
        where rm.deleted_at is null
          and ${inForceSql(membershipSpan, 'rm', at)}
          and rm.health_region_id in (select health_region_id from covered)
        union all
        select m.health_region_id, m.id
        from municipalities m
        where m.deleted_at is null
          and m.health_region_id in (select health_region_id from covered)
          and not exists (select 1 from region_memberships z where z.municipality_id = m.id and z.deleted_at is null)
      ),
      gestores as (
        select g.municipality_id, g.person_id from mandates g
        join people gp on gp.id = g.person_id and gp.deleted_at is null
        where g.role = ${literal(MandateRole.MUNICIPAL_SECRETARY)} and g.deleted_at is null
          and ${inForceSql(mandateSpan, 'g', at)}
        group by g.municipality_id, g.person_id
      )`;
}

const joins = sql`from covered c
  left join placed pl on pl.health_region_id = c.health_region_id
  left join gestores g on g.municipality_id = pl.municipality_id`;

/**
 * Two grouped statements, whatever the number of apoiadores: one per apoiador × region, one per
 * apoiador (distinct counts do not add up across regions, so totals are counted, not summed).
 */
export async function apoiadorCoverage(em: Em, uf: string, at: string): Promise<ApoiadorCoverage> {
  const ctes = coverageCtes(uf, at);
  const perRegion = await runSql(
    em,
    sql`${ctes}
     select c.person_id, hr.code, hr.name,
       count(distinct pl.municipality_id) as municipalities, count(distinct g.person_id) as gestores
     ${joins}
     join health_regions hr on hr.id = c.health_region_id
     group by c.person_id, hr.code, hr.name`,
  );
  const perPerson = await runSql(
    em,
    sql`${ctes}
     select c.person_id, p.code, p.name, count(distinct c.health_region_id) as regions,
       count(distinct pl.municipality_id) as municipalities, count(distinct g.person_id) as gestores
     ${joins}
     join people p on p.id = c.person_id
     group by c.person_id, p.code, p.name`,
  );

  const groups: ApoiadorCoverageGroup[] = perPerson.map((row) => {
    const personId = Number(row.person_id);
    const regions = perRegion
      .filter((region) => Number(region.person_id) === personId)
      .map((region) => ({
        healthRegionCode: toText(region.code)!,
        healthRegionName: toText(region.name)!,
        municipalityCount: toInt(region.municipalities) ?? 0,
        gestorCount: toInt(region.gestores) ?? 0,
      }))
      .sort((a, b) => a.healthRegionCode.localeCompare(b.healthRegionCode));
    return {
      personId,
      personCode: toText(row.code)!,
      personName: toText(row.name)!,
      regionCount: toInt(row.regions) ?? 0,
      municipalityCount: toInt(row.municipalities) ?? 0,
      gestorCount: toInt(row.gestores) ?? 0,
      regionCodes: regions.map((region) => region.healthRegionCode),
      regions,
    };
  });
  groups.sort((a, b) => a.personName.localeCompare(b.personName, 'pt-BR'));
  return {
    at,
    uf,
    groups,
    rows: groups.map(({ personCode, personName, regionCodes, ...counts }) => ({
      personCode,
      personName,
      regionCodes: regionCodes.join(', '),
      regionCount: counts.regionCount,
      municipalityCount: counts.municipalityCount,
      gestorCount: counts.gestorCount,
    })),
  };
}
