import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../src/auth/auth.enums';
import { loadConfig } from '../../src/config';
import { ImportRun, ImportStatus } from '../../src/imports/import-run.entity';
import { createTestApp, databaseAvailable, driver, type TestApp } from '../helpers';

const TOKEN = 'metrics-token-for-the-test-0123456789';

/** One sample of the exposition text: `name{a="1",b="2"} value`. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function samples(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line)!;
      const labels = Object.fromEntries(
        [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!]),
      );
      return { name: match[1]!, labels, value: Number(match[3]) };
    });
}

/** Sum of the samples of `name` whose labels include `labels`. */
function sum(all: Sample[], name: string, labels: Record<string, string> = {}): number {
  return all
    .filter(
      (sample) =>
        sample.name === name &&
        Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
    )
    .reduce((total, sample) => total + sample.value, 0);
}

async function scrape(url: string, token?: string) {
  const response = await fetch(url, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    text: await response.text(),
  };
}

describe.skipIf(!databaseAvailable)('/metrics', () => {
  let open: TestApp;
  let guarded: TestApp;
  let ownPort: TestApp;
  beforeAll(async () => {
    [open, guarded, ownPort] = await Promise.all([
      createTestApp(),
      createTestApp({ env: { METRICS_TOKEN: TOKEN, RATE_LIMIT_PER_MINUTE: '3' } }),
      createTestApp({ env: { METRICS_PORT: '0' } }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([open?.close(), guarded?.close(), ownPort?.close()]);
  });

  it('is not public by default: no route without METRICS_TOKEN or METRICS_PORT', async () => {
    expect((await scrape(`${open.url}/metrics`)).status).toBe(404);
    expect(open.app.metricsUrl).toBeUndefined();
  });

  it('answers on the API port only to the bearer of METRICS_TOKEN', async () => {
    const none = await scrape(`${guarded.url}/metrics`);
    expect(none.status).toBe(401);
    expect(none.text).not.toContain('rede_hub_');
    expect((await scrape(`${guarded.url}/metrics`, `${TOKEN}x`)).status).toBe(401);
    expect((await scrape(`${guarded.url}/metrics`, TOKEN.slice(1))).status).toBe(401);
    const ok = await scrape(`${guarded.url}/metrics`, TOKEN);
    expect(ok.status).toBe(200);
    expect(ok.type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(ok.text).toContain('# TYPE rede_hub_graphql_requests_total counter');
  });

  it('answers on its own port without a token, and not on the API port', async () => {
    expect(ownPort.app.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const ok = await scrape(ownPort.app.metricsUrl!);
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('rede_hub_process_resident_memory_bytes');
    expect((await scrape(`${ownPort.url}/metrics`)).status).toBe(404);
    expect((await scrape(ownPort.app.metricsUrl!.replace('/metrics', '/other'))).status).toBe(404);
  });

  it('counts requests by operation and outcome, latency, compiled vs resolved reads, SQL and the pool', async () => {
    const before = samples((await scrape(ownPort.app.metricsUrl!)).text);
    const pull =
      'query Pull { municipalities(first: 3, filter: { uf: ["RS"] }) { nodes { ibgeCode name } } }';
    // The first request of a document is resolved (and compiled for later); the next are compiled.
    for (let i = 0; i < 3; i += 1) {
      expect((await ownPort.gql(pull)).status).toBe(200);
    }
    const bad = await ownPort.gql('query Broken { municipality(ibgeCode: "12") { name } }');
    const badCode = bad.errors?.[0]?.extensions?.code as string;
    expect(badCode).toBeTruthy();
    const unauthenticated = await ownPort.gql(
      'mutation Renaming { upsertPeople(rows: [{ code: "x", name: "Y" }]) { rows { status } } }',
    );
    const deniedCode = unauthenticated.errors?.[0]?.extensions?.code as string;
    expect(deniedCode).toBeTruthy();
    const editor = await ownPort.createKey(Role.EDITOR);
    const written = await ownPort.gql(
      'mutation Writing { upsertPeople(rows: [{ code: "metrics-1", name: "Pessoa Fictícia" }]) { rows { status } } }',
      {},
      { authorization: `Bearer ${editor}` },
    );
    expect(written.errors).toBeUndefined();
    const after = samples((await scrape(ownPort.app.metricsUrl!)).text);
    const delta = (name: string, labels: Record<string, string> = {}) =>
      sum(after, name, labels) - sum(before, name, labels);

    expect(
      delta('rede_hub_graphql_requests_total', {
        operation: 'Pull',
        type: 'query',
        status: '200',
        code: 'OK',
      }),
    ).toBe(3);
    expect(delta('rede_hub_graphql_requests_total', { operation: 'Broken', code: badCode })).toBe(
      1,
    );
    expect(
      delta('rede_hub_graphql_requests_total', {
        operation: 'Renaming',
        type: 'mutation',
        code: deniedCode,
      }),
    ).toBe(1);
    expect(
      delta('rede_hub_graphql_requests_total', {
        operation: 'Writing',
        type: 'mutation',
        code: 'OK',
      }),
    ).toBe(1);
    expect(delta('rede_hub_graphql_request_duration_seconds_count', { operation: 'Pull' })).toBe(3);
    expect(
      delta('rede_hub_graphql_request_duration_seconds_bucket', { operation: 'Pull', le: '+Inf' }),
    ).toBe(3);
    // The first Pull and Broken (answered 200 with its error) went through the resolvers.
    expect(delta('rede_hub_reads_total', { path: 'resolved' })).toBe(2);
    expect(delta('rede_hub_reads_total', { path: 'compiled' })).toBe(2);
    // At least one statement per read and two for the write (transaction and audit included).
    expect(
      delta('rede_hub_sql_statements_total', { connection: 'primary' }),
    ).toBeGreaterThanOrEqual(5);
    expect(delta('rede_hub_sql_statement_duration_seconds_count')).toBeGreaterThanOrEqual(5);
    // PostgreSQL's pool is the ORM's 10; SQLite's is knex's default for the driver.
    expect(sum(after, 'rede_hub_db_pool_connections', { pool: 'primary', state: 'max' })).toBe(
      driver === 'postgresql' ? 10 : 1,
    );
    expect(
      after.some((s) => s.name === 'rede_hub_db_pool_connections' && s.labels.state === 'used'),
    ).toBe(true);
  });

  it('counts rate-limit refusals', async () => {
    const before = samples((await scrape(`${guarded.url}/metrics`, TOKEN)).text);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      statuses.push((await guarded.gql('{ states(first: 1) { totalCount } }')).status);
    }
    expect(statuses.filter((status) => status === 429)).toHaveLength(2);
    const after = samples((await scrape(`${guarded.url}/metrics`, TOKEN)).text);
    expect(
      sum(after, 'rede_hub_rate_limit_refusals_total', { identity: 'ip' }) -
        sum(before, 'rede_hub_rate_limit_refusals_total', { identity: 'ip' }),
    ).toBe(2);
    expect(
      sum(after, 'rede_hub_graphql_requests_total', { status: '429', code: 'RATE_LIMITED' }) -
        sum(before, 'rede_hub_graphql_requests_total', { status: '429', code: 'RATE_LIMITED' }),
    ).toBe(2);
  });

  it('reports the imports recorded in the database, runs and rows, by kind and status', async () => {
    const em = ownPort.app.orm.em.fork();
    const run = (status: ImportStatus, created: number, updated: number) =>
      em.create(ImportRun, {
        kind: 'events',
        fileNames: ['e.csv'],
        sha256: 'a'.repeat(64),
        status,
        actor: 'cli:test',
        startedAt: new Date(),
        errors: [],
        counts: { Event: { created, updated, unchanged: 7, deleted: 0 } },
      });
    run(ImportStatus.SUCCEEDED, 200, 0);
    run(ImportStatus.SUCCEEDED, 10, 5);
    run(ImportStatus.FAILED, 0, 0);
    const before = samples((await scrape(ownPort.app.metricsUrl!)).text);
    await em.flush();
    // Figures are read at most every 15 s; an instance starting (as here) reads afresh.
    const fresh = await createTestApp({ env: { METRICS_PORT: '0' } });
    try {
      const after = samples((await scrape(fresh.app.metricsUrl!)).text);
      const delta = (name: string, labels: Record<string, string>) =>
        sum(after, name, labels) - sum(before, name, labels);
      expect(delta('rede_hub_import_runs', { kind: 'events', status: 'SUCCEEDED' })).toBe(2);
      expect(delta('rede_hub_import_runs', { kind: 'events', status: 'FAILED' })).toBe(1);
      expect(delta('rede_hub_import_rows', { kind: 'events', status: 'SUCCEEDED' })).toBe(215);
    } finally {
      await fresh.close();
    }
  });
});

describe('metrics configuration', () => {
  it('refuses a short METRICS_TOKEN and a METRICS_PORT that is not a port', () => {
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(
      'Invalid METRICS_TOKEN="short": METRICS_TOKEN must be at least 16 characters (e.g. openssl rand -hex 24)',
    );
    expect(() => loadConfig({ METRICS_PORT: 'ninety' })).toThrow(
      'Invalid METRICS_PORT="ninety": METRICS_PORT must be a number',
    );
    expect(loadConfig({}).metrics).toEqual({ host: '127.0.0.1' });
  });
});
