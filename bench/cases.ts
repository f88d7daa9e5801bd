/**
 * The benchmark cases: for each, the GraphQL document Rede Hub answers, the equivalent document
 * for PostGraphile v5, and the floor — one hand-written PostgreSQL statement that builds the
 * same JSON with `json_agg`. Every answer is normalised to one shape and compared before any
 * timing, so a ratio is only ever printed for answers that agree.
 */

export type CaseId = 'nestedPull' | 'lookup' | 'page' | 'aggregate';

export interface CaseVariables {
  asOf: string;
  uf: string;
}

export interface CaseDefinition {
  id: CaseId;
  /** The operation name in every document; the floor server picks its statement by it. */
  operationName: string;
  title: string;
  /** Concurrent connections autocannon keeps open. */
  connections: number;
  /**
   * Heavy cases run a fixed number of requests per target (full run; `--quick` uses 2) instead of
   * a duration, so no request is left running when the next target starts.
   */
  requests?: number;
  /** Rede Hub's document. */
  redeHub: string;
  /** PostGraphile v5's equivalent; null when the peer has no equivalent (aggregates). */
  postgraphile: string | null;
  /** One SQL statement returning the `data` member as JSON text; `$1…` from `floorParams`. */
  floorSql: string;
  floorParams(variables: CaseVariables, ibgeCode: string): unknown[];
  /** Variables of one request; lookups vary the municipality per request. */
  variables(variables: CaseVariables, ibgeCode: string): Record<string, unknown>;
  /** Maps a response's `data` to a shape shared by every target, for the equality check. */
  normalise(target: 'redeHub' | 'postgraphile' | 'floor', data: unknown): unknown;
}

type Json = Record<string, unknown>;

const municipalityFields = `
  ibgeCode
  name
  population
  state { uf name }
  healthRegion { code name macroregion { code name } }
  gestor(asOf: $asOf) { startDate person { name } }`;

const peerMunicipalityFields = `
  ibgeCode
  name
  population
  stateByStateId { uf name }
  healthRegionByHealthRegionId { code name healthMacroregionByMacroregionId { code name } }
  gestor(asOf: $asOf) { startDate personByPersonId { name } }`;

/** `json_build_object` of one municipality, in Rede Hub's field names (aliases m, s, r, mr). */
const floorMunicipality = `json_build_object(
  'ibgeCode', m.ibge_code,
  'name', m.name,
  'population', m.population,
  'state', json_build_object('uf', s.uf, 'name', s.name),
  'healthRegion', case when r.id is null then null else json_build_object(
    'code', r.code, 'name', r.name,
    'macroregion', case when mr.id is null then null else json_build_object('code', mr.code, 'name', mr.name) end
  ) end,
  'gestor', (
    select json_build_object('startDate', g.start_date, 'person', json_build_object('name', p.name))
    from mandates g join people p on p.id = g.person_id
    where g.municipality_id = m.id and g.role = 'MUNICIPAL_SECRETARY' and g.deleted_at is null
      and g.start_date <= $1 and (g.end_date is null or g.end_date > $1)
    order by g.start_date desc, g.id asc
    limit 1
  )
)`;

const floorMunicipalityJoins = `
  from municipalities m
  join states s on s.id = m.state_id
  left join health_regions r on r.id = m.health_region_id
  left join health_macroregions mr on mr.id = r.macroregion_id`;

function fromPeerMunicipality(node: Json | null): Json | null {
  if (!node) {
    return null;
  }
  const region = node.healthRegionByHealthRegionId as Json | null;
  const gestor = node.gestor as Json | null;
  return {
    ibgeCode: node.ibgeCode,
    name: node.name,
    population: node.population,
    state: node.stateByStateId,
    healthRegion: region && {
      code: region.code,
      name: region.name,
      macroregion: region.healthMacroregionByMacroregionId,
    },
    gestor: gestor && { startDate: gestor.startDate, person: gestor.personByPersonId },
  };
}

const nestedPull: CaseDefinition = {
  id: 'nestedPull',
  operationName: 'NestedPull',
  title: 'nested pull: all municipalities + state, region, macroregion, current gestor',
  connections: 1,
  requests: 8,
  redeHub: `query NestedPull($asOf: LocalDate) {
  municipalities(first: 10000, orderBy: [IBGE_CODE_ASC]) {
    nodes {${municipalityFields}
    }
  }
}`,
  postgraphile: `query NestedPull($asOf: String) {
  allMunicipalities(orderBy: IBGE_CODE_ASC, condition: { deletedAt: null }) {
    nodes {${peerMunicipalityFields}
    }
  }
}`,
  floorSql: `select json_build_object('municipalities', json_build_object('nodes',
  coalesce(json_agg(${floorMunicipality} order by m.ibge_code), '[]'::json)))::text
${floorMunicipalityJoins}
where m.deleted_at is null`,
  floorParams: ({ asOf }) => [asOf],
  variables: ({ asOf }) => ({ asOf }),
  normalise(target, data) {
    const root = data as Json;
    if (target === 'postgraphile') {
      const nodes = (root.allMunicipalities as { nodes: Json[] }).nodes;
      return nodes.map(fromPeerMunicipality);
    }
    return (root.municipalities as { nodes: Json[] }).nodes;
  },
};

