import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Event } from '../../src/activity/event.entity';
import { AuditEntry } from '../../src/audit/audit-entry.entity';
import { createApiKey } from '../../src/auth/api-key.service';
import { Role } from '../../src/auth/auth.enums';
import { migrationsFor } from '../../src/db/migrations';
import { initOrm } from '../../src/db/orm';
import { Person } from '../../src/people/person.entity';
import { buildServer, startServerProcess, type ServerProcess } from '../child-process';
import { scratchDatabase, type ScratchDatabase } from '../database';
import { databaseAvailable, driver, testDatabase } from '../helpers';
import { type Acknowledged, upsertBatch } from './upsert-batch';

/**
 * Several API instances on one PostgreSQL (issue #20). Start-up takes a database lock, so three
 * instances started at the same moment on an empty database migrate and seed it once.
 */
describe.skipIf(!databaseAvailable || driver !== 'postgresql')(
  'three instances started at once on an empty database',
  () => {
    let scratch: ScratchDatabase;
    let servers: ServerProcess[] = [];
    beforeAll(async () => {
      scratch = await scratchDatabase(testDatabase, { empty: true });
    });
    afterAll(async () => {
      await Promise.all(servers.map((server) => server.stop()));
      await scratch?.drop();
    });

    it('migrate and seed it exactly once, under the advisory lock, and all serve', async () => {
      const url = scratch.target.driver === 'postgresql' ? scratch.target.url : '';
      servers = await Promise.all(
        [0, 1, 2].map(() =>
          startServerProcess({
            DATABASE_URL: url,
            LOG_LEVEL: 'info',
            SEED_ON_START: 'true',
            DEMO_ON_START: 'false',
          }),
        ),
      );
      const logs = servers.map((server) => server.logs());
      const count = (pattern: RegExp) =>
        logs.reduce((total, log) => total + (log.match(pattern)?.length ?? 0), 0);
      expect(count(/"msg":"applied migrations"/g)).toBe(1);
      expect(count(/"msg":"loaded the shipped territory"/g)).toBe(1);
      // The first admin key is made once and printed once, by the instance that seeded.
      expect(count(/No admin API key existed, so one was created/g)).toBe(1);
      // The others said why they waited (they tried the lock while the first held it).
      expect(count(/another instance is migrating or seeding; waiting for it/g)).toBe(2);

      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        const migrations = await client.query<{ name: string; n: string }>(
          'select name, count(*) as n from mikro_orm_migrations group by name',
        );
        expect(migrations.rows.length).toBe(migrationsFor('postgresql').length);
        expect(migrations.rows.filter((row) => row.n !== '1')).toEqual([]);
        const counts = await client.query<{
          states: string;
          municipalities: string;
          admins: string;
        }>(
          `select (select count(*) from states) as states,
                  (select count(*) from municipalities) as municipalities,
                  (select count(*) from api_keys where role = 'ADMIN') as admins`,
        );
        expect(counts.rows[0]).toEqual({ states: '27', municipalities: '5571', admins: '1' });
        const locks = await client.query(
          'select 1 from pg_locks where locktype = $1 and objid = $2',
          ['advisory', 0x52656465],
        );
        expect(locks.rowCount).toBe(0);
      } finally {
        await client.end();
      }
      for (const server of servers) {
        const response = await fetch(`${server.url}/ready`);
        expect(response.status).toBe(200);
      }
    });
  },
);

/**
 * Three instances, one PostgreSQL, one Redis, clients spread over them (as a proxy would), with a
 * rolling restart in the middle. Long: runs on CI and with SLOW_TESTS=1. INSTANCES_SECONDS
 * (default 45) and INSTANCES_CLIENTS (default 60) bound it.
 */
const wanted = process.env.CI === 'true' || process.env.SLOW_TESTS === '1';
const SECONDS = Number(process.env.INSTANCES_SECONDS ?? 45);
const CLIENTS = Number(process.env.INSTANCES_CLIENTS ?? 60);
const LIMIT = 600;
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const UPSERT = `mutation Upsert($rows: [PersonUpsertInput!]!) {
  upsertPeople(rows: $rows) { rows { status version } }
}`;
const READS = [
  'query Pull { municipalities(first: 50, filter: { uf: ["RS"] }, orderBy: [NAME_ASC]) { totalCount nodes { ibgeCode name healthRegion { code } state { uf } } } }',
  'query State { state(uf: "MT") { name healthRegions(first: 20) { nodes { code name } } } }',
  'query People { people(first: 10) { totalCount nodes { code name } } }',
];

