/**
 * Import throughput against each database's own bulk path, and the idempotent re-import of the
 * full territory. Not a test: run `npm run bench:imports -- [--rows N] [--db sqlite|postgresql]`
 * (default 1,000,000 events on SQLite).
 *
 *   floor (SQLite)      sqlite3 `.import --csv` of the same file into a bare staging table (without
 *                       the sqlite3 CLI: one prepared INSERT per row in one transaction)
 *   floor (PostgreSQL)  psql `\copy … from … csv header` into a bare staging table
 *   engine              `rede-hub import events file.csv`: validate, diff, insert, audit, record
 */
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { DatabaseTarget } from '../api/src/config';
import { initOrm, migrate, type Orm } from '../api/src/db/orm';
import { runImport } from '../api/src/imports/import.engine';
import { importKinds } from '../api/src/imports/import.kinds';
import { seedTerritory } from '../api/src/territory/territory.seed';

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? args[index + 1]! : fallback;
};
const rows = Number(option('rows', '1000000'));
const db = option('db', 'sqlite');
const adminUrl = option('postgres', 'postgres://postgres@127.0.0.1:5432/postgres');
const referenceFile = path.resolve(
  __dirname,
  '..',
  '..',
  '..',
  'shared',
  'data',
  'reference',
  'datasus_municip_macsaud.csv',
);

function eventsCsv(file: string, count: number): void {
  const out = fs.openSync(file, 'w');
  fs.writeSync(out, 'code,kind,title,start,uf,participants\n');
  let buffer: string[] = [];
  for (let i = 1; i <= count; i += 1) {
    buffer.push(
      `B-${i},CIR_MEETING,Reunião ${i},2025-${String((i % 12) + 1).padStart(2, '0')}-15,RS,${i % 40}`,
    );
    if (buffer.length === 10_000) {
      fs.writeSync(out, `${buffer.join('\n')}\n`);
      buffer = [];
    }
  }
  fs.writeSync(out, buffer.length ? `${buffer.join('\n')}\n` : '');
  fs.closeSync(out);
}

