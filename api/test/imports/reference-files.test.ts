import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import iconv from 'iconv-lite';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revertImport } from '../../src/audit/revert-import';
import { AuditVia } from '../../src/audit/audit.enums';
import { systemViewer } from '../../src/auth/viewer';
import { countsByEntity, type ImportOutcome } from '../../src/imports/import.engine';
import { describePlans } from '../../src/imports/import.plan';
import { HealthMacroregion } from '../../src/territory/health-macroregion.entity';
import { HealthRegion } from '../../src/territory/health-region.entity';
import { MunicipalityName } from '../../src/territory/municipality-name.entity';
import { Municipality } from '../../src/territory/municipality.entity';
import { RegionMembership } from '../../src/territory/region-membership.entity';
import { seedDemoNetwork } from '../../../seeds/demo/demo.seed';
import { createTestApp, databaseAvailable, driver, type TestApp } from '../helpers';
import {
  fixtureDir,
  graphContent,
  graphFingerprint,
  importFiles,
  referenceDir,
  writeFixture,
} from './import-helpers';

if (!referenceDir) {
  if (process.env.CI === 'true') {
    throw new Error(
      '../shared/data/reference is missing; on CI the reference files must be present',
    );
  }
  process.stderr.write(
    '\n[skip] ../shared/data/reference is absent: reference-file imports are skipped\n',
  );
}

const reference = (name: string) => path.join(referenceDir ?? '', name);
const TERRITORY = 'datasus_municip_macsaud.csv';
const SC_REGIONS = 'datasus_regsaud_sc.csv';
const POPULATION = 'ibge_populacao_municipios_2008_2019.csv';
/** About when DATASUS's table is true (it predates Boa Esperança do Norte, installed 2025). */
const TERRITORY_AS_OF = '2020-01-01';

// ------------------------------------------------------------------ what the files say
// Read here on their own (csv-parse, each field UTF-8 when valid, else Windows-1252), so the
// import is checked against the files, not against itself.

function readCsv(name: string): Record<string, string>[] {
  const rows = parse(fs.readFileSync(reference(name)).toString('latin1'), {
    columns: true,
  }) as Record<string, string>[];
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  const decode = (raw: string) => {
    const bytes = Buffer.from(raw, 'latin1');
    try {
      return utf8.decode(bytes);
    } catch {
      return iconv.decode(bytes, 'win1252');
    }
  };
  return rows.map((row) =>
    Object.fromEntries(Object.entries(row).map(([key, value]) => [key, decode(value)])),
  );
}

interface FileMunicipality {
  ibgeCode: string;
  name: string;
  uf: string;
  macroregionCode: string;
  macroregionName: string;
}

interface Expected {
  territory: Map<string, FileMunicipality>;
  /** SC municipality (7 digits) → region code and name. */
  scRegions: Map<string, { code: string; name: string }>;
  /** Municipality → population of its newest year. */
  population: Map<string, { year: number; population: number }>;
  populationRows: number;
  /** Every official code the files hold (macroregions, regions). */
  officialCodes: Set<string>;
}

function expectedFromFiles(): Expected {
  const territory = new Map<string, FileMunicipality>();
  const susToIbge = new Map<string, string>();
  for (const row of readCsv(TERRITORY)) {
    if (row.CO_STATUS_municip !== 'ATIVO') {
      continue;
    }
    susToIbge.set(row.CO_MUNICIP!, row.CO_MUNICDV!);
    territory.set(row.CO_MUNICDV!, {
      ibgeCode: row.CO_MUNICDV!,
      name: row.DS_NOME_municip!,
      uf: row.DS_UF_SIGLA!,
      macroregionCode: row.CO_MACSAUD!,
      macroregionName: row.DS_NOME_macsaud!,
    });
  }
  const scRegions = new Map<string, { code: string; name: string }>();
  for (const row of readCsv(SC_REGIONS)) {
    scRegions.set(susToIbge.get(row.codmun!)!, {
      code: row.co_regsaud_sc!,
      name: row.no_regiao_sc!,
    });
  }
  const population = new Map<string, { year: number; population: number }>();
  const populationCsv = readCsv(POPULATION);
  for (const row of populationCsv) {
    const year = Number(row.ano);
    const known = population.get(row.codmuni!);
    if (!known || known.year < year) {
      population.set(row.codmuni!, { year, population: Number(row.pop) });
    }
  }
  const officialCodes = new Set([
    ...[...territory.values()].map((m) => m.macroregionCode),
    ...[...scRegions.values()].map((r) => r.code),
  ]);
  return { territory, scRegions, population, populationRows: populationCsv.length, officialCodes };
}

