/**
 * Imports at national scale (issue 19), against each database's own bulk loader in the same run.
 * Not a test: `npm run bench:imports -- [--rows 100000,1000000] [--db sqlite|postgresql|both]`.
 *
 * For each database and each size N, in a scratch database of its own (migrated, territory
 * seeded):
 *
 *   floor        the database's bulk path for the events file into a bare table: SQLite
 *                `sqlite3 .import --csv`, PostgreSQL `psql \copy … csv header` (COPY FROM STDIN)
 *   new rows     `rede-hub import events <N rows> --force --as bench` as a child process
 *   re-import    the same N rows with the title of every 100th changed (1 % updates), over them
 *
 * and for the largest N only: `import:revert` of the re-import, then of the new-rows import; then
 * the API server as a child process, a stream of `municipality(ibgeCode:)` lookups from 4 clients
 * while idle and during a second import of N new rows. Then the DATASUS territory lines (first
 * import, `--force` re-import, same file skipped), in-process, as before.
 *
 * The engine always runs as a child process (`node dist/api/src/cli/main.js`, with the Node flags
 * of `npm run import`): its time is the
 * child's wall time (spawn → exit: Node start-up, ORM, migrations check, read, validate, diff,
 * apply, commit, ANALYZE), its peak RSS is `VmHWM` of /proc/<pid>/status polled every 100 ms, and
 * its phases are the times of its progress lines on stderr (`validating: n/t`, `applying: n/t`).
 * Every import must end `applied` with the expected counts (read from `import_runs.counts`, and
 * from the CLI's `Event: … to create, … to update, … unchanged` line when it prints one), every
 * revert must write back the expected rows; otherwise the run stops: a failed import measured is
 * worthless. Results: one markdown table per part on stdout, JSON in `bench/results/`
 * (git-ignored `imports-*.json`).
 *
 * Options: --rows N[,N…] (default 100000,1000000), --db sqlite|postgresql|both (default both),
 * --postgres <admin URL> (default postgres://postgres@127.0.0.1:5432/postgres), --read-seconds S
 * (idle reads, default 10), --clients C (default 4), --no-reads, --no-revert.
 */
import 'reflect-metadata';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import type { DatabaseTarget } from '../api/src/config';
import { initOrm, migrate, type Orm } from '../api/src/db/orm';
import { ImportRun, ImportStatus } from '../api/src/imports/import-run.entity';
import { runImport } from '../api/src/imports/import.engine';
import { importKinds } from '../api/src/imports/import.kinds';
import { seedTerritory } from '../api/src/territory/territory.seed';

const execFileAsync = promisify(execFile);

// ---------------------------------------------------------------------------------------------
// Options

const args = process.argv.slice(2);
function option(name: string, fallback: string): string {
  const index = args.indexOf(`--${name}`);
  if (index < 0) {
    return fallback;
  }
  const value = args[index + 1];
  if (value === undefined || value.startsWith('--')) {
    throw new Error(`--${name} needs a value`);
  }
  return value;
}
const flag = (name: string) => args.includes(`--${name}`);

const sizes = option('rows', '100000,1000000')
  .split(',')
  .map((text) => {
    const value = Number(text.replace(/_/g, '').trim());
    if (!Number.isInteger(value) || value < 100) {
      throw new Error(
        `--rows takes whole numbers of at least 100, comma-separated (got "${text}")`,
      );
    }
    return value;
  })
  .sort((a, b) => a - b);
const dbOption = option('db', 'both');
const databases: Driver[] =
  dbOption === 'both'
    ? ['sqlite', 'postgresql']
    : dbOption === 'sqlite' || dbOption === 'postgresql'
      ? [dbOption]
      : (() => {
          throw new Error(`--db must be sqlite, postgresql or both (got "${dbOption}")`);
        })();
const adminUrl = option('postgres', 'postgres://postgres@127.0.0.1:5432/postgres');
const readSeconds = Number(option('read-seconds', '10'));
const readClients = Number(option('clients', '4'));
const withReads = !flag('no-reads');
const withRevert = !flag('no-revert');

type Driver = DatabaseTarget['driver'];

const projectRoot = path.resolve(__dirname, '..', '..');
const cli = path.join(projectRoot, 'dist', 'api', 'src', 'cli', 'main.js');
/** Node's flags as `npm run import` gives them (the heap cap that bounds a streamed import's RSS). */
const nodeFlags = (() => {
  const script = (
    JSON.parse(fs.readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    }
  ).scripts.import!;
  return [...script.matchAll(/ node ((?:--\S+ )*)dist\//g)].flatMap((match) =>
    match[1]!.trim().split(' ').filter(Boolean),
  );
})();
const server = path.join(projectRoot, 'dist', 'api', 'src', 'main.js');
const resultsDir = path.join(projectRoot, 'bench', 'results');
const referenceFile = path.resolve(
  projectRoot,
  '..',
  'shared',
  'data',
  'reference',
  'datasus_municip_macsaud.csv',
);

// ---------------------------------------------------------------------------------------------
// Clean-up: child processes and scratch databases go away on success, error and Ctrl-C.

const children = new Set<ChildProcess>();
let interrupted = false;
const cleanups: (() => Promise<void> | void)[] = [];

function killChildren(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
    }
  }
}