async function scratch(): Promise<{ target: DatabaseTarget; drop(): Promise<void> }> {
  if (db === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rede-hub-bench-'));
    return {
      target: { driver: 'sqlite', file: path.join(dir, 'bench.sqlite') },
      drop: async () => fs.rmSync(dir, { recursive: true, force: true }),
    };
  }
  const name = `rede_hub_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    target: { driver: 'postgresql', url: url.toString() },
    drop: async () => {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}

interface Floor {
  method: string;
  seconds: number;
}

const floorDdl =
  'create table events_floor (code text, kind text, title text, start text, uf text, participants integer)';

function commandExists(command: string): boolean {
  try {
    execFileSync(command, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Without the sqlite3 CLI: one prepared INSERT per row in one transaction (sqlite3 driver). */
async function preparedInsertFloor(file: string, csv: string): Promise<number> {
  const sqlite3 = (await import('sqlite3')).default;
  const run = (database: InstanceType<typeof sqlite3.Database>, sql: string) =>
    new Promise<void>((resolve, reject) =>
      database.run(sql, (error) => (error ? reject(error) : resolve())),
    );
  const database = new sqlite3.Database(file);
  await run(database, floorDdl);
  const lines = fs.readFileSync(csv, 'utf8').split('\n').slice(1).filter(Boolean);
  const begin = process.hrtime.bigint();
  await run(database, 'begin');
  const insert = database.prepare('insert into events_floor values (?, ?, ?, ?, ?, ?)');
  await Promise.all(
    lines.map(
      (line) =>
        new Promise<void>((resolve, reject) =>
          insert.run(line.split(','), (error: Error | null) => (error ? reject(error) : resolve())),
        ),
    ),
  );
  await new Promise<void>((resolve) => insert.finalize(() => resolve()));
  await run(database, 'commit');
  const seconds = Number(process.hrtime.bigint() - begin) / 1e9;
  await new Promise<void>((resolve) => database.close(() => resolve()));
  return seconds;
}

/** The database's own bulk path for the same file, into a bare staging table. */
async function floor(target: DatabaseTarget, file: string): Promise<Floor> {
  if (target.driver === 'sqlite') {
    if (!commandExists('sqlite3')) {
      return {
        method: 'one prepared INSERT per row, one transaction (sqlite3 driver; no sqlite3 CLI)',
        seconds: await preparedInsertFloor(target.file, file),
      };
    }
    execFileSync('sqlite3', [target.file, floorDdl]);
    const begin = process.hrtime.bigint();
    execFileSync('sqlite3', [target.file, `.import --csv --skip 1 ${file} events_floor`]);
    return {
      method: 'sqlite3 .import --csv',
      seconds: Number(process.hrtime.bigint() - begin) / 1e9,
    };
  }
  execFileSync('psql', [target.url, '-qc', floorDdl]);
  const begin = process.hrtime.bigint();
  execFileSync('psql', [target.url, '-qc', `\\copy events_floor from '${file}' csv header`]);
  return {
    method: 'psql \\copy … csv header (COPY FROM STDIN)',
    seconds: Number(process.hrtime.bigint() - begin) / 1e9,
  };
}

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const started = process.hrtime.bigint();
  const result = await work();
  return [result, Number(process.hrtime.bigint() - started) / 1e9];
}

async function main(): Promise<void> {
  const database = await scratch();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rede-hub-bench-files-'));
  let orm: Orm | null = null;
  try {
    orm = await initOrm({ database: database.target });
    await migrate(orm);
    await seedTerritory(orm.em.fork());
    const file = path.join(dir, 'events.csv');
    eventsCsv(file, rows);
    const { method, seconds: floorSeconds } = await floor(database.target, file);
    const [outcome, engineSeconds] = await timed(() =>
      runImport(orm!, { kind: importKinds.events!, files: [file], actor: 'bench', force: true }),
    );
    if (outcome.status !== 'applied') {
      throw new Error(`events import ended ${outcome.status}`);
    }
    // maxRSS is in kilobytes: the peak of the whole process, so far the events import.
    const peakMb = Math.round(process.resourceUsage().maxRSS / 1024);
    const lines = [
      `database                 ${db}`,
      `events                   ${rows}`,
      `floor (bulk path)        ${floorSeconds.toFixed(2)} s  ${Math.round(rows / floorSeconds)} rows/s  [${method}]`,
      `engine (import events)   ${engineSeconds.toFixed(2)} s  ${Math.round(rows / engineSeconds)} rows/s`,
      `engine / floor           ${(engineSeconds / floorSeconds).toFixed(1)}×`,
      `peak RSS (events import) ${peakMb} MB`,
    ];
    if (fs.existsSync(referenceFile)) {
      const territory = importKinds['territory-datasus']!;
      // The day DATASUS's table is true on (~2020): without it, names it would change are refused.
      const asOf = '2020-01-01';
      const [, first] = await timed(() =>
        runImport(orm!, { kind: territory, files: [referenceFile], actor: 'bench', asOf }),
      );
      const [again, forced] = await timed(() =>
        runImport(orm!, {
          kind: territory,
          files: [referenceFile],
          actor: 'bench',
          asOf,
          force: true,
        }),
      );
      const [skipped, skip] = await timed(() =>
        runImport(orm!, { kind: territory, files: [referenceFile], actor: 'bench', asOf }),
      );
      lines.push(
        `territory first import   ${first.toFixed(2)} s`,
        `territory re-import      ${forced.toFixed(2)} s (${again.status}: full validate + diff, no writes)`,
        `territory same file      ${skip.toFixed(2)} s (${skipped.status}: sha256 recognised)`,
      );
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await orm?.close(true);
    await database.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