/** Tally of `key` over items. */
function countBy<T>(items: Iterable<T>, key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) {
    counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  }
  return counts;
}

// ------------------------------------------------------------------ what the database says

interface DbMunicipality {
  ibgeCode: string;
  name: string;
  nameAsOf: string | null;
  population: number | null;
  populationYear: number | null;
  state: { uf: string };
  healthRegion: {
    code: string;
    name: string;
    demo: boolean;
    macroregion: { code: string } | null;
  } | null;
  macroregion: { code: string; name: string; demo: boolean } | null;
}

async function allMunicipalities(test: TestApp): Promise<Map<string, DbMunicipality>> {
  const result = await test.gql<{ municipalities: { nodes: DbMunicipality[] } }>(`{
    municipalities(first: 10000, orderBy: [IBGE_CODE_ASC]) {
      nodes {
        ibgeCode name nameAsOf population populationYear state { uf }
        healthRegion { code name demo macroregion { code } }
        macroregion { code name demo }
      }
    }
  }`);
  expect(result.errors).toBeUndefined();
  return new Map(result.data!.municipalities.nodes.map((m) => [m.ibgeCode, m]));
}

/** Every name in the history, by municipality. */
async function nameHistory(test: TestApp) {
  const rows = await test.app.orm.em
    .fork()
    .find(MunicipalityName, { deletedAt: null }, { populate: ['municipality'] });
  const byMunicipality = new Map<string, MunicipalityName[]>();
  for (const row of rows) {
    const code = row.municipality.getEntity().ibgeCode;
    byMunicipality.set(code, [...(byMunicipality.get(code) ?? []), row]);
  }
  return byMunicipality;
}

async function statsRows(
  test: TestApp,
  groupBy: string,
  filter = '{}',
): Promise<Record<string, number>> {
  const result = await test.gql<{
    municipalityStats: {
      rows: {
        uf?: string;
        macroregionCode?: string | null;
        healthRegionCode?: string | null;
        count: number;
      }[];
    };
  }>(`{
    municipalityStats(filter: ${filter}, groupBy: [${groupBy}]) {
      rows { ${groupBy.includes('UF') ? 'uf' : ''} ${groupBy.includes('MACROREGION') ? 'macroregionCode' : ''} ${groupBy.includes('HEALTH_REGION') ? 'healthRegionCode' : ''} count }
    }
  }`);
  expect(result.errors).toBeUndefined();
  return Object.fromEntries(
    result.data!.municipalityStats.rows.map((row) => [
      [row.uf, row.macroregionCode, row.healthRegionCode]
        .filter((part) => part !== undefined)
        .map((part) => part ?? '-')
        .join(' '),
      row.count,
    ]),
  );
}

/** Text garbled by a wrong decoding: a UTF-8 lead byte read as Ã/Â before a continuation byte. */
const MOJIBAKE = /[ÃÂ][\u0080-\u00BF\u2018-\u201E\u2020-\u2022\u2026\u20AC\u2122]|\uFFFD/;

async function garbledNames(test: TestApp): Promise<string[]> {
  const connection = test.app.orm.em.getConnection();
  const names: string[] = [];
  for (const table of [
    'municipalities',
    'municipality_names',
    'health_regions',
    'health_macroregions',
  ]) {
    const rows = await connection.execute<{ name: string }[]>(
      `select name from ${table} where deleted_at is null`,
    );
    names.push(
      ...rows
        .map((row: { name: string }) => row.name)
        .filter((name: string) => MOJIBAKE.test(name)),
    );
  }
  return names;
}

/** No demo region, macroregion, membership or region link left in these states. */
async function demoTerritoryLeft(test: TestApp, ufs: string[]) {
  const em = test.app.orm.em.fork();
  const inStates = { state: { uf: { $in: ufs } }, demo: true, deletedAt: null };
  return {
    regions: await em.count(HealthRegion, inStates),
    macroregions: await em.count(HealthMacroregion, inStates),
    memberships: await em.count(RegionMembership, {
      healthRegion: inStates,
      deletedAt: null,
    }),
    municipalities: await em.count(Municipality, { healthRegion: { demo: true } }),
  };
}

function applied(outcome: ImportOutcome) {
  expect(outcome.status === 'invalid' ? outcome.issues.lines() : outcome.status).toBe('applied');
  if (outcome.status !== 'applied') {
    throw new Error('not applied');
  }
  return outcome;
}

