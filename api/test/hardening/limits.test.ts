import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKey } from '../../src/auth/api-key.entity';
import { Role } from '../../src/auth/auth.enums';
import { initOrm, type Orm } from '../../src/db/orm';
import http from 'node:http';
import { createTestApp, databaseAvailable, driver, type TestApp } from '../helpers';
import { lockMunicipalities } from './database-lock';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function redisReachable(): Promise<boolean> {
  const { Redis } = await import('ioredis');
  const client = new Redis(REDIS_URL, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: 1000,
  });
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

const ping = '{ state(uf: "RS") { uf } }';

async function get(url: string, headers: Record<string, string> = {}) {
  return fetch(`${url}/graphql?query=${encodeURIComponent(ping)}`, {
    headers: { 'apollo-require-preflight': 'true', ...headers },
  });
}

describe.skipIf(!databaseAvailable)('rate limiting', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { RATE_LIMIT_PER_MINUTE: '5' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('gives each key its own budget per minute and answers 429 RATE_LIMITED with Retry-After', async () => {
    const first = await t.createKey(Role.READER, null, 'first');
    const second = await t.createKey(Role.READER, null, 'second');
    for (let i = 0; i < 5; i += 1) {
      const ok = await t.gql(ping, {}, { authorization: `Bearer ${first}` });
      expect(ok.status).toBe(200);
    }
    const refused = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${first}` },
      body: JSON.stringify({ query: ping }),
    });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    const body = (await refused.json()) as {
      errors: { message: string; extensions: { code: string } }[];
    };
    expect(body.errors[0]!.extensions.code).toBe('RATE_LIMITED');
    expect(body.errors[0]!.message).toMatch(/5 requests per minute/);
    // Another key, and anonymous clients (by address), are not affected.
    expect((await t.gql(ping, {}, { authorization: `Bearer ${second}` })).status).toBe(200);
    expect((await get(t.url)).status).toBe(200);
  });
});

describe.skipIf(!databaseAvailable)('rate limiting shared through Redis', () => {
  let a: TestApp;
  let b: TestApp;
  let redisAvailable = false;
  beforeAll(async () => {
    redisAvailable = await redisReachable();
    if (!redisAvailable) {
      if (process.env.CI === 'true') {
        throw new Error(`Redis is not reachable at ${REDIS_URL}; on CI this test must run`);
      }
      return;
    }
    const env = { RATE_LIMIT_PER_MINUTE: '6', REDIS_URL };
    [a, b] = await Promise.all([createTestApp({ env }), createTestApp({ env })]);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  it('makes two API instances spend one budget per key', async (context) => {
    if (!redisAvailable) {
      context.skip(`Redis is not reachable at ${REDIS_URL}`);
    }
    const key = await a.createKey(Role.READER, null, 'shared');
    // The same key row on the second instance's database (as two instances over one PostgreSQL).
    const row = await a.app.orm.em.fork().findOneOrFail(ApiKey, { name: 'shared' });
    const em = b.app.orm.em.fork();
    em.create(ApiKey, {
      name: row.name,
      role: row.role,
      prefix: row.prefix,
      secretHash: row.secretHash,
      stateUf: null,
    });
    await em.flush();
    const auth = { authorization: `Bearer ${key}` };
    const statuses: number[] = [];
    for (const app of [a, b, a, b, a, b, a, b]) {
      statuses.push((await app.gql(ping, {}, auth)).status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429, 429]);
  });
});

describe.skipIf(!databaseAvailable)('CORS', () => {
  let closed: TestApp;
  let open: TestApp;
  beforeAll(async () => {
    [closed, open] = await Promise.all([
      createTestApp(),
      createTestApp({
        env: { CORS_ORIGINS: 'https://painel.example.org, https://outro.example.org' },
      }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([closed?.close(), open?.close()]);
  });

  async function preflight(url: string, origin: string) {
    return fetch(`${url}/graphql`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type, authorization',
      },
    });
  }

  it('is closed by default: no origin is allowed', async () => {
    const response = await preflight(closed.url, 'https://painel.example.org');
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('allows exactly the origins listed in CORS_ORIGINS', async () => {
    const allowed = await preflight(open.url, 'https://painel.example.org');
    expect(allowed.status).toBeLessThan(300);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://painel.example.org');
    expect(allowed.headers.get('access-control-allow-headers')).toMatch(/authorization/);
    const refused = await preflight(open.url, 'https://evil.example.net');
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe.skipIf(!databaseAvailable)('request timeout', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { REQUEST_TIMEOUT_MS: '300' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers 503 TIMEOUT to a client that never finishes sending its body (slowloris)', async () => {
    const { port } = new URL(t.url);
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = http.request(
        {
          host: '127.0.0.1',
          port,
          path: '/graphql',
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': '1000' },
        },
        (response) => {
          let body = '';
          response.on('data', (chunk: Buffer) => (body += chunk.toString()));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
        },
      );
      request.on('error', reject);
      request.write('{"query": "{ __typ');
      // …and never the rest.
    });
    expect(answer.status).toBe(503);
    expect(JSON.parse(answer.body).errors[0].extensions.code).toBe('TIMEOUT');
    expect((await t.gql('{ __typename }')).data).toEqual({ __typename: 'Query' });
  });

  it.skipIf(driver !== 'postgresql')(
    'answers 503 TIMEOUT when the database keeps a query waiting, then serves the next one',
    async () => {
      const release = await lockMunicipalities(t.config.database);
      let response: Response;
      try {
        response = await fetch(`${t.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: '{ municipalities(first: 1) { nodes { name } } }' }),
        });
      } finally {
        await release();
      }
      expect(response.status).toBe(503);
      const body = (await response.json()) as {
        errors: { message: string; extensions: { code: string } }[];
      };
      expect(body.errors[0]!.extensions.code).toBe('TIMEOUT');
      expect(body.errors[0]!.message).toMatch(/within 300 ms/);
      const after = await t.gql<{ municipalities: { nodes: { name: string }[] } }>(
        '{ municipalities(first: 1, filter: { ibgeCode: ["4314902"] }) { nodes { name } } }',
      );
      expect(after.data?.municipalities.nodes[0]?.name).toBe('Porto Alegre');
    },
  );
});