interface Answers {
  createExportToken?: { url: string };
  savedQueries?: { nodes: { name: string }[] };
}

/** Resident memory of a process (0 while it is being restarted). */
function rss(pid: number): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

/**
 * What a proxy does: round robin over the instances whose `/ready` answered 200 at the last
 * probe (every 200 ms); a connection refused (nothing was sent) is tried on the next instance.
 */
class Balancer {
  ready: boolean[];
  private turn = 0;
  private timer: NodeJS.Timeout;
  constructor(public servers: ServerProcess[]) {
    this.ready = servers.map(() => true);
    this.timer = setInterval(() => void this.probe(), 200);
  }
  private probing = false;
  private async probe() {
    if (this.probing) {
      return;
    }
    this.probing = true;
    await Promise.all(
      this.servers.map(async (server, i) => {
        this.ready[i] = await fetch(`${server.url}/ready`).then(
          (response) => response.status === 200,
          () => false,
        );
      }),
    );
    this.probing = false;
  }
  replace(i: number, server: ServerProcess) {
    this.servers[i] = server;
  }
  async request(
    path: string,
    init: RequestInit,
  ): Promise<{ response: Response; instance: number }> {
    for (let attempt = 0; ; attempt += 1) {
      const candidates = this.servers.map((_, i) => i).filter((i) => this.ready[i]);
      const i = candidates[this.turn++ % Math.max(1, candidates.length)] ?? 0;
      try {
        return { response: await fetch(`${this.servers[i]!.url}${path}`, init), instance: i };
      } catch (error) {
        const code = (error as { cause?: { code?: string } }).cause?.code;
        if (code !== 'ECONNREFUSED' || attempt > 20) {
          throw error;
        }
        this.ready[i] = false;
      }
    }
  }
  stop() {
    clearInterval(this.timer);
  }
}

