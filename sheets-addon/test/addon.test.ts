import fs from 'node:fs';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../api/src/auth/auth.enums';
import { Municipality } from '../../api/src/territory/municipality.entity';
import { AuditEntry } from '../../api/src/audit/audit-entry.entity';
import { createTestApp, databaseAvailable, type TestApp } from '../../api/test/helpers';
import { buildAddon, distDir, startGas, type GasHost } from './harness/gas-host';
import { createServices } from './harness/fakes';

/** Every function Apps Script must find at the top level of Code.js. */
const ENTRY_POINTS = [
  'onOpen',
  'onInstall',
  'showSidebar',
  'menuRefreshAll',
  'menuPush',
  'continuePulls',
  'scheduledRefresh',
  'REDE_MUNICIPIO',
  'REDE_CONSULTA',
  'sidebarState',
  'sidebarConnect',
  'sidebarDisconnect',
  'sidebarSetLocale',
  'sidebarListQueries',
  'sidebarQueryForm',
  'sidebarInsert',
  'sidebarRefresh',
  'sidebarResolveConflicts',
  'sidebarSchedule',
  'sidebarPush',
];

const SAVED_QUERY = `query Municipios($uf: [String!]) {
  municipalities(filter: { uf: $uf }) {
    nodes { ibgeCode name population managementType state { uf } healthRegion { code } version }
  }
}`;
const COLUMNS = [
  'ibgeCode',
  'name',
  'population',
  'managementType',
  'state.uf',
  'healthRegion.code',
  'version',
];