describe.skipIf(!databaseAvailable || driver !== 'postgresql')(
  'PostgreSQL statement timeout',
  () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({
        env: { STATEMENT_TIMEOUT_MS: '200', IDLE_IN_TRANSACTION_TIMEOUT_MS: '1500' },
      });
    });
    afterAll(async () => {
      await t?.close();
    });

    const setting = async (orm: Orm, name: string) => {
      const rows = await orm.em
        .getConnection()
        .execute<{ value: string }[]>(`select current_setting('${name}') as value`);
      return rows[0]!.value;
    };

    it('sets statement_timeout and idle_in_transaction_session_timeout on the API connections only', async () => {
      expect(await setting(t.app.orm, 'statement_timeout')).toBe('200ms');
      expect(await setting(t.app.orm, 'idle_in_transaction_session_timeout')).toBe('1500ms');
      // The CLI (imports, migrations) opens its ORM without timeouts: a long import may run long.
      const cli = await initOrm({ database: t.config.database });
      try {
        expect(await setting(cli, 'statement_timeout')).toBe('0');
        expect(await setting(cli, 'idle_in_transaction_session_timeout')).toBe('0');
      } finally {
        await cli.close(true);
      }
    });

    it('cancels a statement that waits past STATEMENT_TIMEOUT_MS and answers TIMEOUT, then serves the next request', async () => {
      const release = await lockMunicipalities(t.config.database);
      let answer: Awaited<ReturnType<TestApp['gql']>>;
      const started = performance.now();
      try {
        answer = await t.gql('{ municipalities(first: 1) { nodes { name } } }');
      } finally {
        await release();
      }
      // Well before REQUEST_TIMEOUT_MS (30 s): the database gave up, not the HTTP layer.
      expect(performance.now() - started).toBeLessThan(20_000);
      expect(answer.errors?.[0]?.extensions?.code).toBe('TIMEOUT');
      expect(answer.errors?.[0]?.message).toMatch(/STATEMENT_TIMEOUT_MS/);
      const after = await t.gql<{ municipalities: { nodes: { name: string }[] } }>(
        '{ municipalities(first: 1, filter: { ibgeCode: ["4314902"] }) { nodes { name } } }',
      );
      expect(after.data?.municipalities.nodes[0]?.name).toBe('Porto Alegre');
    });
  },
);