async function cleanUp(): Promise<void> {
  killChildren();
  while (cleanups.length > 0) {
    try {
      await cleanups.pop()!();
    } catch (error) {
      process.stderr.write(`clean-up: ${(error as Error).message}\n`);
    }
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    interrupted = true;
    process.stderr.write(`\n${signal}: stopping children, dropping scratch databases\n`);
    void cleanUp().finally(() => process.exit(130));
  });
}
process.once('exit', killChildren);

// ---------------------------------------------------------------------------------------------
// Files

const header = 'code,kind,title,start,uf,participants\n';

/** N events `<prefix>-1…N`; with `changedEvery`, the title of every such row differs. */
function eventsCsv(file: string, count: number, prefix: string, changedEvery = 0): void {
  const out = fs.openSync(file, 'w');
  fs.writeSync(out, header);
  let buffer: string[] = [];
  for (let i = 1; i <= count; i += 1) {
    const title =
      changedEvery && i % changedEvery === 0 ? `Reunião ${i} (revista)` : `Reunião ${i}`;
    buffer.push(
      `${prefix}-${i},CIR_MEETING,${title},2025-${String((i % 12) + 1).padStart(2, '0')}-15,RS,${i % 40}`,
    );
    if (buffer.length === 10_000) {
      fs.writeSync(out, `${buffer.join('\n')}\n`);
      buffer = [];
    }
  }
  fs.writeSync(out, buffer.length ? `${buffer.join('\n')}\n` : '');
  fs.closeSync(out);
}

// ---------------------------------------------------------------------------------------------
// Scratch databases

interface Scratch {
  target: DatabaseTarget;
  url: string;
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A database of its own for one size: a file under os.tmpdir(), or a PostgreSQL database. */
async function scratch(driver: Driver, label: string): Promise<Scratch> {
  if (driver === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `rede-hub-bench-${label}-`));
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'bench.sqlite');
    return { target: { driver, file }, url: `sqlite:${file}` };
  }
  const name = `rede_hub_bench_imports_${process.pid}_${label}`;
  await adminQuery(`drop database if exists ${name} with (force)`);
  await adminQuery(`create database ${name}`);
  cleanups.push(() => adminQuery(`drop database if exists ${name} with (force)`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { target: { driver, url: url.toString() }, url: url.toString() };
}

// ---------------------------------------------------------------------------------------------
// Floor

const floorDdl =
  'create table events_floor (code text, kind text, title text, start text, uf text, participants integer)';

/** The database's own bulk path for the file, into a bare table (dropped afterwards). */
async function floor(
  target: DatabaseTarget,
  file: string,
): Promise<{ method: string; seconds: number }> {
  if (target.driver === 'sqlite') {
    await execFileAsync('sqlite3', [target.file, floorDdl]);
    const begin = process.hrtime.bigint();
    await execFileAsync('sqlite3', [target.file, `.import --csv --skip 1 ${file} events_floor`]);
    const seconds = Number(process.hrtime.bigint() - begin) / 1e9;
    await execFileAsync('sqlite3', [target.file, 'drop table events_floor']);
    return { method: 'sqlite3 .import --csv', seconds };
  }
  await execFileAsync('psql', [target.url, '-qc', floorDdl]);
  const begin = process.hrtime.bigint();
  await execFileAsync('psql', [target.url, '-qc', `\\copy events_floor from '${file}' csv header`]);
  const seconds = Number(process.hrtime.bigint() - begin) / 1e9;
  await execFileAsync('psql', [target.url, '-qc', 'drop table events_floor']);
  return { method: 'psql \\copy … csv header (COPY FROM STDIN)', seconds };
}

/**
 * The same writes as the engine's, done by the database alone: the file through its bulk loader
 * into a temporary table, then one `INSERT … SELECT` into the real `events` table (its 13 indexes,
 * its foreign keys, its checks) and one into `audit_entries` (8 indexes) with the same `after`
 * JSON the engine writes, in one transaction. No validation, no diff, no duplicate check: the
 * least the rows the issue asks for cost on this database. The rows are deleted afterwards and
 * the two tables compacted, so the engine's imports start from the same empty tables.
 */
async function sameWritesFloor(target: DatabaseTarget, file: string): Promise<number> {
  const after = (object: string, emptyList: string) =>
    `${object}('code', s.code, 'kind', s.kind, 'title', s.title, 'startDate', s.start,
      'endDate', null, 'modality', 'IN_PERSON', 'organization', null, 'state', s.uf,
      'healthRegion', null, 'municipality', null, 'topics', ${emptyList},
      'participantCount', s.participants, 'accessCount', null, 'notes', null)`;
  const sqlite = target.driver === 'sqlite';
  const now = sqlite ? `${Date.now()}` : 'now()';
  const script = [
    'begin;',
    `create temp table s (code text, kind text, title text, start text, uf text, participants integer)${sqlite ? '' : ' on commit drop'};`,
    sqlite ? `.import --csv --skip 1 ${file} s` : `\\copy s from '${file}' csv header`,
    `insert into events (created_at, updated_at, version, source, code, kind, title, start_date,
       modality, state_id, topics, participant_count, demo)
     select ${now}, ${now}, 1, 'bench-floor', s.code, s.kind, s.title, ${sqlite ? 's.start' : 's.start::date'},
       'IN_PERSON', st.id, '[]', s.participants, ${sqlite ? '0' : 'false'}
     from s join states st on st.uf = s.uf;`,
    `insert into audit_entries (at, actor, entity_type, entity_id, action, after, via, state_uf)
     select ${now}, 'bench-floor', 'Event', e.id, 'CREATE',
       ${sqlite ? after('json_object', "json('[]')") : after('jsonb_build_object', "'[]'::jsonb")},
       'IMPORT', s.uf
     from s join events e on e.code = s.code;`,
    'commit;',
  ].join('\n');
  const scriptFile = path.join(path.dirname(file), `same-writes.${sqlite ? 'sqlite' : 'pg'}.sql`);
  fs.writeFileSync(scriptFile, script);
  const begin = process.hrtime.bigint();
  if (sqlite) {
    await execFileAsync('sqlite3', ['-bail', target.file, `.read ${scriptFile}`]);
  } else {
    await execFileAsync('psql', [target.url, '-q', '-v', 'ON_ERROR_STOP=1', '-f', scriptFile]);
  }
  const seconds = Number(process.hrtime.bigint() - begin) / 1e9;
  const cleanup = [
    "delete from audit_entries where actor = 'bench-floor'",
    "delete from events where source = 'bench-floor'",
    sqlite ? 'vacuum' : 'vacuum (full, analyze) events, audit_entries',
  ];
  for (const statement of cleanup) {
    if (sqlite) {
      await execFileAsync('sqlite3', [target.file, statement]);
    } else {
      await execFileAsync('psql', [target.url, '-qc', statement]);
    }
  }
  return seconds;
}

/** PostgreSQL `VACUUM (ANALYZE)`, SQLite `wal_checkpoint(TRUNCATE)`: nothing left pending. */
async function quiesce(target: DatabaseTarget): Promise<void> {
  if (target.driver === 'sqlite') {
    await execFileAsync('sqlite3', [target.file, 'pragma wal_checkpoint(truncate)']);
  } else {
    await execFileAsync('psql', [target.url, '-qc', 'vacuum (analyze)']);
  }
}

// ---------------------------------------------------------------------------------------------
// Child processes of the engine

function hwmMb(pid: number): number | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null; // ended between two polls: the last reading stands
  }
}

