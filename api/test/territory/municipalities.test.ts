import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, databaseAvailable, type TestApp } from '../helpers';

describe.skipIf(!databaseAvailable)('municipalities', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('ships every municipality: 5,571 in all, RS 497, MT 142', async () => {
    const result = await t.gql<{
      all: { totalCount: number };
      rs: { totalCount: number };
      mt: { totalCount: number };
    }>(`{
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
});
