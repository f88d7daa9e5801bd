import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditEntry } from '../../src/audit/audit-entry.entity';
import { AuditAction, AuditVia } from '../../src/audit/audit.enums';
import { Event } from '../../src/activity/event.entity';
import { ImportRun, ImportStatus } from '../../src/imports/import-run.entity';
import { countsByEntity } from '../../src/imports/import.engine';
import { Person } from '../../src/people/person.entity';
import { InstrumentStatus } from '../../src/programs/instrument-status.entity';
import { Municipality } from '../../src/territory/municipality.entity';
import { RegionMembership } from '../../src/territory/region-membership.entity';
import { createTestApp, databaseAvailable, driver, type TestApp } from '../helpers';
import { fixtureDir, graphFingerprint, importFiles, writeFixture } from './import-helpers';

const bom = '\uFEFF';

describe.skipIf(!databaseAvailable)(`import engine (${driver})`, () => {
  let test: TestApp;
  let dir: string;

  beforeAll(async () => {
    test = await createTestApp();
    dir = fixtureDir();
  });
  afterAll(async () => {
    await test?.close();
  });

  /** A municipality's memberships, oldest row first, as [region, validFrom, validTo]. */
  async function regionHistory(ibgeCode: string) {
    const history = await test.app.orm.em
      .fork()
      .find(
        RegionMembership,
        { municipality: { ibgeCode } },
        { populate: ['healthRegion'], orderBy: { id: 'asc' } },
      );
    return history.map((m) => [m.healthRegion.getEntity().code, m.validFrom, m.validTo]);
  }

  const people = (rows: string[]) => `${bom}codigo;nome;e-mail;telefone\n${rows.join('\n')}\n`;

  it('applies a file once: a second run is skipped, a forced one changes nothing', async () => {
    const file = writeFixture(
      dir,
      'people.csv',
      people([
        'P1;Ana Valdorim;ana@demo.invalid;+55 00 90000-0001',
        'P2;"José ""Zé"" Corvelo";;',
        'P3;=HYPERLINK("http://x.invalid","clique");;',
      ]),
    );
    const applied = await importFiles(test.app.orm, 'people', [file]);
    expect(applied.status === 'invalid' ? applied.issues.lines() : applied.status).toBe('applied');
    if (applied.status !== 'applied') {
      return;
    }
    expect(countsByEntity(applied.plans).Person).toEqual({
      created: 3,
      updated: 0,
      unchanged: 0,
      deleted: 0,
    });
    const em = test.app.orm.em.fork();
    const stored = await em.find(
      Person,
      { code: { $in: ['P1', 'P2', 'P3'] } },
      { orderBy: { code: 'asc' } },
    );
    expect(stored.map((p) => p.name)).toEqual([
      'Ana Valdorim',
      'José "Zé" Corvelo',
      // Formula-like text is stored as text, verbatim, never evaluated.
      '=HYPERLINK("http://x.invalid","clique")',
    ]);
    expect(stored.every((p) => p.source === 'import:people' && p.version === 1)).toBe(true);
    const audit = await em.find(AuditEntry, { importRunId: applied.runId });
    expect(audit).toHaveLength(3);
    expect(audit.every((a) => a.via === AuditVia.IMPORT && a.action === AuditAction.CREATE)).toBe(
      true,
    );
    expect(audit.every((a) => a.actor === 'test-steward')).toBe(true);

    const fingerprint = await graphFingerprint(test.app.orm);
    const again = await importFiles(test.app.orm, 'people', [file]);
    expect(again.status).toBe('skipped');
    const forced = await importFiles(test.app.orm, 'people', [file], { force: true });
    expect(forced.status).toBe('unchanged');
    if (forced.status === 'unchanged') {
      expect(countsByEntity(forced.plans).Person!.unchanged).toBe(3);
    }
    expect(await graphFingerprint(test.app.orm)).toEqual(fingerprint);
  });

  it('updates changed fields only, and --prune soft-deletes rows the file dropped', async () => {
    const file = writeFixture(
      dir,
      'people-v2.csv',
      people([
        'P1;Ana Valdorim Tavendim;ana@demo.invalid;+55 00 90000-0001',
        'P2;"José ""Zé"" Corvelo";;',
      ]),
    );
    const dry = await importFiles(test.app.orm, 'people', [file], { dryRun: true, prune: true });
    const applied = await importFiles(test.app.orm, 'people', [file], { prune: true });
    expect(applied.status).toBe('applied');
    if (applied.status !== 'applied' || dry.status !== 'dry-run') {
      throw new Error('expected a dry run and an apply');
    }
    expect(countsByEntity(applied.plans).Person).toEqual({
      created: 0,
      updated: 1,
      unchanged: 1,
      deleted: 1,
    });
    const em = test.app.orm.em.fork();
    const p1 = await em.findOneOrFail(Person, { code: 'P1' });
    expect(p1.name).toBe('Ana Valdorim Tavendim');
    expect(p1.version).toBe(2);
    const p3 = await em.findOneOrFail(Person, { code: 'P3' });
    expect(p3.deletedAt).toBeInstanceOf(Date);
    const audit = await em.find(
      AuditEntry,
      { importRunId: applied.runId },
      { orderBy: { id: 'asc' } },
    );
    const update = audit.find((a) => a.action === AuditAction.UPDATE)!;
    expect(update.before).toEqual({ name: 'Ana Valdorim', nameSearch: 'ana valdorim' });
    expect(update.after).toEqual({
      name: 'Ana Valdorim Tavendim',
      nameSearch: 'ana valdorim tavendim',
    });
    expect(audit.find((a) => a.action === AuditAction.DELETE)?.entityId).toBe(p3.id);

    // The dry run announced exactly what the apply did.
    const shape = (plans: typeof dry.plans) =>
      plans.flatMap((plan) =>
        plan.changes.map((change) => [plan.target.name, change.action, change.key, change.before]),
      );
    expect(shape(dry.plans)).toEqual(shape(applied.plans));
    expect(countsByEntity(dry.plans)).toEqual(countsByEntity(applied.plans));

    // Without --prune, rows missing from a file are left alone.
    const onlyP2 = writeFixture(dir, 'people-only-p2.csv', people(['P2;"José ""Zé"" Corvelo";;']));
    const kept = await importFiles(test.app.orm, 'people', [onlyP2]);
    expect(kept.status).toBe('unchanged');
    expect((await em.fork().findOneOrFail(Person, { code: 'P1' })).deletedAt).toBeNull();
  });

  it('restores a pruned row when it comes back', async () => {
    const file = writeFixture(
      dir,
      'people-v3.csv',
      people(['P3;=HYPERLINK("http://x.invalid","clique");;']),
    );
    const applied = await importFiles(test.app.orm, 'people', [file]);
    expect(applied.status).toBe('applied');
    const p3 = await test.app.orm.em.fork().findOneOrFail(Person, { code: 'P3' });
    expect(p3.deletedAt).toBeNull();
  });

  it('reads Latin-1 files, tabs and quoted newlines, and dd/mm/yyyy dates', async () => {
    const text =
      'codigo\ttipo\ttitulo\tdata\tmodalidade\tuf\tparticipantes\tacessos\tnotas\ttemas\n' +
      'WO-1\tWeb oficina\tOficina de Regionalização em São João\t05/06/2025\tonline\trs\t120\t310\t"linha 1\nlinha 2"\tPMS|RAG\n';
    const file = writeFixture(dir, 'oficinas.tsv', iconv.encode(text, 'win1252'));
    const applied = await importFiles(test.app.orm, 'events', [file]);
    expect(applied.status).toBe('applied');
    expect(applied.notes.join('\n')).toMatch(/lines read as Latin-1/);
    const event = await test.app.orm.em.fork().findOneOrFail(Event, { code: 'WO-1' });
    expect(event).toMatchObject({
      kind: 'WEB_OFICINA',
      title: 'Oficina de Regionalização em São João',
      startDate: '2025-06-05',
      modality: 'ONLINE',
      participantCount: 120,
      accessCount: 310,
      notes: 'linha 1\nlinha 2',
      topics: ['PMS', 'RAG'],
    });
  });

  it('decodes each field on its own: a UTF-8 line may hold one Latin-1 field', async () => {
    // As in DATASUS's municipality table: the line is UTF-8 but for one Latin-1 field.
    const line = Buffer.concat([
      Buffer.from('WO-2;Web oficina;Reunião em Jaraguá do Sul;06/06/2025;RS;"', 'utf8'),
      iconv.encode('ÁREA EXPANSÃO', 'win1252'),
      Buffer.from('"\n', 'utf8'),
    ]);
    const file = writeFixture(
      dir,
      'mixed.csv',
      Buffer.concat([Buffer.from('codigo;tipo;titulo;data;uf;notas\n'), line]),
    );
    const applied = await importFiles(test.app.orm, 'events', [file]);
    expect(applied.status === 'invalid' ? applied.issues.lines() : applied.status).toBe('applied');
    expect(applied.notes).toContain(
      'mixed.csv: 1 field(s) on 1 of 2 lines read as Latin-1/Windows-1252, 1 as UTF-8 (each field decoded on its own)',
    );
    const event = await test.app.orm.em.fork().findOneOrFail(Event, { code: 'WO-2' });
    expect(event).toMatchObject({ title: 'Reunião em Jaraguá do Sul', notes: 'ÁREA EXPANSÃO' });
  });

  it('refuses text garbled by a wrong decoding and offers the repair', async () => {
    const file = writeFixture(
      dir,
      'garbled.csv',
      'codigo;tipo;titulo;data;uf\nWO-3;Web oficina;Reunião em JaraguÃ¡ do Sul;06/06/2025;RS\n',
    );
    const outcome = await importFiles(test.app.orm, 'events', [file]);
    expect(outcome.status).toBe('invalid');
    expect(outcome.status === 'invalid' && outcome.issues.lines()).toEqual([
      'garbled.csv:2: titulo: "Reunião em JaraguÃ¡ do Sul" looks garbled by a wrong decoding ("Ã¡" is UTF-8 read as Latin-1); did you mean "Reunião em Jaraguá do Sul"?',
    ]);
  });

  it('reads XLSX sheets and JSON arrays', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('instrumentos');
    sheet.addRow(['Código do Município', 'Instrumento', 'Período', 'Situação', 'Data']);
    sheet.addRow([4314902, 'RAG', 2024, 'enviado', new Date(Date.UTC(2025, 2, 28))]);
    sheet.addRow(['431490', 'PMS', '2022-2025', 'aprovado', '15/12/2021']);
    const xlsx = writeFixture(
      dir,
      'instrumentos.xlsx',
      Buffer.from(await workbook.xlsx.writeBuffer()),
    );
    const applied = await importFiles(test.app.orm, 'instrument-statuses', [xlsx]);
    expect(applied.status).toBe('applied');
    const statuses = await test.app.orm.em
      .fork()
      .find(InstrumentStatus, {}, { orderBy: { instrument: 'asc' } });
    expect(statuses.map((s) => [s.instrument, s.period, s.status, s.statusDate])).toEqual([
      ['PMS', '2022-2025', 'APPROVED', '2021-12-15'],
      ['RAG', '2024', 'SENT', '2025-03-28'],
    ]);

    const json = writeFixture(
      dir,
      'people.json',
      JSON.stringify(
        [
          { code: 'J1', name: 'Beatriz Morimonte' },
          { code: 'J2', nome: 'x' },
        ],
        null,
        2,
      ),
    );
    const invalid = await importFiles(test.app.orm, 'people', [json]);
    expect(invalid.status).toBe('invalid');
    if (invalid.status === 'invalid') {
      expect(invalid.issues.lines()).toContain(
        'people.json:1: nome: two columns mean name: "name" and "nome"; keep one',
      );
    }
  });

  it('keeps region history: a municipality moved by the CIB gets a new membership', async () => {
    const first = writeFixture(
      dir,
      'regions-2024.csv',
      'codmun,no_regiao,co_regsaud\n431490,Capital e Vale do Gravataí,43010\n430460,Capital e Vale do Gravataí,43010\n',
    );
    const applied = await importFiles(test.app.orm, 'health-regions', [first], {
      asOf: '2024-01-01',
    });
    expect(applied.status).toBe('applied');
    const moved = writeFixture(
      dir,
      'regions-2025.csv',
      'codmun,no_regiao,co_regsaud\n431490,Capital e Vale do Gravataí,43010\n430460,Vale dos Sinos,43007\n',
    );
    const second = await importFiles(test.app.orm, 'health-regions', [moved], {
      asOf: '2025-06-01',
    });
    expect(second.status).toBe('applied');
    if (second.status === 'applied') {
      expect(countsByEntity(second.plans)).toMatchObject({
        HealthRegion: { created: 1, unchanged: 1 },
        Municipality: { updated: 1, unchanged: 1 },
        RegionMembership: { created: 1, updated: 1, unchanged: 1 },
      });
    }
    const em = test.app.orm.em.fork();
    const canoas = await em.findOneOrFail(
      Municipality,
      { ibgeCode: '4304606' },
      { populate: ['healthRegion'] },
    );
    expect(canoas.healthRegion?.getEntity().code).toBe('43007');
    expect(await regionHistory('4304606')).toEqual([
      ['43010', '2024-01-01', '2025-06-01'],
      ['43007', '2025-06-01', null],
    ]);
  });

  it('lists the import history in GraphQL, newest first, with a filter', async () => {
    const response = await test.gql<{
      imports: {
        totalCount: number;
        nodes: {
          kind: string;
          status: string;
          actor: string;
          sha256: string;
          fileNames: string[];
          counts: Record<string, unknown>;
        }[];
      };
    }>(`{ imports(first: 3, filter: { kind: ["health-regions"], status: [SUCCEEDED] }) {
      totalCount nodes { kind status actor sha256 fileNames counts }
    } }`);
    expect(response.errors).toBeUndefined();
    expect(response.data!.imports.totalCount).toBe(2);
    const [newest] = response.data!.imports.nodes;
    expect(newest).toMatchObject({
      kind: 'health-regions',
      status: 'SUCCEEDED',
      actor: 'test-steward',
      fileNames: ['regions-2025.csv'],
    });
    expect(newest!.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(newest!.counts).toMatchObject({ rows: 2, RegionMembership: { created: 1 } });

    const failed = await test.gql<{ imports: { totalCount: number } }>(
      '{ imports(filter: { status: [FAILED] }) { totalCount } }',
    );
    expect(failed.data!.imports.totalCount).toBe(
      await test.app.orm.em.fork().count(ImportRun, { status: ImportStatus.FAILED }),
    );
  });

  it('corrects a move made the same day instead of closing a span of no days', async () => {
    // Canoas moved to 43007 on 2025-06-01 (previous test); a corrected file of that day says 43012.
    const corrected = writeFixture(
      dir,
      'regions-2025-corrected.csv',
      'codmun,no_regiao,co_regsaud\n430460,Vale do Caí e Metropolitana,43012\n',
    );
    const outcome = await importFiles(test.app.orm, 'health-regions', [corrected], {
      asOf: '2025-06-01',
    });
    expect(outcome.status).toBe('applied');
    if (outcome.status === 'applied') {
      expect(countsByEntity(outcome.plans)).toMatchObject({
        RegionMembership: { created: 0, updated: 1 },
      });
    }
    expect(await regionHistory('4304606')).toEqual([
      ['43010', '2024-01-01', '2025-06-01'],
      ['43012', '2025-06-01', null],
    ]);
  });

  it('refuses a file whose --as-of comes before the recorded history, writing nothing', async () => {
    const before = await graphFingerprint(test.app.orm);
    const old = writeFixture(
      dir,
      'regions-2023.csv',
      'codmun,no_regiao,co_regsaud\n430460,Vale dos Sinos,43007\n',
    );
    const outcome = await importFiles(test.app.orm, 'health-regions', [old], {
      asOf: '2023-01-01',
    });
    expect(outcome.status).toBe('invalid');
    if (outcome.status === 'invalid') {
      expect(outcome.issues.lines()).toEqual([
        expect.stringMatching(
          /^region history: 4304606: effectiveFrom 2023-01-01 is before the current membership began \(43012 \[2025-06-01, …\)\)/,
        ),
      ]);
    }
    const after = await graphFingerprint(test.app.orm);
    expect(after).toEqual(before);
  });
});
