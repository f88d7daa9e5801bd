import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, databaseAvailable, type TestApp } from '../helpers';
import { type AnalyticsFixture, seedAnalyticsFixture } from './fixtures';

type Rows = Record<string, unknown>[];

describe.skipIf(!databaseAvailable)('questions analysts ask', () => {
  let t: TestApp;
  let fx: AnalyticsFixture;
  beforeAll(async () => {
    t = await createTestApp();
    fx = await seedAnalyticsFixture(t.app.orm.em.fork());
  });
  afterAll(async () => {
    await t?.close();
  });

  async function data<T = Record<string, { rows: Rows }>>(
    query: string,
    variables: Record<string, unknown> = {},
  ): Promise<T> {
    const result = await t.gql<T>(query, variables);
    expect(result.errors).toBeUndefined();
    return result.data!;
  }

  describe('apoiadorCoverage', () => {
    it('counts regions, municipalities and gestores an apoiador covered on a day', async () => {
      const { apoiadorCoverage } = await data<{
        apoiadorCoverage: { at: string; uf: string; groups: unknown[]; rows: Rows };
      }>(`{
        apoiadorCoverage(uf: "RS", at: "2020-10-01") {
          at uf
          groups {
            person { code name }
            regionCount municipalityCount gestorCount regionCodes
            regions { healthRegionCode healthRegionName municipalityCount gestorCount }
          }
          rows { personCode personName regionCodes regionCount municipalityCount gestorCount }
        }
      }`);
      expect(apoiadorCoverage.at).toBe('2020-10-01');
      expect(apoiadorCoverage.uf).toBe('RS');
      // On 2020-10-01 region 43001 held A, B and E (E left it on 2021-01-01); 43002 held C and D.
      // Gestores in office: A, B, E in 43001; C in 43002 (D had none).
      expect(apoiadorCoverage.groups).toEqual([
        {
          person: { code: 'AP-ANA', name: 'Ana Apoio Teste' },
          regionCount: 2,
          municipalityCount: 5,
          gestorCount: 4,
          regionCodes: ['43001', '43002'],
          regions: [
            {
              healthRegionCode: '43001',
              healthRegionName: 'Região Alfa',
              municipalityCount: 3,
              gestorCount: 3,
            },
            {
              healthRegionCode: '43002',
              healthRegionName: 'Região Beta',
              municipalityCount: 2,
              gestorCount: 1,
            },
          ],
        },
      ]);
      expect(apoiadorCoverage.rows).toEqual([
        {
          personCode: 'AP-ANA',
          personName: 'Ana Apoio Teste',
          regionCodes: '43001, 43002',
          regionCount: 2,
          municipalityCount: 5,
          gestorCount: 4,
        },
      ]);
    });

    it('follows region membership history: C was in 43001 until 2020-01-01', async () => {
      const { apoiadorCoverage } = await data<{ apoiadorCoverage: { groups: unknown[] } }>(`{
        apoiadorCoverage(uf: "RS", at: "2019-06-01") {
          groups { personCode regions { healthRegionCode municipalityCount gestorCount } }
        }
      }`);
      expect(apoiadorCoverage.groups).toEqual([
        {
          personCode: 'AP-ANA',
          regions: [
            { healthRegionCode: '43001', municipalityCount: 4, gestorCount: 3 },
            { healthRegionCode: '43002', municipalityCount: 1, gestorCount: 0 },
          ],
        },
      ]);
    });

    it('treats mandate and membership ends as exclusive, and keeps to the state asked', async () => {
      const result = await data<{ onBoundary: { rows: Rows }; sc: { rows: Rows } }>(`{
        onBoundary: apoiadorCoverage(uf: "RS", at: "2021-01-01") { rows { personCode regionCodes municipalityCount gestorCount } }
        sc: apoiadorCoverage(uf: "sc", at: "2024-06-01") { rows { personCode regionCodes municipalityCount gestorCount } }
      }`);
      expect(result.onBoundary.rows).toEqual([
        { personCode: 'AP-BRUNO', regionCodes: '43001', municipalityCount: 2, gestorCount: 2 },
      ]);
      expect(result.sc.rows).toEqual([
        { personCode: 'AP-CARLA', regionCodes: '42001', municipalityCount: 1, gestorCount: 1 },
      ]);
    });

    it('answers a day without apoiadores with no groups', async () => {
      const result = await data<{ apoiadorCoverage: { rows: Rows } }>(
        `{ apoiadorCoverage(uf: "RS", at: "2010-01-01") { rows { personCode } } }`,
      );
      expect(result.apoiadorCoverage.rows).toEqual([]);
    });
  });

  describe('gestorTurnover', () => {
    it('gives the share of municipalities whose gestor and mayor changed, per region', async () => {
      const result = await data(`{
        gestorTurnover(uf: "RS", from: "2020-10-01", to: "2021-06-01") {
          rows {
            label healthRegionCode municipalityCount gestorOnFromCount gestorOnToCount
            gestorChangedCount gestorChangedShare mayorChangedCount mayorChangedShare
          }
        }
      }`);
      expect(result.gestorTurnover!.rows).toEqual([
        {
          label: '43001 Região Alfa',
          healthRegionCode: '43001',
          municipalityCount: 2,
          gestorOnFromCount: 2,
          gestorOnToCount: 2,
          gestorChangedCount: 1,
          gestorChangedShare: 0.5,
          mayorChangedCount: 1, // A's mayor changed; B's was re-elected (same person)
          mayorChangedShare: 0.5,
        },
        {
          label: '43002 Região Beta',
          healthRegionCode: '43002',
          municipalityCount: 2,
          gestorOnFromCount: 1,
          gestorOnToCount: 1,
          gestorChangedCount: 1,
          gestorChangedShare: 0.5,
          mayorChangedCount: 0,
          mayorChangedShare: 0,
        },
        {
          label: '43003 Região Capital',
          healthRegionCode: '43003',
          municipalityCount: 2,
          gestorOnFromCount: 1,
          gestorOnToCount: 1,
          gestorChangedCount: 1,
          gestorChangedShare: 0.5,
          mayorChangedCount: 0,
          mayorChangedShare: 0,
        },
        {
          label: '(sem região de saúde)',
          healthRegionCode: null,
          municipalityCount: 491,
          gestorOnFromCount: 1,
          gestorOnToCount: 0,
          gestorChangedCount: 1, // E: gestor on `from`, vacancy on `to`
          gestorChangedShare: 1 / 491,
          mayorChangedCount: 0,
          mayorChangedShare: 0,
        },
      ]);
    });

    it('groups by the regions of the `from` day with `regionsAsOf`', async () => {
      const result = await data(`{
        gestorTurnover(uf: "RS", from: "2020-10-01", to: "2021-06-01", regionsAsOf: "2020-10-01") {
          rows { healthRegionCode municipalityCount gestorChangedCount }
        }
      }`);
      // E was in 43001 on 2020-10-01: its gestor left, so 43001 counts 2 changes among 3.
      expect(result.gestorTurnover!.rows).toEqual([
        { healthRegionCode: '43001', municipalityCount: 3, gestorChangedCount: 2 },
        { healthRegionCode: '43002', municipalityCount: 2, gestorChangedCount: 1 },
        { healthRegionCode: '43003', municipalityCount: 2, gestorChangedCount: 1 },
        { healthRegionCode: null, municipalityCount: 490, gestorChangedCount: 0 },
      ]);
    });

    it('groups by coarse size class', async () => {
      const result = await data(`{
        gestorTurnover(uf: "RS", from: "2020-10-01", to: "2021-06-01", groupBy: [SIZE_CLASS_COARSE]) {
          rows { sizeClassCoarse municipalityCount gestorChangedCount gestorChangedShare }
        }
      }`);
      expect(result.gestorTurnover!.rows).toEqual([
        {
          sizeClassCoarse: 'SMALL',
          municipalityCount: 2,
          gestorChangedCount: 2,
          gestorChangedShare: 1,
        },
        {
          sizeClassCoarse: 'MEDIUM',
          municipalityCount: 2,
          gestorChangedCount: 1,
          gestorChangedShare: 0.5,
        },
        {
          sizeClassCoarse: 'LARGE',
          municipalityCount: 2,
          gestorChangedCount: 1,
          gestorChangedShare: 0.5,
        },
        {
          sizeClassCoarse: null,
          municipalityCount: 491,
          gestorChangedCount: 0,
          gestorChangedShare: 0,
        },
      ]);
    });

    it('rejects `from` after `to` and an unknown UF', async () => {
      const result = await t.gql(`{
        gestorTurnover(uf: "RS", from: "2021-06-01", to: "2020-10-01") { rows { label } }
      }`);
      expect(result.errors?.[0]?.message).toBe('`from` (2021-06-01) is after `to` (2020-10-01)');
      const unknown = await t.gql(`{
        gestorTurnover(uf: "ZZ", from: "2020-10-01", to: "2021-06-01") { rows { label } }
      }`);
      expect(unknown.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(unknown.errors?.[0]?.message).toMatch(/Unknown UF "ZZ" in `uf`/);
    });
  });

  describe('adhesionRates', () => {
    it('divides adhered by eligible per region; regions with no adhesion get rate 0', async () => {
      const result = await data(
        `query ($codes: [String!]) {
          adhesionRates(programCode: "NT-425-2025", filter: { ibgeCode: $codes }, groupBy: [HEALTH_REGION]) {
            rows {
              healthRegionCode eligibleCount adheredCount requestedCount rejectedCount
              suspendedCount expiredCount withoutAdhesionCount rate
            }
          }
        }`,
        { codes: fx.all },
      );
      const row = (
        healthRegionCode: string | null,
        eligibleCount: number,
        counts: Partial<Record<string, number>>,
        rate: number,
      ) => ({
        healthRegionCode,
        eligibleCount,
        adheredCount: 0,
        requestedCount: 0,
        rejectedCount: 0,
        suspendedCount: 0,
        expiredCount: 0,
        withoutAdhesionCount: 0,
        ...counts,
        rate,
      });
      expect(result.adhesionRates!.rows).toEqual([
        row('42001', 1, { adheredCount: 1 }, 1),
        row('43001', 2, { adheredCount: 1, expiredCount: 1 }, 0.5),
        row('43002', 2, { requestedCount: 1, rejectedCount: 1 }, 0),
        row('43003', 2, { suspendedCount: 1, withoutAdhesionCount: 1 }, 0),
        row(null, 1, { withoutAdhesionCount: 1 }, 0),
      ]);
    });

    it('reads validity on the day asked: B was still adhered on 2020-06-01', async () => {
      const result = await data(
        `query ($codes: [String!]) {
          adhesionRates(programCode: "NT-425-2025", filter: { ibgeCode: $codes, healthRegionCode: ["43001"] }, groupBy: [HEALTH_REGION], on: "2020-06-01") {
            rows { healthRegionCode adheredCount expiredCount rate }
          }
        }`,
        { codes: fx.all },
      );
      expect(result.adhesionRates!.rows).toEqual([
        { healthRegionCode: '43001', adheredCount: 2, expiredCount: 0, rate: 1 },
      ]);
    });

    it('counts a whole state by default grouping (UF)', async () => {
      const result = await data(`{
        adhesionRates(programCode: "NT-425-2025", filter: { uf: ["RS"] }) {
          rows { uf eligibleCount adheredCount withoutAdhesionCount rate }
        }
      }`);
      expect(result.adhesionRates!.rows).toEqual([
        { uf: 'RS', eligibleCount: 497, adheredCount: 1, withoutAdhesionCount: 492, rate: 1 / 497 },
      ]);
    });

    it('answers null for an unknown program, as `program(code:)` does', async () => {
      const result = await t.gql(`{ adhesionRates(programCode: "NOPE") { rows { rate } } }`);
      expect(result.errors).toBeUndefined();
      expect(result.data).toEqual({ adhesionRates: null });
    });
  });

  describe('instrumentCompliance', () => {
    it('gives the share sent or approved by the due date, per region', async () => {
      const result = await data(
        `query ($codes: [String!]) {
          instrumentCompliance(instrument: RAG, period: "2023", filter: { ibgeCode: $codes }) {
            rows {
              healthRegionCode municipalityCount reportedCount sentCount approvedCount
              onTimeCount pendingCount onTimeShare sentShare
            }
          }
        }`,
        { codes: fx.all },
      );
      const row = (
        code: string | null,
        counts: number[],
        onTimeShare: number,
        sentShare: number,
      ) => {
        const [
          municipalityCount,
          reportedCount,
          sentCount,
          approvedCount,
          onTimeCount,
          pendingCount,
        ] = counts;
        return {
          healthRegionCode: code,
          municipalityCount,
          reportedCount,
          sentCount,
          approvedCount,
          onTimeCount,
          pendingCount,
          onTimeShare,
          sentShare,
        };
      };
      expect(result.instrumentCompliance!.rows).toEqual([
        row('42001', [1, 1, 0, 0, 0, 1], 0, 0),
        row('43001', [2, 2, 2, 1, 1, 0], 0.5, 1),
        row('43002', [2, 2, 1, 0, 0, 1], 0, 0.5),
        row('43003', [2, 1, 1, 1, 1, 1], 0.5, 0.5),
        row(null, [1, 0, 0, 0, 0, 1], 0, 0),
      ]);
    });

    it('takes an explicit deadline over the due dates', async () => {
      const result = await data(
        `query ($codes: [String!]) {
          instrumentCompliance(instrument: RAG, period: "2023", filter: { ibgeCode: $codes }, deadline: "2024-04-30", groupBy: [UF]) {
            rows { uf municipalityCount onTimeCount onTimeShare }
          }
        }`,
        { codes: fx.all },
      );
      // A (03-10), C (04-15) and POA (03-25) by 04-30; B (05-01) late.
      expect(result.instrumentCompliance!.rows).toEqual([
        { uf: 'RS', municipalityCount: 7, onTimeCount: 3, onTimeShare: 3 / 7 },
        { uf: 'SC', municipalityCount: 1, onTimeCount: 0, onTimeShare: 0 },
      ]);
    });

    it('counts every municipality of a state as expected to send', async () => {
      const result = await data(`{
        instrumentCompliance(instrument: RAG, period: "2023", filter: { uf: ["RS"] }, groupBy: [UF]) {
          rows { uf municipalityCount reportedCount sentCount onTimeCount pendingCount }
        }
      }`);
      expect(result.instrumentCompliance!.rows).toEqual([
        {
          uf: 'RS',
          municipalityCount: 497,
          reportedCount: 5,
          sentCount: 4,
          onTimeCount: 2,
          pendingCount: 493,
        },
      ]);
    });
  });

  describe('activitySummary', () => {
    it('counts meetings, oficinas, participants and accesses by month', async () => {
      const result = await data(`{
        activitySummary(uf: "RS", from: "2024-01-01", to: "2024-12-31", groupBy: [MONTH]) {
          rows { month eventCount meetingCount oficinaCount participantsSum accessesSum }
        }
      }`);
      expect(result.activitySummary!.rows).toEqual([
        {
          month: '2024-03',
          eventCount: 3,
          meetingCount: 2,
          oficinaCount: 1,
          participantsSum: 155,
          accessesSum: 340,
        },
        {
          month: '2024-04',
          eventCount: 1,
          meetingCount: 1,
          oficinaCount: 0,
          participantsSum: 40,
          accessesSum: null,
        },
      ]);
    });

    it('groups by kind and region', async () => {
      const result = await data(`{
        activitySummary(uf: "RS", from: "2024-01-01", to: "2024-12-31", groupBy: [KIND, HEALTH_REGION]) {
          rows { label eventCount participantsSum }
        }
      }`);
      expect(result.activitySummary!.rows).toEqual([
        { label: 'CIR_MEETING · 43001 Região Alfa', eventCount: 1, participantsSum: 20 },
        { label: 'CIR_MEETING · 43002 Região Beta', eventCount: 1, participantsSum: 15 },
        { label: 'CIB_MEETING · (sem região de saúde)', eventCount: 1, participantsSum: 40 },
        { label: 'WEB_OFICINA · (sem região de saúde)', eventCount: 1, participantsSum: 120 },
      ]);
    });
  });

  describe('point in time', () => {
    it('answers who was the apoiador of region 43001 on 2020-10-01', async () => {
      const result = await data<{ healthRegion: Record<string, { person: { code: string } }[]> }>(`{
        healthRegion(code: "43001") {
          then: apoiadores(asOf: "2020-10-01") { person { code } }
          later: apoiadores(asOf: "2024-06-01") { person { code } }
          now: apoiadores { person { code } }
          before: apoiadores(asOf: "2018-12-31") { person { code } }
        }
      }`);
      expect(result.healthRegion).toEqual({
        then: [{ person: { code: 'AP-ANA' } }],
        later: [{ person: { code: 'AP-BRUNO' } }],
        now: [{ person: { code: 'AP-BRUNO' } }],
        before: [],
      });
    });

    it('answers which region a municipality was in on a day', async () => {
      const result = await data<Record<string, Record<string, { code: string } | null>>>(
        `query ($c: String!, $e: String!, $a: String!) {
          c: municipality(ibgeCode: $c) {
            now: healthRegion { code }
            then: healthRegion(asOf: "2019-06-01") { code }
            switch: healthRegion(asOf: "2020-01-01") { code }
            before: healthRegion(asOf: "2010-01-01") { code }
          }
          e: municipality(ibgeCode: $e) {
            now: healthRegion { code }
            then: healthRegion(asOf: "2020-10-01") { code }
            after: healthRegion(asOf: "2021-01-01") { code }
          }
          a: municipality(ibgeCode: $a) { then: healthRegion(asOf: "2000-01-01") { code } }
        }`,
        { c: fx.codes.C, e: fx.codes.E, a: fx.codes.A },
      );
      expect(result).toEqual({
        c: {
          now: { code: '43002' },
          then: { code: '43001' },
          switch: { code: '43002' },
          before: null,
        },
        e: { now: null, then: { code: '43001' }, after: null },
        // No membership history: always in its current region.
        a: { then: { code: '43001' } },
      });
    });
  });
});
