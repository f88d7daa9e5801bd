/**
 * Prepares the benchmark's databases: one PostgreSQL database and one SQLite file, migrated and
 * seeded by the API's own start-up tasks (the shipped territory), plus the benchmark's workload —
 * a current and a former gestor per municipality and N events — written by set-based SQL that
 * produces identical rows on both dialects. Idempotent: a prepared database is reused.
 */
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { createLogger } from '../api/src/common/logger';
import { loadConfig, type DatabaseTarget } from '../api/src/config';
import { initOrm, migrate, type Orm } from '../api/src/db/orm';
import { startupTasks } from '../api/src/startup';

export const POSTGRES_ADMIN_URL =
  process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface BenchDatabases {
  postgres: { url: string; name: string };
  sqlite: { url: string; file: string };
}

export interface PreparedData {
  municipalities: number;
  currentGestores: number;
  events: number;
  seconds: { postgres: number; sqlite: number };
}

export function benchDatabases(root: string, events: number): BenchDatabases {
  const suffix = events === 1_000_000 ? '' : `_${events}`;
  const name = `rede_hub_bench${suffix}`;
  const file = path.join(root, 'bench', 'data', `rede-hub-bench${suffix}.sqlite`);
  const admin = new URL(POSTGRES_ADMIN_URL);
  admin.pathname = `/${name}`;
  return {
    postgres: { url: admin.toString(), name },
    sqlite: { url: `sqlite:${file}`, file },
  };
}

async function ensurePostgresDatabase(name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('select 1 from pg_database where datname = $1', [name]);
    if (!rowCount) {
      await admin.query(`create database ${name}`);
    }
  } finally {
    await admin.end();
  }
}

/** Rows the prepared workload must have; anything else is regenerated. */
async function workloadCounts(
  orm: Orm,
): Promise<{ events: number; gestores: number; withRegion: number }> {
  const connection = orm.em.getConnection();
  const [events] = await connection.execute<{ n: number | string }[]>(
    `select count(*) as n from events where source = 'bench'`,
  );
  const [gestores] = await connection.execute<{ n: number | string }[]>(
    `select count(*) as n from mandates where source = 'bench'`,
  );
  const [regions] = await connection.execute<{ n: number | string }[]>(
    `select count(*) as n from municipalities where health_region_id is not null`,
  );
  return {
    events: Number(events!.n),
    gestores: Number(gestores!.n),
    withRegion: Number(regions!.n),
  };
}

/** `CASE` over a modulus: the same list on both dialects without arrays. */
function pick(expression: string, values: readonly string[]): string {
  const branches = values.map((value, index) => `when ${index} then '${value}'`).join(' ');
  return `case (${expression}) % ${values.length} ${branches} end`;
}

const eventKinds = [
  'CIR_MEETING',
  'CIB_MEETING',
  'BOARD_MEETING',
  'ASSEMBLY',
  'WEB_OFICINA',
  'WEB_MEETING',
  'TRAINING',
  'CONGRESS',
  'TECHNICAL_VISIT',
  'SETEC',
  'OTHER',
] as const;

const firstNames = ['Ana', 'Bruno', 'Carla', 'Diego', 'Elisa', 'Fábio', 'Gabriela', 'Hugo'];
const lastNames = ['Fictícia', 'Imaginário', 'Exemplo', 'Modelo', 'Suposto', 'Hipotético'];

type Execute = (sql: string) => Promise<unknown>;

/** A zero-padded 3-digit number, the same on both dialects. */
function pad3(expression: string): string {
  return `case when ${expression} < 10 then '00' || ${expression} when ${expression} < 100 then '0' || ${expression} else '' || ${expression} end`;
}

/**
 * The shipped territory has no health regions and no populations (the imports bring them);
 * the workload needs both for its joins and its ordering. When they are missing, the bench adds
 * fictional ones: 4 macroregions per state, regions of 12 municipalities, skewed populations.
 */
