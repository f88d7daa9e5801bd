import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrap, type App } from '../../src/app';
import { createApiKey } from '../../src/auth/api-key.service';
import { Role } from '../../src/auth/auth.enums';
import { loadConfig } from '../../src/config';
import { metricsText } from '../../src/observability/metrics';
import { driver } from '../helpers';
import { freePort } from '../child-process';

/**
 * A real streaming replica, made by the test from the machine's PostgreSQL binaries: a primary
 * cluster (initdb) and a replica of it (pg_basebackup -R) on two free ports, in a temporary folder
 * outside the repository, run as the `postgres` user.
 */
const binaries = fs.existsSync('/usr/lib/postgresql')
  ? fs
      .readdirSync('/usr/lib/postgresql')
      .map((version) => `/usr/lib/postgresql/${version}/bin`)
      .filter((dir) => fs.existsSync(path.join(dir, 'pg_basebackup')))
      .sort()
      .pop()
  : undefined;
const possible = driver === 'postgresql' && process.getuid?.() === 0 && binaries !== undefined;
if (driver === 'postgresql' && process.env.CI === 'true' && !possible) {
  // On CI a PostgreSQL test may not skip: say what is missing instead.
  throw new Error(
    'this test builds its own PostgreSQL cluster: it needs root and the PostgreSQL server binaries',
  );
}

const asPostgres = (tool: string, args: string[]) =>
  execFileSync('runuser', ['-u', 'postgres', '--', path.join(binaries!, tool), ...args], {
    stdio: 'pipe',
    timeout: 120_000,
  });

/** Statements counted per connection (`primary`, `replica-1`) so far in this process. */
async function statementsBy(): Promise<Record<string, number>> {
  const text = await metricsText();
  const counts: Record<string, number> = {};
  for (const match of text.matchAll(
    /^rede_hub_sql_statements_total\{connection="([^"]+)"\} (\d+)/gm,
  )) {
    counts[match[1]!] = Number(match[2]);
  }
  return counts;
}

