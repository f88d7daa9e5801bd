/**
 * `npm run bench:scale` — the Sheets add-on's paged pull of every municipality, in one run:
 *
 *  (a) one instance against three instances on the same PostgreSQL + Redis, behind a round-robin
 *      balancer;
 *  (b) one instance reading from the primary only against one instance whose reads go to a
 *      streaming replica (`DATABASE_READ_URLS`).
 *
 * The bench builds its own PostgreSQL pair (initdb, then pg_basebackup -R) on free ports in a
 * temporary folder under the git-ignored bench/data/, seeds the shipped territory through the
 * API's own start-up, and removes everything at the end. Configurations alternate round by round
 * and are reported as ratios within the run. Needs root (the clusters run as `postgres`) and
 * Redis on 127.0.0.1:6379 (BENCH_REDIS_URL).
 *
 * Options: --seconds N (per configuration and round, default 20), --rounds N (default 4),
 * --clients N (concurrent add-on pulls, default 8), --page N (rows per page, default 1000 as the
 * add-on).
 */
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { bootstrap } from '../api/src/app';
import { loadConfig } from '../api/src/config';
import { preparePagedQuery, readPage } from '../api/src/saved-queries/query-paging';
import { percentile } from './load';
import { cpuMsOf, redeHubEnv, settle, startServer, type ServerProcess } from './processes';

const root = path.resolve(__dirname, '..', '..');
const log = (line: string) => process.stdout.write(`${line}\n`);
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const MUNICIPALITIES = 5_571;

/** The saved query a user would pull into a sheet, rewritten by the add-on's own paging. */
const PULL = preparePagedQuery(`query Municipios {
  municipalities(orderBy: [NAME_ASC]) {
    nodes { ibgeCode name population state { uf name } healthRegion { code name } }
  }
}`);

interface Options {
  seconds: number;
  rounds: number;
  clients: number;
  page: number;
}

function parseOptions(argv: string[]): Options {
  const number = (name: string, fallback: number) => {
    const index = argv.indexOf(name);
    if (index < 0) {
      return fallback;
    }
    const parsed = Number(argv[index + 1]);
    if (!Number.isInteger(parsed) || parsed <= 0) {
      throw new Error(`${name} must be a positive whole number (got "${argv[index + 1]}")`);
    }
    return parsed;
  };
  return {
    seconds: number('--seconds', 20),
    rounds: number('--rounds', 4),
    clients: number('--clients', 8),
    page: number('--page', 1000),
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function postgresBinaries(): string {
  const base = '/usr/lib/postgresql';
  const dir = fs.existsSync(base)
    ? fs
        .readdirSync(base)
        .map((version) => path.join(base, version, 'bin'))
        .filter((candidate) => fs.existsSync(path.join(candidate, 'pg_basebackup')))
        .sort()
        .pop()
    : undefined;
  if (!dir) {
    throw new Error(`no PostgreSQL server binaries (initdb, pg_basebackup) under ${base}`);
  }
  return dir;
}

/** A primary and its streaming replica, built in `dir`, run as the `postgres` user. */
class ClusterPair {
  private readonly bin = postgresBinaries();
  primaryPort = 0;
  replicaPort = 0;
  private started: string[] = [];
  constructor(private readonly dir: string) {}

  private run(tool: string, args: string[]) {
    return execFileSync('runuser', ['-u', 'postgres', '--', path.join(this.bin, tool), ...args], {
      stdio: 'pipe',
      timeout: 300_000,
    });
  }

  private start(name: string, port: number) {
    this.run('pg_ctl', [
      '-D',
      path.join(this.dir, name),
      '-w',
      '-o',
      `-p ${port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c max_connections=100 -c fsync=off`,
      '-l',
      path.join(this.dir, `${name}.log`),
      'start',
    ]);
    this.started.push(name);
  }

  url(port: number) {
    return `postgres://postgres@127.0.0.1:${port}/rede_hub_scale`;
  }

  async buildPrimary() {
    fs.chmodSync(this.dir, 0o755);
    execFileSync('chown', ['postgres', this.dir]);
    this.primaryPort = await freePort();
    this.run('initdb', [
      ...['-D', path.join(this.dir, 'primary'), '-A', 'trust', '-U', 'postgres', '--no-sync'],
    ]);
    this.start('primary', this.primaryPort);
    const admin = new pg.Client({
      connectionString: `postgres://postgres@127.0.0.1:${this.primaryPort}/postgres`,
    });
    await admin.connect();
    await admin.query('create database rede_hub_scale');
    await admin.end();
  }

  async buildReplica() {
    this.replicaPort = await freePort();
    this.run('pg_basebackup', [
      ...['-h', '127.0.0.1', '-p', String(this.primaryPort), '-U', 'postgres'],
      ...['-D', path.join(this.dir, 'replica'), '-R', '-X', 'stream', '--no-sync'],
    ]);
    this.start('replica', this.replicaPort);
  }

  stop() {
    for (const name of this.started.reverse()) {
      try {
        this.run('pg_ctl', ['-D', path.join(this.dir, name), '-w', '-m', 'fast', 'stop']);
      } catch {
        // Already down.
      }
    }
    this.started = [];
  }
}

interface PullSample {
  times: number[];
  pulls: number;
  seconds: number;
  failures: string[];
  cpuMs: number;
}

interface GraphQLAnswer {
  data?: unknown;
  errors?: { message: string }[];
}

/** One page request as the add-on sends it; returns the page and the time it took. */
async function requestPage(
  url: string,
  page: number,
  after: string | null,
): Promise<{ ms: number; rows: number; endCursor: string | null; hasNextPage: boolean }> {
  const started = performance.now();
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({
      query: PULL.text,
      operationName: PULL.operationName,
      variables: { rhFirst: page, rhAfter: after },
    }),
  });
  const text = await response.text();
  const ms = performance.now() - started;
  if (response.status !== 200) {
    throw new Error(`HTTP ${response.status}: ${text.slice(0, 200)}`);
  }
  const body = JSON.parse(text) as GraphQLAnswer;
  if (body.errors?.length) {
    throw new Error(`GraphQL: ${body.errors[0]!.message}`);
  }
  const read = readPage(body.data, PULL.connectionPath);
  return { ms, rows: read.nodes.length, endCursor: read.endCursor, hasNextPage: read.hasNextPage };
}