const lookup: CaseDefinition = {
  id: 'lookup',
  operationName: 'Lookup',
  title: 'point lookup: municipality(ibgeCode:) with nested fields, 50 connections',
  connections: 50,
  redeHub: `query Lookup($ibgeCode: String!, $asOf: LocalDate) {
  municipality(ibgeCode: $ibgeCode) {${municipalityFields}
  }
}`,
  postgraphile: `query Lookup($ibgeCode: String!, $asOf: String) {
  municipalityByIbgeCode(ibgeCode: $ibgeCode) {${peerMunicipalityFields}
  }
}`,
  floorSql: `select json_build_object('municipality', (select ${floorMunicipality}
${floorMunicipalityJoins}
where m.ibge_code = $2 and m.deleted_at is null))::text`,
  floorParams: ({ asOf }, ibgeCode) => [asOf, ibgeCode],
  variables: ({ asOf }, ibgeCode) => ({ asOf, ibgeCode }),
  normalise(target, data) {
    const root = data as Json;
    if (target === 'postgraphile') {
      return fromPeerMunicipality(root.municipalityByIbgeCode as Json | null);
    }
    return root.municipality;
  },
};

const pageFields = `
      ibgeCode
      name
      population
      sizeClass`;

const page: CaseDefinition = {
  id: 'page',
  operationName: 'Page',
  title: "filtered page: one state's municipalities by population, first 100, totalCount",
  connections: 10,
  redeHub: `query Page($uf: String!) {
  municipalities(filter: { uf: [$uf] }, orderBy: [POPULATION_DESC], first: 100) {
    totalCount
    pageInfo { hasNextPage }
    nodes {${pageFields}
      healthRegion { code name }
    }
  }
}`,
  postgraphile: `query Page($uf: String!) {
  stateByUf(uf: $uf) {
    municipalitiesByStateId(
      condition: { deletedAt: null }
      orderBy: [POPULATION_DESC, PRIMARY_KEY_ASC]
      first: 100
    ) {
      totalCount
      pageInfo { hasNextPage }
      nodes {${pageFields}
        healthRegionByHealthRegionId { code name }
      }
    }
  }
}`,
  floorSql: `with matching as (
  select m.*, count(*) over () as total
  from municipalities m join states s on s.id = m.state_id
  where s.uf = $1 and m.deleted_at is null
  order by m.population desc nulls first, m.id asc
  limit 101
)
select json_build_object('municipalities', json_build_object(
  'totalCount', coalesce(max(m.total), 0),
  'pageInfo', json_build_object('hasNextPage', count(*) > 100),
  'nodes', coalesce(json_agg(json_build_object(
    'ibgeCode', m.ibge_code, 'name', m.name, 'population', m.population, 'sizeClass', m.size_class,
    'healthRegion', case when r.id is null then null else json_build_object('code', r.code, 'name', r.name) end
  ) order by m.population desc nulls first, m.id asc) filter (where m.rn <= 100), '[]'::json)
))::text
from (select matching.*, row_number() over (order by population desc nulls first, id asc) as rn from matching) m
left join health_regions r on r.id = m.health_region_id`,
  floorParams: ({ uf }) => [uf],
  variables: ({ uf }) => ({ uf }),
  normalise(target, data) {
    const root = data as Json;
    if (target === 'postgraphile') {
      const connection = (root.stateByUf as Json).municipalitiesByStateId as Json;
      return {
        ...connection,
        nodes: (connection.nodes as Json[]).map(({ healthRegionByHealthRegionId, ...rest }) => ({
          ...rest,
          healthRegion: healthRegionByHealthRegionId,
        })),
      };
    }
    return root.municipalities;
  },
};

/** Whatever the shape of a group row, keep its key and its sums (stringified for comparison). */
const aggregate: CaseDefinition = {
  id: 'aggregate',
  operationName: 'Aggregate',
  title: 'aggregate: eventStats by health region and month (GROUP BY)',
  connections: 1,
  requests: 8,
  redeHub: `query Aggregate {
  eventStats(groupBy: [HEALTH_REGION, MONTH]) {
    rows { healthRegionCode month count participantsSum accessesSum }
  }
}`,
  postgraphile: null,
  floorSql: `select json_build_object('eventStats', json_build_object('rows',
  coalesce(json_agg(json_build_object(
    'healthRegionCode', g.code, 'month', g.month, 'count', g.count,
    'participantsSum', g.participants, 'accessesSum', g.accesses
  ) order by g.code nulls last, g.month), '[]'::json)))::text
from (
  select r.code, substr(e.start_date, 1, 7) as month, count(*) as count,
    sum(e.participant_count) as participants, sum(e.access_count) as accesses
  from events e left join health_regions r on r.id = e.health_region_id
  where e.deleted_at is null
  group by r.code, substr(e.start_date, 1, 7)
) g`,
  floorParams: () => [],
  variables: () => ({}),
  normalise(_target, data) {
    const rows = ((data as Json).eventStats as { rows: Json[] }).rows;
    return rows
      .map((row) =>
        [row.healthRegionCode, row.month, row.count, row.participantsSum, row.accessesSum]
          .map((value) => String(value ?? ''))
          .join('|'),
      )
      .sort();
  },
};

export const cases: readonly CaseDefinition[] = [nestedPull, lookup, page, aggregate];

export function caseByOperation(operationName: string): CaseDefinition {
  const found = cases.find((definition) => definition.operationName === operationName);
  if (!found) {
    throw new Error(
      `unknown operation "${operationName}"; known: ${cases.map((c) => c.operationName).join(', ')}`,
    );
  }
  return found;
}
