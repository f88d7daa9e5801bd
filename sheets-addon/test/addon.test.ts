/**
 * The add-on as a COSEMS team uses it, through the built bundle, real HTTP and the API on
 * SQLite or PostgreSQL: connect, pull, edit and push, conflicts row by row, refreshes that keep
 * edits, and tables that stay bound while people insert rows and columns.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditEntry } from '../../api/src/audit/audit-entry.entity';
import { Municipality } from '../../api/src/territory/municipality.entity';
import { databaseAvailable } from '../../api/test/helpers';
import {
  ANA_EMAIL,
  BEA_EMAIL,
  HEADERS,
  edit,
  rowOf,
  scenario,
  select,
  sheetValues,
  upsertMunicipalities,
  version,
  type Scenario,
} from './harness/scenario';

interface Table {
  id: string;
  title: string;
  place: string;
  rows: number;
  editable: boolean;
}
interface Action {
  message: string;
  state: { tables: Table[] };
  progress: { tableId: string; text: string } | null;
  occupied: { range: string; filled: number } | null;
}
interface Push {
  sent: number;
  message: string;
  updated: number;
  conflicts: number;
  rows: { row: number; status: string; message: string }[];
  conflictRows: {
    key: string;
    title: string;
    fields: { label: string; mine: string; theirs: string }[];
  }[];
}

describe.skipIf(!databaseAvailable)('a COSEMS team’s spreadsheet', () => {
  let s: Scenario;
  let tableId: string;
  const figures: Record<string, { rows: number; requests: number; seconds: number }> = {};

  async function measured<T>(label: string, rows: number, action: () => Promise<T>): Promise<T> {
    const before = await s.gas.run((env) => env.requests.length);
    const started = performance.now();
    const result = await action();
    figures[label] = {
      rows,
      requests: (await s.gas.run((env) => env.requests.length)) - before,
      seconds: Math.round((performance.now() - started) / 10) / 100,
    };
    return result;
  }

  beforeAll(async () => {
    s = await scenario();
  });
  afterAll(async () => {
    if (Object.keys(figures).length > 0) {
      console.log('Sheets round trip (rows, HTTP requests, seconds):');
      console.table(figures);
    }
    await s?.close();
  });

  it('connects each person with their own key, kept in their own user properties only', async () => {
    await expect(
      s.gas.call('sidebarConnect', 'rh_0000000000_wrongwrongwrongwrongwrongwrongwr'),
    ).rejects.toThrow('chave de API inválida ou revogada');
    const state = await s.gas.call<{ hub: string; connection: { label: string } }>(
      'sidebarConnect',
      s.keys.ana,
    );
    expect(state.hub).toBe('https://hub.rede.test/');
    expect(state.connection.label).toBe('Conectado como Ana (COSEMS-RS) (EDITOR, nacional)');
    const stores = await s.gas.run(
      (env, people: string[]) => ({
        ana: env.storage.userStore(env.host.user(people[0]!)).values.get('rede.apiKey'),
        bea: env.storage.userStore(env.host.user(people[1]!)).values.size,
        document: [...env.storage.document.values.values()].join(' '),
      }),
      [ANA_EMAIL, BEA_EMAIL],
    );
    expect(stores).toEqual({ ana: s.keys.ana, bea: 0, document: '' });
    const bea = await s.gas.callAs<{ connection: unknown }>({ as: BEA_EMAIL }, 'sidebarState');
    expect(bea.connection).toBeNull();
  });

  it('inserts all 5,571 municipalities: Portuguese headers, codes as text, bound to the range', async () => {
    await select(s.gas, 'A1');
    await s.gas.run((env) => {
      env.book.counters.setValuesCalls = 0;
    });
    const result = await measured('insert 5,571 rows', 5571, () =>
      s.gas.call<Action>('sidebarInsert', { name: 'Municípios', fields: [], values: {} }),
    );
    expect(result.message).toBe('5571 linhas inseridas em Página1!A1.');
    expect(result.state.tables).toMatchObject([
      { rows: 5571, editable: true, place: 'Página1!A1' },
    ]);
    tableId = result.state.tables[0]!.id;

    const sheet = await s.gas.run((env, id: string) => {
      const page = env.book.sheets[0]!;
      return {
        header: page.values(1, 1, 1, 7)[0],
        notes: page.getRange(1, 1, 1, 7).getNotes()[0],
        formats: page.getRange(2, 1, 1, 7).getNumberFormats()[0],
        frozen: page.getFrozenRows(),
        hiddenColumns: [...page.hiddenColumns],
        maxRows: page.maxRows,
        named: env.book.getRangeByName(`rede_${id}`)!.getA1Notation(),
        fields: page
          .createDeveloperMetadataFinder()
          .withKey('rede.field')
          .find()
          .map((entry) => [entry.getLocation().getColumn()!.getColumn(), entry.getValue()]),
        hiddenSheets: env.book.sheets.filter((other) => other.hidden).map((other) => other.name),
        setValuesCalls: env.book.counters.setValuesCalls,
        triggers: env.triggers.all.length,
      };
    }, tableId);
    expect(sheet).toMatchObject({
      header: HEADERS,
      frozen: 1,
      hiddenColumns: [7],
      named: 'A1:G5572',
      hiddenSheets: [`_rede_${tableId}`],
      triggers: 0,
    });
    expect(sheet.notes[5]).toBe('Campo: healthRegion.code');
    expect(sheet.formats).toEqual(['@', '@', 'General', '@', '@', '@', 'General']);
    expect(sheet.maxRows).toBeGreaterThanOrEqual(5572);
    expect(sheet.fields).toEqual(
      [
        'ibgeCode',
        'name',
        'population',
        'managementType',
        'state.uf',
        'healthRegion.code',
        'version',
      ].map((path, index) => [index + 1, `${tableId}|${path}`]),
    );
    // 6 pages staged + merge + visible + snapshot + header: blocks, never per cell.
    expect(sheet.setValuesCalls).toBeLessThan(30);
    const poa = await rowOf(s.gas, '4314902');
    expect(poa).toMatchObject({
      'Código IBGE': '4314902',
      Nome: 'Porto Alegre',
      'Estado › UF': 'RS',
      Versão: 1,
    });
  });

  it('previews, then pushes only edited rows; enum labels go back as values; errors in Portuguese', async () => {
    await edit(s.gas, '4314902', 'População', 1_400_000);
    await edit(s.gas, '4300034', 'Tipo de gestão', 'Gestão plena');
    await edit(s.gas, '4300059', 'População', -5);
    const preview = await s.gas.call<Push>('sidebarPush', true, tableId);
    expect(preview.message).toBe(
      'Pré-visualização: 0 criadas, 2 atualizadas, 0 sem mudança, 0 conflitos, 1 inválidas, 0 proibidas.',
    );
    expect(await version(s.t, '4314902')).toBe(1);

    const summary = await measured('push 3 edited rows', 3, () =>
      s.gas.call<Push>('sidebarPush', false, tableId),
    );
    expect(summary.sent).toBe(3);
    expect(summary.rows.map((row) => row.status).sort()).toEqual(['INVALID', 'UPDATED', 'UPDATED']);
    expect(summary.rows.find((row) => row.status === 'INVALID')!.message).toBe(
      'INVÁLIDA:\nPopulação: deve ser 0 ou mais',
    );
    const em = s.t.app.orm.em.fork();
    const poa = await em.findOneOrFail(Municipality, { ibgeCode: '4314902' });
    expect([poa.population, poa.version]).toEqual([1_400_000, 2]);
    expect((await em.findOneOrFail(Municipality, { ibgeCode: '4300034' })).managementType).toBe(
      'FULL',
    );
    const audit = await em.find(AuditEntry, { entityType: 'Municipality', entityId: poa.id });
    expect(audit.map((entry) => [entry.via, entry.actor])).toEqual([['SHEETS', 'Ana (COSEMS-RS)']]);
    expect(await rowOf(s.gas, '4314902')).toMatchObject({ Versão: 2 });
    expect(await rowOf(s.gas, '4300034')).toMatchObject({ 'Tipo de gestão': 'Gestão plena' });
    const again = await s.gas.call<Push>('sidebarPush', false, tableId);
    expect(again.sent).toBe(1); // only the invalid row is still pending
  });

  it('shows a conflict per row with only the fields that differ, and settles each row as chosen', async () => {
    await edit(s.gas, '4300059', 'População', 3800); // fixes the invalid value…
    await edit(s.gas, '4300109', 'Nome', 'Agudo (meu)');
    await upsertMunicipalities(s.t, s.keys.bea, [
      { ibgeCode: '4300059', expectedVersion: 1, population: 3999 },
      { ibgeCode: '4300109', expectedVersion: 1, name: 'Agudo (RS)', population: 17000 },
    ]);
    const pushed = await s.gas.call<Push>('sidebarPush', false, tableId);
    expect(pushed.conflicts).toBe(2);
    const byKey = Object.fromEntries(pushed.conflictRows.map((row) => [row.key, row]));
    expect(byKey['4300059']!.fields).toEqual([
      { field: 'population', label: 'População', mine: '3800', theirs: '3999' },
    ]);
    expect(byKey['4300109']!.title).toBe('4300109 — Agudo (meu)');
    expect(
      byKey['4300109']!.fields.map((field) => [field.label, field.mine, field.theirs]),
    ).toEqual([
      ['Nome', 'Agudo (meu)', 'Agudo (RS)'],
      ['População', expect.any(String), '17000'],
    ]);
    // Nothing was overwritten on either side.
    expect(await rowOf(s.gas, '4300059')).toMatchObject({ População: 3800 });
    expect(
      (await s.t.app.orm.em.fork().findOneOrFail(Municipality, { ibgeCode: '4300059' })).population,
    ).toBe(3999);

    const settled = await s.gas.call<{ resolved: number }>('sidebarResolveConflicts', tableId, {
      '4300059': 'mine',
      '4300109': 'theirs',
    });
    expect(settled.resolved).toBe(2);
    expect(await rowOf(s.gas, '4300109')).toMatchObject({
      Nome: 'Agudo (RS)',
      População: 17000,
      Versão: 2,
    });
    expect(await rowOf(s.gas, '4300059')).toMatchObject({ População: 3800, Versão: 2 });
    const final = await s.gas.call<Push>('sidebarPush', false, tableId);
    expect([final.updated, final.conflicts, final.sent]).toEqual([1, 0, 1]);
    const db = await s.t.app.orm.em.fork().findOneOrFail(Municipality, { ibgeCode: '4300059' });
    expect([db.population, db.version]).toEqual([3800, 3]);
  });

  it('refreshes: takes the server’s changes and keeps an edit not pushed yet', async () => {
    await edit(s.gas, '4300406', 'População', 123);
    await upsertMunicipalities(s.t, s.keys.bea, [
      { ibgeCode: '4300505', expectedVersion: 1, name: 'Alegria (RS)' },
    ]);
    const result = await measured('refresh 5,571 rows', 5571, () =>
      s.gas.call<Action>('sidebarRefresh', tableId),
    );
    expect(result.message).toBe(
      'Municípios: 5571 linhas atualizadas; 1 com alterações locais mantidas.',
    );
    expect(await rowOf(s.gas, '4300505')).toMatchObject({ Nome: 'Alegria (RS)', Versão: 2 });
    expect(await rowOf(s.gas, '4300406')).toMatchObject({ População: 123 });
    const note = await s.gas.run((env) => {
      const page = env.book.sheets[0]!;
      const codes = page.values(1, 1, page.getLastRow(), 1).map((row) => String(row[0]));
      return page.cell(codes.indexOf('4300406') + 1, 1).note;
    });
    expect(note).toBe('Alteração local ainda não enviada (mantida na atualização).');
  });

  it('stays bound when people insert rows and columns: refresh and push find the right cells', async () => {
    // Someone adds two rows and a notes column above and to the left, and writes in them…
    await s.gas.run((env) => {
      const page = env.book.sheets[0]!;
      page.insertRowsBefore(1, 2);
      page.insertColumnsBefore(1, 1);
      page.getRange('A1:B1').setValues([['Planilha da equipe', 'não apagar']]);
      page.getRange('A5:A6').setValues([['nota 1'], ['nota 2']]);
      // …and a column inside the table, between Nome and População.
      page.insertColumnsBefore(4, 1);
      page.getRange('D3:D4').setValues([['Observação da equipe'], ['ligar para a secretaria']]);
    });
    const before = await sheetValues(s.gas);
    expect(before[2]!.slice(0, 5)).toEqual([
      '',
      'Código IBGE',
      'Nome',
      'Observação da equipe',
      'População',
    ]);

    await upsertMunicipalities(s.t, s.keys.bea, [
      { ibgeCode: '4300604', expectedVersion: 1, population: 55555 },
    ]);
    const refreshed = await s.gas.call<Action>('sidebarRefresh', tableId);
    expect(refreshed.message).toMatch(/^Municípios: 5571 linhas atualizadas/);
    expect(refreshed.state.tables[0]!.place).toBe('Página1!B3');
    const after = await sheetValues(s.gas);
    expect(after[0]!.slice(0, 2)).toEqual(['Planilha da equipe', 'não apagar']);
    expect(after[4]![0]).toBe('nota 1');
    expect(after[3]![3]).toBe('ligar para a secretaria');
    expect(await rowOf(s.gas, '4300604')).toMatchObject({
      População: 55555,
      'Observação da equipe': '',
    });

    await edit(s.gas, '4300604', 'População', 56000);
    const pushed = await s.gas.call<Push>('sidebarPush', false, tableId);
    // The edit kept by the refresh (4300406) goes too: nobody else changed that row.
    expect(pushed.rows.map((row) => row.status)).toEqual(['UPDATED', 'UPDATED']);
    const db = await s.t.app.orm.em.fork().findOneOrFail(Municipality, { ibgeCode: '4300604' });
    expect(db.population).toBe(56000);
    const cell = await edit(s.gas, '4300604', 'População', 56000);
    expect(cell).toMatch(/^E\d+$/);
  });

  it('opens a preview from the menu’s “Enviar alterações…”, never sending from there', async () => {
    await edit(s.gas, '4300703', 'População', 7777);
    await s.gas.callAs({ kind: 'menu' }, 'menuPush');
    const sidebars = await s.gas.run((env) => env.ui.sidebars.map((sidebar) => sidebar.title));
    expect(sidebars).toEqual(['Rede Hub']);
    expect(
      (await s.t.app.orm.em.fork().findOneOrFail(Municipality, { ibgeCode: '4300703' })).population,
    ).not.toBe(7777);
    const opened = await s.gas.call<{ next: string | null }>('sidebarState');
    expect(opened.next).toBe('preview');
    expect((await s.gas.call<{ next: string | null }>('sidebarState')).next).toBeNull();
  });

  it('never writes over filled cells without asking, and offers a new tab', async () => {
    await select(s.gas, 'C2', 'Notas');
    await s.gas.run((env) => {
      env.book
        .getSheetByName('Notas')!
        .getRange('D10')
        .setValues([['minha anotação']]);
    });
    const request = {
      name: 'Municípios',
      fields: [
        {
          name: 'uf',
          label: 'uf',
          kind: 'text',
          list: true,
          required: false,
          options: [],
          value: '',
        },
      ],
      values: { uf: 'RR' },
    };
    const blocked = await s.gas.call<Action>('sidebarInsert', request);
    expect(blocked.occupied).toEqual({ range: 'C2:I17', filled: 1 });
    expect(blocked.message).toBe(
      'A área C2:I17 já tem 1 células preenchidas. Nada foi escrito: substitua o conteúdo ou insira numa nova aba.',
    );
    expect((await sheetValues(s.gas, 'Notas')).flat().filter(Boolean)).toEqual(['minha anotação']);

    const tab = await s.gas.call<Action>('sidebarInsert', { ...request, target: 'newSheet' });
    expect(tab.message).toBe('15 linhas inseridas em Municípios!A1.');
    await select(s.gas, 'C2', 'Notas');
    const replaced = await s.gas.call<Action>('sidebarInsert', { ...request, overwrite: true });
    expect(replaced.message).toBe('15 linhas inseridas em Notas!C2.');
  });

  it('writes text exactly as the server sent it: codes, “3-4”, dates, commas and formulas stay text', async () => {
    const tricky = [
      '0012',
      '3-4',
      '1,5',
      '2024-01-05',
      '=HYPERLINK("https://exemplo.invalid";"clique")',
      "'aspas",
      '+55 51 3333-4444',
      'VERDADEIRO',
      '1E5',
      '-x',
      '@soma',
      '10%',
    ];
    const rr = await s.t.gql<{ municipalities: { nodes: { ibgeCode: string }[] } }>(
      `{ municipalities(filter: { uf: ["RR"] }, orderBy: [IBGE_CODE_ASC]) { nodes { ibgeCode } } }`,
    );
    const codes = rr
      .data!.municipalities.nodes.map((node) => node.ibgeCode)
      .slice(0, tricky.length);
    await upsertMunicipalities(
      s.t,
      s.keys.admin,
      codes.map((ibgeCode, index) => ({ ibgeCode, expectedVersion: 1, name: tricky[index] })),
    );
    const inserted = await s.gas.call<Action>('sidebarInsert', {
      name: 'Municípios',
      fields: [
        {
          name: 'uf',
          label: 'uf',
          kind: 'text',
          list: true,
          required: false,
          options: [],
          value: '',
        },
      ],
      values: { uf: 'RR' },
      target: 'newSheet',
    });
    expect(inserted.message).toBe('15 linhas inseridas em Municípios (2)!A1.');
    const names = await Promise.all(
      codes.map(async (code) => (await rowOf(s.gas, code, 'Municípios (2)')).Nome),
    );
    expect(names).toEqual(tricky);
    const formulas = await s.gas.run((env) => {
      const sheet = env.book.getSheetByName('Municípios (2)')!;
      return sheet.getRange(1, 1, sheet.getLastRow(), 7).getFormulas().flat().filter(Boolean);
    });
    expect(formulas).toEqual([]);
    const id = inserted.state.tables.find((table) => table.place === 'Municípios (2)!A1')!.id;
    expect((await s.gas.call<Push>('sidebarPush', true, id)).message).toBe(
      'Nenhuma alteração para enviar.',
    );
    expect((await s.gas.call<Action>('sidebarRefresh', id)).message).toBe(
      'Municípios: 15 linhas atualizadas; 0 com alterações locais mantidas.',
    );
    expect(
      await Promise.all(
        codes.map(async (code) => (await rowOf(s.gas, code, 'Municípios (2)')).Nome),
      ),
    ).toEqual(tricky);
  });
});