/** Every page of the table, as one add-on refresh does; returns the number of rows. */
async function pullAll(url: string, page: number, times?: number[]): Promise<number> {
  let after: string | null = null;
  let rows = 0;
  for (;;) {
    const answer = await requestPage(url, page, after);
    times?.push(answer.ms);
    rows += answer.rows;
    if (!answer.hasNextPage) {
      return rows;
    }
    after = answer.endCursor;
  }
}

/** `clients` add-on users refreshing the whole table again and again for `seconds`. */
async function drive(
  url: string,
  options: Options,
  servers: readonly ServerProcess[],
): Promise<PullSample> {
  const times: number[] = [];
  const failures: string[] = [];
  let pulls = 0;
  const cpuBefore = servers.reduce((sum, server) => sum + cpuMsOf(server.child.pid!), 0);
  const started = performance.now();
  const until = started + options.seconds * 1000;
  await Promise.all(
    Array.from({ length: options.clients }, async () => {
      while (performance.now() < until) {
        try {
          const rows = await pullAll(url, options.page, times);
          if (rows !== MUNICIPALITIES) {
            failures.push(`a pull gave ${rows} rows, not ${MUNICIPALITIES}`);
          }
          pulls += 1;
        } catch (error) {
          failures.push((error as Error).message);
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpuMs = servers.reduce((sum, server) => sum + cpuMsOf(server.child.pid!), 0) - cpuBefore;
  return { times, pulls, seconds, failures, cpuMs };
}

interface Row {
  label: string;
  requests: number;
  pulls: number;
  reqPerSecond: number;
  pullsPerSecond: number;
  p50: number;
  p99: number;
  cpuMsPerRequest: number;
  failures: number;
}

function summarise(label: string, samples: readonly PullSample[]): Row {
  const times = samples.flatMap((sample) => sample.times).sort((a, b) => a - b);
  const seconds = samples.reduce((sum, sample) => sum + sample.seconds, 0);
  const pulls = samples.reduce((sum, sample) => sum + sample.pulls, 0);
  const cpuMs = samples.reduce((sum, sample) => sum + sample.cpuMs, 0);
  return {
    label,
    requests: times.length,
    pulls,
    reqPerSecond: times.length / seconds,
    pullsPerSecond: pulls / seconds,
    p50: percentile(times, 50),
    p99: percentile(times, 99),
    cpuMsPerRequest: times.length ? cpuMs / times.length : Number.NaN,
    failures: samples.reduce((sum, sample) => sum + sample.failures.length, 0),
  };
}

function table(rows: readonly string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const line = (row: readonly string[]) =>
    `| ${row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join(' | ')} |`;
  const rule = `| ${widths.map((width, column) => (column === 0 ? '-'.repeat(width) : `${'-'.repeat(width - 1)}:`)).join(' | ')} |`;
  return [line(rows[0]!), rule, ...rows.slice(1).map(line)].join('\n');
}

const fixed = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : '');

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (process.getuid?.() !== 0) {
    throw new Error('bench:scale builds PostgreSQL clusters run as `postgres`: run it as root');
  }
  const dataDir = path.join(root, 'bench', 'data');
  fs.mkdirSync(dataDir, { recursive: true });
  const dir = fs.mkdtempSync(path.join(dataDir, 'scale-'));
  const clusters = new ClusterPair(dir);
  const processes: ServerProcess[] = [];
  const stopAll = async () => {
    await Promise.all(processes.splice(0).map((server) => server.stop()));
    clusters.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const interrupted = () => {
    void stopAll().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    const startedAt = new Date();
    log(`bench:scale ${startedAt.toISOString()} — ${JSON.stringify(options)}`);
    log(
      `Machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), load average ${os
        .loadavg()
        .map((n) => n.toFixed(1))
        .join(' / ')}`,
    );
    if (os.cpus().length < 3) {
      log(
        `Note: the three instances share ${os.cpus().length} cores with PostgreSQL, the balancer ` +
          'and the load generator, so three/one measures the overhead and headroom of running ' +
          'several instances, not scale-out.',
      );
    }
    let started = Date.now();
    await clusters.buildPrimary();
    const primaryUrl = clusters.url(clusters.primaryPort);
    const seed = await bootstrap({
      config: loadConfig({
        NODE_ENV: 'production',
        DATABASE_URL: primaryUrl,
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        SEED_ON_START: 'true',
        DEMO_ON_START: 'false',
      }),
      seed: true,
    });
    await seed.close();
    await clusters.buildReplica();
    const replicaUrl = clusters.url(clusters.replicaPort);
    // The replica has replayed the seeded territory before anything reads from it.
    const replica = new pg.Client({ connectionString: replicaUrl });
    await replica.connect();
    try {
      for (let waited = 0; ; waited += 200) {
        const { rows } = await replica.query<{ n: string; recovering: boolean }>(
          'select (select count(*) from municipalities) as n, pg_is_in_recovery() as recovering',
        );
        if (!rows[0]!.recovering) {
          throw new Error('the replica is not in recovery: it is not a streaming replica');
        }
        if (Number(rows[0]!.n) === MUNICIPALITIES) {
          break;
        }
        if (waited > 60_000) {
          throw new Error(`the replica has ${rows[0]!.n} municipalities after 60 s`);
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    } finally {
      await replica.end();
    }
    log(
      `PostgreSQL primary + streaming replica built and seeded in ${(Date.now() - started) / 1000} s`,
    );

    started = Date.now();
    const server = path.join(root, 'dist', 'bench', 'rede-hub-server.js');
    const instance = async (name: string, extra: Record<string, string> = {}) => {
      const started = await startServer({
        name,
        node: process.execPath,
        script: server,
        env: { ...redeHubEnv(primaryUrl), REDIS_URL, ...extra },
      });
      processes.push(started);
      return started;
    };
    const balancer = async (name: string, upstreams: readonly ServerProcess[]) => {
      const proxy = await startServer({
        name,
        node: process.execPath,
        script: path.join(root, 'dist', 'bench', 'balancer.js'),
        env: { BALANCER_UPSTREAMS: upstreams.map((upstream) => upstream.url).join(',') },
        timeoutMs: 10_000,
      });
      processes.push(proxy);
      return proxy;
    };
    const instances = [
      await instance('instance 1'),
      await instance('instance 2'),
      await instance('instance 3'),
    ];
    const withReplica = await instance('instance reading from the replica', {
      DATABASE_READ_URLS: replicaUrl,
    });
    const one = await balancer('balancer → instance 1', [instances[0]!]);
    const three = await balancer('balancer → instances 1–3', instances);
    const replicated = await balancer('balancer → replica-reading instance', [withReplica]);
    log(`4 instances and 3 balancers started in ${(Date.now() - started) / 1000} s`);

    interface Configuration {
      label: string;
      url: string;
      servers: ServerProcess[];
      samples: PullSample[];
    }
    const configurations: Record<'one' | 'three' | 'primary' | 'replica', Configuration> = {
      one: { label: 'one instance', url: one.url, servers: [instances[0]!], samples: [] },
      three: { label: 'three instances', url: three.url, servers: instances, samples: [] },
      primary: {
        label: 'one instance, primary only',
        url: one.url,
        servers: [instances[0]!],
        samples: [],
      },
      replica: {
        label: 'one instance, reads on the replica',
        url: replicated.url,
        servers: [withReplica],
        samples: [],
      },
    };
    // Warm-up: every instance answers one whole pull (the first through the resolvers, the next
    // ones through the compiled statement), and the answer has every municipality.
    for (const configuration of Object.values(configurations)) {
      for (let i = 0; i < configuration.servers.length * 2; i += 1) {
        const rows = await pullAll(configuration.url, options.page);
        if (rows !== MUNICIPALITIES) {
          throw new Error(`${configuration.label}: a pull gave ${rows} rows`);
        }
      }
    }
    const pages = Math.ceil(MUNICIPALITIES / options.page);
    log(
      `Each pull: ${pages} pages of ${options.page} (${MUNICIPALITIES} municipalities), ` +
        `${options.clients} clients pulling again and again, ${options.seconds} s per configuration and round`,
    );
    const pairs: ['one' | 'primary', 'three' | 'replica'][] = [
      ['one', 'three'],
      ['primary', 'replica'],
    ];
    const replicaRowsRead = async () => {
      const client = new pg.Client({ connectionString: replicaUrl });
      await client.connect();
      try {
        const { rows } = await client.query<{ n: string }>(
          'select tup_returned + tup_fetched as n from pg_stat_database where datname = current_database()',
        );
        return Number(rows[0]!.n);
      } finally {
        await client.end();
      }
    };
    const replicaBefore = await replicaRowsRead();
    for (let round = 1; round <= options.rounds; round += 1) {
      for (const pair of pairs) {
        // Alternate which side goes first, so a drift in the machine's load hits both.
        const order = round % 2 === 1 ? pair : [pair[1], pair[0]];
        for (const key of order) {
          const configuration = configurations[key];
          for (const server of [...instances, withReplica]) {
            await settle(server.child.pid!, 15_000);
          }
          const sample = await drive(configuration.url, options, configuration.servers);
          configuration.samples.push(sample);
          log(
            `round ${round}: ${configuration.label}: ${sample.times.length} requests, ` +
              `${sample.pulls} pulls in ${sample.seconds.toFixed(1)} s` +
              (sample.failures.length
                ? `, ${sample.failures.length} failed: ${sample.failures[0]}`
                : ''),
          );
        }
      }
    }

    // Proof the replica side did read from the replica (its statistics lag by up to a second).
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const replicaRows = (await replicaRowsRead()) - replicaBefore;
    log(`Rows the replica returned during the timed runs: ${replicaRows}`);
    if (replicaRows <= 0) {
      throw new Error('the replica-reading instance did not read from the replica');
    }

    const rows = Object.fromEntries(
      Object.entries(configurations).map(([key, configuration]) => [
        key,
        summarise(configuration.label, configuration.samples),
      ]),
    ) as Record<keyof typeof configurations, Row>;
    const header = [
      'configuration',
      'requests',
      'pulls',
      'req/s',
      'pulls/s',
      'p50 ms',
      'p99 ms',
      'Rede Hub CPU ms/req',
      'failed',
      'req/s ratio',
      'p50 ratio',
      'p99 ratio',
    ];
    const line = (row: Row, base?: Row) => [
      row.label,
      String(row.requests),
      String(row.pulls),
      fixed(row.reqPerSecond),
      fixed(row.pullsPerSecond, 2),
      fixed(row.p50),
      fixed(row.p99),
      fixed(row.cpuMsPerRequest),
      String(row.failures),
      base ? `${fixed(row.reqPerSecond / base.reqPerSecond, 2)}×` : '',
      base ? `${fixed(row.p50 / base.p50, 2)}×` : '',
      base ? `${fixed(row.p99 / base.p99, 2)}×` : '',
    ];
    log('');
    log(
      table([
        header,
        line(rows.one),
        line(rows.three, rows.one),
        line(rows.primary),
        line(rows.replica, rows.primary),
      ]),
    );
    log('');
    log(
      `Ratios: three/one and replica/primary-only, in this run. ${os.cpus().length} cores shared by ` +
        'every instance, both PostgreSQL clusters, the balancers and the load generator.',
    );
    const failed = Object.values(rows).reduce((sum, row) => sum + row.failures, 0);
    if (failed > 0) {
      process.exitCode = 1;
      log(`${failed} pulls failed: the figures above are not a clean run.`);
    }
  } finally {
    await stopAll();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:scale: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
