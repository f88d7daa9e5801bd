/**
 * `npm run bench` — Rede Hub side by side with PostGraphile v5 and the SQL floor, on the same
 * PostgreSQL data, in one run; plus Rede Hub on SQLite. Prints one table of ratios and writes
 * bench/results/<date>.json. `--quick` is a one-minute smoke run on a smaller workload.
 *
 * Options: --quick, --cases nestedPull,lookup,page,aggregate, --seconds N, --events N.
 */
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import pg from 'pg';
import { cases, type CaseDefinition, type CaseVariables } from './cases';
import { benchDatabases, prepareData } from './data';
import { percentile, runLoad, summarise, type LoadResult, type LoadSample } from './load';
import { ensurePeers } from './peers';
import {
  cpuMsOf,
  redeHubEnv,
  sampleRss,
  settle,
  startServer,
  type ServerProcess,
} from './processes';
import { renderTable, type CaseReport, type TargetReport, type TargetId } from './report';
import { type RedeHubServerMessage } from './rede-hub-server';

const root = path.resolve(__dirname, '..', '..');
const log = (line: string) => process.stdout.write(`${line}\n`);

interface Options {
  quick: boolean;
  cases: string[];
  seconds: number;
  warmupSeconds: number;
  rounds: number;
  events: number;
}

function parseOptions(argv: string[]): Options {
  const quick = argv.includes('--quick');
  const value = (name: string) => {
    const index = argv.indexOf(name);
    return index >= 0 ? argv[index + 1] : undefined;
  };
  const known = cases.map((c) => c.id as string);
  const selected = (value('--cases') ?? known.join(',')).split(',').filter(Boolean);
  for (const id of selected) {
    if (!known.includes(id)) {
      throw new Error(`--cases: unknown case "${id}"; known: ${known.join(', ')}`);
    }
  }
  const number = (name: string, fallback: number) => {
    const raw = value(name);
    if (raw === undefined) {
      return fallback;
    }
    const parsed = Number(raw);
    if (!Number.isFinite(parsed) || parsed <= 0) {
      throw new Error(`${name} must be a positive number (got "${raw}")`);
    }
    return parsed;
  };
  return {
    quick,
    cases: selected,
    seconds: number('--seconds', quick ? 2 : 20),
    warmupSeconds: quick ? 1 : 5,
    rounds: quick ? 1 : 4,
    events: number('--events', quick ? 50_000 : 1_000_000),
  };
}

interface GraphQLBody {
  data?: unknown;
  errors?: { message: string }[];
}

async function post(url: string, body: string): Promise<GraphQLBody> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body,
  });
  const json = (await response.json()) as GraphQLBody;
  if (!response.ok && !json.errors) {
    throw new Error(`${url}: HTTP ${response.status}`);
  }
  return json;
}

function bodyFor(query: string, operationName: string, variables: Record<string, unknown>) {
  return JSON.stringify({ query, operationName, variables });
}

/** Where two answers first differ, for the error message. */
function firstDifference(a: unknown, b: unknown, at = '$'): string {
  if (isDeepStrictEqual(a, b)) {
    return '';
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) {
      return `${at}: ${a.length} items vs ${b.length}`;
    }
    for (let i = 0; i < a.length; i += 1) {
      const found = firstDifference(a[i], b[i], `${at}[${i}]`);
      if (found) {
        return found;
      }
    }
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const found = firstDifference(
        (a as Record<string, unknown>)[key],
        (b as Record<string, unknown>)[key],
        `${at}.${key}`,
      );
      if (found) {
        return found;
      }
    }
  }
  return `${at}: ${JSON.stringify(a)?.slice(0, 200)} vs ${JSON.stringify(b)?.slice(0, 200)}`;
}

interface Target {
  id: TargetId;
  server: ServerProcess;
  /** Rede Hub counts its SQL statements; the others do not. */
  countsStatements: boolean;
  document(definition: CaseDefinition): string | null;
  normaliseAs: 'redeHub' | 'postgraphile' | 'floor';
}

async function statementsPerRequest(
  server: ServerProcess,
  url: string,
  bodies: string[],
): Promise<number> {
  // Counted as a repeated request: the first of a document runs the resolvers and compiles it.
  for (const body of bodies) {
    await post(url, body);
  }
  await server.request({ type: 'count' }, 'counting');
  for (const body of bodies) {
    await post(url, body);
  }
  const { count } = await server.request<Extract<RedeHubServerMessage, { type: 'statements' }>>(
    { type: 'read' },
    'statements',
  );
  server.child.send({ type: 'quiet' });
  return count / bodies.length;
}

async function rawSqlTimes(
  pool: pg.Pool,
  definition: CaseDefinition,
  variables: CaseVariables,
  codes: string[],
  seconds: number,
): Promise<LoadResult> {
  const times: number[] = [];
  const started = performance.now();
  const until = started + seconds * 1000;
  for (let n = 0; performance.now() < until; n += 1) {
    const t0 = performance.now();
    await pool.query({
      text: definition.floorSql,
      values: definition.floorParams(variables, codes[n % codes.length]!),
      rowMode: 'array',
    });
    times.push(performance.now() - t0);
  }
  const elapsed = (performance.now() - started) / 1000;
  times.sort((a, b) => a - b);
  return {
    requests: times.length,
    seconds: elapsed,
    throughput: times.length / elapsed,
    p50: percentile(times, 50),
    p99: percentile(times, 99),
    errors: 0,
    non2xx: 0,
  };
}

