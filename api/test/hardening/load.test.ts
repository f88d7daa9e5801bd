import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditEntry } from '../../src/audit/audit-entry.entity';
import { createApiKey } from '../../src/auth/api-key.service';
import { Role } from '../../src/auth/auth.enums';
import { Event } from '../../src/activity/event.entity';
import { initOrm } from '../../src/db/orm';
import { ImportRun, ImportStatus } from '../../src/imports/import-run.entity';
import { Person } from '../../src/people/person.entity';
import { buildServer, startServerProcess, type ServerProcess } from '../child-process';
import { scratchDatabase, type ScratchDatabase } from '../database';
import { databaseAvailable, testDatabase } from '../helpers';
import { type Acknowledged, upsertBatch } from './upsert-batch';

/**
 * Loopback load and SIGKILL: long, so they run on CI and locally with SLOW_TESTS=1.
 * LOAD_SECONDS (default 60), LOAD_CLIENTS (default 200) and LOAD_IMPORTERS (default 1, each
 * running one CLI import after another, LOAD_IMPORT_PAUSE_MS apart) bound the load test.
 */
const wanted = process.env.CI === 'true' || process.env.SLOW_TESTS === '1';
const SECONDS = Number(process.env.LOAD_SECONDS ?? 60);
const CLIENTS = Number(process.env.LOAD_CLIENTS ?? 200);
const IMPORTERS = Number(process.env.LOAD_IMPORTERS ?? 1);
/**
 * Pause of each importer between two imports. Each import is a whole CLI process (start-up,
 * metadata discovery, migrations check, then one all-or-nothing transaction): two importers back
 * to back kept both CPUs of this machine busy, imports took 15-19 s each even on PostgreSQL, and
 * clients passed the 30 s request timeout on both databases. On SQLite an import also holds the
 * single write lock for its whole apply. Imports are operator actions, not a stream: one importer
 * with a pause keeps them concurrent with the clients without starving them.
 */
const IMPORT_PAUSE_MS = Number(process.env.LOAD_IMPORT_PAUSE_MS ?? 5_000);
const IMPORT_ROWS = 200;

const UPSERT = `mutation ($rows: [PersonUpsertInput!]!, $atomic: Boolean) {
  upsertPeople(rows: $rows, atomic: $atomic) { rows { rowIndex status version errors { message } } }
}`;
const READS = [
  '{ municipalities(first: 20, filter: { uf: ["RS"] }, orderBy: [NAME_ASC]) { totalCount nodes { ibgeCode name healthRegion { code } state { uf } } } }',
  '{ state(uf: "MT") { name healthRegions(first: 20) { nodes { code name } } } }',
  '{ municipality(ibgeCode: "4314902") { name population state { name } } }',
  '{ people(first: 10) { totalCount nodes { code name } } }',
];

interface RowResult {
  status: string;
  version: number | null;
}

function rss(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
}

async function startOn(scratch: ScratchDatabase, nodeArgs: string[] = []): Promise<ServerProcess> {
  return startServerProcess(
    {
      DATABASE_URL:
        scratch.target.driver === 'sqlite' ? `sqlite:${scratch.target.file}` : scratch.target.url,
      LOG_LEVEL: 'warn',
      RATE_LIMIT_PER_MINUTE: '0',
    },
    nodeArgs,
  );
}

/**
 * The live heap after each full collection, from V8's `--trace-gc` lines
 * (`… Mark-Compact 180.2 (230.1) -> 95.3 (231.0) MB …`): the size after the arrow is what the
 * program still holds. Unlike RSS it leaves out the free pages V8 keeps for later allocations.
 */
function liveHeapAfterFullGcs(log: string): number[] {
  return [...log.matchAll(/Mark-Compact[^\n]*? [\d.]+ \([\d.]+\) -> ([\d.]+) \([\d.]+\) MB/g)].map(
    (match) => Number(match[1]),
  );
}

async function upsert(url: string, key: string, rows: object[], atomic: boolean) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query: UPSERT, variables: { rows, atomic } }),
  });
  const body = (await response.json()) as {
    data?: { upsertPeople: { rows: RowResult[] } };
    errors?: { message: string }[];
  };
  return { status: response.status, rows: body.data?.upsertPeople.rows, errors: body.errors };
}

