/**
 * Latency and SQL statements of the analysts' questions (schema/examples 21–31) over a synthetic
 * national network: all 5,571 municipalities with regions, populations, gestores and mayors
 * (two terms), apoiadores, events, adhesions and instrument statuses.
 *
 *   npm run bench:analytics              # SQLite and PostgreSQL
 *   npm run bench:analytics -- sqlite    # one of them
 *
 * Prints a Markdown table: median and p90 of 15 timed runs after 3 warm-ups, per database.
 */
import 'reflect-metadata';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { bootstrap } from '../api/src/app';
import { projectRoot } from '../api/src/common/paths';
import { searchText } from '../api/src/common/text';
import { loadConfig } from '../api/src/config';
import {
  initOrm,
  migrate,
  refreshPlannerStatistics,
  StatementCounter,
  type Em,
} from '../api/src/db/orm';
import { EventKind, Modality } from '../api/src/activity/activity.enums';
import { Event } from '../api/src/activity/event.entity';
import { Mandate } from '../api/src/people/mandate.entity';
import { MandateRole } from '../api/src/people/people.enums';
import { Person } from '../api/src/people/person.entity';
import { Adhesion } from '../api/src/programs/adhesion.entity';
import { InstrumentStatus } from '../api/src/programs/instrument-status.entity';
import { Program } from '../api/src/programs/program.entity';
import {
  AdhesionStatus,
  Instrument,
  InstrumentStatusValue,
} from '../api/src/programs/programs.enums';
import { HealthMacroregion } from '../api/src/territory/health-macroregion.entity';
import { HealthRegion } from '../api/src/territory/health-region.entity';
import { Municipality } from '../api/src/territory/municipality.entity';
import { State } from '../api/src/territory/state.entity';
import { sizeClassOf } from '../api/src/territory/territory.enums';
import { seedTerritory } from '../api/src/territory/territory.seed';

const POSTGRES_ADMIN_URL =
  process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const WARMUP = 3;
const RUNS = 15;