describe.skipIf(!databaseAvailable || driver !== 'postgresql' || !wanted)(
  'three instances under load, with a rolling restart',
  () => {
    let scratch: ScratchDatabase;
    let servers: ServerProcess[] = [];
    let cli: string;
    let importDir: string;
    let url: string;
    beforeAll(async () => {
      scratch = await scratchDatabase(testDatabase);
      url = scratch.target.driver === 'postgresql' ? scratch.target.url : '';
      cli = path.join(path.dirname(await buildServer()), 'cli', 'main.js');
      importDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rede-hub-instances-'));
    });
    afterAll(async () => {
      await Promise.all(servers.map((server) => server.stop()));
      await scratch?.drop();
      fs.rmSync(importDir, { recursive: true, force: true });
    });

    const start = () =>
      startServerProcess({
        DATABASE_URL: url,
        REDIS_URL,
        LOG_LEVEL: 'warn',
        RATE_LIMIT_PER_MINUTE: String(LIMIT),
        // Longer than a probe takes on a busy machine, so the balancer has stopped sending first.
        SHUTDOWN_DELAY_MS: '4000',
        PUBLIC_URL: 'http://127.0.0.1',
      });

    it(
      `reads, bulk upserts and CLI imports for ${SECONDS} s from ${CLIENTS} clients: no 5xx, no lost or duplicated write, shared limits, links valid everywhere`,
      async () => {
        servers = await Promise.all([start(), start(), start()]);
        const orm = await initOrm({ database: scratch.target });
        const keys: string[] = [];
        for (let i = 0; i < CLIENTS + 2; i += 1) {
          keys.push((await createApiKey(orm.em.fork(), { name: `i${i}`, role: Role.EDITOR })).key);
        }
        const admin = (await createApiKey(orm.em.fork(), { name: 'admin', role: Role.ADMIN })).key;
        await orm.close(true);
        const balancer = new Balancer(servers);

        // A saved query and its CSV link, made on instance 0.
        const post = (server: ServerProcess, key: string, query: string, variables = {}) =>
          fetch(`${server.url}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
            body: JSON.stringify({ query, variables }),
          }).then((response) => response.json() as Promise<{ data?: Answers; errors?: unknown }>);
        const saved = await post(
          servers[0]!,
          admin,
          'mutation ($input: CreateSavedQueryInput!) { createSavedQuery(input: $input) { id } }',
          {
            input: {
              name: 'municipios-rs',
              query: '{ municipalities(filter: { uf: ["RS"] }) { nodes { ibgeCode name } } }',
              stateUf: null,
            },
          },
        );
        expect(saved.errors).toBeUndefined();
        const link = await post(
          servers[1]!,
          admin,
          'mutation { createExportToken(savedQueryName: "municipios-rs") { url } }',
        );
        expect(link.errors).toBeUndefined();
        const linkUrl = new URL(link.data!.createExportToken!.url);
        const exportPath = `${linkUrl.pathname}${linkUrl.search}`;

        const deadline = Date.now() + SECONDS * 1000;
        const statuses = new Map<number, number>();
        const perInstance = [0, 0, 0];
        const failures: string[] = [];
        const acknowledged: Acknowledged = new Map();
        const memory: number[][] = [[], [], []];
        const sampler = setInterval(() => {
          servers.forEach((server, i) => memory[i]!.push(rss(server.process.pid!)));
        }, 1000);
        let requests = 0;
        const client = async (id: number) => {
          const key = keys[id]!;
          const mine: string[] = [];
          for (let n = 0; Date.now() < deadline; n += 1) {
            requests += 1;
            try {
              if (n % 4 === 1) {
                const rows = upsertBatch('inst', id, n, mine, acknowledged);
                const { response, instance } = await balancer.request('/graphql', {
                  method: 'POST',
                  headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
                  body: JSON.stringify({ query: UPSERT, variables: { rows } }),
                });
                perInstance[instance]! += 1;
                statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
                const body = (await response.json()) as {
                  data?: { upsertPeople: { rows: { status: string; version: number }[] } };
                  errors?: unknown;
                };
                if (!body.data) {
                  failures.push(
                    `upsert ${response.status}: ${JSON.stringify(body.errors).slice(0, 200)}`,
                  );
                  continue;
                }
                body.data.upsertPeople.rows.forEach((row, index) => {
                  const code = (rows[index] as { code: string }).code;
                  if (row.status === 'CREATED') {
                    acknowledged.set(code, { version: row.version, updates: 0 });
                    mine.push(code);
                  } else if (row.status === 'UPDATED') {
                    const seen = acknowledged.get(code)!;
                    acknowledged.set(code, { version: row.version, updates: seen.updates + 1 });
                  } else {
                    failures.push(`row ${code}: ${row.status}`);
                  }
                });
              } else {
                const { response, instance } = await balancer.request('/graphql', {
                  method: 'POST',
                  headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
                  body: JSON.stringify({ query: READS[(id + n) % READS.length] }),
                });
                perInstance[instance]! += 1;
                statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
                const body = (await response.json()) as { errors?: unknown };
                if (body.errors) {
                  failures.push(
                    `read ${response.status}: ${JSON.stringify(body.errors).slice(0, 200)}`,
                  );
                }
              }
            } catch (error) {
              failures.push(
                `transport: ${(error as Error).message} ${String((error as { cause?: unknown }).cause)}`,
              );
            }
          }
        };
        const imports: { prefix: string; ok: boolean; output: string }[] = [];
        const importer = async () => {
          for (let n = 0; Date.now() < deadline - 5_000; n += 1) {
            const prefix = `inst-imp-${n}-`;
            const lines = ['codigo,tipo,titulo,data,uf,participantes'];
            for (let i = 0; i < 100; i += 1) {
              lines.push(`${prefix}${i},CIR,Reunião ${prefix}${i},15/03/2025,RS,${i % 40}`);
            }
            const file = path.join(importDir, `${prefix}.csv`);
            fs.writeFileSync(file, `${lines.join('\n')}\n`);
            const child = spawn(process.execPath, [cli, 'import', 'events', file, '--as', 'inst'], {
              env: { PATH: process.env.PATH ?? '', DATABASE_URL: url, LOG_LEVEL: 'silent' },
              stdio: ['ignore', 'pipe', 'pipe'],
            });
            let output = '';
            child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
            child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
            const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
            imports.push({
              prefix,
              ok: code === 0 && /applied: 100 rows/.test(output),
              output: output.slice(-300),
            });
            await new Promise((resolve) => setTimeout(resolve, 3_000));
          }
        };
        /** SIGTERM one instance, start it again, wait, next: while the clients keep going. */
        const restarts: { instance: number; drainedMs: number }[] = [];
        const rolling = async () => {
          await new Promise((resolve) => setTimeout(resolve, (SECONDS * 1000) / 5));
          for (let i = 0; i < 3; i += 1) {
            const began = Date.now();
            await servers[i]!.stop();
            restarts.push({ instance: i, drainedMs: Date.now() - began });
            memory[i] = [];
            servers[i] = await start();
            balancer.replace(i, servers[i]!);
            await new Promise((resolve) => setTimeout(resolve, 3_000));
          }
        };
        await Promise.all([
          ...Array.from({ length: CLIENTS }, (_, id) => client(id)),
          importer(),
          rolling(),
        ]);
        clearInterval(sampler);
        balancer.stop();

        // Rate limits are shared through Redis: a fresh key spread over the three instances
        // gets LIMIT requests in all, not LIMIT per instance.
        const spender = keys[CLIENTS]!;
        let accepted = 0;
        let refused = 0;
        for (let n = 0; n < LIMIT + 30; n += 1) {
          const response = await fetch(`${servers[n % 3]!.url}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${spender}` },
            body: JSON.stringify({ query: '{ __typename }' }),
          });
          await response.arrayBuffer();
          if (response.status === 200) {
            accepted += 1;
          }
          if (response.status === 429) {
            refused += 1;
          }
        }

        // The saved query and its CSV link answer the same on every instance (restarted ones too).
        const csvs = await Promise.all(
          servers.map(async (server) => {
            const response = await fetch(`${server.url}${exportPath}`);
            return { status: response.status, body: await response.text() };
          }),
        );
        const listed = await Promise.all(
          servers.map((server) =>
            post(server, keys[CLIENTS + 1]!, '{ savedQueries(first: 10) { nodes { name } } }'),
          ),
        );

        const mb = (values: number[]) => Math.round(Math.max(0, ...values) / 1e6);
        const summary = {
          instances: 3,
          clients: CLIENTS,
          seconds: SECONDS,
          requests,
          perInstance,
          statuses: Object.fromEntries(statuses),
          failures: failures.length,
          writes: acknowledged.size,
          updates: [...acknowledged.values()].reduce((total, told) => total + told.updates, 0),
          imports: imports.length,
          importsApplied: imports.filter((attempt) => attempt.ok).length,
          restarts,
          rateLimit: { limit: LIMIT, accepted, refused },
          rssPeakMBPerInstance: memory.map(mb),
        };
        console.log(JSON.stringify(summary));

        expect(failures.slice(0, 5)).toEqual([]);
        expect([...statuses.keys()].filter((status) => status >= 500)).toEqual([]);
        expect(perInstance.every((count) => count > 0)).toBe(true);
        expect(restarts).toHaveLength(3);
        expect({ accepted, refused }).toEqual({ accepted: LIMIT, refused: 30 });
        expect(csvs.map((csv) => csv.status)).toEqual([200, 200, 200]);
        expect(csvs[0]!.body.split('\n').length).toBeGreaterThan(400);
        expect(new Set(csvs.map((csv) => csv.body)).size).toBe(1);
        for (const answer of listed) {
          expect(answer.data?.savedQueries?.nodes).toEqual([{ name: 'municipios-rs' }]);
        }
        expect(imports.filter((attempt) => !attempt.ok)).toEqual([]);
        expect(imports.length).toBeGreaterThan(0);

        // The database and its audit log hold what the clients were told, once.
        const check = await initOrm({ database: scratch.target });
        try {
          const em = check.em.fork();
          const people = await em.find(Person, { code: { $like: 'inst-%' } });
          expect(people.length).toBe(acknowledged.size);
          const audit = await em.find(AuditEntry, {
            entityType: 'Person',
            entityId: { $in: people.map((person) => person.id) },
          });
          const tally = new Map<number, { creates: number; updates: number }>();
          for (const entry of audit) {
            const t = tally.get(entry.entityId) ?? { creates: 0, updates: 0 };
            if (entry.action === 'CREATE') {
              t.creates += 1;
            }
            if (entry.action === 'UPDATE') {
              t.updates += 1;
            }
            tally.set(entry.entityId, t);
          }
          for (const person of people) {
            const told = acknowledged.get(person.code)!;
            expect({ code: person.code, version: person.version, ...tally.get(person.id) }).toEqual(
              {
                code: person.code,
                version: told.version,
                creates: 1,
                updates: told.updates,
              },
            );
          }
          for (const attempt of imports) {
            expect(await em.count(Event, { code: { $like: `${attempt.prefix}%` } })).toBe(100);
          }
        } finally {
          await check.close(true);
        }
      },
      SECONDS * 1000 + 240_000,
    );
  },
);