// ------------------------------------------------------------------ the checks

/** Every municipality of the file has its uf and macroregion as the file says. */
function checkTerritory(expected: Expected, db: Map<string, DbMunicipality>) {
  const wrong: string[] = [];
  for (const file of expected.territory.values()) {
    const row = db.get(file.ibgeCode);
    const got = [row?.state.uf, row?.macroregion?.code, row?.macroregion?.name];
    const want = [file.uf, file.macroregionCode, file.macroregionName];
    if (JSON.stringify(got) !== JSON.stringify(want)) {
      wrong.push(`${file.ibgeCode}: ${JSON.stringify(got)} ≠ ${JSON.stringify(want)}`);
    }
  }
  expect(wrong).toEqual([]);
}

/** Per state and macroregion: the file's counts, and the database's municipalities it lacks. */
function expectedMacroregionCounts(expected: Expected, db: Map<string, DbMunicipality>) {
  const counts = countBy(expected.territory.values(), (m) => `${m.uf} ${m.macroregionCode}`);
  for (const row of db.values()) {
    if (!expected.territory.has(row.ibgeCode)) {
      const key = `${row.state.uf} -`;
      counts[key] = (counts[key] ?? 0) + 1;
    }
  }
  return counts;
}

async function checkMacroregionFilters(test: TestApp, expected: Expected) {
  const perMacroregion = countBy(expected.territory.values(), (m) => m.macroregionCode);
  const wrong: string[] = [];
  for (const [code, count] of Object.entries(perMacroregion)) {
    const result = await test.gql<{ municipalities: { totalCount: number } }>(
      `query ($code: String!) { municipalities(filter: { macroregionCode: [$code] }, first: 0) { totalCount } }`,
      { code },
    );
    if (result.data?.municipalities.totalCount !== count) {
      wrong.push(`${code}: ${result.data?.municipalities.totalCount} ≠ ${count}`);
    }
  }
  expect(wrong).toEqual([]);
}

/** SC municipalities in their file region; each SC region in the macroregion its municipalities share. */
async function checkScRegions(test: TestApp, expected: Expected, db: Map<string, DbMunicipality>) {
  const wrong: string[] = [];
  for (const [ibgeCode, region] of expected.scRegions) {
    const row = db.get(ibgeCode);
    const macroregion = expected.territory.get(ibgeCode)!.macroregionCode;
    const got = [
      row?.healthRegion?.code,
      row?.healthRegion?.name,
      row?.healthRegion?.macroregion?.code,
    ];
    if (JSON.stringify(got) !== JSON.stringify([region.code, region.name, macroregion])) {
      wrong.push(`${ibgeCode}: ${JSON.stringify(got)}`);
    }
  }
  expect(wrong).toEqual([]);
  expect(await statsRows(test, 'HEALTH_REGION', '{ uf: ["SC"] }')).toEqual(
    countBy(expected.scRegions.values(), (region) => region.code),
  );
}

async function checkPopulation(expected: Expected, db: Map<string, DbMunicipality>) {
  const wrong: string[] = [];
  for (const [ibgeCode, newest] of expected.population) {
    const row = db.get(ibgeCode);
    if (row?.population !== newest.population || row.populationYear !== newest.year) {
      wrong.push(
        `${ibgeCode}: ${row?.population}/${row?.populationYear} ≠ ${newest.population}/${newest.year}`,
      );
    }
  }
  expect(wrong).toEqual([]);
}