/** Deterministic pseudo-random numbers (mulberry32), so every run builds the same network. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function flushInChunks(em: Em, build: (index: number) => void, count: number) {
  for (let index = 0; index < count; index += 1) {
    build(index);
    if (index % 2_000 === 1_999) {
      await em.flush();
      em.clear();
    }
  }
  await em.flush();
  em.clear();
}

/** Fictional people only: codes and generated names, no real person. */
async function seedNetwork(em: Em): Promise<void> {
  const next = random(425);
  const states = await em.find(State, {}, { orderBy: { ibgeCode: 'asc' } });
  const regionIds: number[] = [];
  for (const state of states) {
    const municipalities = await em.find(Municipality, { state }, { orderBy: { ibgeCode: 'asc' } });
    const regionCount = Math.max(1, Math.round(municipalities.length / 12));
    const macros = Array.from({ length: Math.max(1, Math.round(regionCount / 5)) }, (_, i) =>
      em.create(HealthMacroregion, {
        code: `${state.ibgeCode}${String(i + 1).padStart(2, '0')}`,
        name: `Macro ${state.uf} ${i + 1}`,
        nameSearch: searchText(`Macro ${state.uf} ${i + 1}`),
        state,
        demo: true,
      }),
    );
    const regions = Array.from({ length: regionCount }, (_, i) =>
      em.create(HealthRegion, {
        code: `${state.ibgeCode}${String(i + 1).padStart(3, '0')}`,
        name: `Região ${state.uf} ${i + 1}`,
        nameSearch: searchText(`Região ${state.uf} ${i + 1}`),
        state,
        macroregion: macros[i % macros.length]!,
        demo: true,
      }),
    );
    municipalities.forEach((municipality, index) => {
      // Leave one municipality in 50 without a region: the "(sem região de saúde)" group.
      municipality.healthRegion =
        index % 50 === 49 ? null : (regions[index % regions.length] as never);
      const population = Math.round(800 * Math.exp(next() * 7.5));
      municipality.population = population;
      municipality.populationYear = 2024;
      municipality.sizeClass = sizeClassOf(population);
    });
    await em.flush();
    regionIds.push(...regions.map((region) => region.id));
    em.clear();
  }

  const municipalityIds = (await em.find(Municipality, {}, { fields: ['id'] })).map((m) => m.id);
  em.clear();
  await flushInChunks(
    em,
    (index) => {
      const municipality = em.getReference(Municipality, municipalityIds[index]!);
      for (const role of [MandateRole.MUNICIPAL_SECRETARY, MandateRole.MAYOR]) {
        const first = em.create(Person, {
          code: `${role}-${index}-1`,
          name: `Pessoa ${role} ${index} A`,
          nameSearch: `pessoa ${index} a`,
          demo: true,
        });
        const renewed = next() < 0.63;
        const second = renewed
          ? em.create(Person, {
              code: `${role}-${index}-2`,
              name: `Pessoa ${role} ${index} B`,
              nameSearch: `pessoa ${index} b`,
              demo: true,
            })
          : first;
        const base = { role, municipality, demo: true };
        em.create(Mandate, {
          ...base,
          person: first,
          startDate: '2017-01-01',
          endDate: '2021-01-01',
        });
        em.create(Mandate, { ...base, person: second, startDate: '2021-01-01' });
      }
    },
    municipalityIds.length,
  );

  const program = em.create(Program, {
    code: 'NT-425-2025',
    name: 'Aperfeiçoamento da Prática em Coordenação do Cuidado a partir da APS',
    adhesionOpensOn: '2025-11-15',
    adhesionClosesOn: '2025-11-30',
    decisionBusinessDays: 3,
    validityMonths: 24,
  });
  await em.flush();
  const statuses = Object.values(AdhesionStatus);
  const instrumentValues = Object.values(InstrumentStatusValue);
  await flushInChunks(
    em,
    (index) => {
      const municipality = em.getReference(Municipality, municipalityIds[index]!);
      if (next() < 0.7) {
        em.create(Adhesion, {
          municipality,
          program: em.getReference(Program, program.id),
          status: statuses[Math.floor(next() * statuses.length)]!,
          requestedOn: '2025-11-20',
          validUntil: '2027-12-03',
          demo: true,
        });
      }
      em.create(InstrumentStatus, {
        municipality,
        instrument: Instrument.RAG,
        period: '2023',
        status: instrumentValues[Math.floor(next() * instrumentValues.length)]!,
        statusDate: `2024-0${1 + Math.floor(next() * 6)}-15`,
        dueDate: '2024-03-30',
        demo: true,
      });
    },
    municipalityIds.length,
  );

  // Apoiadores: one per two regions, a term that ended in 2021 and the current one.
  await flushInChunks(
    em,
    (index) => {
      const regions = [regionIds[2 * index]!, regionIds[2 * index + 1] ?? regionIds[0]!].map((id) =>
        em.getReference(HealthRegion, id),
      );
      for (const [term, startDate, endDate] of [
        [1, '2017-01-01', '2021-01-01'],
        [2, '2021-01-01', null],
      ] as const) {
        const person = em.create(Person, {
          code: `APOIADOR-${index}-${term}`,
          name: `Apoiador ${index}.${term}`,
          nameSearch: `apoiador ${index}.${term}`,
          demo: true,
        });
        const mandate = em.create(Mandate, {
          person,
          role: MandateRole.APOIADOR,
          startDate,
          endDate,
          demo: true,
        });
        mandate.healthRegions.set(regions);
      }
    },
    Math.ceil(regionIds.length / 2),
  );

  const kinds = Object.values(EventKind);
  const stateIds = states.map((state) => state.id);
  await flushInChunks(
    em,
    (index) => {
      const kind = kinds[Math.floor(next() * kinds.length)]!;
      em.create(Event, {
        kind,
        title: `Evento ${index}`,
        startDate: `${2023 + (index % 2)}-${String(1 + (index % 12)).padStart(2, '0')}-${String(1 + (index % 28)).padStart(2, '0')}`,
        modality: kind === EventKind.WEB_OFICINA ? Modality.ONLINE : Modality.IN_PERSON,
        state: em.getReference(State, stateIds[index % stateIds.length]!),
        healthRegion: em.getReference(HealthRegion, regionIds[index % regionIds.length]!),
        participantCount: 5 + Math.floor(next() * 200),
        accessCount: kind === EventKind.WEB_OFICINA ? Math.floor(next() * 900) : null,
        topics: [],
        demo: true,
      });
    },
    20_000,
  );
}

