import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countsByEntity } from '../../src/imports/import.engine';
import { HealthMacroregion } from '../../src/territory/health-macroregion.entity';
import { HealthRegion } from '../../src/territory/health-region.entity';
import { Municipality } from '../../src/territory/municipality.entity';
import { RegionMembership } from '../../src/territory/region-membership.entity';
import { createTestApp, databaseAvailable, driver, type TestApp } from '../helpers';
import {
  datasusTables,
  datasusZip,
  fixtureDir,
  graphFingerprint,
  importFiles,
  writeFixture,
} from './import-helpers';

const tableNames = [
  'tb_municip',
  'rl_municip_regsaud',
  'tb_regsaud',
  'rl_regsaud_macsaud',
  'tb_macsaud',
] as const;

describe.skipIf(!databaseAvailable)(`DATASUS Base Territorial tables (${driver})`, () => {
  let test: TestApp;
  let dir: string;

  beforeAll(async () => {
    test = await createTestApp();
    dir = fixtureDir();
  });
  afterAll(async () => {
    await test?.close();
  });

  /** Writes the tables as separate files, in a shuffled order: each is known by its name. */
  function writeTables(tables: Record<string, Buffer>, prefix = ''): string[] {
    return [...tableNames]
      .reverse()
      .map((name) => writeFixture(dir, `${prefix}${name}.csv`, tables[name]!));
  }

  it('reports a relation row that names an unknown region, with its file and line, writing nothing', async () => {
    const tables = datasusTables({
      rl_municip_regsaud: (text) => text.replace('430510;43002', '430510;43999'),
    });
    const before = await graphFingerprint(test.app.orm);
    const outcome = await importFiles(test.app.orm, 'territory-datasus', writeTables(tables));
    expect(outcome.status).toBe('invalid');
    if (outcome.status === 'invalid') {
      expect(outcome.issues.lines()).toEqual([
        'rl_municip_regsaud.csv:4: CO_REGSAUD: unknown region 43999 (not in tb_regsaud.csv)',
      ]);
    }
    expect(await graphFingerprint(test.app.orm)).toEqual(before);
  });

  it('reports a table given without the one it needs', async () => {
    const tables = datasusTables();
    const files = [
      writeFixture(dir, 'tb_municip.csv', tables.tb_municip),
      writeFixture(dir, 'rl_municip_regsaud.csv', tables.rl_municip_regsaud),
    ];
    const outcome = await importFiles(test.app.orm, 'territory-datasus', files);
    expect(outcome.status === 'invalid' && outcome.issues.lines()).toEqual([
      'rl_municip_regsaud.csv: tb_regsaud is missing (region names come from it): give tb_regsaud.csv too, or the published zip',
    ]);
  });

  it('joins the separate tables given on one command line: municipalities, regions, memberships, macroregions', async () => {
    const outcome = await importFiles(
      test.app.orm,
      'territory-datasus',
      writeTables(datasusTables()),
      { asOf: '2025-01-01' },
    );
    expect(outcome.status === 'invalid' ? outcome.issues.lines() : outcome.status).toBe('applied');
    if (outcome.status !== 'applied') {
      return;
    }
    expect(outcome.rows).toBe(7);
    expect(outcome.notes).toContain('skipped 1 row(s): not active (CO_STATUS IGNOR)');
    const counts = countsByEntity(outcome.plans);
    expect(counts.HealthMacroregion).toEqual({ created: 4, updated: 0, unchanged: 0, deleted: 0 });
    expect(counts.HealthRegion).toEqual({ created: 5, updated: 0, unchanged: 0, deleted: 0 });
    expect(counts.RegionMembership).toEqual({ created: 7, updated: 0, unchanged: 0, deleted: 0 });
    expect(counts.Municipality!.created).toBe(0);
    expect(counts.Municipality!.updated).toBe(7);

    const em = test.app.orm.em.fork();
    const regions = await em.find(
      HealthRegion,
      { code: { $in: ['43001', '43002', '43003', '42001', '42002'] } },
      { populate: ['macroregion', 'state'], orderBy: { code: 'asc' } },
    );
    expect(regions.map((r) => [r.code, r.name, r.macroregion?.$.code, r.state.$.uf])).toEqual([
      ['42001', 'Grande Florianópolis', '4201', 'SC'],
      ['42002', 'Nordeste e Vale do Itajaí', '4202', 'SC'],
      ['43001', 'Região Metropolitana', '4301', 'RS'],
      ['43002', 'Serra Gaúcha', '4302', 'RS'],
      ['43003', 'Região Sul', '4302', 'RS'],
    ]);
    const macroregions = await em.find(
      HealthMacroregion,
      { code: { $in: ['4301', '4302', '4201', '4202'] } },
      { orderBy: { code: 'asc' } },
    );
    expect(macroregions.map((m) => m.name)).toEqual([
      'Macrorregião Grande Florianópolis',
      'Macrorregião Norte e Nordeste',
      'Macrorregião Metropolitana',
      'Macrorregião Serra e Sul',
    ]);
    const municipalities = await em.find(
      Municipality,
      { ibgeCode: { $in: ['4314902', '4304606', '4202404'] } },
      { populate: ['healthRegion'], orderBy: { ibgeCode: 'asc' } },
    );
    expect(
      municipalities.map((m) => [m.ibgeCode, m.healthRegion?.$.code, m.isCapital, m.latitude]),
    ).toEqual([
      ['4202404', '42002', false, -26.9194],
      ['4304606', '43001', false, -29.9178],
      ['4314902', '43001', true, -30.0331],
    ]);
    const memberships = await em.find(
      RegionMembership,
      { healthRegion: { code: '42002' } },
      { populate: ['municipality'], orderBy: { municipality: { ibgeCode: 'asc' } } },
    );
    expect(memberships.map((m) => [m.municipality.$.ibgeCode, m.validFrom, m.validTo])).toEqual([
      ['4202404', '2025-01-01', null],
      ['4209102', '2025-01-01', null],
    ]);
  });

  it('reads the published zip of the same tables to the same graph: nothing changes', async () => {
    const zip = writeFixture(dir, 'base_territorial.zip', await datasusZip(datasusTables()));
    const before = await graphFingerprint(test.app.orm);
    const outcome = await importFiles(test.app.orm, 'territory-datasus', [zip], {
      asOf: '2025-01-01',
    });
    expect(outcome.status === 'invalid' ? outcome.issues.lines() : outcome.status).toBe(
      'unchanged',
    );
    if (outcome.status === 'unchanged') {
      expect(countsByEntity(outcome.plans)).toEqual({
        HealthMacroregion: { created: 0, updated: 0, unchanged: 4, deleted: 0 },
        HealthRegion: { created: 0, updated: 0, unchanged: 5, deleted: 0 },
        Municipality: { created: 0, updated: 0, unchanged: 7, deleted: 0 },
        MunicipalityName: { created: 0, updated: 0, unchanged: 7, deleted: 0 },
        RegionMembership: { created: 0, updated: 0, unchanged: 7, deleted: 0 },
      });
    }
    expect(await graphFingerprint(test.app.orm)).toEqual(before);
  });

  it('moves a municipality to another region from a later publication, keeping its history', async () => {
    const tables = datasusTables({
      rl_municip_regsaud: (text) => text.replace('430460;43001', '430460;43002'),
    });
    const zip = writeFixture(dir, 'base_territorial_2026.zip', await datasusZip(tables));
    const outcome = await importFiles(test.app.orm, 'territory-datasus', [zip], {
      asOf: '2026-03-01',
    });
    expect(outcome.status === 'invalid' ? outcome.issues.lines() : outcome.status).toBe('applied');
    const em = test.app.orm.em.fork();
    const history = await em.find(
      RegionMembership,
      { municipality: { ibgeCode: '4304606' } },
      { populate: ['healthRegion'], orderBy: { validFrom: 'asc' } },
    );
    expect(history.map((m) => [m.healthRegion.$.code, m.validFrom, m.validTo])).toEqual([
      ['43001', '2025-01-01', '2026-03-01'],
      ['43002', '2026-03-01', null],
    ]);
  });

  it('knows each table by its columns when the member names say nothing', async () => {
    const tables = datasusTables();
    const zip = writeFixture(
      dir,
      'export.zip',
      await datasusZip({
        'dados/tabela1.csv': tables.tb_macsaud,
        'dados/tabela2.csv': tables.rl_municip_regsaud,
        'dados/tabela3.csv': tables.tb_municip,
        'dados/tabela4.csv': tables.rl_regsaud_macsaud,
        'dados/tabela5.csv': tables.tb_regsaud,
      }),
    );
    const outcome = await importFiles(test.app.orm, 'territory-datasus', [zip], {
      asOf: '2026-06-01',
      dryRun: true,
    });
    expect(outcome.status === 'invalid' ? outcome.issues.lines() : outcome.status).toBe('dry-run');
    if (outcome.status === 'dry-run') {
      // The same tables as the 2025 publication: Canoas moves back to 43001.
      const counts = countsByEntity(outcome.plans);
      expect(counts.HealthRegion!.unchanged).toBe(5);
      expect(counts.Municipality!.updated).toBe(1);
      expect(counts.RegionMembership).toEqual({ created: 1, updated: 1, unchanged: 6, deleted: 0 });
    }
  });

  it('refuses a zip member it cannot read (DBF) instead of leaving it out', async () => {
    const tables = datasusTables();
    const zip = writeFixture(
      dir,
      'with_dbf.zip',
      await datasusZip({ ...tables, 'TB_REGSAUD.DBF': Buffer.from([0x03, 0x7d, 0x01, 0x01]) }),
    );
    const outcome = await importFiles(test.app.orm, 'territory-datasus', [zip]);
    expect(outcome.status === 'invalid' && outcome.issues.lines()).toEqual([
      'with_dbf.zip: unsupported member TB_REGSAUD.DBF: export it as CSV (a zip may hold CSV, TXT, XLSX or JSON tables)',
    ]);
  });
});
