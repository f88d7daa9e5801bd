import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, databaseAvailable, type TestApp } from '../helpers';

/** Fixed seed so a failure replays; `FUZZ_RUNS` raises the count for a longer local hunt. */
const SEED = Number(process.env.FUZZ_SEED ?? 20261123);
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);

interface Answer {
  status: number;
  body: { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] };
}

const MUNICIPALITIES = `query Fuzz($filter: MunicipalityFilter, $first: Int, $last: Int, $after: String, $before: String, $orderBy: [MunicipalityOrder!]) {
  municipalities(filter: $filter, first: $first, last: $last, after: $after, before: $before, orderBy: $orderBy) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { ibgeCode name population state { uf } healthRegion { code } } }
  }
}`;

const ufs = ['RS', 'MT', 'SP', 'AC', 'rs', 'XX', '', 'R\u0000S'];
const text = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom(
    'são',
    'SÃO',
    "O'Brien",
    '%',
    '_',
    '\\',
    '%%_',
    'Porto Alegre',
    '\u0000',
    '😀',
    ' ',
  ),
);
const smallInt = fc.oneof(
  fc.integer({ min: -5, max: 200 }),
  fc.constantFrom(0, 2_147_483_647, -2_147_483_648),
);
const wellTypedFilter = fc.record(
  {
    uf: fc.array(fc.constantFrom(...ufs), { maxLength: 4 }),
    ibgeCode: fc.array(
      fc.oneof(
        fc.constantFrom('4314902', '5101837', '431490', '0000000'),
        fc.string({ maxLength: 8 }),
      ),
      { maxLength: 3 },
    ),
    healthRegionCode: fc.array(
      fc.oneof(fc.constantFrom('43001', '51001'), fc.string({ maxLength: 6 })),
      { maxLength: 3 },
    ),
    macroregionCode: fc.array(fc.string({ maxLength: 6 }), { maxLength: 2 }),
    nameContains: text,
    populationMin: smallInt,
    populationMax: fc.oneof(smallInt, fc.integer({ min: 0, max: 20_000_000 })),
    capital: fc.boolean(),
    hasHealthRegion: fc.boolean(),
    includeDeleted: fc.boolean(),
    sizeClass: fc.array(fc.constantFrom('UP_TO_5K', 'OVER_500K', 'FROM_10K_TO_20K'), {
      maxLength: 3,
    }),
    managementType: fc.array(fc.constantFrom('APS_ONLY', 'FULL', 'PARTIAL_MEDIUM_COMPLEXITY'), {
      maxLength: 2,
    }),
  },
  { requiredKeys: [] },
);
/** Any JSON where a typed input is expected: wrong types, unknown keys, nesting. */
const hostileValue = fc.jsonValue({ maxDepth: 3 });
const cursor = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.base64String({ maxLength: 40 }),
  fc
    .jsonValue({ maxDepth: 2 })
    .map((value) => Buffer.from(JSON.stringify(value)).toString('base64')),
  fc
    .jsonValue({ maxDepth: 2 })
    .map((value) => Buffer.from(JSON.stringify(value)).toString('base64url')),
  fc.constantFrom('', '=', 'YXJyYXljb25uZWN0aW9uOjA=', 'bnVsbA==', 'e30=', 'W10=', 'eyJpZCI6LTF9'),
);
const orderBy = fc.array(
  fc.constantFrom('NAME_ASC', 'NAME_DESC', 'POPULATION_DESC', 'UF_ASC', 'IBGE_CODE_DESC'),
  { maxLength: 3 },
);
const pageSize = fc.option(
  fc.oneof(fc.integer({ min: -2, max: 50 }), fc.constantFrom(10_000, 10_001, 1e9)),
  { nil: undefined },
);

