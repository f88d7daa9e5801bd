import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, databaseAvailable, type TestApp } from '../helpers';
import { seedRsRegions } from './fixtures';

const nested = `query Nested($first: Int!) {
  municipalities(first: $first, filter: { uf: ["RS", "SC", "PR"] }) {
    edges { node { ibgeCode state { name } healthRegion { name macroregion { name } } } }
  }
}`;

describe.skipIf(!databaseAvailable)('SQL statements per request (no N+1)', () => {
  let t: TestApp;
  beforeAll(async () => {
    // The resolvers' own batching; compiled reads (one statement) have compiled-reads.test.ts.
    t = await createTestApp({ env: { COMPILED_READS: 'false' } });
    await seedRsRegions(t.app.orm.em.fork());
  });
  afterAll(async () => {
    await t?.close();
  });

  async function statementsFor(first: number): Promise<number> {
    t.statements.reset();
    const result = await t.gql<{
      municipalities: { edges: { node: { healthRegion: { macroregion: unknown } } }[] };
    }>(nested, { first });
    expect(result.errors).toBeUndefined();
    expect(result.data!.municipalities.edges).toHaveLength(first);
    expect(
      result.data!.municipalities.edges.every((edge) => edge.node.healthRegion?.macroregion),
    ).toBe(true);
    return t.statements.count;
  }

  it('is the same for 10 and 1,000 municipalities with state, region and macroregion, and at most 5', async () => {
    const ten = await statementsFor(10);
    const thousand = await statementsFor(1000);
    expect(thousand).toBe(ten);
    // one: the page, with state, region and macroregion joined (selectedToOneRelations)
    expect(thousand).toBe(1);
  });

  it('stays constant when the current gestor is selected too', async () => {
    const query = `query($first: Int!) { municipalities(first: $first) { nodes { name gestor { person { name } } } } }`;
    t.statements.reset();
    await t.gql(query, { first: 10 });
    const ten = t.statements.count;
    t.statements.reset();
    await t.gql(query, { first: 1000 });
    expect(t.statements.count).toBe(ten);
  });
});
