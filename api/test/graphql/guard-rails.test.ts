import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, databaseAvailable, type TestApp } from '../helpers';

describe.skipIf(!databaseAvailable)('guard rails', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      env: { NODE_ENV: 'production', ANONYMOUS_ACCESS: 'reader', MAX_DEPTH: '8' },
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('rejects a query deeper than the depth limit', async () => {
    const deep = `{ municipalities(first: 1) { nodes { healthRegion { municipalities(first: 1) { nodes { healthRegion { municipalities(first: 1) { nodes { healthRegion { name } } } } } } } } } }`;
    const result = await t.gql(deep);
    expect(result.errors?.[0]?.message).toMatch(/depth/i);
    expect(result.errors?.[0]?.extensions?.code).toBeDefined();
    expect(result.data ?? null).toBeNull();
  });

  it('rejects too many aliases', async () => {
    const aliases = Array.from(
      { length: 200 },
      (_, index) => `a${index}: states(first: 1) { totalCount }`,
    ).join('\n');
    const result = await t.gql(`{ ${aliases} }`);
    expect(result.errors?.[0]?.message).toMatch(/alias/i);
  });

  it('refuses batched requests', async () => {
    const response = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        { query: '{ states { totalCount } }' },
        { query: '{ states { totalCount } }' },
      ]),
    });
    expect(response.status).toBe(400);
  });

  it('hides stack traces in production', async () => {
    const result = await t.gql(`{ municipality(ibgeCode: "12") { name } }`);
    expect(result.errors![0]!.extensions?.code).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(result.errors)).not.toMatch(/stacktrace|at .*\.ts:\d+/);
  });

  it('still answers introspection (analysts need it) unless turned off', async () => {
    const result = await t.gql(`{ __schema { queryType { name } } }`);
    expect(result.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  });
});

describe.skipIf(!databaseAvailable)('introspection switch', () => {
  it('can be turned off with INTROSPECTION=false', async () => {
    const t = await createTestApp({ env: { INTROSPECTION: 'false' } });
    try {
      const result = await t.gql(`{ __schema { queryType { name } } }`);
      expect(result.errors?.[0]?.message).toMatch(/introspection/i);
    } finally {
      await t.close();
    }
  });
});