describe('the built bundle', () => {
  it('declares every entry point as a top-level function', () => {
    buildAddon();
    const code = fs.readFileSync(`${distDir}/Code.js`, 'utf8');
    const services = createServices(distDir, () => {
      throw new Error('no network here');
    });
    const context = vm.createContext({ ...services.globals });
    vm.runInContext(code, context);
    for (const name of ENTRY_POINTS) {
      expect(code, name).toMatch(new RegExp(`^function ${name}\\(`, 'm'));
      expect(typeof (context as Record<string, unknown>)[name], name).toBe('function');
    }
    expect(code).toMatch(/\* @customfunction\n \*\/\nfunction REDE_MUNICIPIO\(/);
    const manifest = JSON.parse(fs.readFileSync(`${distDir}/appsscript.json`, 'utf8'));
    expect(manifest.oauthScopes).toEqual([
      'https://www.googleapis.com/auth/spreadsheets.currentonly',
      'https://www.googleapis.com/auth/script.external_request',
      'https://www.googleapis.com/auth/script.container.ui',
      'https://www.googleapis.com/auth/script.scriptapp',
    ]);
    const html = fs.readFileSync(`${distDir}/Sidebar.html`, 'utf8');
    expect(html).not.toContain('/* SCRIPT */');
    expect(html).not.toContain('/* STYLE */');
    expect(html).toContain('google.script.run');

    (context as { onOpen: () => void }).onOpen();
    expect(services.ui.menus[0]!.items).toEqual([
      ['Abrir painel', 'showSidebar'],
      ['Atualizar todas as tabelas', 'menuRefreshAll'],
      ['Enviar alterações', 'menuPush'],
    ]);
    const cell = (
      context as { REDE_MUNICIPIO: (code: string, field: string) => unknown }
    ).REDE_MUNICIPIO('4314902', 'population');
    expect(cell).toBe(
      '#ERRO: conecte-se ao Rede Hub no painel (Extensões › Rede Hub › Abrir painel)',
    );
  });
});

describe.skipIf(!databaseAvailable)('the add-on against a real server', () => {
  let t: TestApp;
  let gas: GasHost;
  let editorKey: string;
  let tableId: string;
  const figures: Record<string, { rows: number; requests: number; seconds: number }> = {};

  async function measured<T>(
    label: string,
    rows: (result: T) => number,
    action: () => Promise<T>,
  ): Promise<T> {
    const before = await gas.run((env) => env.counters.urlFetches);
    const started = performance.now();
    const result = await action();
    const seconds = (performance.now() - started) / 1000;
    const after = await gas.run((env) => env.counters.urlFetches);
    figures[label] = {
      rows: rows(result),
      requests: after - before,
      seconds: Math.round(seconds * 100) / 100,
    };
    return result;
  }

  /** Sheet values of the bound table, keyed by IBGE code (what the user sees). */
  const readSheet = () =>
    gas.run((env) => {
      const sheet = env.book.getSheets()[0]!;
      const last = sheet.getLastRow();
      return sheet.values(1, 1, last, 7);
    });
  /** Types into cells like a user: finds the row of `code` and sets column `column` (1-based). */
  const edit = (code: string, column: number, value: unknown) =>
    gas.run(
      (env, arg: { code: string; column: number; value: unknown }) => {
        const sheet = env.book.getSheets()[0]!;
        const rows = sheet.values(2, 1, sheet.getLastRow() - 1, 1);
        const index = rows.findIndex((row) => String(row[0]) === arg.code);
        if (index < 0) {
          throw new Error(`no row for ${arg.code}`);
        }
        sheet.getRange(2 + index, arg.column, 1, 1).setValues([[arg.value as string]]);
        return 2 + index;
      },
      { code, column, value },
    );
  const rowOf = async (code: string) => (await readSheet()).find((row) => String(row[0]) === code)!;

  beforeAll(async () => {
    t = await createTestApp();
    editorKey = await t.createKey(Role.EDITOR, null, 'planilha-cosems');
    const admin = await t.createKey(Role.ADMIN);
    const saved = await t.gql(
      `mutation ($input: CreateSavedQueryInput!) { createSavedQuery(input: $input) { name } }`,
      { input: { name: 'Municípios', query: SAVED_QUERY, stateUf: null } },
      { authorization: `Bearer ${admin}` },
    );
    expect(saved.errors).toBeUndefined();
    gas = await startGas();
  });
  afterAll(async () => {
    if (Object.keys(figures).length > 0) {
      console.log('Sheets round trip (rows, HTTP requests, seconds):');
      console.table(figures);
    }
    await gas?.close();
    await t?.close();
  });

  it('connects: checks the key against the server and shows its role and scope', async () => {
    const refused = gas.call(
      'sidebarConnect',
      t.url,
      'rh_0000000000_wrongwrongwrongwrongwrongwrongwr',
    );
    await expect(refused).rejects.toThrow('chave de API inválida ou revogada');
    const unreachable = gas.call('sidebarConnect', 'http://127.0.0.1:9', editorKey);
    await expect(unreachable).rejects.toThrow(/servidor inacessível/);
    const state = await gas.call<{ connection: { label: string; serverUrl: string } }>(
      'sidebarConnect',
      `${t.url}/graphql/`,
      editorKey,
    );
    expect(state.connection).toEqual({
      serverUrl: t.url,
      label: 'Conectado como planilha-cosems (EDITOR, nacional)',
      viewer: { kind: 'KEY', name: 'planilha-cosems', role: 'EDITOR', stateUf: null },
    });
    const stored = await gas.run((env) => env.properties.user.getProperties());
    expect(stored['rede.apiKey']).toBe(editorKey);
  });

  it('lists saved queries and builds the variables form from the query', async () => {
    const queries = await gas.call<{ name: string }[]>('sidebarListQueries');
    expect(queries.map((query) => query.name)).toEqual(['Municípios']);
    const form = await gas.call<{ columns: string[]; fields: unknown[] }>('sidebarQueryForm', {
      name: 'Municípios',
    });
    expect(form.columns).toEqual(COLUMNS);
    expect(form.fields).toEqual([
      {
        name: 'uf',
        label: 'uf: [String!]',
        kind: 'text',
        list: true,
        required: false,
        options: [],
        value: '',
      },
    ]);
  });

  it('inserts all 5,571 municipalities at the cursor: paged, batched, frozen, bound', async () => {
    await gas.run((env) => {
      env.counters.setValuesCalls = 0;
      env.book.select(env.book.getSheets()[0]!, 'A1');
    });
    const result = await measured(
      'insert 5,571 rows',
      () => 5571,
      () =>
        gas.call<{
          message: string;
          state: { tables: { id: string; rows: number; editable: boolean }[] };
        }>('sidebarInsert', { name: 'Municípios', fields: [], values: {} }),
    );
    expect(result.message).toBe('5571 linhas inseridas em Página1!A1.');
    expect(result.state.tables).toHaveLength(1);
    expect(result.state.tables[0]).toMatchObject({ rows: 5571, editable: true });
    tableId = result.state.tables[0]!.id;

    const sheet = await gas.run((env) => {
      const visible = env.book.getSheets()[0]!;
      return {
        header: visible.values(1, 1, 1, 7)[0],
        frozen: visible.getFrozenRows(),
        hiddenColumns: [...visible.hiddenColumns],
        bold: visible.cell(1, 1).fontWeight,
        lastRow: visible.getLastRow(),
        metadata: visible.getDeveloperMetadata().map((entry) => entry.getKey()),
        hiddenSheets: env.book
          .getSheets()
          .filter((s) => s.hidden)
          .map((s) => s.getName()),
        setValuesCalls: env.counters.setValuesCalls,
      };
    });
    expect(sheet).toMatchObject({
      header: COLUMNS,
      frozen: 1,
      hiddenColumns: [7],
      bold: 'bold',
      lastRow: 5572,
      metadata: ['rede.table'],
      hiddenSheets: [`_rede_${tableId}`],
    });
    // 6 pages staged + 2 visible blocks + 2 snapshot blocks + header + marks: no per-cell writes.
    expect(sheet.setValuesCalls).toBeLessThan(20);
    const poa = await rowOf('4314902');
    expect(poa.slice(0, 2)).toEqual(['4314902', 'Porto Alegre']);
    expect(poa[4]).toBe('RS');
    expect(poa[6]).toBe(1);
  });

  it('previews, then pushes only the edited rows; the database has them, audited via SHEETS', async () => {
    await edit('4314902', 3, 1_400_000);
    await edit('4300034', 4, 'FULL');
    await edit('4300059', 3, -5);
    const preview = await gas.call<{ message: string; updated: number; invalid: number }>(
      'sidebarPush',
      true,
      tableId,
    );
    expect(preview.message).toBe(
      'Pré-visualização: 0 criadas, 2 atualizadas, 0 sem mudança, 0 conflitos, 1 inválidas, 0 proibidas.',
    );
    const untouched = await t.app.orm.em
      .fork()
      .findOneOrFail(Municipality, { ibgeCode: '4314902' });
    expect(untouched.version).toBe(1);

    const summary = await measured(
      'push 3 edited rows',
      (result: { sent: number }) => result.sent,
      () =>
        gas.call<{ sent: number; rows: { row: number; status: string; message: string }[] }>(
          'sidebarPush',
          false,
          tableId,
        ),
    );
    expect(summary.sent).toBe(3);
    expect(summary.rows.map((row) => row.status).sort()).toEqual(['INVALID', 'UPDATED', 'UPDATED']);
    expect(summary.rows.find((row) => row.status === 'INVALID')!.message).toMatch(
      /^INVÁLIDA:\npopulation: /,
    );

    const em = t.app.orm.em.fork();
    const poa = await em.findOneOrFail(Municipality, { ibgeCode: '4314902' });
    expect([poa.population, poa.version]).toEqual([1_400_000, 2]);
    const acegua = await em.findOneOrFail(Municipality, { ibgeCode: '4300034' });
    expect(acegua.managementType).toBe('FULL');
    const aguaSanta = await em.findOneOrFail(Municipality, { ibgeCode: '4300059' });
    expect(aguaSanta.population).not.toBe(-5);
    const audit = await em.find(AuditEntry, { entityType: 'Municipality', entityId: poa.id });
    expect(audit.map((entry) => [entry.via, entry.actor])).toEqual([['SHEETS', 'planilha-cosems']]);

    const marks = await gas.run(
      (env, codes: string[]) => {
        const sheet = env.book.getSheets()[0]!;
        const keys = sheet.values(2, 1, sheet.getLastRow() - 1, 1).map((row) => String(row[0]));
        return codes.map((code) => {
          const cell = sheet.cell(2 + keys.indexOf(code), 1);
          return {
            note: cell.note,
            background: cell.background,
            version: sheet.cell(2 + keys.indexOf(code), 7).value,
          };
        });
      },
      ['4314902', '4300059'],
    );
    expect(marks[0]).toEqual({ note: 'Atualizada (versão 2)', background: '#d9ead3', version: 2 });
    expect(marks[1]!.note).toMatch(/^INVÁLIDA/);
    expect(marks[1]!.background).toBe('#fce5cd');

    const again = await gas.call<{ sent: number; message: string }>('sidebarPush', false, tableId);
    expect(again.sent).toBe(1); // only the invalid row is still pending
  });

  it('shows a conflict with a second client’s edit and keeps both values', async () => {
    await edit('4300059', 3, 3800); // fix the invalid value…
    const otherKey = await t.createKey(Role.EDITOR, 'RS', 'outra-planilha');
    const other = await t.gql<{ upsertMunicipalities: { updated: number } }>(
      `mutation ($rows: [MunicipalityUpsertInput!]!) { upsertMunicipalities(rows: $rows) { updated } }`,
      {
        rows: [
          { ibgeCode: '4300059', expectedVersion: 1, population: 3999 },
          { ibgeCode: '4300109', expectedVersion: 1, name: 'Agudo (RS)' },
        ],
      },
      { authorization: `Bearer ${otherKey}` },
    );
    expect(other.data?.upsertMunicipalities.updated).toBe(2);

    const summary = await gas.call<{
      conflicts: number;
      rows: { status: string; message: string }[];
    }>('sidebarPush', false, tableId);
    expect(summary.conflicts).toBe(1);
    expect(summary.rows[0]!.message).toContain('CONFLITO');
    expect(summary.rows[0]!.message).toContain('population: 3999');

    const sheetRow = await rowOf('4300059');
    expect(sheetRow[2]).toBe(3800); // the user's value stays in the sheet…
    const db = await t.app.orm.em.fork().findOneOrFail(Municipality, { ibgeCode: '4300059' });
    expect(db.population).toBe(3999); // …and the other client's stays in the database
    const note = await gas.run((env, code: string) => {
      const sheet = env.book.getSheets()[0]!;
      const keys = sheet.values(2, 1, sheet.getLastRow() - 1, 1).map((row) => String(row[0]));
      return sheet.cell(2 + keys.indexOf(code), 1);
    }, '4300059');
    expect(note.background).toBe('#f4cccc');
    expect(note.note).toContain('population: 3999');
  });

  it('refreshes: takes the server’s changes and keeps the unsent local edit', async () => {
    const result = await measured(
      'refresh 5,571 rows',
      () => 5571,
      () => gas.call<{ message: string }>('sidebarRefresh', tableId),
    );
    expect(result.message).toBe('5571 linhas atualizadas; 1 com alterações locais mantidas.');
    expect((await rowOf('4300109'))[1]).toBe('Agudo (RS)');
    const kept = await rowOf('4300059');
    expect([kept[2], kept[6]]).toEqual([3800, 1]);
    expect((await rowOf('4314902'))[2]).toBe(1_400_000);
    // The kept row still pushes as a conflict until the user settles it: never a silent overwrite.
    const summary = await gas.call<{ conflicts: number; sent: number }>(
      'sidebarPush',
      false,
      tableId,
    );
    expect([summary.sent, summary.conflicts]).toEqual([1, 1]);
  });

  it('settles conflicts only when the user chooses: theirs, or mine over the server’s version', async () => {
    await edit('4300109', 2, 'Agudo (meu)'); // read at v2, while someone else moves it to v3:
    await t.gql(
      `mutation ($rows: [MunicipalityUpsertInput!]!) { upsertMunicipalities(rows: $rows) { updated } }`,
      { rows: [{ ibgeCode: '4300109', expectedVersion: 2, population: 17000 }] },
      { authorization: `Bearer ${editorKey}` },
    );
    const pushed = await gas.call<{ conflicts: number }>('sidebarPush', false, tableId);
    expect(pushed.conflicts).toBe(2);

    // Take the server's values for both: the sheet shows them, nothing is sent.
    const theirs = await gas.call<{ resolved: number }>(
      'sidebarResolveConflicts',
      'theirs',
      tableId,
    );
    expect(theirs.resolved).toBe(2);
    expect((await rowOf('4300059')).slice(2, 3)).toEqual([3999]);
    expect((await rowOf('4300109')).slice(1, 3)).toEqual(['Agudo (RS)', 17000]);
    const nothing = await gas.call<{ sent: number; message: string }>(
      'sidebarPush',
      false,
      tableId,
    );
    expect([nothing.sent, nothing.message]).toEqual([0, 'Nenhuma alteração para enviar.']);

    // Keep mine: the user's value goes over the server's current version on the next push.
    await edit('4300059', 3, 3800);
    await t.gql(
      `mutation ($rows: [MunicipalityUpsertInput!]!) { upsertMunicipalities(rows: $rows) { updated } }`,
      { rows: [{ ibgeCode: '4300059', expectedVersion: 2, population: 4100 }] },
      { authorization: `Bearer ${editorKey}` },
    );
    expect((await gas.call<{ conflicts: number }>('sidebarPush', false, tableId)).conflicts).toBe(
      1,
    );
    const mine = await gas.call<{ resolved: number }>('sidebarResolveConflicts', 'mine', tableId);
    expect(mine.resolved).toBe(1);
    expect((await rowOf('4300059')).slice(2)).toEqual([3800, '', 'RS', '', 3]);
    const final = await gas.call<{ updated: number; conflicts: number }>(
      'sidebarPush',
      false,
      tableId,
    );
    expect([final.updated, final.conflicts]).toEqual([1, 0]);
    const db = await t.app.orm.em.fork().findOneOrFail(Municipality, { ibgeCode: '4300059' });
    expect([db.population, db.version]).toEqual([3800, 4]);
  });

  it('hands a long pull over to a trigger before the time limit and resumes it', async () => {
    await gas.run((env) => {
      env.properties.script.setProperty('REDE_MAX_RUN_MS', '1');
      env.properties.script.setProperty('REDE_PAGE_SIZE', '300');
      env.book.select(env.book.insertSheet('RS'), 'B3');
    });
    const first = await gas.call<{ message: string }>('sidebarInsert', {
      query: SAVED_QUERY,
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
      values: { uf: 'RS, SC' },
    });
    expect(first.message).toBe('300 linhas até agora; a carga continua em segundo plano.');
    const triggers = await gas.run((env) =>
      env.triggers.map((trigger) => [trigger.handler, trigger.schedule]),
    );
    expect(triggers).toEqual([['continuePulls', 'after 60000 ms']]);
    const jobs = await gas.run((env) => Object.keys(env.properties.document.getProperties()));
    expect(jobs.filter((key) => key.startsWith('rede.job.'))).toHaveLength(1);

    // RS + SC = 497 + 295 rows in pages of 300: each later execution takes one page and hands over.
    let executions = 1;
    while ((await gas.run((env) => env.triggers.length)) > 0) {
      await gas.call('continuePulls');
      executions += 1;
    }
    expect(executions).toBe(3);
    const state = await gas.run((env) => {
      const sheet = env.book.getSheetByName('RS')!;
      return {
        header: sheet.values(3, 2, 1, 2)[0],
        last: sheet.getLastRow(),
        ufs: [
          ...new Set(sheet.values(4, 6, sheet.getLastRow() - 3, 1).map((row) => row[0])),
        ].sort(),
        jobs: Object.keys(env.properties.document.getProperties()).filter((key) =>
          key.startsWith('rede.job.'),
        ),
        triggers: env.triggers.length,
      };
    });
    expect(state).toEqual({
      header: ['ibgeCode', 'name'],
      last: 3 + 497 + 295,
      ufs: ['RS', 'SC'],
      jobs: [],
      triggers: 0,
    });
    await gas.run((env) => {
      env.properties.script.deleteProperty('REDE_MAX_RUN_MS');
      env.properties.script.deleteProperty('REDE_PAGE_SIZE');
    });
  });

  it('schedules refreshes with a time trigger and records the last run', async () => {
    const state = await gas.call<{ schedule: { frequency: string } }>('sidebarSchedule', 'hourly');
    expect(state.schedule.frequency).toBe('hourly');
    expect(
      await gas.run((env) => env.triggers.map((trigger) => [trigger.handler, trigger.schedule])),
    ).toEqual([['scheduledRefresh', 'every 1 h']]);
    await gas.call('sidebarSchedule', 'daily');
    expect(await gas.run((env) => env.triggers.map((trigger) => trigger.schedule))).toEqual([
      'every 1 d at 6h',
    ]);
    await gas.call('scheduledRefresh');
    const after = await gas.call<{ schedule: { lastRun: { ok: boolean; outcome: string } } }>(
      'sidebarState',
    );
    expect(after.schedule.lastRun.ok).toBe(true);
    expect(after.schedule.lastRun.outcome).toContain('Municípios: 5571 linhas atualizadas');
  });

  it('answers custom functions from the server, then from the cache', async () => {
    const population = await gas.call('REDE_MUNICIPIO', '4314902', 'population');
    expect(population).toBe(1_400_000);
    expect(await gas.call('REDE_MUNICIPIO', '4314902', 'state.name')).toBe('Rio Grande do Sul');
    const before = await gas.run((env) => env.counters.urlFetches);
    expect(await gas.call('REDE_MUNICIPIO', '4314902', 'population')).toBe(1_400_000);
    expect(await gas.run((env) => env.counters.urlFetches)).toBe(before);
    expect(await gas.call('REDE_MUNICIPIO', '4314902', 'populacao')).toMatch(/^#ERRO: .*populacao/);
    expect(await gas.call('REDE_MUNICIPIO', '4314902', 'x { y }')).toBe(
      '#ERRO: campo desconhecido "x { y }"',
    );

    const table = await gas.call<unknown[][]>('REDE_CONSULTA', 'Municípios', 'uf', '["RR"]');
    expect(table[0]).toEqual(COLUMNS);
    expect(table).toHaveLength(1 + 15);
    const cached = await gas.run((env) =>
      [...env.cache.values.values()].every((value) => value.length <= 100 * 1024),
    );
    expect(cached).toBe(true);

    await gas.call('sidebarDisconnect');
    expect(await gas.call('REDE_CONSULTA', 'Municípios', 'uf', '["AC"]')).toEqual([
      ['#ERRO: conecte-se ao Rede Hub no painel (Extensões › Rede Hub › Abrir painel)'],
    ]);
  });
});
