import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, databaseAvailable, type TestApp } from '../helpers';
import { type AnalyticsFixture, seedAnalyticsFixture } from './fixtures';

type Rows = Record<string, unknown>[];

describe.skipIf(!databaseAvailable)('group-by aggregates', () => {
  let t: TestApp;
  let fx: AnalyticsFixture;
  beforeAll(async () => {
    t = await createTestApp();
    fx = await seedAnalyticsFixture(t.app.orm.em.fork());
  });
  afterAll(async () => {
    await t?.close();
  });

  async function rows(query: string, variables: Record<string, unknown> = {}): Promise<Rows> {
    const result = await t.gql<Record<string, { rows: Rows }>>(query, variables);
    expect(result.errors).toBeUndefined();
    return Object.values(result.data!)[0]!.rows;
  }

  describe('municipalityStats', () => {
    it('groups by health region, with the municipalities without one as a labelled group', async () => {
      const result = await rows(
        `query ($codes: [String!]) {
          municipalityStats(filter: { ibgeCode: $codes }, groupBy: [HEALTH_REGION]) {
            rows { label healthRegionCode healthRegionName count populationSum populationAvg populationMin populationMax populationKnownCount share }
          }
        }`,
        { codes: fx.all },
      );
      expect(result).toEqual([
        {
          label: '42001 Região Litoral',
          healthRegionCode: '42001',
          healthRegionName: 'Região Litoral',
          count: 1,
          populationSum: 12_000,
          populationAvg: 12_000,
          populationMin: 12_000,
          populationMax: 12_000,
          populationKnownCount: 1,
          share: 0.125,
        },
        {
          label: '43001 Região Alfa',
          healthRegionCode: '43001',
          healthRegionName: 'Região Alfa',
          count: 2,
          populationSum: 11_000,
          populationAvg: 5_500,
          populationMin: 3_000,
          populationMax: 8_000,
          populationKnownCount: 2,
          share: 0.25,
        },
        {
          label: '43002 Região Beta',
          healthRegionCode: '43002',
          healthRegionName: 'Região Beta',
          count: 2,
          populationSum: 165_000,
          populationAvg: 82_500,
          populationMin: 45_000,
          populationMax: 120_000,
          populationKnownCount: 2,
          share: 0.25,
        },
        {
          label: '43003 Região Capital',
          healthRegionCode: '43003',
          healthRegionName: 'Região Capital',
          count: 2,
          populationSum: 1_332_570,
          populationAvg: 1_332_570,
          populationMin: 1_332_570,
          populationMax: 1_332_570,
          populationKnownCount: 1,
          share: 0.25,
        },
        {
          label: '(sem região de saúde)',
          healthRegionCode: null,
          healthRegionName: null,
          count: 1,
          populationSum: 5_000,
          populationAvg: 5_000,
          populationMin: 5_000,
          populationMax: 5_000,
          populationKnownCount: 1,
          share: 0.125,
        },
      ]);
    });

    it('nests the same numbers under `groups { key }`', async () => {
      const result = await t.gql<{
        municipalityStats: { groups: { key: Record<string, unknown>; count: number }[] };
      }>(
        `query ($codes: [String!]) {
          municipalityStats(filter: { ibgeCode: $codes }, groupBy: [UF, MACROREGION]) {
            groups { key { label uf stateName macroregionCode healthRegionCode } count }
          }
        }`,
        { codes: fx.all },
      );
      expect(result.errors).toBeUndefined();
      expect(result.data!.municipalityStats.groups).toEqual([
        {
          key: {
            label: 'RS · 4301 Macro Norte',
            uf: 'RS',
            stateName: 'Rio Grande do Sul',
            macroregionCode: '4301',
            healthRegionCode: null,
          },
          count: 4,
        },
        {
          key: {
            label: 'RS · (sem macrorregião de saúde)',
            uf: 'RS',
            stateName: 'Rio Grande do Sul',
            macroregionCode: null,
            healthRegionCode: null,
          },
          count: 3,
        },
        {
          key: {
            label: 'SC · (sem macrorregião de saúde)',
            uf: 'SC',
            stateName: 'Santa Catarina',
            macroregionCode: null,
            healthRegionCode: null,
          },
          count: 1,
        },
      ]);
    });

    it('groups by the regions as they were on a day (`regionsAsOf`)', async () => {
      const result = await t.gql<{ then: { rows: Rows }; before: { rows: Rows } }>(
        `query ($codes: [String!]) {
          then: municipalityStats(filter: { ibgeCode: $codes }, groupBy: [HEALTH_REGION], regionsAsOf: "2019-06-01") { rows { healthRegionCode count } }
          before: municipalityStats(filter: { ibgeCode: $codes }, groupBy: [MACROREGION, HEALTH_REGION], regionsAsOf: "2010-01-01") { rows { label count } }
        }`,
        { codes: fx.all },
      );
      expect(result.errors).toBeUndefined();
      // 2019-06-01: C was still in 43001 and E already in it.
      expect(result.data!.then.rows).toEqual([
        { healthRegionCode: '42001', count: 1 },
        { healthRegionCode: '43001', count: 4 },
        { healthRegionCode: '43002', count: 1 },
        { healthRegionCode: '43003', count: 2 },
      ]);
      // 2010-01-01: C and E have membership history, none of it that old: no region then.
      expect(result.data!.before.rows).toEqual([
        { label: '4301 Macro Norte · 43001 Região Alfa', count: 2 },
        { label: '4301 Macro Norte · 43002 Região Beta', count: 1 },
        { label: '(sem macrorregião de saúde) · 42001 Região Litoral', count: 1 },
        { label: '(sem macrorregião de saúde) · 43003 Região Capital', count: 2 },
        { label: '(sem macrorregião de saúde) · (sem região de saúde)', count: 2 },
      ]);
    });

    it('groups by IBGE size class in size order, unknown population last', async () => {
      const result = await rows(
        `query ($codes: [String!]) {
          municipalityStats(filter: { ibgeCode: $codes }, groupBy: [SIZE_CLASS]) { rows { sizeClass label count } }
        }`,
        { codes: fx.all },
      );
      expect(result).toEqual([
        { sizeClass: 'UP_TO_5K', label: 'até 5 mil hab.', count: 2 },
        { sizeClass: 'FROM_5K_TO_10K', label: '5 a 10 mil hab.', count: 1 },
        { sizeClass: 'FROM_10K_TO_20K', label: '10 a 20 mil hab.', count: 1 },
        { sizeClass: 'FROM_20K_TO_50K', label: '20 a 50 mil hab.', count: 1 },
        { sizeClass: 'FROM_100K_TO_500K', label: '100 a 500 mil hab.', count: 1 },
        { sizeClass: 'OVER_500K', label: 'mais de 500 mil hab.', count: 1 },
        { sizeClass: null, label: '(população desconhecida)', count: 1 },
      ]);
    });

    it('groups by coarse size class (≤5k, 5–50k, >50k), computed from population', async () => {
      const result = await rows(
        `query ($codes: [String!]) {
          municipalityStats(filter: { ibgeCode: $codes }, groupBy: [SIZE_CLASS_COARSE]) { rows { sizeClassCoarse count populationSum } }
        }`,
        { codes: fx.all },
      );
      expect(result).toEqual([
        { sizeClassCoarse: 'SMALL', count: 2, populationSum: 8_000 },
        { sizeClassCoarse: 'MEDIUM', count: 3, populationSum: 65_000 },
        { sizeClassCoarse: 'LARGE', count: 2, populationSum: 1_452_570 },
        { sizeClassCoarse: null, count: 1, populationSum: null },
      ]);
    });

    it('groups by management type and by capital', async () => {
      const result = await t.gql<{ m: { rows: Rows }; c: { rows: Rows } }>(
        `query ($codes: [String!]) {
          m: municipalityStats(filter: { ibgeCode: $codes }, groupBy: [MANAGEMENT_TYPE]) { rows { managementType label count } }
          c: municipalityStats(filter: { ibgeCode: $codes }, groupBy: [CAPITAL]) { rows { capital label count } }
        }`,
        { codes: fx.all },
      );
      expect(result.errors).toBeUndefined();
      expect(result.data!.m.rows).toEqual([
        { managementType: 'APS_ONLY', label: 'só atenção primária', count: 2 },
        {
          managementType: 'PARTIAL_MEDIUM_COMPLEXITY',
          label: 'média complexidade parcial',
          count: 1,
        },
        { managementType: 'FULL', label: 'gestão plena', count: 3 },
        { managementType: null, label: '(gestão não informada)', count: 2 },
      ]);
      expect(result.data!.c.rows).toEqual([
        { capital: true, label: 'capital', count: 1 },
        { capital: false, label: 'interior', count: 7 },
      ]);
    });

    it('counts every municipality of a state, known populations only in the sums', async () => {
      const result = await rows(`{
        municipalityStats(filter: { uf: ["RS", "SC"] }) { rows { uf count populationKnownCount populationSum share } }
      }`);
      expect(result).toEqual([
        {
          uf: 'RS',
          count: 497,
          populationKnownCount: 6,
          populationSum: 1_513_570,
          share: 497 / (497 + 295),
        },
        { uf: 'SC', count: 295, populationKnownCount: 1, populationSum: 12_000, share: 295 / 792 },
      ]);
    });

    it('answers an empty match with no groups, and totals with an empty groupBy', async () => {
      const result = await t.gql<{ none: { rows: Rows }; total: { rows: Rows } }>(`{
        none: municipalityStats(filter: { uf: ["AC"], populationMin: 1 }) { rows { uf count } }
        total: municipalityStats(filter: { uf: ["AC"], populationMin: 1 }, groupBy: []) { rows { label count populationSum populationAvg share } }
      }`);
      expect(result.errors).toBeUndefined();
      expect(result.data!.none.rows).toEqual([]);
      expect(result.data!.total.rows).toEqual([
        { label: 'total', count: 0, populationSum: null, populationAvg: null, share: null },
      ]);
    });

    it('rejects an unknown UF in the filter with a clear error', async () => {
      const result = await t.gql(
        `{ municipalityStats(filter: { uf: ["XX"] }) { rows { count } } }`,
      );
      expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(result.errors?.[0]?.message).toMatch(/Unknown UF "XX" in `filter.uf`/);
    });
  });

  describe('eventStats', () => {
    it('groups by kind; soft-deleted events are left out', async () => {
      const result = await rows(`{
        eventStats(groupBy: [KIND]) { rows { kind count participantsSum accessesSum share } }
      }`);
      expect(result).toEqual([
        { kind: 'CIR_MEETING', count: 2, participantsSum: 35, accessesSum: null, share: 2 / 7 },
        { kind: 'CIB_MEETING', count: 1, participantsSum: 40, accessesSum: null, share: 1 / 7 },
        { kind: 'ASSEMBLY', count: 1, participantsSum: 30, accessesSum: null, share: 1 / 7 },
        { kind: 'WEB_OFICINA', count: 2, participantsSum: 320, accessesSum: 850, share: 2 / 7 },
        {
          kind: 'TECHNICAL_VISIT',
          count: 1,
          participantsSum: null,
          accessesSum: null,
          share: 1 / 7,
        },
      ]);
    });

    it('groups by month within a state', async () => {
      const result = await rows(`{
        eventStats(filter: { uf: ["RS"] }, groupBy: [MONTH]) { rows { month count participantsSum accessesSum } }
      }`);
      expect(result).toEqual([
        { month: '2023-11', count: 1, participantsSum: null, accessesSum: null },
        { month: '2024-03', count: 3, participantsSum: 155, accessesSum: 340 },
        { month: '2024-04', count: 1, participantsSum: 40, accessesSum: null },
      ]);
    });

    it('groups by year and organiser, events without an organiser as their own group', async () => {
      const result = await rows(`{
        eventStats(groupBy: [YEAR, ORGANIZATION]) { rows { label year organizationCode count } }
      }`);
      expect(result).toEqual([
        { label: '2023 · (sem organizador)', year: 2023, organizationCode: null, count: 1 },
        { label: '2024 · CONASEMS', year: 2024, organizationCode: 'CONASEMS', count: 1 },
        { label: '2024 · COSEMS-RS', year: 2024, organizationCode: 'COSEMS-RS', count: 4 },
        { label: '2024 · (sem organizador)', year: 2024, organizationCode: null, count: 1 },
      ]);
    });

    it('groups by health region, UF and modality', async () => {
      const result = await t.gql<{ r: { rows: Rows }; u: { rows: Rows }; m: { rows: Rows } }>(`{
        r: eventStats(groupBy: [HEALTH_REGION]) { rows { healthRegionCode count participantsSum accessesSum } }
        u: eventStats(groupBy: [UF]) { rows { label uf count } }
        m: eventStats(filter: { from: "2024-01-01", to: "2024-12-31" }, groupBy: [MODALITY]) { rows { modality count } }
      }`);
      expect(result.errors).toBeUndefined();
      expect(result.data!.r.rows).toEqual([
        { healthRegionCode: '42001', count: 1, participantsSum: 30, accessesSum: null },
        { healthRegionCode: '43001', count: 2, participantsSum: 20, accessesSum: null },
        { healthRegionCode: '43002', count: 1, participantsSum: 15, accessesSum: null },
        { healthRegionCode: null, count: 3, participantsSum: 360, accessesSum: 850 },
      ]);
      expect(result.data!.u.rows).toEqual([
        { label: 'RS', uf: 'RS', count: 5 },
        { label: 'SC', uf: 'SC', count: 1 },
        { label: '(sem UF)', uf: null, count: 1 },
      ]);
      expect(result.data!.m.rows).toEqual([
        { modality: 'IN_PERSON', count: 3 },
        { modality: 'ONLINE', count: 2 },
        { modality: 'HYBRID', count: 1 },
      ]);
    });

    it('rejects a `from` after `to`', async () => {
      const result = await t.gql(
        `{ eventStats(filter: { from: "2024-05-01", to: "2024-01-01" }) { rows { count } } }`,
      );
      expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(result.errors?.[0]?.message).toBe('`from` (2024-05-01) is after `to` (2024-01-01)');
    });
  });

  describe('adhesionStats', () => {
    it('groups by status as of today: an approved adhesion past its validity is EXPIRED', async () => {
      const result = await rows(`{
        adhesionStats(filter: { programCode: ["NT-425-2025"] }, groupBy: [STATUS]) { rows { status count share } }
      }`);
      expect(result).toEqual([
        { status: 'REQUESTED', count: 1, share: 1 / 6 },
        { status: 'APPROVED', count: 2, share: 2 / 6 },
        { status: 'REJECTED', count: 1, share: 1 / 6 },
        { status: 'SUSPENDED', count: 1, share: 1 / 6 },
        { status: 'EXPIRED', count: 1, share: 1 / 6 },
      ]);
    });

    it('groups by program and UF, region and size class', async () => {
      const result = await t.gql<{ p: { rows: Rows }; r: { rows: Rows }; s: { rows: Rows } }>(`{
        p: adhesionStats(groupBy: [PROGRAM, UF]) { rows { programCode programName uf count } }
        r: adhesionStats(filter: { programCode: ["NT-425-2025"] }, groupBy: [HEALTH_REGION]) { rows { healthRegionCode count } }
        s: adhesionStats(filter: { programCode: ["NT-425-2025"], uf: ["RS"] }, groupBy: [SIZE_CLASS_COARSE]) { rows { sizeClassCoarse count } }
      }`);
      expect(result.errors).toBeUndefined();
      expect(result.data!.p.rows).toEqual([
        { programCode: 'NT-425-2025', programName: 'Curso de 360 horas', uf: 'RS', count: 5 },
        { programCode: 'NT-425-2025', programName: 'Curso de 360 horas', uf: 'SC', count: 1 },
        { programCode: 'OUTRO', programName: 'Outro programa', uf: 'RS', count: 1 },
      ]);
      expect(result.data!.r.rows).toEqual([
        { healthRegionCode: '42001', count: 1 },
        { healthRegionCode: '43001', count: 2 },
        { healthRegionCode: '43002', count: 2 },
        { healthRegionCode: '43003', count: 1 },
      ]);
      expect(result.data!.s.rows).toEqual([
        { sizeClassCoarse: 'SMALL', count: 1 },
        { sizeClassCoarse: 'MEDIUM', count: 2 },
        { sizeClassCoarse: 'LARGE', count: 2 },
      ]);
    });
  });

  describe('instrumentStats', () => {
    it('groups by instrument and status, statuses in workflow order', async () => {
      const result = await rows(`{
        instrumentStats { rows { instrument status count onTimeCount } }
      }`);
      expect(result).toEqual([
        { instrument: 'PMS', status: 'APPROVED', count: 1, onTimeCount: 0 },
        { instrument: 'RAG', status: 'PENDING', count: 1, onTimeCount: 0 },
        { instrument: 'RAG', status: 'IN_PROGRESS', count: 1, onTimeCount: 0 },
        { instrument: 'RAG', status: 'SENT', count: 2, onTimeCount: 1 },
        { instrument: 'RAG', status: 'APPROVED', count: 2, onTimeCount: 1 },
      ]);
    });

    it('groups by period, and by UF and region for one instrument', async () => {
      const result = await t.gql<{ p: { rows: Rows }; u: { rows: Rows }; r: { rows: Rows } }>(`{
        p: instrumentStats(groupBy: [PERIOD]) { rows { period count share } }
        u: instrumentStats(filter: { instrument: [RAG] }, groupBy: [UF]) { rows { uf count } }
        r: instrumentStats(filter: { instrument: [RAG], status: [SENT, APPROVED] }, groupBy: [HEALTH_REGION]) { rows { healthRegionCode count } }
      }`);
      expect(result.errors).toBeUndefined();
      expect(result.data!.p.rows).toEqual([
        { period: '2022-2025', count: 1, share: 1 / 7 },
        { period: '2023', count: 6, share: 6 / 7 },
      ]);
      expect(result.data!.u.rows).toEqual([
        { uf: 'RS', count: 5 },
        { uf: 'SC', count: 1 },
      ]);
      expect(result.data!.r.rows).toEqual([
        { healthRegionCode: '43001', count: 2 },
        { healthRegionCode: '43002', count: 1 },
        { healthRegionCode: '43003', count: 1 },
      ]);
    });
  });
});