describe.skipIf(!databaseAvailable)('fuzzing (fast-check, fixed seed)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  async function send(body: unknown): Promise<Answer> {
    const response = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    const raw = await response.text();
    let parsed: Answer['body'];
    try {
      parsed = JSON.parse(raw) as Answer['body'];
    } catch {
      throw new Error(`not JSON (status ${response.status}): ${raw.slice(0, 200)}`);
    }
    return { status: response.status, body: parsed };
  }

  /** The property every case shares: a clear client error or an answer, never a server fault. */
  function expectNoServerFault(answer: Answer): void {
    expect(answer.status, JSON.stringify(answer.body).slice(0, 500)).toBeLessThan(500);
    for (const error of answer.body.errors ?? []) {
      expect(error.extensions?.code, error.message).toBeDefined();
      expect(error.extensions?.code, error.message).not.toBe('INTERNAL_SERVER_ERROR');
    }
  }

  interface Page {
    municipalities: {
      totalCount: number;
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
      edges: { cursor: string; node: { ibgeCode: string } }[];
    };
  }

  it('filters, ordering and page sizes: no server fault, and pages stay consistent', async () => {
    await fc.assert(
      fc.asyncProperty(wellTypedFilter, orderBy, pageSize, async (filter, order, first) => {
        const answer = await send({
          query: MUNICIPALITIES,
          variables: { filter, orderBy: order, first },
        });
        expectNoServerFault(answer);
        const page = answer.body.data as Page | null | undefined;
        if (page?.municipalities) {
          const { totalCount, edges } = page.municipalities;
          expect(edges.length).toBeLessThanOrEqual(Math.min(totalCount, first ?? 100));
          expect(new Set(edges.map((edge) => edge.node.ibgeCode)).size).toBe(edges.length);
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('cursors: forged, truncated and foreign cursors never fault', async () => {
    await fc.assert(
      fc.asyncProperty(cursor, fc.boolean(), pageSize, async (forged, backwards, size) => {
        const variables = backwards
          ? { before: forged, last: size }
          : { after: forged, first: size };
        expectNoServerFault(await send({ query: MUNICIPALITIES, variables }));
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('a real cursor, walked forward, returns each municipality once', async () => {
    const seen = new Set<string>();
    let after: string | null = null;
    let total = 0;
    for (let pageNo = 0; pageNo < 20; pageNo += 1) {
      const answer = await send({
        query: MUNICIPALITIES,
        variables: { filter: { uf: ['MT'] }, first: 10, after, orderBy: ['NAME_ASC'] },
      });
      expectNoServerFault(answer);
      const page = (answer.body.data as Page).municipalities;
      total = page.totalCount;
      for (const edge of page.edges) {
        expect(seen.has(edge.node.ibgeCode)).toBe(false);
        seen.add(edge.node.ibgeCode);
      }
      if (!page.pageInfo.hasNextPage) {
        break;
      }
      after = page.pageInfo.endCursor;
    }
    expect(seen.size).toBe(total);
  });

  it('variables of any JSON shape never fault', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          { filter: hostileValue, first: hostileValue, after: hostileValue, orderBy: hostileValue },
          { requiredKeys: [] },
        ),
        fc.oneof(hostileValue, fc.constant(undefined)),
        async (variables, whole) => {
          expectNoServerFault(
            await send({
              query: MUNICIPALITIES,
              variables: whole === undefined ? variables : whole,
            }),
          );
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('mutated documents and bodies never fault', async () => {
    const documents = [
      MUNICIPALITIES,
      '{ state(uf: "RS") { name capital { name } healthRegions(first: 3) { nodes { code } } } }',
    ];
    const edit = fc.record({
      at: fc.nat(),
      remove: fc.nat({ max: 5 }),
      insert: fc.oneof(
        fc.string({ maxLength: 6 }),
        fc.constantFrom('{', '}', '(', ')', '$', '...', '@', '"', '#', '!', ':', '\\u0000'),
      ),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...documents),
        fc.array(edit, { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        async (document, edits, rawBody) => {
          let mutated = document;
          for (const { at, remove, insert } of edits) {
            const i = at % (mutated.length + 1);
            mutated = mutated.slice(0, i) + insert + mutated.slice(i + remove);
          }
          // Either a GraphQL document with damage, or a damaged JSON body around a good one.
          const body = rawBody
            ? JSON.stringify({ query: document }).slice(0, edits[0]!.at % 60) + mutated
            : { query: mutated };
          expectNoServerFault(await send(body));
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });
});