/** Questions beyond the examples: national scope and point-in-time grouping. */
const extraCases: [string, string][] = [
  [
    'municipalityStats, whole country by UF and size class',
    '{ municipalityStats(groupBy: [UF, SIZE_CLASS]) { rows { label count populationSum } } }',
  ],
  [
    'municipalityStats by regions as of 2019-06-01',
    '{ municipalityStats(groupBy: [HEALTH_REGION], regionsAsOf: "2019-06-01") { rows { label count } } }',
  ],
  [
    'gestorTurnover, whole country by UF',
    '{ gestorTurnover(from: "2020-10-01", to: "2021-03-01", groupBy: [UF]) { rows { label gestorChangedShare } } }',
  ],
  [
    'apoiadorCoverage MG (853 municipalities)',
    '{ apoiadorCoverage(uf: "MG", at: "2024-06-01") { rows { personCode gestorCount } } }',
  ],
  [
    '497 RS municipalities with healthRegion(asOf)',
    '{ municipalities(filter: { uf: ["RS"] }, first: 500) { nodes { ibgeCode healthRegion(asOf: "2019-06-01") { code } } } }',
  ],
];

interface Target {
  name: string;
  databaseUrl: string;
  drop: () => Promise<void>;
}

async function createTarget(driver: string): Promise<Target> {
  if (driver === 'sqlite' && process.env.BENCH_SQLITE_FILE) {
    // Keeps (and reuses) the built network in this file, to iterate on queries.
    return {
      name: 'SQLite',
      databaseUrl: `sqlite:${process.env.BENCH_SQLITE_FILE}`,
      drop: async () => undefined,
    };
  }
  if (driver === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rede-hub-bench-analytics-'));
    return {
      name: 'SQLite',
      databaseUrl: `sqlite:${path.join(dir, 'bench.sqlite')}`,
      drop: async () => fs.rmSync(dir, { recursive: true, force: true }),
    };
  }
  const name = `rede_hub_bench_analytics_${process.pid}`;
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    name: 'PostgreSQL',
    databaseUrl: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))]!;
}

async function benchTarget(driver: string): Promise<string[]> {
  const target = await createTarget(driver);
  try {
    const config = loadConfig({
      NODE_ENV: 'production',
      ANONYMOUS_ACCESS: 'reader',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      DATABASE_URL: target.databaseUrl,
      DEMO_ON_START: 'false',
    });
    const orm = await initOrm({ database: config.database });
    const started = performance.now();
    await migrate(orm);
    await seedTerritory(orm.em.fork());
    if ((await orm.em.fork().count(Event, {})) === 0) {
      await seedNetwork(orm.em.fork());
      await refreshPlannerStatistics(orm.em.fork());
    }
    await orm.close(true);
    process.stderr.write(
      `${target.name}: network built in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
    );

    const statements = new StatementCounter();
    const app = await bootstrap({ config, seed: false, onQuery: (sql) => statements.record(sql) });
    const lines: string[] = [];
    try {
      const dir = path.join(projectRoot, 'schema', 'examples');
      const files = fs
        .readdirSync(dir)
        .filter((file) => /^(2\d|3[01])-.*\.graphql$/.test(file))
        .sort();
      const cases: [string, string][] = [
        ...files.map((file): [string, string] => [
          file.replace(/\.graphql$/, ''),
          fs.readFileSync(path.join(dir, file), 'utf8'),
        ]),
        ...extraCases,
      ];
      for (const [file, query] of cases) {
        const run = async () => {
          const response = await fetch(`${app.url}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ query }),
          });
          const body = (await response.json()) as { errors?: unknown[] };
          if (body.errors) {
            throw new Error(`${file}: ${JSON.stringify(body.errors)}`);
          }
        };
        for (let i = 0; i < WARMUP; i += 1) {
          await run();
        }
        const times: number[] = [];
        statements.reset();
        for (let i = 0; i < RUNS; i += 1) {
          const start = performance.now();
          await run();
          times.push(performance.now() - start);
        }
        lines.push(
          `| ${target.name} | ${file} | ${statements.count / RUNS} | ${percentile(times, 0.5).toFixed(1)} | ${percentile(times, 0.9).toFixed(1)} |`,
        );
      }
    } finally {
      await app.close();
    }
    return lines;
  } finally {
    await target.drop();
  }
}

async function main() {
  const requested = process.argv[2];
  const drivers = requested ? [requested] : ['sqlite', 'postgresql'];
  const lines = [
    '| database | question | SQL statements | median ms | p90 ms |',
    '|---|---|---:|---:|---:|',
  ];
  for (const driver of drivers) {
    lines.push(...(await benchTarget(driver)));
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
