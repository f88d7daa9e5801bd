import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, databaseAvailable, driver, type TestApp } from '../helpers';

interface Answer {
  status: number;
  ms: number;
  body: { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] };
}

/** Sends a raw body, so the test controls exactly what the server receives. */
async function post(
  url: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const started = performance.now();
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  const text = await response.text();
  const ms = performance.now() - started;
  return { status: response.status, ms, body: JSON.parse(text) as Answer['body'] };
}

const measured: { name: string; status: number; code: string | undefined; ms: number }[] = [];

describe.skipIf(!databaseAvailable)('hostile queries', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
    // The figures the README's Reliability table quotes (`ms` includes the loopback round trip).
    console.table(measured);
  });

  async function expectRejected(name: string, body: string, codes: string[]): Promise<Answer> {
    const answer = await post(t.url, body);
    measured.push({
      name: `${driver}: ${name}`,
      status: answer.status,
      code: answer.body.errors?.[0]?.extensions?.code,
      ms: Math.round(answer.ms),
    });
    expect(answer.status, JSON.stringify(answer.body).slice(0, 300)).toBeGreaterThanOrEqual(400);
    expect(answer.status, JSON.stringify(answer.body).slice(0, 300)).toBeLessThan(500);
    expect(answer.status).toBeLessThan(500);
    expect(answer.body.data ?? null).toBeNull();
    expect(codes).toContain(answer.body.errors?.[0]?.extensions?.code);
    // Generous bound: a rejection must never be a slow path (the README quotes the real figure).
    expect(answer.ms).toBeLessThan(2_000);
    // …and the server still answers a normal query afterwards.
    const ping = await t.gql<{ state: { uf: string } }>('{ state(uf: "RS") { uf } }');
    expect(ping.data?.state.uf).toBe('RS');
    return answer;
  }

  const query = (document: string, variables?: unknown) =>
    JSON.stringify({ query: document, variables });

  it('rejects depth 1,000', async () => {
    // Three tokens per level (`state {`, `}` or `capital {`, `}`), so it stays under the token
    // limit and the depth rule is what refuses it.
    const levels = Array.from({ length: 1000 }, (_, i) => (i % 2 === 0 ? 'state' : 'capital'));
    const deep = `{ municipality(ibgeCode: "4314902") { ${levels.join(' { ')} { name ${'} '.repeat(1001)}}`;
    const answer = await expectRejected('depth 1,000', query(deep), ['BAD_USER_INPUT']);
    expect(answer.body.errors?.[0]?.message).toMatch(/(depth|Cost) limit of \d+ exceeded/);
  });

  it('rejects 10,000 aliases of one field', async () => {
    const aliases = Array.from({ length: 10_000 }, (_, i) => `a${i}: __typename`).join(' ');
    await expectRejected('10,000 aliases', query(`{ ${aliases} }`), [
      'GRAPHQL_VALIDATION_FAILED',
      'BAD_REQUEST',
      'GRAPHQL_PARSE_FAILED',
    ]);
  });

  it('rejects fragment cycles', async () => {
    const cycle = `{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }`;
    await expectRejected('fragment cycle', query(cycle), ['GRAPHQL_VALIDATION_FAILED']);
  });

  it('rejects a directive repeated 10,000 times', async () => {
    const directives = '@include(if: true) '.repeat(10_000);
    await expectRejected('10,000 directives', query(`{ __typename ${directives} }`), [
      'GRAPHQL_VALIDATION_FAILED',
      'BAD_REQUEST',
      'GRAPHQL_PARSE_FAILED',
    ]);
  });

  it('rejects a 1 MB string argument, inline or as a variable, without echoing it', async () => {
    const big = 'x'.repeat(1024 * 1024);
    const inline = await expectRejected(
      '1 MB string literal',
      query(`{ municipalities(filter: { nameContains: "${big}" }) { totalCount } }`),
      ['BAD_USER_INPUT', 'GRAPHQL_VALIDATION_FAILED'],
    );
    expect(JSON.stringify(inline.body).length).toBeLessThan(10_000);
    const variable = await expectRejected(
      '1 MB string variable',
      query('query ($s: String) { municipalities(filter: { nameContains: $s }) { totalCount } }', {
        s: big,
      }),
      ['BAD_USER_INPUT'],
    );
    expect(JSON.stringify(variable.body).length).toBeLessThan(10_000);
    expect(variable.body.errors?.[0]?.message).toMatch(/Variable \$s is 1048576 characters long/);
  });

  it('rejects a batched array of 1,000 operations', async () => {
    const batch = JSON.stringify(Array.from({ length: 1000 }, () => ({ query: '{ __typename }' })));
    await expectRejected('batch of 1,000', batch, ['BAD_REQUEST']);
  });

  it('rejects introspection loops', async () => {
    const loop = `{ __schema { types { ${'fields { type { '.repeat(8)}name${' } }'.repeat(8)} } } }`;
    await expectRejected('introspection loop', query(loop), [
      'QUERY_TOO_COMPLEX',
      'GRAPHQL_VALIDATION_FAILED',
      'BAD_REQUEST',
    ]);
  });

  it('rejects first: 1e9, as a literal and as a variable', async () => {
    await expectRejected(
      'first: 1e9 literal',
      query('{ municipalities(first: 1e9) { totalCount } }'),
      ['GRAPHQL_VALIDATION_FAILED'],
    );
    const asVariable = await post(
      t.url,
      query('query ($n: Int) { municipalities(first: $n) { nodes { name } } }', {
        n: 1_000_000_000,
      }),
    );
    measured.push({
      name: `${driver}: first: 1e9 variable`,
      status: asVariable.status,
      code: asVariable.body.errors?.[0]?.extensions?.code,
      ms: Math.round(asVariable.ms),
    });
    expect(asVariable.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(asVariable.body.errors?.[0]?.message).toMatch(/10000/);
  });

  it('refuses a body over MAX_BODY_BYTES with 413 PAYLOAD_TOO_LARGE naming the limit', async () => {
    const answer = await expectRejected(
      '3 MB body',
      query('{ __typename }', { pad: 'y'.repeat(3 * 1024 * 1024) }),
      ['PAYLOAD_TOO_LARGE'],
    );
    expect(answer.status).toBe(413);
    expect(answer.body.errors?.[0]?.message).toMatch(/larger than the limit of 2097152 bytes/);
  });

  it('answers malformed JSON with 400 BAD_REQUEST', async () => {
    const answer = await expectRejected('malformed JSON', '{"query": "{ __typename }"', [
      'BAD_REQUEST',
    ]);
    expect(answer.status).toBe(400);
  });

  it('does not echo a rejected variable value (it may be personal data)', async () => {
    const answer = await post(
      t.url,
      query('query ($n: Int) { municipalities(first: $n) { totalCount } }', {
        n: 'maria.silva@example.org; 51 99999-0000',
      }),
    );
    expect(answer.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(answer.body.errors?.[0]?.message).toMatch(
      /Variable "\$n" got invalid value; Int cannot represent non-integer value/,
    );
    expect(JSON.stringify(answer.body)).not.toMatch(/maria|99999/);
  });

  it('refuses a NUL character in any string, inline or as a variable (found by the fuzzer)', async () => {
    const inline = await post(
      t.url,
      query('{ municipalities(filter: { nameContains: "a\\u0000b" }) { totalCount } }'),
    );
    expect(inline.status).toBe(400);
    expect(inline.body.errors?.[0]?.message).toMatch(/NUL character/);
    const variable = await post(
      t.url,
      query('query ($f: MunicipalityFilter) { municipalities(filter: $f) { totalCount } }', {
        f: { nameContains: '\u0000' },
      }),
    );
    expect(variable.status).toBe(400);
    expect(variable.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(variable.body.errors?.[0]?.message).toMatch(
      /Variable \$f.nameContains contains a NUL character/,
    );
  });
  it('refuses 60 aliases and 60 directives under the token limit, naming the limit', async () => {
    const aliases = Array.from({ length: 60 }, (_, i) => `a${i}: __typename`).join(' ');
    const tooMany = await expectRejected('60 aliases', query(`{ ${aliases} }`), ['BAD_USER_INPUT']);
    expect(tooMany.body.errors?.[0]?.message).toMatch(/Aliases limit of 50 exceeded, found 60/);
    const directives = '@include(if: true) '.repeat(60);
    const repeated = await expectRejected('60 directives', query(`{ __typename ${directives}}`), [
      'BAD_USER_INPUT',
    ]);
    expect(repeated.body.errors?.[0]?.message).toMatch(/Directives limit of 50 exceeded/);
  });

  it('still answers the standard introspection query and fragments at the depth limit', async () => {
    const introspection = await post(t.url, query(getIntrospectionQuery()));
    expect(introspection.status).toBe(200);
    expect(introspection.body.errors).toBeUndefined();
    // `municipality`, eight levels and `name` through a fragment spread twice: graphql-armor counts
    // a spread as two levels, so this is exactly its MAX_DEPTH (12) and must pass both guards.
    const levels = Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? 'state' : 'capital'));
    const nested = `{ a: municipality(ibgeCode: "4314902") { ...F } b: municipality(ibgeCode: "4314902") { ...F } }
      fragment F on Municipality { ${levels.join(' { ')} { name ${'} '.repeat(8)}}`;
    const answer = await post(t.url, query(nested));
    expect(answer.status, JSON.stringify(answer.body).slice(0, 300)).toBe(200);
    expect(answer.body.errors).toBeUndefined();
  });
});