interface Phase {
  /** Seconds since spawn of the phase's first and last progress line. */
  first: number;
  last: number;
  /** Rows the first and last line reported. */
  firstRows: number;
  lastRows: number;
}

interface CliRun {
  stdout: string;
  stderr: string;
  code: number | null;
  /** Spawn → exit, seconds. */
  seconds: number;
  peakRssMb: number;
  /** Seconds since spawn of the first and last progress line of each phase. */
  phases: Record<string, Phase>;
}

/**
 * Runs `rede-hub <args>` as a child over `databaseUrl`, polling its VmHWM every 100 ms and
 * time-stamping its progress lines. `onSpawn` hears the spawn time (the read-latency part tags
 * requests by phase).
 */
function runCli(
  databaseUrl: string,
  cliArgs: string[],
  hooks: { onPhase?: (phase: string, at: number) => void } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [...nodeFlags, cli, ...cliArgs], {
      cwd: projectRoot,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? os.tmpdir(),
        NODE_ENV: 'production',
        DATABASE_URL: databaseUrl,
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    let stdout = '';
    let stderr = '';
    let pending = '';
    let peak = 0;
    const phases: Record<string, Phase> = {};
    const poll = () => {
      const value = child.pid ? hwmMb(child.pid) : null;
      if (value !== null) {
        peak = Math.max(peak, value);
      }
    };
    const timer = setInterval(poll, 100);
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr!.on('data', (chunk: Buffer) => {
      const at = (performance.now() - started) / 1000;
      const text = chunk.toString('utf8');
      stderr = (stderr + text).slice(-20_000);
      pending += text;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        const match = /^(validating|applying): (\d+)(?:\/\d+)? rows/.exec(line);
        if (match) {
          const phase = match[1] === 'validating' ? 'validate' : 'apply';
          const seen = phases[phase];
          const count = Number(match[2]);
          phases[phase] = {
            first: seen?.first ?? at,
            last: at,
            firstRows: seen?.firstRows ?? count,
            lastRows: count,
          };
          if (!seen) {
            hooks.onPhase?.(phase, performance.now());
          }
        }
      }
    });
    child.once('error', (error) => {
      clearInterval(timer);
      children.delete(child);
      reject(error);
    });
    child.once('close', (code) => {
      poll();
      clearInterval(timer);
      children.delete(child);
      resolve({
        stdout,
        stderr,
        code,
        seconds: (performance.now() - started) / 1000,
        peakRssMb: peak,
        phases,
      });
    });
  });
}

