/**
 * Two builds of Rede Hub side by side on one bench case, in one run: each build's
 * `api/src/main.js` is started over the prepared bench database (`npm run bench` makes it) with
 * the bench's configuration, and the two are driven in alternating rounds with the same requests
 * (lookups: 50 connections for `--seconds`, a different municipality per request; aggregates:
 * the case's connections, `--requests` per round). The build that goes first in a round does a
 * few per cent better, so the rounds take turns: the before build first in even rounds, the
 * after build in odd ones (give an even `--rounds`). The ratio is always after / before, as the
 * builds are given. Prints req/s, p50/p99, the server's CPU ms
 * per request (user + system from /proc; PostgreSQL not counted, SQLite is: it runs in the
 * server) and its peak RSS while timed (each server is fresh, so the peak is this case's).
 *
 *   cp -r dist /tmp/dist-before        # on the old commit, after `npm run build`
 *   npm run build && tsc -p bench/tsconfig.json
 *   node dist/bench/compare-builds.js /tmp/dist-before dist --seconds 15 --rounds 2
 *   node dist/bench/compare-builds.js /tmp/dist-before dist --case aggregate --requests 4 --rounds 4 [--db sqlite]
 *
 * `--peers DIR` reads autocannon from another checkout's `bench/peers`; `--sqlite FILE` names the
 * SQLite bench file (default: this checkout's `bench/data/rede-hub-bench.sqlite`).
 * `--cpu-prof DIR` starts both servers with `node --cpu-prof` (profiles written to DIR on exit;
 * summarise them with `node dist/bench/profile-summary.js DIR/<file>.cpuprofile`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import pg from 'pg';
import { cases, type CaseId } from './cases';
import { benchDatabases } from './data';
import { runLoad, summarise, type LoadSample } from './load';
import { cpuMsOf, redeHubEnv, rssOf, sampleRss } from './processes';

const root = path.resolve(__dirname, '..', '..');

function option(argv: string[], name: string, fallback: string): string {
  const index = argv.indexOf(name);
  return index >= 0 && argv[index + 1] !== undefined ? argv[index + 1]! : fallback;
}

async function waitHealthy(url: string, child: ChildProcess): Promise<void> {
  for (let attempt = 0; attempt < 240; attempt += 1) {
    if (child.exitCode !== null) {
      throw new Error(`server for ${url} exited with code ${child.exitCode}`);
    }
    const ok = await fetch(`${url}/health`).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`server for ${url} did not become healthy`);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const builds = argv.filter(
    (arg, index) => !arg.startsWith('--') && !argv[index - 1]?.startsWith('--'),
  );
  if (builds.length !== 2) {
    throw new Error(
      'usage: compare-builds <before-dist> <after-dist> [--case lookup|aggregate] [--db postgres|sqlite] [--seconds N] [--requests N] [--rounds R] [--peers DIR] [--sqlite FILE] [--cpu-prof DIR]',
    );
  }
  const seconds = Number(option(argv, '--seconds', '15'));
  const rounds = Number(option(argv, '--rounds', '2'));
  if (!Number.isInteger(rounds) || rounds < 2 || rounds % 2 !== 0) {
    throw new Error(
      `--rounds: an even number of rounds, 2 or more (each build goes first as often), not ${rounds}`,
    );
  }
  const requests = Number(option(argv, '--requests', '4'));
  const profileDir = option(argv, '--cpu-prof', '');
  const databases = benchDatabases(root, 1_000_000);
  const sqliteFile = path.resolve(option(argv, '--sqlite', databases.sqlite.file));
  const database =
    option(argv, '--db', 'postgres') === 'sqlite' ? `sqlite:${sqliteFile}` : databases.postgres.url;
  const peers = path.resolve(option(argv, '--peers', path.join(root, 'bench', 'peers')));
  const caseId = option(argv, '--case', 'lookup') as CaseId;
  const definition = cases.find((candidate) => candidate.id === caseId);
  if (!definition) {
    throw new Error(`--case: unknown case "${caseId}"`);
  }
  // Heavy cases run a fixed number of requests, so none is left in flight between rounds.
  const amount = definition.requests ? { requests } : { seconds };

  const pool = new pg.Pool({ connectionString: databases.postgres.url, max: 1 });
  const codes = (
    await pool.query<{ ibge_code: string }>(
      'select ibge_code from municipalities where deleted_at is null order by md5(ibge_code)',
    )
  ).rows.map((row) => row.ibge_code);
  await pool.end();
  const body = (n: number) =>
    JSON.stringify({
      operationName: definition.operationName,
      query: definition.redeHub,
      variables: definition.variables({ asOf: '2025-06-01', uf: 'MG' }, codes[n % codes.length]!),
    });

  const servers = builds.map((dist, index) => {
    const port = 4_890 + index;
    const child = spawn(
      process.execPath,
      [
        ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
        path.resolve(dist, 'api', 'src', 'main.js'),
      ],
      {
        env: { PATH: process.env.PATH ?? '', ...redeHubEnv(database, port) },
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    return {
      dist,
      url: `http://127.0.0.1:${port}`,
      child,
      samples: [] as LoadSample[],
      idleRssMb: 0,
      peakRssMb: 0,
    };
  });
  try {
    for (const server of servers) {
      await waitHealthy(server.url, server.child);
      server.idleRssMb = rssOf(server.child.pid!);
      // Warm-up: one request of a heavy case, 3 s of lookups.
      await runLoad(peers, {
        url: server.url,
        connections: definition.requests ? 1 : 10,
        ...(definition.requests ? { requests: 1 } : { seconds: 3 }),
        body,
      });
    }
    for (let round = 0; round < rounds; round += 1) {
      for (const server of round % 2 === 0 ? servers : [...servers].reverse()) {
        const before = cpuMsOf(server.child.pid!);
        const rss = sampleRss(server.child.pid!, 50);
        const sample = await runLoad(peers, {
          url: server.url,
          connections: definition.connections,
          ...amount,
          body,
        });
        sample.cpuMs = cpuMsOf(server.child.pid!) - before;
        server.peakRssMb = Math.max(server.peakRssMb, rss.stop());
        server.samples.push(sample);
      }
    }
  } finally {
    for (const server of servers) {
      server.child.kill('SIGTERM');
    }
  }
  const results = servers.map((server) => ({
    build: server.dist,
    idleRssMb: server.idleRssMb,
    peakRssMb: server.peakRssMb,
    ...summarise(server.samples),
  }));
  process.stdout.write(`case ${definition.id} on ${database.replace(/\/\/.*@/, '//')}\n`);
  for (const result of results) {
    process.stdout.write(
      `${result.build}: ${result.requests} requests, ${result.throughput.toFixed(2)} req/s, p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms, server CPU ${result.cpuMsPerRequest?.toFixed(2)} ms/req, RSS ${result.idleRssMb.toFixed(0)} MB idle, ${result.peakRssMb.toFixed(0)} MB peak, errors ${result.errors}, non-2xx ${result.non2xx}\n`,
    );
  }
  const [before, after] = results as [(typeof results)[0], (typeof results)[0]];
  process.stdout.write(
    `after / before: req/s ${(after.throughput / before.throughput).toFixed(2)}×, CPU per request ${((after.cpuMsPerRequest ?? 0) / (before.cpuMsPerRequest ?? 1)).toFixed(2)}×\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