describe.skipIf(!databaseAvailable || !referenceDir)(`reference files (${driver})`, () => {
  let expected: Expected;
  beforeAll(() => {
    expected = expectedFromFiles();
  });

  describe('over the demo network: territory, then SC regions, then population, then the territory again', () => {
    let test: TestApp;
    /** Names the database had before (the shipped territory, true on 2025-01-01). */
    let shipped: Map<string, string>;
    beforeAll(async () => {
      test = await createTestApp();
      await seedDemoNetwork(test.app.orm, { seed: 425, scale: 1 });
      shipped = new Map(
        [...(await allMunicipalities(test)).values()].map((m) => [m.ibgeCode, m.name]),
      );
    }, 600_000);
    afterAll(async () => {
      await test?.close();
    });

    it('gives the demo codes no official code can have', async () => {
      const em = test.app.orm.em.fork();
      const codes = [
        ...(await em.find(HealthRegion, { demo: true })).map((r) => r.code),
        ...(await em.find(HealthMacroregion, { demo: true })).map((m) => m.code),
      ];
      expect(codes.length).toBeGreaterThan(449);
      expect(
        codes.filter((code) => expected.officialCodes.has(code) || /^\d+$/.test(code)),
      ).toEqual([]);
    });

    it('refuses an undated territory file that would rename, naming every name, file:line', async () => {
      const differing = [...expected.territory.values()].filter(
        (m) => shipped.get(m.ibgeCode) !== m.name,
      );
      expect(differing.length).toBeGreaterThan(0);
      const before = await graphFingerprint(test.app.orm);
      const outcome = await importFiles(test.app.orm, 'territory-datasus', [reference(TERRITORY)]);
      expect(outcome.status).toBe('invalid');
      const lines = outcome.status === 'invalid' ? outcome.issues.lines() : [];
      expect(lines).toHaveLength(differing.length);
      for (const m of differing) {
        expect(
          lines.find((line) =>
            line.includes(`the file says "${m.name}", the database "${shipped.get(m.ibgeCode)}"`),
          ),
        ).toMatch(new RegExp(`^${TERRITORY}:\\d+: DS_NOME_municip: `));
      }
      expect(await graphFingerprint(test.app.orm)).toEqual(before);
    });

    it('lists every change in a dry run, every older name among them', async () => {
      const outcome = await importFiles(test.app.orm, 'territory-datasus', [reference(TERRITORY)], {
        asOf: TERRITORY_AS_OF,
        dryRun: true,
      });
      expect(outcome.status).toBe('dry-run');
      if (outcome.status !== 'dry-run') {
        return;
      }
      const lines = describePlans(outcome.plans, Number.POSITIVE_INFINITY);
      const changes = outcome.plans.reduce((sum, plan) => sum + plan.changes.length, 0);
      expect(lines.filter((line) => line.startsWith('  '))).toHaveLength(changes);
      for (const m of expected.territory.values()) {
        if (shipped.get(m.ibgeCode) !== m.name) {
          expect(lines).toContain(
            `  create ${m.ibgeCode}|${m.name}: ibgeCode="${m.ibgeCode}", name=${JSON.stringify(m.name)}, knownFrom="${TERRITORY_AS_OF}", knownTo="${TERRITORY_AS_OF}"`,
          );
        }
      }
    });

    it('imports the DATASUS table: every municipality in its macroregion, the demo territory replaced, older names kept as history', async () => {
      const before = await graphContent(test.app.orm);
      const outcome = applied(
        await importFiles(test.app.orm, 'territory-datasus', [reference(TERRITORY)], {
          asOf: TERRITORY_AS_OF,
        }),
      );
      expect(outcome.rows).toBe(expected.territory.size);
      const counts = countsByEntity(outcome.plans);
      expect(counts.HealthMacroregion!.created).toBe(
        new Set([...expected.territory.values()].map((m) => m.macroregionCode)).size,
      );
      expect(counts.HealthRegion!.created).toBe(0);

      const db = await allMunicipalities(test);
      checkTerritory(expected, db);
      expect(await statsRows(test, 'UF, MACROREGION')).toEqual(
        expectedMacroregionCounts(expected, db),
      );
      await checkMacroregionFilters(test, expected);

      // Names: the file's where the database had the same, else the newer (shipped) name stays
      // and the file's spelling is history, given on the file's day.
      const history = await nameHistory(test);
      const older: string[] = [];
      for (const m of expected.territory.values()) {
        const names = history.get(m.ibgeCode)!.map((n) => [n.name, n.knownFrom, n.knownTo]);
        expect(db.get(m.ibgeCode)!.name).toBe(shipped.get(m.ibgeCode));
        if (m.name === shipped.get(m.ibgeCode)) {
          expect(names).toEqual([[m.name, TERRITORY_AS_OF, '2025-01-01']]);
        } else {
          older.push(m.ibgeCode);
          expect(names).toEqual(
            expect.arrayContaining([
              [shipped.get(m.ibgeCode), '2025-01-01', '2025-01-01'],
              [m.name, TERRITORY_AS_OF, TERRITORY_AS_OF],
            ]),
          );
        }
      }
      expect(outcome.notes.join('\n')).toContain(
        `${older.length} name(s) in the file are older than the database's`,
      );
      expect(db.get('2401305')!.name).toBe('Campo Grande');

      // Demo territory: gone in every state the file covers; official codes never renamed it.
      const covered = [...new Set([...expected.territory.values()].map((m) => m.uf))];
      expect(await demoTerritoryLeft(test, covered)).toEqual({
        regions: 0,
        macroregions: 0,
        memberships: 0,
        municipalities: 0,
      });
      expect(await garbledNames(test)).toEqual([]);
      const jaragua = await test.gql<{ municipalities: { nodes: { ibgeCode: string }[] } }>(
        '{ municipalities(filter: { nameContains: "jaragua do sul" }) { nodes { ibgeCode } } }',
      );
      expect(jaragua.data!.municipalities.nodes).toEqual([{ ibgeCode: '4208906' }]);

      // Revertible as a whole: the demo territory comes back exactly; then applied again.
      const reverted = await revertImport(
        {
          em: test.app.orm.em.fork(),
          viewer: systemViewer('test-steward'),
          via: AuditVia.IMPORT,
          lockRows: driver === 'postgresql',
        },
        outcome.runId,
      );
      expect(reverted.reverted).toBe(
        outcome.plans.reduce((sum, plan) => sum + plan.changes.length, 0),
      );
      expect(await graphContent(test.app.orm)).toEqual(before);
      applied(
        await importFiles(test.app.orm, 'territory-datasus', [reference(TERRITORY)], {
          asOf: TERRITORY_AS_OF,
        }),
      );
      checkTerritory(expected, await allMunicipalities(test));
    }, 300_000);

    it('imports the SC regions: every SC municipality in its region, each region in its macroregion', async () => {
      const outcome = applied(
        await importFiles(test.app.orm, 'health-regions', [reference(SC_REGIONS)]),
      );
      expect(outcome.rows).toBe(expected.scRegions.size);
      expect(countsByEntity(outcome.plans)).toEqual({
        HealthRegion: {
          created: new Set([...expected.scRegions.values()].map((r) => r.code)).size,
          updated: 0,
          unchanged: 0,
          deleted: 0,
        },
        Municipality: { created: 0, updated: expected.scRegions.size, unchanged: 0, deleted: 0 },
        RegionMembership: {
          created: expected.scRegions.size,
          updated: 0,
          unchanged: 0,
          deleted: 0,
        },
      });
      const db = await allMunicipalities(test);
      await checkScRegions(test, expected, db);
      checkTerritory(expected, db);
      expect(await statsRows(test, 'UF, MACROREGION')).toEqual(
        expectedMacroregionCounts(expected, db),
      );
    });

    it('imports twelve years of IBGE estimates; the territory file again changes nothing', async () => {
      const outcome = applied(
        await importFiles(test.app.orm, 'population-ibge', [reference(POPULATION)]),
      );
      expect(outcome.rows).toBe(expected.populationRows);
      expect(countsByEntity(outcome.plans).PopulationEstimate!.created).toBe(
        expected.populationRows,
      );
      const db = await allMunicipalities(test);
      await checkPopulation(expected, db);

      const fingerprint = await graphFingerprint(test.app.orm);
      const again = await importFiles(test.app.orm, 'territory-datasus', [reference(TERRITORY)], {
        asOf: TERRITORY_AS_OF,
      });
      expect(again.status).toBe('skipped');
      const forced = await importFiles(test.app.orm, 'territory-datasus', [reference(TERRITORY)], {
        asOf: TERRITORY_AS_OF,
        force: true,
      });
      expect(forced.status).toBe('unchanged');
      for (const kind of ['health-regions', 'population-ibge'] as const) {
        const file = reference(kind === 'health-regions' ? SC_REGIONS : POPULATION);
        expect((await importFiles(test.app.orm, kind, [file], { force: true })).status).toBe(
          'unchanged',
        );
      }
      expect(await graphFingerprint(test.app.orm)).toEqual(fingerprint);
      const after = await allMunicipalities(test);
      checkTerritory(expected, after);
      await checkScRegions(test, expected, after);
      await checkPopulation(expected, after);
    }, 600_000);
  });

  describe('in the other order: population, SC regions, then a newer territory file', () => {
    let test: TestApp;
    beforeAll(async () => {
      test = await createTestApp();
    });
    afterAll(async () => {
      await test?.close();
    });

    it('lands every row the same way, and a newer file renames (every rename listed)', async () => {
      applied(await importFiles(test.app.orm, 'population-ibge', [reference(POPULATION)]));
      const regions = applied(
        await importFiles(test.app.orm, 'health-regions', [reference(SC_REGIONS)]),
      );
      // No macroregion is known yet: the summary says so.
      expect(regions.notes.join('\n')).toMatch(
        /the file gives no macroregions: 0 of 17 region\(s\)/,
      );

      const shipped = new Map(
        [...(await allMunicipalities(test)).values()].map((m) => [m.ibgeCode, m.name]),
      );
      const renames = [...expected.territory.values()].filter(
        (m) => shipped.get(m.ibgeCode) !== m.name,
      );
      const newer = '2026-01-01';
      const dryRun = await importFiles(test.app.orm, 'territory-datasus', [reference(TERRITORY)], {
        asOf: newer,
        dryRun: true,
      });
      expect(dryRun.status).toBe('dry-run');
      const lines =
        dryRun.status === 'dry-run' ? describePlans(dryRun.plans, Number.POSITIVE_INFINITY) : [];
      for (const m of renames) {
        expect(lines.find((line) => line.startsWith(`  update ${m.ibgeCode}:`))).toContain(
          `name: ${JSON.stringify(shipped.get(m.ibgeCode))} → ${JSON.stringify(m.name)}`,
        );
      }

      const outcome = applied(
        await importFiles(test.app.orm, 'territory-datasus', [reference(TERRITORY)], {
          asOf: newer,
        }),
      );
      expect(outcome.notes.join('\n')).toContain(`${renames.length} municipality name(s) change`);
      expect(outcome.notes.join('\n')).toContain(
        '17 health region(s) already loaded take their macroregion',
      );
      const db = await allMunicipalities(test);
      checkTerritory(expected, db);
      await checkScRegions(test, expected, db);
      await checkPopulation(expected, db);
      expect(await statsRows(test, 'UF, MACROREGION')).toEqual(
        expectedMacroregionCounts(expected, db),
      );
      const history = await nameHistory(test);
      for (const m of expected.territory.values()) {
        expect(db.get(m.ibgeCode)!.name).toBe(m.name);
        if (shipped.get(m.ibgeCode) !== m.name) {
          expect(db.get(m.ibgeCode)!.nameAsOf).toBe(newer);
          expect(
            history
              .get(m.ibgeCode)!
              .map((n) => [n.name, n.knownTo])
              .sort(),
          ).toEqual(
            [
              [m.name, newer],
              [shipped.get(m.ibgeCode), '2025-01-01'],
            ].sort(),
          );
        }
      }
      expect(await garbledNames(test)).toEqual([]);

      // An older publication that puts Porto Alegre in another macroregion: its names join the
      // history, and nothing else it says replaces the newer file's.
      const poa = expected.territory.get('4314902')!;
      const other = [...expected.territory.values()].find(
        (m) => m.uf === 'RS' && m.macroregionCode !== poa.macroregionCode,
      )!;
      const table = parse(fs.readFileSync(reference(TERRITORY)).toString('latin1')) as string[][];
      const header = table[0]!;
      const row = table.find((cells) => cells[header.indexOf('CO_MUNICDV')] === '4314902')!;
      row[header.indexOf('CO_MACSAUD')] = other.macroregionCode;
      row[header.indexOf('DS_NOME_macsaud')] = iconv
        .encode(other.macroregionName, 'utf8')
        .toString('latin1');
      const olderFile = writeFixture(
        fixtureDir(),
        TERRITORY,
        Buffer.from(stringify(table), 'latin1'),
      );
      const olderRun = applied(
        await importFiles(test.app.orm, 'territory-datasus', [olderFile], { asOf: '2019-06-01' }),
      );
      expect(olderRun.notes.join('\n')).toContain(
        `the file is true on 2019-06-01, before the newest territory file applied (${newer})`,
      );
      expect(Object.keys(countsByEntity(olderRun.plans))).toEqual([
        'Municipality',
        'MunicipalityName',
      ]);
      checkTerritory(expected, await allMunicipalities(test));

      // Again: nothing to do.
      expect(
        (
          await importFiles(test.app.orm, 'territory-datasus', [reference(TERRITORY)], {
            asOf: newer,
            force: true,
          })
        ).status,
      ).toBe('unchanged');

      // A demo built afterwards brings its people, not a territory: every state has official
      // macroregions now, so no demo region or macroregion is made.
      await seedDemoNetwork(test.app.orm, { seed: 425, scale: 1 });
      const em = test.app.orm.em.fork();
      expect(await em.count(HealthRegion, { demo: true })).toBe(0);
      expect(await em.count(HealthMacroregion, { demo: true })).toBe(0);
      checkTerritory(expected, await allMunicipalities(test));
    }, 600_000);
  });
});
