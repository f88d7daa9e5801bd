import { ref } from '@mikro-orm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { searchText } from '../../src/common/text';
import { HealthMacroregion } from '../../src/territory/health-macroregion.entity';
import { HealthRegion } from '../../src/territory/health-region.entity';
import { Municipality } from '../../src/territory/municipality.entity';
import { RegionMembership } from '../../src/territory/region-membership.entity';
import { State } from '../../src/territory/state.entity';
import { createTestApp, databaseAvailable, driver, type TestApp } from '../helpers';

/**
 * | municipality  | region (its macroregion)      | macroregion given directly | macroregion |
 * | 4314902 POA   | 43001 (4301)                  | 4302 (an older file)       | 4301        |
 * | 4304606 Canoas| 43002 (none)                  | 4302                       | 4302        |
 * | 4305108 Caxias| none                          | 4301                       | 4301        |
 * | 4314407 Pel.  | none                          | none                       | none        |
 * Canoas was in 43001 until 2020-01-01.
 */
const codes = ['4314902', '4304606', '4305108', '4314407'];

describe.skipIf(!databaseAvailable)(`a municipality's macroregion (${driver})`, () => {
  let test: TestApp;
  beforeAll(async () => {
    test = await createTestApp();
    const em = test.app.orm.em.fork();
    const rs = await em.findOneOrFail(State, { uf: 'RS' });
    const macro = (code: string, name: string) =>
      em.create(HealthMacroregion, {
        code,
        name,
        nameSearch: searchText(name),
        state: rs,
        demo: false,
      });
    const north = macro('4301', 'Macro Norte');
    const south = macro('4302', 'Macro Sul');
    const region = (code: string, name: string, macroregion: HealthMacroregion | null) =>
      em.create(HealthRegion, {
        code,
        name,
        nameSearch: searchText(name),
        state: rs,
        macroregion,
        demo: false,
      });
    const r1 = region('43001', 'Região Um', north);
    const r2 = region('43002', 'Região Dois', null);
    const [poa, canoas, caxias] = await Promise.all(
      codes.slice(0, 3).map((ibgeCode) => em.findOneOrFail(Municipality, { ibgeCode })),
    );
    poa!.healthRegion = ref(r1);
    poa!.macroregion = ref(south);
    canoas!.healthRegion = ref(r2);
    canoas!.macroregion = ref(south);
    caxias!.macroregion = ref(north);
    em.create(RegionMembership, {
      municipality: canoas!,
      healthRegion: r1,
      validFrom: null,
      validTo: '2020-01-01',
    });
    em.create(RegionMembership, {
      municipality: canoas!,
      healthRegion: r2,
      validFrom: '2020-01-01',
      validTo: null,
    });
    await em.flush();
  });
  afterAll(async () => {
    await test?.close();
  });

  it("is the region's, else the one given directly, on lists and lookups", async () => {
    const result = await test.gql<{
      municipalities: {
        nodes: {
          ibgeCode: string;
          macroregion: { code: string } | null;
          then: { code: string } | null;
        }[];
      };
    }>(
      `query ($codes: [String!]) {
        municipalities(filter: { ibgeCode: $codes }, orderBy: [IBGE_CODE_ASC]) {
          nodes { ibgeCode macroregion { code } then: macroregion(asOf: "2019-06-01") { code } }
        }
      }`,
      { codes },
    );
    expect(result.errors).toBeUndefined();
    expect(
      Object.fromEntries(
        result.data!.municipalities.nodes.map((m) => [
          m.ibgeCode,
          [m.macroregion?.code ?? null, m.then?.code ?? null],
        ]),
      ),
    ).toEqual({
      '4314902': ['4301', '4301'],
      // In 43001 (macroregion 4301) on 2019-06-01.
      '4304606': ['4302', '4301'],
      '4305108': ['4301', '4301'],
      '4314407': [null, null],
    });
  });

  it('filters by macroregion the same way, read by the resolvers or compiled', async () => {
    const query = `query ($codes: [String!], $macro: [String!]) {
      municipalities(filter: { ibgeCode: $codes, macroregionCode: $macro }, orderBy: [IBGE_CODE_ASC]) {
        totalCount nodes { ibgeCode }
      }
    }`;
    // The same text three times: the first answer comes from the resolvers, the next compiled.
    for (let run = 0; run < 3; run += 1) {
      for (const [macro, expected] of [
        ['4301', ['4305108', '4314902']],
        ['4302', ['4304606']],
      ] as const) {
        const result = await test.gql<{
          municipalities: { totalCount: number; nodes: { ibgeCode: string }[] };
        }>(query, { codes, macro: [macro] });
        expect(result.errors).toBeUndefined();
        expect(result.data!.municipalities.nodes.map((m) => m.ibgeCode)).toEqual(expected);
        expect(result.data!.municipalities.totalCount).toBe(expected.length);
      }
    }
    const macroregion = await test.gql<{
      healthMacroregion: { municipalities: { nodes: { ibgeCode: string }[] } };
    }>(
      `{ healthMacroregion(code: "4301") { municipalities(orderBy: [IBGE_CODE_ASC]) { nodes { ibgeCode } } } }`,
    );
    expect(macroregion.errors).toBeUndefined();
    expect(macroregion.data!.healthMacroregion.municipalities.nodes.map((m) => m.ibgeCode)).toEqual(
      ['4305108', '4314902'],
    );
  });

  it('groups aggregates by it, now and on a past day', async () => {
    const result = await test.gql<{
      now: { rows: { macroregionCode: string | null; count: number }[] };
      then: { rows: { macroregionCode: string | null; count: number }[] };
    }>(
      `query ($codes: [String!]) {
        now: municipalityStats(filter: { ibgeCode: $codes }, groupBy: [MACROREGION]) { rows { macroregionCode count } }
        then: municipalityStats(filter: { ibgeCode: $codes }, groupBy: [MACROREGION], regionsAsOf: "2019-06-01") { rows { macroregionCode count } }
      }`,
      { codes },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!.now.rows).toEqual([
      { macroregionCode: '4301', count: 2 },
      { macroregionCode: '4302', count: 1 },
      { macroregionCode: null, count: 1 },
    ]);
    expect(result.data!.then.rows).toEqual([
      { macroregionCode: '4301', count: 3 },
      { macroregionCode: null, count: 1 },
    ]);
  });
});