interface Counts {
  created: number;
  updated: number;
  unchanged: number;
  deleted: number;
}

function failure(what: string, run: CliRun, why: string): Error {
  return new Error(
    `${what}: ${why} (exit ${run.code})\n--- stdout (end)\n${run.stdout.slice(-3000)}\n--- stderr (end)\n${run.stderr.slice(-3000)}`,
  );
}

/** The CLI's `Event: N to create, M to update, K unchanged, D to delete` line, if printed. */
function printedCounts(stdout: string, entity: string): Counts | null {
  const match = new RegExp(
    `^${entity}: (\\d+) to create, (\\d+) to update, (\\d+) unchanged, (\\d+) to delete`,
    'm',
  ).exec(stdout);
  return match
    ? {
        created: Number(match[1]),
        updated: Number(match[2]),
        unchanged: Number(match[3]),
        deleted: Number(match[4]),
      }
    : null;
}

/** `import_runs.counts` of a run: the entity's created/updated/unchanged/deleted. */
async function recordedCounts(orm: Orm, runId: number, entity: string): Promise<Counts | null> {
  const run = await orm.em.fork().findOne(ImportRun, { id: runId });
  const counts = run?.counts[entity] as Partial<Counts> | undefined;
  if (!counts || typeof counts.created !== 'number') {
    return null;
  }
  return {
    created: counts.created,
    updated: counts.updated ?? 0,
    unchanged: counts.unchanged ?? 0,
    deleted: counts.deleted ?? 0,
  };
}

interface ImportResult {
  runId: number;
  counts: Counts;
  run: CliRun;
}

/** `import events <file>`; throws unless it ended `applied` with exactly `expected`. */
async function importEvents(
  scratchDb: Scratch,
  orm: Orm,
  file: string,
  expected: Counts,
  what: string,
  hooks?: Parameters<typeof runCli>[2],
): Promise<ImportResult> {
  const before = await orm.em.fork().find(ImportRun, {}, { orderBy: { id: 'desc' }, limit: 1 });
  const run = await runCli(
    scratchDb.url,
    ['import', 'events', file, '--force', '--as', 'bench'],
    hooks,
  );
  // The run the child recorded: the one newer than any before it (the output may change wording).
  const recordedRuns = await orm.em
    .fork()
    .find(ImportRun, { id: { $gt: before[0]?.id ?? 0 }, kind: 'events' });
  const printedId = /^import #(\d+) applied:/m.exec(run.stdout)?.[1];
  if (
    run.code !== 0 ||
    recordedRuns.length !== 1 ||
    recordedRuns[0]!.status !== ImportStatus.SUCCEEDED ||
    (printedId !== undefined && Number(printedId) !== recordedRuns[0]!.id)
  ) {
    throw failure(
      what,
      run,
      `the import did not end "applied" (import_runs: ${recordedRuns.map((r) => `#${r.id} ${r.status}`).join(', ') || 'none'})`,
    );
  }
  const runId = recordedRuns[0]!.id;
  const recorded = await recordedCounts(orm, runId, 'Event');
  const printed = printedCounts(run.stdout, 'Event');
  const counts = recorded ?? printed;
  if (!counts) {
    throw failure(what, run, `no counts for Event in import_runs #${runId} nor in the output`);
  }
  for (const [source, seen] of [
    ['import_runs.counts', recorded],
    ['output', printed],
  ] as const) {
    if (seen && JSON.stringify(seen) !== JSON.stringify(expected)) {
      throw failure(
        what,
        run,
        `expected ${JSON.stringify(expected)}, ${source} says ${JSON.stringify(seen)}`,
      );
    }
  }
  return { runId, counts, run };
}

/** `import:revert <runId>`; throws unless it wrote back exactly `expected` rows. */
async function revert(scratchDb: Scratch, runId: number, expected: number, what: string) {
  const run = await runCli(scratchDb.url, ['import:revert', String(runId), '--as', 'bench']);
  const match = /^import #(\d+) reverted: (\d+) row\(s\) written back/m.exec(run.stdout);
  if (run.code !== 0 || !match) {
    throw failure(what, run, 'the revert did not succeed');
  }
  if (Number(match[2]) !== expected) {
    throw failure(what, run, `expected ${expected} rows written back, got ${match[2]}`);
  }
  return run;
}

interface Phases {
  startup: number;
  read: number;
  diff: number;
  apply: number;
}

/**
 * The child's wall time in fractions: start-up (Node, ORM, migrations check, reference lookups:
 * the shorter wall time of two 1-row dry runs), read+validate (→ the last row read: the last
 * `validating` line, or past it at the phase's rate), diff (→ the first `applying` line) and
 * apply (→ exit, with the commit and ANALYZE). Null when the CLI printed no progress of one of
 * the phases.
 */