function machine() {
  const version = (command: string, args: string[]) => {
    try {
      return execFileSync(command, args, { encoding: 'utf8' }).trim();
    } catch {
      return 'unknown';
    }
  };
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    loadAverage: os.loadavg().map((n) => Math.round(n * 100) / 100),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    commit: version('git', ['-C', root, 'rev-parse', '--short', 'HEAD']),
  };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const startedAt = new Date();
  log(`Rede Hub benchmark ${options.quick ? '(quick) ' : ''}— ${startedAt.toISOString()}`);
  const peers = ensurePeers(root, log);
  const databases = benchDatabases(root, options.events);
  log(`preparing data (${databases.postgres.name}, ${path.relative(root, databases.sqlite.file)})`);
  const data = await prepareData(databases, options.events, log);
  log(
    `  ${data.municipalities} municipalities, ${data.currentGestores} current gestores, ${data.events.toLocaleString('en')} events`,
  );

  const pool = new pg.Pool({ connectionString: databases.postgres.url, max: 2 });
  const [{ version: postgresVersion }] = (
    await pool.query<{ version: string }>("select current_setting('server_version') as version")
  ).rows as [{ version: string }];
  const codes = (
    await pool.query<{ ibge_code: string }>(
      'select ibge_code from municipalities where deleted_at is null order by md5(ibge_code)',
    )
  ).rows.map((row) => row.ibge_code);

  const dist = path.join(root, 'dist', 'bench');
  log('starting servers');
  const servers = {
    redeHub: await startServer({
      name: 'Rede Hub (PostgreSQL)',
      node: process.execPath,
      script: path.join(dist, 'rede-hub-server.js'),
      env: redeHubEnv(databases.postgres.url),
    }),
    postgraphile: await startServer({
      name: 'PostGraphile v5',
      node: peers.node22,
      script: path.join(dist, 'postgraphile-server.js'),
      env: {
        NODE_ENV: 'production',
        GRAPHILE_ENV: 'production',
        DATABASE_URL: databases.postgres.url,
        BENCH_PEERS_DIR: peers.dir,
        PORT: '0',
      },
    }),
    floor: await startServer({
      name: 'SQL floor over HTTP',
      node: process.execPath,
      script: path.join(dist, 'floor-server.js'),
      env: { DATABASE_URL: databases.postgres.url, PORT: '0' },
    }),
    redeHubSqlite: await startServer({
      name: 'Rede Hub (SQLite)',
      node: process.execPath,
      script: path.join(dist, 'rede-hub-server.js'),
      env: redeHubEnv(databases.sqlite.url),
    }),
  };
  const targets: Target[] = [
    {
      id: 'redeHub',
      server: servers.redeHub,
      countsStatements: true,
      document: (d) => d.redeHub,
      normaliseAs: 'redeHub',
    },
    {
      id: 'postgraphile',
      server: servers.postgraphile,
      countsStatements: false,
      document: (d) => d.postgraphile,
      normaliseAs: 'postgraphile',
    },
    {
      id: 'floor',
      server: servers.floor,
      countsStatements: false,
      document: (d) => d.redeHub,
      normaliseAs: 'floor',
    },
    {
      id: 'redeHubSqlite',
      server: servers.redeHubSqlite,
      countsStatements: true,
      document: (d) => d.redeHub,
      normaliseAs: 'redeHub',
    },
  ];

  const variables: CaseVariables = { asOf: new Date().toISOString().slice(0, 10), uf: 'MG' };
  const reports: CaseReport[] = [];
  const stamp = startedAt.toISOString().slice(0, 16).replace(/[:T]/g, '-');
  const resultsFile = path.join(
    root,
    'bench',
    'results',
    `${stamp}${options.quick ? '-quick' : ''}.json`,
  );
  /** Writes what is measured so far (after every case), and returns the table. */
  const save = (statementsByPageSize?: Record<string, number>): string => {
    const table = renderTable(reports);
    const result = {
      date: startedAt.toISOString(),
      command: `npm run bench${options.quick ? ' -- --quick' : ''}`,
      options,
      machine: { ...machine(), postgres: postgresVersion },
      versions: { ...peers.versions, rede_hub_node: process.version },
      data,
      statementsByPageSize,
      cases: reports,
      table,
    };
    fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
    fs.writeFileSync(resultsFile, `${JSON.stringify(result, null, 2)}\n`);
    return `${table}\n\nwritten ${path.relative(root, resultsFile)}`;
  };
  try {
    for (const definition of cases.filter((c) => options.cases.includes(c.id))) {
      log(`\ncase ${definition.id}: ${definition.title}`);
      const report: CaseReport = {
        id: definition.id,
        title: definition.title,
        connections: definition.connections,
        targets: {},
        notes: [],
      };
      reports.push(report);
      const sampleCode = '3106200'; // Belo Horizonte
      const reference = await post(
        servers.floor.url,
        bodyFor(
          definition.redeHub,
          definition.operationName,
          definition.variables(variables, sampleCode),
        ),
      );
      if (reference.errors) {
        throw new Error(`floor ${definition.id}: ${reference.errors[0]!.message}`);
      }
      const expected = definition.normalise('floor', reference.data);

      // Only targets whose answer equals the floor's are timed.
      const runnable: { target: Target; body(n: number): string }[] = [];
      for (const target of targets) {
        const document = target.document(definition);
        if (!document) {
          continue;
        }
        const answer = await post(
          target.server.url,
          bodyFor(document, definition.operationName, definition.variables(variables, sampleCode)),
        );
        const problem = answer.errors
          ? answer.errors[0]!.message
          : firstDifference(definition.normalise(target.normaliseAs, answer.data), expected);
        if (problem) {
          report.notes.push(`${target.id} not timed: ${problem}`);
          log(`  ${target.id}: not timed — ${problem}`);
          continue;
        }
        runnable.push({
          target,
          body: (n) =>
            bodyFor(
              document,
              definition.operationName,
              definition.variables(variables, codes[n % codes.length]!),
            ),
        });
      }

      const samples = new Map<TargetId, LoadSample[]>();
      const peaks = new Map<TargetId, number>();
      for (const { target, body } of runnable) {
        if (target.countsStatements) {
          report.targets[target.id] = {
            load: summarise([]),
            statementsPerRequest: await statementsPerRequest(
              target.server,
              target.server.url,
              Array.from({ length: definition.requests ? 2 : 10 }, (_, n) => body(n)),
            ),
          };
        }
        await runLoad(peers.dir, {
          url: target.server.url,
          connections: definition.connections,
          ...(definition.requests ? { requests: 1 } : { seconds: options.warmupSeconds }),
          body,
        });
        await settle(target.server.child.pid!);
        samples.set(target.id, []);
      }
      // Rounds interleave the targets so that load from elsewhere on the machine falls on all.
      for (let round = 0; round < options.rounds; round += 1) {
        for (let i = 0; i < runnable.length; i += 1) {
          const { target, body } = runnable[(i + round) % runnable.length]!;
          const pid = target.server.child.pid!;
          const rss = sampleRss(pid);
          const cpuBefore = cpuMsOf(pid);
          const sample = await runLoad(peers.dir, {
            url: target.server.url,
            connections: definition.connections,
            ...(definition.requests
              ? {
                  requests: Math.max(
                    1,
                    Math.round((options.quick ? 2 : definition.requests) / options.rounds),
                  ),
                }
              : { seconds: options.seconds / options.rounds }),
            body,
          });
          await settle(pid);
          sample.cpuMs = cpuMsOf(pid) - cpuBefore;
          samples.get(target.id)!.push(sample);
          peaks.set(target.id, Math.max(peaks.get(target.id) ?? 0, rss.stop()));
        }
      }
      for (const { target } of runnable) {
        const entry: TargetReport = {
          ...report.targets[target.id],
          load: summarise(samples.get(target.id)!),
          rssPeakMb: peaks.get(target.id),
        };
        report.targets[target.id] = entry;
        log(
          `  ${target.id.padEnd(14)} p50 ${entry.load.p50.toFixed(2)} ms  p99 ${entry.load.p99.toFixed(2)} ms  ${entry.load.throughput.toFixed(1)} req/s` +
            `  CPU ${entry.load.cpuMsPerRequest?.toFixed(1) ?? '?'} ms/req` +
            `  RSS ≤ ${entry.rssPeakMb!.toFixed(0)} MB` +
            (entry.statementsPerRequest !== undefined
              ? `  ${entry.statementsPerRequest} statements/request`
              : '') +
            (entry.load.errors || entry.load.non2xx
              ? `  (${entry.load.errors} errors, ${entry.load.non2xx} non-2xx)`
              : ''),
        );
      }
      const raw = await rawSqlTimes(
        pool,
        definition,
        variables,
        codes,
        Math.min(options.seconds, 10),
      );
      report.targets.rawSql = { load: raw };
      save();
      log(
        `  rawSql         p50 ${raw.p50.toFixed(2)} ms  p99 ${raw.p99.toFixed(2)} ms (one client)`,
      );
    }

    // Statements must not grow with the page: the nested pull at 100 rows and at all rows.
    const nested = cases.find((c) => c.id === 'nestedPull')!;
    const constancy: Record<string, number> = {};
    for (const first of [10, 100, 10_000]) {
      constancy[`first ${first}`] = await statementsPerRequest(
        servers.redeHub,
        servers.redeHub.url,
        [
          bodyFor(
            nested.redeHub.replace('first: 10000', `first: ${first}`),
            nested.operationName,
            nested.variables(variables, ''),
          ),
        ],
      );
    }
    log(`\nstatements per nested pull by page size: ${JSON.stringify(constancy)}`);

    log(`\n${save(constancy)}`);
  } finally {
    await pool.end();
    await Promise.all(Object.values(servers).map((server) => server.stop()));
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
