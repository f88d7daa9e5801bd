import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, databaseAvailable, type TestApp } from '../helpers';
import { seedRsRegions } from './fixtures';

interface Page {
  totalCount: number;
  edges: { cursor: string; node: { ibgeCode: string; name: string; population?: number } }[];
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
}

describe.skipIf(!databaseAvailable)('municipalities', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    await seedRsRegions(t.app.orm.em.fork());
  });
  afterAll(async () => {
    await t?.close();
  });

  it('ships every municipality: 5,571 in all, RS 497, MT 142', async () => {
    const result = await t.gql(`{
      all: municipalities(first: 0) { totalCount }
      rs: municipalities(filter: { uf: ["RS"] }, first: 0) { totalCount }
      mt: municipalities(filter: { uf: ["MT"] }, first: 0) { totalCount }
    }`);
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      all: { totalCount: 5571 },
      rs: { totalCount: 497 },
      mt: { totalCount: 142 },
    });
  });

  it('includes Boa Esperança do Norte (MT), installed in 2025', async () => {
    const result = await t.gql(
      `{ municipality(ibgeCode: "5101837") { ibgeCode name state { uf name region } } }`,
    );
    expect(result.data).toEqual({
      municipality: {
        ibgeCode: '5101837',
        name: 'Boa Esperança do Norte',
        state: { uf: 'MT', name: 'Mato Grosso', region: 'CENTRO_OESTE' },
      },
    });
  });

  it('answers the contract fields, nested', async () => {
    const result = await t.gql(`{
      municipality(ibgeCode: "4314902") {
        id ibgeCode name isCapital population populationYear sizeClass managementType version
        state { uf name region }
        healthRegion { code name macroregion { code name } }
      }
    }`);
    expect(result.errors).toBeUndefined();
    const municipality = (result.data as { municipality: Record<string, unknown> }).municipality;
    expect(municipality).toMatchObject({
      ibgeCode: '4314902',
      name: 'Porto Alegre',
      isCapital: true,
      populationYear: 2024,
      version: expect.any(Number),
      state: { uf: 'RS', name: 'Rio Grande do Sul', region: 'SUL' },
      healthRegion: {
        code: expect.stringMatching(/^43\d{3}$/),
        macroregion: { code: expect.stringMatching(/^43\d{2}$/) },
      },
    });
  });

  it('filters by name ignoring case and accents ("sao joao" finds "São João…")', async () => {
    const result = await t.gql<{ municipalities: Page }>(
      `{ municipalities(filter: { nameContains: "sao joao", uf: ["RS"] }, orderBy: [NAME_ASC], first: 50) { totalCount edges { node { ibgeCode name } } } }`,
    );
    const names = result.data!.municipalities.edges.map((edge) => edge.node.name);
    expect(names.length).toBeGreaterThan(0);
    expect(names.every((name) => name.toLowerCase().includes('são joão'))).toBe(true);
    expect(result.data!.municipalities.totalCount).toBe(names.length);
  });

  it('filters by health region, macroregion, size class, capital and population range', async () => {
    const result = await t.gql(`{
      region: municipalities(filter: { healthRegionCode: ["43001"] }, first: 0) { totalCount }
      macro: municipalities(filter: { macroregionCode: ["4301"] }, first: 0) { totalCount }
      small: municipalities(filter: { uf: ["RS"], sizeClass: [UP_TO_5K] }, first: 0) { totalCount }
      capitals: municipalities(filter: { capital: true }, first: 0) { totalCount }
      range: municipalities(filter: { populationMin: 10000, populationMax: 20000 }, first: 0) { totalCount }
      noRegion: municipalities(filter: { uf: ["RS"], hasHealthRegion: false }, first: 0) { totalCount }
    }`);
    expect(result.errors).toBeUndefined();
    // 497 RS municipalities dealt round robin over 30 regions (7 go to region 1: indexes 0, 30, …, 480 → 17),
    // regions 1, 8, 15, 22, 29 in macroregion 1; populations 1,000 + index × 1,000.
    const perRegion = (region: number) => Math.floor((497 - region) / 30) + 1;
    expect(result.data).toEqual({
      region: { totalCount: perRegion(0) },
      macro: { totalCount: [0, 7, 14, 21, 28].reduce((sum, region) => sum + perRegion(region), 0) },
      small: { totalCount: 5 },
      capitals: { totalCount: 27 },
      range: { totalCount: 33 }, // 11 per state: indexes 9 to 19 in RS, SC and PR
      noRegion: { totalCount: 0 },
    });
  });

  it('orders by population, descending, nulls last', async () => {
    const result = await t.gql<{ municipalities: Page }>(
      `{ municipalities(orderBy: [POPULATION_DESC], first: 3) { edges { node { population } } } }`,
    );
    expect(result.data!.municipalities.edges.map((edge) => edge.node.population)).toEqual([
      497_000, 496_000, 495_000,
    ]);
  });

  it('pages forwards and backwards with opaque cursors', async () => {
    const query = `query Page($first: Int, $after: String, $last: Int, $before: String) {
      municipalities(filter: { uf: ["RS"] }, orderBy: [IBGE_CODE_ASC], first: $first, after: $after, last: $last, before: $before) {
        totalCount
        edges { cursor node { ibgeCode } }
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      }
    }`;
    const all = await t.gql<{ municipalities: Page }>(query, { first: 497 });
    const codes = all.data!.municipalities.edges.map((edge) => edge.node.ibgeCode);
    expect(codes).toHaveLength(497);
    expect([...codes].sort()).toEqual(codes);

    const first = await t.gql<{ municipalities: Page }>(query, { first: 200 });
    expect(first.data!.municipalities.pageInfo).toMatchObject({
      hasNextPage: true,
      hasPreviousPage: false,
    });
    const second = await t.gql<{ municipalities: Page }>(query, {
      first: 200,
      after: first.data!.municipalities.pageInfo.endCursor,
    });
    const third = await t.gql<{ municipalities: Page }>(query, {
      first: 200,
      after: second.data!.municipalities.pageInfo.endCursor,
    });
    expect(third.data!.municipalities.pageInfo).toMatchObject({
      hasNextPage: false,
      hasPreviousPage: true,
    });
    const paged = [first, second, third].flatMap((page) =>
      page.data!.municipalities.edges.map((edge) => edge.node.ibgeCode),
    );
    expect(paged).toEqual(codes);

    const last = await t.gql<{ municipalities: Page }>(query, { last: 10 });
    expect(last.data!.municipalities.edges.map((edge) => edge.node.ibgeCode)).toEqual(
      codes.slice(-10),
    );
    expect(last.data!.municipalities.pageInfo).toMatchObject({ hasPreviousPage: true });
    const before = await t.gql<{ municipalities: Page }>(query, {
      last: 5,
      before: last.data!.municipalities.pageInfo.startCursor,
    });
    expect(before.data!.municipalities.edges.map((edge) => edge.node.ibgeCode)).toEqual(
      codes.slice(-15, -10),
    );
    expect(before.data!.municipalities.pageInfo.hasNextPage).toBe(true);
  });

  it('fetches any object back by its global id with node(id:)', async () => {
    const lookup = await t.gql<{ municipality: { id: string } }>(
      `{ municipality(ibgeCode: "4314902") { id } }`,
    );
    const id = lookup.data!.municipality.id;
    const result = await t.gql(
      `query($id: ID!) { node(id: $id) { id ... on Municipality { name } } }`,
      { id },
    );
    expect(result.data).toEqual({ node: { id, name: 'Porto Alegre' } });
  });

  it('reaches municipalities from their state and region', async () => {
    const result = await t.gql(`{
      state(uf: "RS") { name region regionName capital { name } municipalities(first: 0) { totalCount } }
      healthRegion(code: "43001") { state { uf } municipalities(first: 0) { totalCount } }
    }`);
    expect(result.data).toEqual({
      state: {
        name: 'Rio Grande do Sul',
        region: 'SUL',
        regionName: 'Sul',
        capital: { name: 'Porto Alegre' },
        municipalities: { totalCount: 497 },
      },
      healthRegion: { state: { uf: 'RS' }, municipalities: { totalCount: 17 } },
    });
  });

  it('lists the 27 states with their geographic regions and capitals', async () => {
    const result = await t.gql<{
      states: {
        totalCount: number;
        nodes: { uf: string; region: string; capital: { isCapital: boolean } }[];
      };
    }>(`{ states(first: 100) { totalCount nodes { uf region capital { isCapital } } } }`);
    expect(result.data!.states.totalCount).toBe(27);
    expect(result.data!.states.nodes.every((state) => state.capital.isCapital)).toBe(true);
    expect(new Set(result.data!.states.nodes.map((state) => state.region))).toEqual(
      new Set(['NORTE', 'NORDESTE', 'SUDESTE', 'SUL', 'CENTRO_OESTE']),
    );
  });
});