function phaseFractions(run: CliRun, startupSeconds: number, rows: number): Phases | null {
  const validate = run.phases.validate;
  const apply = run.phases.apply;
  if (!validate || !apply) {
    return null;
  }
  // A streamed file's lines come every 2 s, so the last one may precede the last row: the end of
  // reading is then extrapolated at the phase's own rate, and never put after the apply's start.
  let readEnd = validate.last;
  const rate = (validate.lastRows - validate.firstRows) / (validate.last - validate.first);
  if (validate.lastRows < rows && Number.isFinite(rate) && rate > 0) {
    readEnd = Math.min(apply.first, validate.last + (rows - validate.lastRows) / rate);
  }
  const startup = Math.min(startupSeconds, readEnd);
  return {
    startup: startup / run.seconds,
    read: (readEnd - startup) / run.seconds,
    diff: Math.max(0, apply.first - readEnd) / run.seconds,
    apply: (run.seconds - Math.max(apply.first, readEnd)) / run.seconds,
  };
}

// ---------------------------------------------------------------------------------------------
// Reads during an import

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** The API over the scratch database (`node dist/api/src/main.js`), until `stop()`. */
async function startApi(databaseUrl: string): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const child = spawn(process.execPath, [server], {
    cwd: projectRoot,
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: databaseUrl,
      LOG_LEVEL: 'warn',
      RATE_LIMIT_PER_MINUTE: '0',
      SEED_ON_START: 'false',
      DEMO_ON_START: 'false',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString('utf8')).slice(-8000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  for (let waited = 0; ; waited += 100) {
    if (child.exitCode !== null) {
      throw new Error(`the API server exited before listening:\n${output}`);
    }
    if (
      await fetch(`${url}/health`).then(
        (r) => r.ok,
        () => false,
      )
    ) {
      break;
    }
    if (waited > 60_000) {
      throw new Error(`the API server did not listen within 60 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
      }
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      children.delete(child);
    },
  };
}

/** A reader key made by the CLI (`keys create`), as an operator would. */
async function readerKey(databaseUrl: string): Promise<string> {
  const run = await runCli(databaseUrl, [
    'keys',
    'create',
    '--name',
    'bench reads',
    '--role',
    'reader',
  ]);
  const match = /\b(rh_\S+)/.exec(run.stdout);
  if (run.code !== 0 || !match) {
    throw failure('keys create', run, 'no key printed');
  }
  return match[1]!;
}

interface Sample {
  at: number;
  ms: number;
  ok: boolean;
}

const lookupQuery =
  'query Lookup($ibgeCode: String!) { municipality(ibgeCode: $ibgeCode) { name population } }';

async function lookup(url: string, key: string, ibgeCode: string): Promise<Sample> {
  const at = performance.now();
  try {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ query: lookupQuery, variables: { ibgeCode } }),
    });
    const body = (await response.json()) as {
      data?: { municipality?: { name?: string } | null };
      errors?: unknown[];
    };
    const ok = response.ok && !body.errors && typeof body.data?.municipality?.name === 'string';
    return { at, ms: performance.now() - at, ok };
  } catch {
    return { at, ms: performance.now() - at, ok: false };
  }
}

/** `clients` closed-loop clients, each looking up the next municipality, until `until()`. */
async function readStream(
  url: string,
  key: string,
  codes: string[],
  clients: number,
  until: () => boolean,
): Promise<Sample[]> {
  const samples: Sample[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (!until()) {
        samples.push(await lookup(url, key, codes[next++ % codes.length]!));
      }
    }),
  );
  return samples;
}

interface LatencyStats {
  requests: number;
  failed: number;
  p50: number;
  p99: number;
}

function stats(samples: Sample[]): LatencyStats {
  const times = samples
    .filter((sample) => sample.ok)
    .map((sample) => sample.ms)
    .sort((a, b) => a - b);
  const at = (q: number) =>
    times.length ? times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)]! : Number.NaN;
  return {
    requests: samples.length,
    failed: samples.filter((sample) => !sample.ok).length,
    p50: at(0.5),
    p99: at(0.99),
  };
}

async function municipalityCodes(url: string, key: string): Promise<string[]> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query: '{ municipalities(first: 1000) { nodes { ibgeCode } } }' }),
  });
  const body = (await response.json()) as {
    data?: { municipalities?: { nodes: { ibgeCode: string }[] } };
  };
  const codes = body.data?.municipalities?.nodes.map((node) => node.ibgeCode) ?? [];
  if (codes.length === 0) {
    throw new Error(`no municipalities from the API: ${JSON.stringify(body).slice(0, 500)}`);
  }
  return codes;
}

// ---------------------------------------------------------------------------------------------
// The run

interface CaseResult {
  database: Driver;
  case: string;
  rows: number;
  engineSeconds: number;
  /** The floor loaded this many rows (N) in floorSeconds; ratios compare rows per second. */
  floorRows: number;
  floorSeconds: number;
  floorMethod: string;
  /** The same writes by the database alone (`sameWritesFloor`), seconds for N rows. */
  sameWritesSeconds: number;
  peakRssMb: number;
  written?: Counts;
  /** Rows an `import:revert` wrote back. */
  writtenBack?: number;
  runId?: number;
  /** Wall time of a 1-row dry run on the same database: the engine's fixed cost. */
  startupSeconds?: number;
  phases?: Phases | null;
  /** The progress lines' times and rows per phase, as the bench saw them. */
  progress?: Record<string, Phase>;
  /** What the CLI itself printed (`… rows in S s`), seconds, when it printed it. */
  cliSeconds?: number;
}

interface ReadResult {
  database: Driver;
  importRows: number;
  clients: number;
  idle: LatencyStats;
  during: LatencyStats;
  duringApply: LatencyStats;
  importSeconds: number;
  /** The same import's time without readers (the new-rows case of this size). */
  importSecondsAlone: number;
  peakRssMb: number;
}

interface TerritoryResult {
  database: Driver;
  first: number;
  forced: number;
  forcedStatus: string;
  same: number;
  sameStatus: string;
}

const caseResults: CaseResult[] = [];
const readResults: ReadResult[] = [];
const territoryResults: TerritoryResult[] = [];

function cliSeconds(stdout: string): number | undefined {
  const match = /applied: \d+ rows in ([\d.]+) s/.exec(stdout);
  return match ? Number(match[1]) : undefined;
}

function log(line: string): void {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const started = process.hrtime.bigint();
  const result = await work();
  return [result, Number(process.hrtime.bigint() - started) / 1e9];
}

async function territoryLines(driver: Driver, orm: Orm): Promise<void> {
  if (!fs.existsSync(referenceFile)) {
    log(`territory lines skipped: ${referenceFile} not found`);
    return;
  }
  const territory = importKinds['territory-datasus']!;
  // The day DATASUS's table is true on (~2020): without it, names it would change are refused.
  const asOf = '2020-01-01';
  const base = { kind: territory, files: [referenceFile], actor: 'bench', asOf };
  const [firstOutcome, first] = await timed(() => runImport(orm, base));
  if (firstOutcome.status !== 'applied' && firstOutcome.status !== 'unchanged') {
    throw new Error(`territory first import ended ${firstOutcome.status}`);
  }
  const [again, forced] = await timed(() => runImport(orm, { ...base, force: true }));
  const [skipped, same] = await timed(() => runImport(orm, base));
  territoryResults.push({
    database: driver,
    first,
    forced,
    forcedStatus: again.status,
    same,
    sameStatus: skipped.status,
  });
}

async function runSize(driver: Driver, rows: number, largest: boolean, dir: string) {
  const label = `${driver === 'sqlite' ? 'sqlite' : 'pg'}_${rows}`;
  log(`${driver}, ${rows} rows: scratch database, migrations, territory`);
  const db = await scratch(driver, label);
  const orm = await initOrm({ database: db.target });
  cleanups.push(() => orm.close(true));
  await migrate(orm);
  await seedTerritory(orm.em.fork());

  const fresh = path.join(dir, `events-${rows}.csv`);
  const changed = path.join(dir, `events-${rows}-1pct.csv`);
  eventsCsv(fresh, rows, 'B');
  eventsCsv(changed, rows, 'B', 100);

  log(`${driver}, ${rows} rows: floor`);
  const { method, seconds: floorSeconds } = await floor(db.target, fresh);
  log(`${driver}, ${rows} rows: the same writes by the database alone`);
  const sameWritesSeconds = await sameWritesFloor(db.target, fresh);

  log(`${driver}, ${rows} rows: 1-row dry run (the engine's fixed start-up)`);
  const tiny = path.join(dir, 'events-1.csv');
  eventsCsv(tiny, 1, 'S');
  // The shorter of two runs: on a shared machine one run may be slowed by other work.
  let startupSeconds = Number.POSITIVE_INFINITY;
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const dry = await runCli(db.url, ['import', 'events', tiny, '--dry-run', '--as', 'bench']);
    if (dry.code !== 0 || !/^dry run of events: 1 valid rows/m.test(dry.stdout)) {
      throw failure(`${driver} 1-row dry run`, dry, 'the dry run did not validate its row');
    }
    startupSeconds = Math.min(startupSeconds, dry.seconds);
  }

  log(`${driver}, ${rows} rows: import of new rows`);
  const created = await importEvents(
    db,
    orm,
    fresh,
    { created: rows, updated: 0, unchanged: 0, deleted: 0 },
    `${driver} new rows (${rows})`,
  );
  const common = {
    database: driver,
    rows,
    floorRows: rows,
    floorSeconds,
    floorMethod: method,
    sameWritesSeconds,
  };
  caseResults.push({
    ...common,
    case: 'new rows',
    engineSeconds: created.run.seconds,
    peakRssMb: created.run.peakRssMb,
    written: created.counts,
    runId: created.runId,
    startupSeconds,
    phases: phaseFractions(created.run, startupSeconds, rows),
    progress: created.run.phases,
    cliSeconds: cliSeconds(created.run.stdout),
  });

  log(`${driver}, ${rows} rows: re-import, 1 % changed`);
  const updates = Math.floor(rows / 100);
  const reimport = await importEvents(
    db,
    orm,
    changed,
    { created: 0, updated: updates, unchanged: rows - updates, deleted: 0 },
    `${driver} re-import (${rows})`,
  );
  caseResults.push({
    ...common,
    case: 're-import, 1 % changed',
    engineSeconds: reimport.run.seconds,
    peakRssMb: reimport.run.peakRssMb,
    written: reimport.counts,
    runId: reimport.runId,
    startupSeconds,
    phases: phaseFractions(reimport.run, startupSeconds, rows),
    progress: reimport.run.phases,
    cliSeconds: cliSeconds(reimport.run.stdout),
  });

  if (largest && withRevert) {
    // The re-import changed 1 % of the first import's rows: undone first, so the first import
    // reverts without --force (a later import that was itself reverted is no conflict).
    log(`${driver}, ${rows} rows: revert of the re-import, then of the new rows`);
    const undoUpdates = await revert(db, reimport.runId, updates, `${driver} revert re-import`);
    caseResults.push({
      ...common,
      rows: updates,
      case: 'revert re-import',
      engineSeconds: undoUpdates.seconds,
      peakRssMb: undoUpdates.peakRssMb,
      writtenBack: updates,
    });
    const undoCreates = await revert(db, created.runId, rows, `${driver} revert new rows`);
    caseResults.push({
      ...common,
      case: 'revert new rows',
      engineSeconds: undoCreates.seconds,
      peakRssMb: undoCreates.peakRssMb,
      writtenBack: rows,
    });
  }

  if (largest && withReads) {
    log(
      `${driver}, ${rows} rows: API server, reads idle then during an import of ${rows} new rows`,
    );
    // The imports and reverts above left dead rows and WAL behind: cleaned up first, so the idle
    // window does not measure autovacuum or a checkpoint.
    await quiesce(db.target);
    const key = await readerKey(db.url);
    const api = await startApi(db.url);
    cleanups.push(() => api.stop());
    const codes = await municipalityCodes(api.url, key);
    // Warm-up (2 s): compiled statements, JIT, the key's last-use stamp (a write).
    const warmUntil = performance.now() + 2000;
    await readStream(api.url, key, codes, readClients, () => performance.now() > warmUntil);
    const idleUntil = performance.now() + readSeconds * 1000;
    const idle = await readStream(
      api.url,
      key,
      codes,
      readClients,
      () => performance.now() > idleUntil,
    );
    const during = path.join(dir, `events-${rows}-reads.csv`);
    eventsCsv(during, rows, 'R');
    let importing = true;
    let applyFrom = Number.POSITIVE_INFINITY;
    const stream = readStream(api.url, key, codes, readClients, () => !importing);
    let imported: ImportResult;
    try {
      imported = await importEvents(
        db,
        orm,
        during,
        { created: rows, updated: 0, unchanged: 0, deleted: 0 },
        `${driver} import during reads (${rows})`,
        { onPhase: (phase, at) => phase === 'apply' && (applyFrom = at) },
      );
    } finally {
      importing = false;
    }
    const samples = await stream;
    await api.stop();
    readResults.push({
      database: driver,
      importRows: rows,
      clients: readClients,
      idle: stats(idle),
      during: stats(samples),
      duringApply: stats(samples.filter((sample) => sample.at >= applyFrom)),
      importSeconds: imported.run.seconds,
      importSecondsAlone: created.run.seconds,
      peakRssMb: imported.run.peakRssMb,
    });
  }

  if (rows === sizes[0]) {
    log(`${driver}: territory file, in-process`);
    await territoryLines(driver, orm);
  }
  fs.rmSync(fresh, { force: true });
  fs.rmSync(changed, { force: true });
}

// ---------------------------------------------------------------------------------------------
// Report

const fmt = (value: number, digits = 0) =>
  Number.isFinite(value)
    ? value.toLocaleString('en-US', {
        minimumFractionDigits: digits,
        maximumFractionDigits: digits,
      })
    : '–';

function markdownTable(head: string[], rows: string[][], right: boolean[]): string {
  const widths = head.map((cell, i) =>
    Math.max(cell.length, ...rows.map((row) => row[i]!.length), 3),
  );
  const line = (cells: string[]) =>
    `| ${cells.map((cell, i) => (right[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join(' | ')} |`;
  const rule = `| ${widths.map((width, i) => (right[i] ? `${'-'.repeat(width - 1)}:` : '-'.repeat(width))).join(' | ')} |`;
  return [line(head), rule, ...rows.map(line)].join('\n');
}

function report(): string {
  const out: string[] = [];
  out.push(
    markdownTable(
      [
        'database',
        'case',
        'rows',
        'engine s',
        'rows/s',
        'floor rows/s',
        'engine/floor',
        'same writes rows/s',
        'engine/same writes',
        'peak RSS MB',
        'rows written (c/u/=)',
        'read fraction',
        'start-up / read+validate / diff / apply',
      ],
      caseResults.map((result) => {
        const revert = result.writtenBack !== undefined;
        const floorRowsPerSecond = result.floorRows / result.floorSeconds;
        const p = result.phases;
        const percent = (value: number) => `${fmt(value * 100)} %`;
        return [
          result.database,
          result.case,
          fmt(result.rows),
          fmt(result.engineSeconds, 2),
          fmt(result.rows / result.engineSeconds),
          revert ? '' : fmt(floorRowsPerSecond),
          revert ? '' : `${fmt(result.engineSeconds / (result.rows / floorRowsPerSecond), 1)}×`,
          revert ? '' : fmt(result.rows / result.sameWritesSeconds),
          revert ? '' : `${fmt(result.engineSeconds / result.sameWritesSeconds, 1)}×`,
          fmt(result.peakRssMb),
          result.written
            ? `${fmt(result.written.created + result.written.updated + result.written.deleted)} (${fmt(result.written.created)}/${fmt(result.written.updated)}/${fmt(result.written.unchanged)})`
            : revert
              ? `${fmt(result.writtenBack!)} written back`
              : '',
          p ? fmt(p.read / (p.read + p.diff + p.apply), 2) : '',
          p ? [p.startup, p.read, p.diff, p.apply].map(percent).join(' / ') : '',
        ];
      }),
      [false, false, true, true, true, true, true, true, true, true, true, true, true],
    ),
  );
  if (readResults.length > 0) {
    out.push(
      '',
      markdownTable(
        [
          'database',
          'import rows',
          'clients',
          'idle req',
          'idle p50 ms',
          'idle p99 ms',
          'during req',
          'during p50 ms',
          'during p99 ms',
          'p50 during/idle',
          'p99 during/idle',
          'apply-phase p99 ms',
          'failed idle/during',
          'import s (alone → with reads)',
        ],
        readResults.map((r) => [
          r.database,
          fmt(r.importRows),
          String(r.clients),
          fmt(r.idle.requests),
          fmt(r.idle.p50, 1),
          fmt(r.idle.p99, 1),
          fmt(r.during.requests),
          fmt(r.during.p50, 1),
          fmt(r.during.p99, 1),
          `${fmt(r.during.p50 / r.idle.p50, 2)}×`,
          `${fmt(r.during.p99 / r.idle.p99, 2)}×`,
          fmt(r.duringApply.p99, 1),
          `${r.idle.failed}/${r.during.failed}`,
          `${fmt(r.importSecondsAlone, 1)} → ${fmt(r.importSeconds, 1)}`,
        ]),
        [false, true, true, true, true, true, true, true, true, true, true, true, true, true],
      ),
    );
  }
  if (territoryResults.length > 0) {
    out.push(
      '',
      markdownTable(
        ['database', 'territory first import s', 're-import --force s', 'same file s'],
        territoryResults.map((t) => [
          t.database,
          fmt(t.first, 2),
          `${fmt(t.forced, 2)} (${t.forcedStatus})`,
          `${fmt(t.same, 2)} (${t.sameStatus})`,
        ]),
        [false, true, true, true],
      ),
    );
  }
  return out.join('\n');
}

async function main(): Promise<void> {
  if (!fs.existsSync(cli)) {
    throw new Error(`${cli} is missing: run \`npm run bench:imports\` (it compiles first)`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rede-hub-bench-files-'));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  const startedAt = new Date();
  for (const driver of databases) {
    for (const rows of sizes) {
      const mark = cleanups.length;
      await runSize(driver, rows, rows === sizes.at(-1), dir);
      // This size's API server, ORM and scratch database, newest first.
      while (cleanups.length > mark) {
        await cleanups.pop()!();
      }
    }
  }
  const table = report();
  process.stdout.write(`${table}\n`);
  fs.mkdirSync(resultsDir, { recursive: true });
  const stamp = startedAt.toISOString().slice(0, 16).replace(/[T:]/g, '-');
  const file = path.join(resultsDir, `imports-${stamp}.json`);
  fs.writeFileSync(
    file,
    `${JSON.stringify(
      {
        startedAt: startedAt.toISOString(),
        options: { rows: sizes, db: databases, readSeconds, readClients, withReads, withRevert },
        machine: {
          cpus: os.cpus().length,
          loadavg: os.loadavg(),
          node: process.version,
        },
        cases: caseResults,
        reads: readResults,
        territory: territoryResults,
        table,
      },
      null,
      2,
    )}\n`,
  );
  process.stderr.write(`results: ${path.relative(projectRoot, file)}\n`);
}

main()
  .catch((error: unknown) => {
    if (!interrupted) {
      process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    }
    process.exitCode = 1;
  })
  .finally(() => cleanUp());