async function completeTerritory(execute: Execute, now: string): Promise<void> {
  await execute(`create temporary table bench_rank as
    select m.id, m.state_id, s.ibge_code as state_code,
      (row_number() over (partition by m.state_id order by m.ibge_code) - 1) / 12 + 1 as n,
      row_number() over (order by m.ibge_code) as rn
    from municipalities m join states s on s.id = m.state_id where m.deleted_at is null`);
  await execute(`create index bench_rank_id on bench_rank (id)`);
  await execute(`insert into health_macroregions
      (created_at, updated_at, version, source, code, name, name_search, state_id, demo)
    select ${now}, ${now}, 1, 'bench', s.ibge_code || k.k, 'Macrorregião ' || k.k || ' ' || s.uf,
      'macrorregiao ' || k.k || ' ' || lower(s.uf), s.id, true
    from states s cross join (select 1 as k union all select 2 union all select 3 union all select 4) k
    where s.deleted_at is null
    order by s.ibge_code, k.k`);
  await execute(`insert into health_regions
      (created_at, updated_at, version, source, code, name, name_search, state_id, macroregion_id, demo)
    select ${now}, ${now}, 1, 'bench', r.state_code || ${pad3('r.n')},
      'Região de Saúde ' || r.n || ' ' || s.uf, 'regiao de saude ' || r.n || ' ' || lower(s.uf),
      r.state_id, mr.id, true
    from (select distinct state_id, state_code, n from bench_rank) r
    join states s on s.id = r.state_id
    join health_macroregions mr on mr.code = r.state_code || ((r.n % 4) + 1)
    order by r.state_code, r.n`);
  // Skewed like Brazil's: most municipalities small, a few large (x⁵ of a uniform x in 0…999).
  const x = '((r.rn * 7919) % 1000)';
  const population = `(800 + ${x} * ${x} * ${x} * ${x} * ${x} / 2000000000)`;
  await execute(`update municipalities set
      health_region_id = (select hr.id from bench_rank r join health_regions hr
        on hr.code = r.state_code || ${pad3('r.n')} where r.id = municipalities.id),
      population = (select ${population} from bench_rank r where r.id = municipalities.id),
      population_year = 2024
    where deleted_at is null`);
  await execute(`update municipalities set size_class = case
      when population <= 5000 then 'UP_TO_5K' when population <= 10000 then 'FROM_5K_TO_10K'
      when population <= 20000 then 'FROM_10K_TO_20K' when population <= 50000 then 'FROM_20K_TO_50K'
      when population <= 100000 then 'FROM_50K_TO_100K' when population <= 500000 then 'FROM_100K_TO_500K'
      else 'OVER_500K' end
    where deleted_at is null and population is not null`);
  await execute(`drop table bench_rank`);
}

async function generateWorkload(orm: Orm, driver: DatabaseTarget['driver'], events: number) {
  const now = driver === 'postgresql' ? 'now()' : `(cast(strftime('%s', 'now') as integer) * 1000)`;
  const rank = `(select id, ibge_code, state_id, health_region_id,
      row_number() over (order by ibge_code) - 1 as rn
    from municipalities where deleted_at is null)`;
  const series =
    driver === 'postgresql'
      ? `generate_series(1, ${events}) as seq(i)`
      : `(with recursive s(i) as (select 1 union all select i + 1 from s where i < ${events}) select i from s) as seq`;
  const day =
    driver === 'postgresql'
      ? `to_char(date '2019-01-01' + ((seq.i * 37) % 2557), 'YYYY-MM-DD')`
      : `date('2019-01-01', '+' || ((seq.i * 37) % 2557) || ' days')`;
  const bothTerms = `(select 1 as k union all select 2)`;

  await orm.em.transactional(async (em) => {
    const context = em.getTransactionContext();
    const execute: Execute = (sql) => em.getConnection().execute(sql, [], 'run', context);
    await execute(`delete from mandates where source = 'bench'`);
    await execute(`delete from people where source = 'bench'`);
    await execute(`delete from events where source = 'bench'`);
    const [{ n: regions }] = (await em
      .getConnection()
      .execute('select count(*) as n from health_regions', [], 'all', context)) as [{ n: number }];
    if (Number(regions) === 0) {
      await completeTerritory(execute, now);
    }
    // Two fictional gestores per municipality: the former (2021–2024) and, for 9 in 10, the current.
    const personName = `${pick('m.rn + t.k', firstNames)} || ' ' || ${pick('m.rn * 7 + t.k', lastNames)} || ' ' || m.ibge_code || '-' || t.k`;
    await execute(`insert into people
        (created_at, updated_at, version, source, code, name, name_search, demo)
      select ${now}, ${now}, 1, 'bench', 'bench-gestor-' || m.ibge_code || '-' || t.k,
        ${personName}, lower(${personName}), true
      from ${rank} m cross join ${bothTerms} t
      order by m.rn, t.k`);
    await execute(`insert into mandates
        (created_at, updated_at, version, source, person_id, role, municipality_id, start_date, end_date, demo)
      select ${now}, ${now}, 1, 'bench', p.id, 'MUNICIPAL_SECRETARY', m.id,
        case t.k when 1 then '2021-01-01' else '2025-01-01' end,
        case t.k when 1 then '2025-01-01' else null end, true
      from ${rank} m cross join ${bothTerms} t
      join people p on p.code = 'bench-gestor-' || m.ibge_code || '-' || t.k
      where t.k = 1 or m.rn % 10 <> 3
      order by m.rn, t.k`);
    await execute(`insert into events
        (created_at, updated_at, version, source, code, kind, title, start_date, modality,
         state_id, health_region_id, municipality_id, topics, participant_count, access_count, demo)
      select ${now}, ${now}, 1, 'bench', 'bench-' || seq.i, ${pick('seq.i', eventKinds)},
        'Evento de referência ' || seq.i, ${day}, ${pick('seq.i', ['IN_PERSON', 'ONLINE', 'HYBRID'])},
        m.state_id, m.health_region_id, case when seq.i % 4 = 0 then m.id else null end, '[]',
        5 + seq.i % 97, case when seq.i % 11 = 4 then 10 + seq.i % 300 else null end, true
      from ${series}
      join ${rank} m on m.rn = (cast(seq.i as bigint) * 7919) % (select count(*) from municipalities where deleted_at is null)
      order by seq.i`);
  });
  await orm.em.getConnection().execute('analyze');
}