describe.skipIf(!possible)('PostgreSQL read replicas (DATABASE_READ_URLS)', () => {
  let dir: string;
  let primaryPort: number;
  let replicaPort: number;
  let app: App;
  let editor: string;
  /** The statements the primary ran, for messages. */
  const primaryLog: string[] = [];
  const ctl = (data: string, action: string, extra: string[] = []) =>
    asPostgres('pg_ctl', ['-D', path.join(dir, data), '-w', ...extra, action]);

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rede-hub-replica-'));
    fs.chmodSync(dir, 0o755);
    execFileSync('chown', ['postgres', dir]);
    primaryPort = await freePort();
    replicaPort = await freePort();
    const options = (port: number) => [
      '-o',
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60`,
      '-l',
      path.join(dir, `${port}.log`),
    ];
    asPostgres('initdb', [
      '-D',
      path.join(dir, 'primary'),
      '-A',
      'trust',
      '-U',
      'postgres',
      '--no-sync',
    ]);
    ctl('primary', 'start', options(primaryPort));
    const admin = new pg.Client({
      connectionString: `postgres://postgres@127.0.0.1:${primaryPort}/postgres`,
    });
    await admin.connect();
    await admin.query('CREATE DATABASE rede_hub');
    await admin.end();
    asPostgres('pg_basebackup', [
      '-h',
      '127.0.0.1',
      '-p',
      String(primaryPort),
      '-U',
      'postgres',
      '-D',
      path.join(dir, 'replica'),
      '-R',
      '-X',
      'stream',
      '--no-sync',
    ]);
    ctl('replica', 'start', options(replicaPort));

    const config = loadConfig({
      NODE_ENV: 'test',
      PORT: '0',
      LOG_LEVEL: 'silent',
      DATABASE_URL: `postgres://postgres@127.0.0.1:${primaryPort}/rede_hub`,
      DATABASE_READ_URLS: `postgres://postgres@127.0.0.1:${replicaPort}/rede_hub`,
      RATE_LIMIT_PER_MINUTE: '0',
      DEMO_ON_START: 'false',
    });
    app = await bootstrap({ config, seed: true, onQuery: (sql) => primaryLog.push(sql) });
    editor = (await createApiKey(app.orm.em.fork(), { name: 'replica', role: Role.EDITOR })).key;
    // The replica has replayed the seeded territory.
    const replica = new pg.Client({
      connectionString: `postgres://postgres@127.0.0.1:${replicaPort}/rede_hub`,
    });
    await replica.connect();
    try {
      for (let waited = 0; ; waited += 100) {
        const { rows } = await replica.query<{ n: string; recovering: boolean }>(
          'select (select count(*) from api_keys) as n, pg_is_in_recovery() as recovering',
        );
        expect(rows[0]!.recovering).toBe(true);
        if (rows[0]!.n !== '0' || waited > 30_000) {
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      await replica.end();
    }
  }, 240_000);

  afterAll(async () => {
    await app?.close().catch(() => undefined);
    for (const data of ['replica', 'primary']) {
      try {
        ctl(data, 'stop', ['-m', 'immediate']);
      } catch {
        // already stopped
      }
    }
    if (dir) {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  const ask = async (query: string, variables = {}, headers: Record<string, string> = {}) => {
    const response = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query, variables }),
    });
    return {
      status: response.status,
      ...((await response.json()) as { data?: Record<string, unknown>; errors?: unknown[] }),
    };
  };
  const PULL =
    'query Pull($after: String) { municipalities(first: 500, after: $after, filter: { uf: ["MG"] }) { pageInfo { endCursor hasNextPage } nodes { ibgeCode name state { uf } healthRegion { code } } } }';

  /** Statements each connection ran during `work`. */
  async function statementsDuring(work: () => Promise<unknown>) {
    const before = await statementsBy();
    primaryLog.length = 0;
    await work();
    const after = await statementsBy();
    return {
      // The scrape itself reads `import_runs` on the primary (the import gauges): not the request's.
      primary: primaryLog.filter((sql) => !sql.includes('"import_runs"')).length,
      replica: (after['replica-1'] ?? 0) - (before['replica-1'] ?? 0),
    };
  }

  it('answers reads from the replica (resolvers and compiled reads alike)', async () => {
    // The first pull goes through the resolvers, the next ones through the compiled statement.
    for (let i = 0; i < 3; i += 1) {
      const used = await statementsDuring(async () => {
        const answer = await ask(PULL);
        expect(answer.errors).toBeUndefined();
        expect((answer.data!.municipalities as { nodes: unknown[] }).nodes).toHaveLength(500);
      });
      expect(used.primary).toBe(0);
      expect(used.replica).toBeGreaterThan(0);
    }
  });

  it('sends writes, and the writer’s next reads, to the primary: a client reads its own write', async () => {
    const auth = { authorization: `Bearer ${editor}` };
    for (let i = 0; i < 5; i += 1) {
      const code = `replica-ryw-${i}`;
      const written = await statementsDuring(async () => {
        const answer = await ask(
          'mutation ($rows: [PersonUpsertInput!]!) { upsertPeople(rows: $rows) { rows { status } } }',
          { rows: [{ code, name: `Pessoa Fictícia ${i}` }] },
          auth,
        );
        expect(answer.errors).toBeUndefined();
      });
      expect(written.replica).toBe(0);
      const readBack = await statementsDuring(async () => {
        const answer = await ask(
          'query Mine($code: [String!]) { people(filter: { code: $code }) { nodes { code } } }',
          { code: [code] },
          auth,
        );
        expect(answer.data).toEqual({ people: { nodes: [{ code }] } });
      });
      expect(readBack).toMatchObject({ replica: 0 });
      expect(readBack.primary).toBeGreaterThan(0);
    }
    // Anyone else reads from the replica, and so does the writer with no recent write…
    const others = await statementsDuring(() => ask('{ states(first: 3) { nodes { uf } } }'));
    expect(others).toMatchObject({ primary: 0 });
    // …and a read that asks for the primary gets it.
    const asked = await statementsDuring(() =>
      ask('{ states(first: 3) { nodes { uf } } }', {}, { 'x-rede-consistency': 'primary' }),
    );
    expect(asked).toMatchObject({ replica: 0 });
  });

  it('falls back to the primary without an error when the replica dies', async () => {
    for (let i = 0; i < 2; i += 1) {
      expect((await ask(PULL)).errors).toBeUndefined();
    }
    const failures: unknown[] = [];
    let requests = 0;
    let stop = false;
    const reader = async () => {
      while (!stop) {
        requests += 1;
        const answer = await ask(PULL);
        if (answer.status !== 200 || answer.errors) {
          failures.push(answer.errors ?? answer.status);
        }
      }
    };
    const readers = Array.from({ length: 8 }, () => reader());
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    ctl('replica', 'stop', ['-m', 'immediate']);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    stop = true;
    await Promise.all(readers);
    const after = await statementsDuring(() => ask(PULL));
    console.log(
      JSON.stringify({
        replicaTest: {
          requests,
          failures: failures.length,
          rssMB: Math.round(process.memoryUsage().rss / 1e6),
        },
      }),
    );
    expect(failures.slice(0, 3)).toEqual([]);
    expect(requests).toBeGreaterThan(8);
    expect(after).toMatchObject({ replica: 0 });
    expect(after.primary).toBeGreaterThan(0);
  });
});