/** A CSV of events whose natural keys (`codigo`) start with `prefix` and are found nowhere else. */
function eventsFile(dir: string, prefix: string): string {
  const lines = ['codigo,tipo,titulo,data,uf,participantes'];
  for (let i = 0; i < IMPORT_ROWS; i += 1) {
    const month = String((i % 12) + 1).padStart(2, '0');
    lines.push(`${prefix}${i},CIR,Reunião ${prefix}${i},15/${month}/2025,RS,${i % 40}`);
  }
  const file = path.join(dir, `${prefix}events.csv`);
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

interface ImportAttempt {
  prefix: string;
  exitCode: number | null;
  output: string;
  /** Wall time of the CLI process, start to exit. */
  seconds: number;
  /** Set when the CLI said `import #<runId> applied: <rows> rows`. */
  applied?: { runId: number; rows: number };
}

/** Runs the real CLI (`rede-hub import events <file>`) in its own process, as an operator would. */
async function runImport(cli: string, databaseUrl: string, file: string, prefix: string) {
  const started = Date.now();
  const child = spawn(process.execPath, [cli, 'import', 'events', file, '--as', 'load-import'], {
    env: { PATH: process.env.PATH ?? '', DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
  const exitCode = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const match = /import #(\d+) applied: (\d+) rows/.exec(output);
  const attempt: ImportAttempt = {
    prefix,
    exitCode,
    output: output.slice(-1000),
    seconds: Math.round((Date.now() - started) / 100) / 10,
  };
  if (exitCode === 0 && match) {
    attempt.applied = { runId: Number(match[1]), rows: Number(match[2]) };
  }
  return attempt;
}

/** What the database holds for each import attempt: its run, its events and their audit rows. */
async function auditOfImports(scratch: ScratchDatabase, attempts: ImportAttempt[]) {
  const orm = await initOrm({ database: scratch.target });
  try {
    const em = orm.em.fork();
    const found = [];
    for (const attempt of attempts) {
      const events = await em.find(Event, { code: { $like: `${attempt.prefix}%` } });
      const ids = events.map((event) => event.id);
      const run = attempt.applied
        ? await em.findOne(ImportRun, { id: attempt.applied.runId })
        : null;
      const audited = await em.count(AuditEntry, {
        entityType: 'Event',
        action: 'CREATE' as never,
        entityId: { $in: ids.concat(-1) },
        ...(attempt.applied ? { importRunId: attempt.applied.runId } : {}),
      });
      found.push({
        prefix: attempt.prefix,
        applied: Boolean(attempt.applied),
        events: events.length,
        distinctCodes: new Set(events.map((event) => event.code)).size,
        run: run ? { status: run.status, kind: run.kind } : null,
        audited,
        // From just before the import's transaction began to its commit: wait for the lock + hold.
        transactionMs:
          run?.finishedAt && run.startedAt ? run.finishedAt.getTime() - run.startedAt.getTime() : 0,
      });
    }
    return found;
  } finally {
    await orm.close(true);
  }
}

/** Median of a window of samples, so one sample taken just before a collection decides nothing. */
function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function auditOfPeople(scratch: ScratchDatabase, prefix: string) {
  const orm = await initOrm({ database: scratch.target });
  try {
    const em = orm.em.fork();
    const people = await em.find(Person, { code: { $like: `${prefix}%` } });
    const entries = await em.find(AuditEntry, {
      entityType: 'Person',
      entityId: { $in: people.map((p) => p.id) },
    });
    const byPerson = new Map(
      people.map((person) => [person.id, { person, creates: 0, updates: 0 }]),
    );
    for (const entry of entries) {
      const tally = byPerson.get(entry.entityId)!;
      if (entry.action === 'CREATE') {
        tally.creates += 1;
      } else if (entry.action === 'UPDATE') {
        tally.updates += 1;
      }
    }
    const orphanCreates = await em.count(AuditEntry, {
      entityType: 'Person',
      action: 'CREATE' as never,
      entityId: { $nin: people.map((p) => p.id).concat(-1) },
      after: { $ne: null },
    });
    return { people, byPerson, orphanCreates };
  } finally {
    await orm.close(true);
  }
}

describe.skipIf(!databaseAvailable || !wanted)('load: 200 clients on loopback', () => {
  let scratch: ScratchDatabase;
  let server: ServerProcess;
  let key: string;
  let cli: string;
  let importDir: string;
  beforeAll(async () => {
    scratch = await scratchDatabase(testDatabase);
    const orm = await initOrm({ database: scratch.target });
    key = (await createApiKey(orm.em.fork(), { name: 'load', role: Role.EDITOR })).key;
    await orm.close(true);
    // V8 reports every collection, so the test can read the live heap, not just RSS.
    server = await startOn(scratch, ['--trace-gc']);
    // The CLI compiled with the server, from the same sources.
    cli = path.join(path.dirname(await buildServer()), 'cli', 'main.js');
    importDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rede-hub-load-imports-'));
  });
  afterAll(async () => {
    await server?.stop();
    await scratch?.drop();
    if (importDir) {
      fs.rmSync(importDir, { recursive: true, force: true });
    }
  });

  it(
    `mixes reads, bulk upserts and CLI imports for ${SECONDS} s: no 5xx, no lost or duplicated write, stable memory`,
    async () => {
      const deadline = Date.now() + SECONDS * 1000;
      const statuses = new Map<number, number>();
      const failures: string[] = [];
      /** What the clients were told: code → last acknowledged version, and acknowledged updates. */
      const acknowledged: Acknowledged = new Map();
      const samples: number[] = [];
      const sampler = setInterval(() => samples.push(rss(server.process.pid!)), 1000);
      const logFrom = server.logs().length;
      let requests = 0;

      const client = async (id: number) => {
        let n = 0;
        const mine: string[] = [];
        while (Date.now() < deadline) {
          n += 1;
          requests += 1;
          try {
            if (n % 5 === 1) {
              const rows = upsertBatch('load', id, n, mine, acknowledged);
              const answer = await upsert(server.url, key, rows, false);
              statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
              if (!answer.rows) {
                failures.push(
                  `upsert ${answer.status}: ${JSON.stringify(answer.errors).slice(0, 200)}`,
                );
                continue;
              }
              answer.rows.forEach((row, index) => {
                const code = (rows[index] as { code: string }).code;
                if (row.status === 'CREATED') {
                  acknowledged.set(code, { version: row.version!, updates: 0 });
                  mine.push(code);
                } else if (row.status === 'UPDATED') {
                  const seen = acknowledged.get(code)!;
                  acknowledged.set(code, { version: row.version!, updates: seen.updates + 1 });
                } else {
                  failures.push(`row ${code}: ${row.status}`);
                }
              });
            } else {
              const response = await fetch(`${server.url}/graphql`, {
                method: 'POST',
                headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
                body: JSON.stringify({ query: READS[(id + n) % READS.length] }),
              });
              statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
              const body = (await response.json()) as { errors?: unknown };
              if (body.errors) {
                failures.push(`read: ${JSON.stringify(body.errors).slice(0, 200)}`);
              }
            }
          } catch (error) {
            failures.push(`transport: ${(error as Error).message}`);
          }
        }
      };
      const databaseUrl =
        scratch.target.driver === 'sqlite' ? `sqlite:${scratch.target.file}` : scratch.target.url;
      const attempts: ImportAttempt[] = [];
      const importer = async (id: number) => {
        for (let n = 0; Date.now() < deadline; n += 1) {
          const prefix = `imp-${id}-${n}-`;
          attempts.push(await runImport(cli, databaseUrl, eventsFile(importDir, prefix), prefix));
          await new Promise((resolve) => setTimeout(resolve, IMPORT_PAUSE_MS));
        }
      };
      await Promise.all([
        ...Array.from({ length: CLIENTS }, (_, id) => client(id)),
        ...Array.from({ length: IMPORTERS }, (_, id) => importer(id)),
      ]);
      clearInterval(sampler);

      const gcLog = server.logs().slice(logFrom);

      // Memory: the first third is warm-up (V8 sizing its heap, Apollo's document cache and
      // SQLite's page cache filling). RSS is reported but not judged: V8 keeps freed heap pages and
      // grows its heap limit with the allocation rate, so RSS swung 257 → 211 → 337 MB in one
      // SQLite run with no leak. The judge is the live heap after full collections: the median of
      // the last third against the median of the middle third (a leak grows it; garbage does not).
      const windowOf = (at: number) => samples.slice(Math.max(0, at - 5), at + 5);
      const middle = median(windowOf(Math.floor(samples.length / 2)));
      const end = median(samples.slice(-10));
      const liveHeap = liveHeapAfterFullGcs(gcLog);
      const third = Math.floor(liveHeap.length / 3);
      const heapMiddle = median(liveHeap.slice(third, 2 * third));
      const heapEnd = median(liveHeap.slice(2 * third));
      console.log(
        JSON.stringify({
          driver: scratch.target.driver,
          clients: CLIENTS,
          seconds: SECONDS,
          requests,
          statuses: Object.fromEntries(statuses),
          writes: acknowledged.size,
          imports: attempts.length,
          importsApplied: attempts.filter((attempt) => attempt.applied).length,
          importSeconds: attempts.map((attempt) => attempt.seconds),
          rssStartMB: Math.round((samples[0] ?? 0) / 1e6),
          rssAfterWarmUpMB: Math.round((samples[Math.floor(samples.length / 3)] ?? 0) / 1e6),
          rssMiddleMB: Math.round(middle / 1e6),
          rssEndMB: Math.round(end / 1e6),
          rssPeakMB: Math.round(Math.max(...samples) / 1e6),
          fullGcs: liveHeap.length,
          liveHeapMiddleMB: heapMiddle,
          liveHeapEndMB: heapEnd,
        }),
      );
      const imports = await auditOfImports(scratch, attempts);
      console.log(
        JSON.stringify({ importTransactionMs: imports.map((held) => held.transactionMs) }),
      );
      expect(failures.slice(0, 5)).toEqual([]);
      expect(acknowledged.size).toBeGreaterThan(0);
      expect([...statuses.keys()].filter((status) => status >= 500)).toEqual([]);
      expect(
        liveHeap.length,
        'full collections seen in the --trace-gc output',
      ).toBeGreaterThanOrEqual(3);
      expect(heapEnd / heapMiddle).toBeLessThanOrEqual(1.2);

      // Every import ran to the end and says so; each has its run, its rows once, and an audit
      // row per row tied to the run. (A failed import would have to leave nothing behind.)
      expect(
        attempts.filter((attempt) => !attempt.applied).map((a) => `${a.prefix}: ${a.output}`),
      ).toEqual([]);
      expect(attempts.length).toBeGreaterThan(0);
      for (const { transactionMs: _ms, ...held } of imports) {
        expect(held).toEqual(
          held.applied
            ? {
                prefix: held.prefix,
                applied: true,
                events: IMPORT_ROWS,
                distinctCodes: IMPORT_ROWS,
                run: { status: ImportStatus.SUCCEEDED, kind: 'events' },
                audited: IMPORT_ROWS,
              }
            : {
                prefix: held.prefix,
                applied: false,
                events: 0,
                distinctCodes: 0,
                run: null,
                audited: 0,
              },
        );
      }

      // Compare the database and its audit log with what the clients were told.
      const { people, byPerson, orphanCreates } = await auditOfPeople(scratch, 'load-');
      expect(people.length).toBe(acknowledged.size);
      expect(orphanCreates).toBe(0);
      for (const { person, creates, updates } of byPerson.values()) {
        const told = acknowledged.get(person.code)!;
        expect(told, person.code).toBeDefined();
        expect({ code: person.code, version: person.version, creates, updates }).toEqual({
          code: person.code,
          version: told.version,
          creates: 1,
          updates: told.updates,
        });
      }
    },
    SECONDS * 1000 + 180_000,
  );
});

describe.skipIf(!databaseAvailable || !wanted)('SIGKILL during bulk upserts', () => {
  let scratch: ScratchDatabase;
  let key: string;
  beforeAll(async () => {
    scratch = await scratchDatabase(testDatabase);
    const orm = await initOrm({ database: scratch.target });
    key = (await createApiKey(orm.em.fork(), { name: 'kill', role: Role.EDITOR })).key;
    await orm.close(true);
  });
  afterAll(async () => {
    await scratch?.drop();
  });

  it('leaves every atomic batch fully written with its audit rows, or not at all', async () => {
    const server = await startOn(scratch);
    const BATCH = 50;
    const acknowledgedBatches = new Set<string>();
    let stop = false;
    const writer = async (id: number) => {
      for (let n = 0; !stop; n += 1) {
        const batch = `kill-${id}-${n}-`;
        const rows = Array.from({ length: BATCH }, (_, i) => ({
          code: `${batch}${i}`,
          name: `Pessoa Fictícia ${i}`,
        }));
        try {
          const answer = await upsert(server.url, key, rows, true);
          if (answer.rows?.every((row) => row.status === 'CREATED')) {
            acknowledgedBatches.add(batch);
          }
        } catch {
          return; // the server is gone
        }
      }
    };
    const writers = Array.from({ length: 20 }, (_, id) => writer(id));
    // Kill while writers are mid-flight: once a few batches have committed (bounded wait).
    for (let waited = 0; acknowledgedBatches.size < 3 && waited < 90_000; waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await server.kill();
    stop = true;
    await Promise.all(writers);
    expect(acknowledgedBatches.size).toBeGreaterThan(0);

    // Restart on the same database: it starts, and what it holds is consistent.
    const again = await startOn(scratch);
    await again.stop();
    const { people, byPerson, orphanCreates } = await auditOfPeople(scratch, 'kill-');
    const perBatch = new Map<string, number>();
    for (const person of people) {
      const batch = person.code.replace(/\d+$/, '');
      perBatch.set(batch, (perBatch.get(batch) ?? 0) + 1);
    }
    console.log(
      JSON.stringify({
        driver: scratch.target.driver,
        batchesSeen: perBatch.size,
        acknowledged: acknowledgedBatches.size,
      }),
    );
    for (const [batch, count] of perBatch) {
      expect({ batch, count }).toEqual({ batch, count: BATCH });
    }
    for (const batch of acknowledgedBatches) {
      expect(perBatch.get(batch), batch).toBe(BATCH);
    }
    for (const { person, creates } of byPerson.values()) {
      expect({ code: person.code, creates }).toEqual({ code: person.code, creates: 1 });
    }
    expect(orphanCreates).toBe(0);
  }, 300_000);
});
