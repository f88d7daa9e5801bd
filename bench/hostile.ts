/**
 * How fast the server refuses hostile requests, next to a trivial query in the same run:
 * `npm run bench:hostile [-- --runs 30]`. The server is the product's `bootstrap()` in a child
 * process on 127.0.0.1 (production settings, a fresh SQLite file, rate limit off so the bench is
 * not refused for its own volume); each case is sent `runs` times, one at a time, after a warm-up.
 * Every case is sent once before anything is timed. Reports the median and 95th percentile in ms (loopback round trip included) and the ratio of the
 * median to the trivial query's. Exits 1 if a hostile case is not refused with a 4xx, or if the
 * server answers the trivial query more slowly after the hostile cases than before (responsive).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer } from './processes';

interface Case {
  name: string;
  body: string;
  /** Whether the server must refuse it (4xx); the baselines must succeed. */
  hostile: boolean;
}

const query = (document: string, variables?: unknown) =>
  JSON.stringify({ query: document, variables });
const levels = Array.from({ length: 1000 }, (_, i) => (i % 2 === 0 ? 'state' : 'capital'));
const big = 'x'.repeat(1024 * 1024);

const trivial: Case = {
  name: '{ __typename } (baseline)',
  body: query('{ __typename }'),
  hostile: false,
};
const cases: Case[] = [
  trivial,
  {
    name: 'ordinary query (baseline)',
    body: query('{ states(first: 5) { nodes { uf name } } }'),
    hostile: false,
  },
  {
    name: 'depth 1,000',
    body: query(
      `{ municipality(ibgeCode: "4314902") { ${levels.join(' { ')} { name ${'} '.repeat(1001)}}`,
    ),
    hostile: true,
  },
  {
    name: '10,000 aliases',
    body: query(`{ ${Array.from({ length: 10_000 }, (_, i) => `a${i}: __typename`).join(' ')} }`),
    hostile: true,
  },
  {
    name: '60 aliases (under the token limit)',
    body: query(`{ ${Array.from({ length: 60 }, (_, i) => `a${i}: __typename`).join(' ')} }`),
    hostile: true,
  },
  {
    name: 'fragment cycle',
    body: query('{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }'),
    hostile: true,
  },
  {
    name: '10,000 directives',
    body: query(`{ __typename ${'@include(if: true) '.repeat(10_000)} }`),
    hostile: true,
  },
  {
    name: '1 MB string literal',
    body: query(`{ municipalities(filter: { nameContains: "${big}" }) { totalCount } }`),
    hostile: true,
  },
  {
    name: '1 MB string variable',
    body: query(
      'query ($s: String) { municipalities(filter: { nameContains: $s }) { totalCount } }',
      { s: big },
    ),
    hostile: true,
  },
  {
    name: 'batch of 1,000',
    body: JSON.stringify(Array.from({ length: 1000 }, () => ({ query: '{ __typename }' }))),
    hostile: true,
  },
  {
    name: 'introspection loop',
    body: query(
      `{ __schema { types { ${'fields { type { '.repeat(8)}name${' } }'.repeat(8)} } } }`,
    ),
    hostile: true,
  },
  {
    name: 'first: 1e9',
    body: query('{ municipalities(first: 1e9) { totalCount } }'),
    hostile: true,
  },
  {
    name: '3 MB body',
    body: query('{ __typename }', { pad: 'y'.repeat(3 * 1024 * 1024) }),
    hostile: true,
  },
];

interface Timing {
  status: number;
  code: string | undefined;
  ms: number;
}

async function send(url: string, body: string): Promise<Timing> {
  const started = performance.now();
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  const text = await response.text();
  const ms = performance.now() - started;
  let code: string | undefined;
  try {
    code = (JSON.parse(text) as { errors?: { extensions?: { code?: string } }[] }).errors?.[0]
      ?.extensions?.code;
  } catch {
    code = 'unparseable answer';
  }
  return { status: response.status, code, ms };
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

async function timeCase(url: string, item: Case, runs: number) {
  for (let i = 0; i < 3; i += 1) {
    await send(url, item.body);
  }
  const timings: Timing[] = [];
  for (let i = 0; i < runs; i += 1) {
    timings.push(await send(url, item.body));
  }
  const sorted = timings.map((timing) => timing.ms).sort((a, b) => a - b);
  return {
    status: timings[0]!.status,
    code: timings[0]!.code ?? '',
    median: quantile(sorted, 0.5),
    p95: quantile(sorted, 0.95),
    refused: timings.every((timing) => timing.status >= 400 && timing.status < 500),
    succeeded: timings.every((timing) => timing.status === 200 && timing.code === undefined),
  };
}

async function main(): Promise<void> {
  const runsAt = process.argv.indexOf('--runs');
  const runs = runsAt > 0 ? Number(process.argv[runsAt + 1]) : 30;
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'rede-hub-hostile-'));
  const server = await startServer({
    name: 'Rede Hub',
    node: process.execPath,
    script: path.join(__dirname, 'rede-hub-server.js'),
    env: {
      NODE_ENV: 'production',
      DATABASE_URL: `sqlite:${path.join(folder, 'bench.sqlite')}`,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      ANONYMOUS_ACCESS: 'reader',
      RATE_LIMIT_PER_MINUTE: '0',
      SEED_ON_START: 'false',
      DEMO_ON_START: 'false',
    },
  });
  const failures: string[] = [];
  try {
    // The bench server counts SQL statements until told to stop; nothing here counts them.
    server.child.send({ type: 'quiet' });
    // One pass over every case first, so the baseline is not billed for the server's warm-up.
    for (const item of cases) {
      await send(server.url, item.body);
    }
    const rows: Record<string, string | number>[] = [];
    let baseline = Number.NaN;
    for (const item of cases) {
      const result = await timeCase(server.url, item, runs);
      if (item === trivial) {
        baseline = result.median;
      }
      if (item.hostile ? !result.refused : !result.succeeded) {
        failures.push(`${item.name}: answered ${result.status} ${result.code}`);
      }
      rows.push({
        case: item.name,
        status: result.status,
        code: result.code,
        'median ms': Number(result.median.toFixed(1)),
        'p95 ms': Number(result.p95.toFixed(1)),
        'median / trivial': Number((result.median / baseline).toFixed(1)),
      });
    }
    const after = await timeCase(server.url, trivial, runs);
    rows.push({
      case: '{ __typename } after the hostile cases',
      status: after.status,
      code: after.code,
      'median ms': Number(after.median.toFixed(1)),
      'p95 ms': Number(after.p95.toFixed(1)),
      'median / trivial': Number((after.median / baseline).toFixed(1)),
    });
    if (after.median > baseline * 3 + 5) {
      failures.push(`the trivial query slowed from ${baseline} ms to ${after.median} ms`);
    }
    process.stdout.write(
      `Hostile requests, ${runs} runs each (after 3 warm-up), ${os.cpus().length} CPUs, node ${process.version}\n`,
    );
    console.table(rows);
  } finally {
    await server.stop();
    fs.rmSync(folder, { recursive: true, force: true });
  }
  if (failures.length > 0) {
    process.stderr.write(`Not held:\n${failures.map((line) => `  ${line}`).join('\n')}\n`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