/**
 * The peer's equivalent of `Municipality.gestor(asOf)`: a computed column PostGraphile exposes as
 * `gestor(asOf:)`. Bench-only; the API never reads it.
 */
const postgraphileGestorFunction = `
create or replace function municipalities_gestor(m municipalities, as_of varchar)
returns mandates as $$
  select g.* from mandates g
  where g.municipality_id = m.id and g.role = 'MUNICIPAL_SECRETARY' and g.deleted_at is null
    and g.start_date <= as_of and (g.end_date is null or g.end_date > as_of)
  order by g.start_date desc, g.id asc
  limit 1
$$ language sql stable`;

async function prepareOne(
  target: DatabaseTarget,
  url: string,
  events: number,
  log: (line: string) => void,
): Promise<{ municipalities: number; currentGestores: number }> {
  const config = loadConfig({ DATABASE_URL: url, LOG_LEVEL: 'warn', DEMO_ON_START: 'false' });
  const logger = createLogger(config);
  const orm = await initOrm({ database: target });
  try {
    await migrate(orm);
    for (const task of startupTasks) {
      await task({ orm, config, logger, seed: true });
    }
    const counts = await workloadCounts(orm);
    const [{ n: municipalities }] = await orm.em
      .getConnection()
      .execute<{ n: number }[]>(
        'select count(*) as n from municipalities where deleted_at is null',
      );
    const expectedGestores =
      Number(municipalities) * 2 - (Math.floor((Number(municipalities) - 4) / 10) + 1);
    if (
      counts.events !== events ||
      counts.gestores !== expectedGestores ||
      counts.withRegion === 0
    ) {
      log(`  ${target.driver}: generating ${events.toLocaleString('en')} events and gestores…`);
      await generateWorkload(orm, target.driver, events);
    } else {
      log(`  ${target.driver}: workload already prepared`);
    }
    if (target.driver === 'postgresql') {
      await orm.em.getConnection().execute(postgraphileGestorFunction);
    }
    const [{ n: currentGestores }] = await orm.em
      .getConnection()
      .execute<{ n: number }[]>(
        `select count(*) as n from mandates where role = 'MUNICIPAL_SECRETARY' and end_date is null and deleted_at is null`,
      );
    return { municipalities: Number(municipalities), currentGestores: Number(currentGestores) };
  } finally {
    await orm.close(true);
  }
}

export async function prepareData(
  databases: BenchDatabases,
  events: number,
  log: (line: string) => void,
): Promise<PreparedData> {
  await ensurePostgresDatabase(databases.postgres.name);
  fs.mkdirSync(path.dirname(databases.sqlite.file), { recursive: true });
  let started = Date.now();
  const postgres = await prepareOne(
    { driver: 'postgresql', url: databases.postgres.url },
    databases.postgres.url,
    events,
    log,
  );
  const postgresSeconds = (Date.now() - started) / 1000;
  started = Date.now();
  const sqlite = await prepareOne(
    { driver: 'sqlite', file: databases.sqlite.file },
    databases.sqlite.url,
    events,
    log,
  );
  const sqliteSeconds = (Date.now() - started) / 1000;
  if (
    postgres.municipalities !== sqlite.municipalities ||
    postgres.currentGestores !== sqlite.currentGestores
  ) {
    throw new Error(
      `the two databases disagree: PostgreSQL ${JSON.stringify(postgres)}, SQLite ${JSON.stringify(sqlite)}`,
    );
  }
  return {
    ...postgres,
    events,
    seconds: { postgres: postgresSeconds, sqlite: sqliteSeconds },
  };
}
