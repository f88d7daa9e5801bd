/**
 * Apps Script's limits, met by the add-on through the built bundle and real HTTP: one 6-minute
 * deadline per execution shared by every page, table and final write (a fake clock makes
 * requests and writes as slow as a test needs); no trigger to continue a long pull; a table that
 * fails is recorded and retried while the others go on; the document lock; formulas within 30
 * seconds and 2,000 rows; cache values in pieces under 100 KB; times in the sheet's time zone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseAvailable } from '../../api/test/helpers';
import { type GasHost } from './harness/gas-host';
import { edit, rowOf, scenario, select, sheetValues, type Scenario } from './harness/scenario';

interface Action {
  message: string;
  state: {
    tables: {
      id: string;
      title: string;
      lastRun: { at: string; ok: boolean; outcome: string } | null;
    }[];
  };
  progress: { tableId: string; text: string } | null;
}

const ufField = {
  name: 'uf',
  label: 'uf',
  kind: 'text',
  list: true,
  required: false,
  options: [],
  value: '',
};

function costs(gas: GasHost, next: { fetchMs?: number; cellWriteMs?: number }) {
  return gas.run((env, arg: { fetchMs?: number; cellWriteMs?: number }) => {
    env.host.costs.fetchMs = arg.fetchMs ?? 0;
    env.host.costs.cellWriteMs = arg.cellWriteMs ?? 0;
  }, next);
}

/** Calls the sidebar's continuation until the pull is done, as the progress line does. */
async function continueAll(
  gas: GasHost,
  first: Action,
): Promise<{ last: Action; lines: string[] }> {
  const lines: string[] = [];
  let result = first;
  while (result.progress) {
    lines.push(result.progress.text);
    result = await gas.call<Action>('sidebarContinue', result.progress.tableId);
  }
  return { last: result, lines };
}

describe.skipIf(!databaseAvailable)('the add-on within Apps Script’s limits', () => {
  let s: Scenario;

  beforeAll(async () => {
    s = await scenario();
    await s.gas.call('sidebarConnect', s.keys.ana);
  });
  afterAll(async () => {
    await s?.close();
  });

  it('hands a long insert over before 6 minutes — pulls, then merges, then writes — without triggers', async () => {
    // Every request takes 40 s and every cell written 0.5 ms: 5,571 rows need three executions.
    await costs(s.gas, { fetchMs: 40_000, cellWriteMs: 0.5 });
    await select(s.gas, 'A1');
    const first = await s.gas.call<Action>('sidebarInsert', {
      name: 'Municípios',
      fields: [],
      values: {},
    });
    const { last, lines } = await continueAll(s.gas, first);
    await costs(s.gas, {});
    expect(lines[0]).toMatch(/^Carregando “Municípios”: [\d.]+ de 5\.571 linhas \(\d+%\)…$/);
    expect(lines.at(-1)).toBe('Gravando “Municípios” na planilha (5571 linhas)…');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(last.message).toBe('5571 linhas inseridas em Página1!A1.');
    const state = await s.gas.run((env) => ({
      triggers: env.triggers.all.length,
      jobs: [...env.storage.document.values.keys()].filter((key) => key.startsWith('rede.job.')),
      sheets: env.book.sheets.map((sheet) => sheet.name),
      rows: env.book.sheets[0]!.getLastRow(),
    }));
    expect(state).toMatchObject({ triggers: 0, jobs: [], rows: 5572 });
    expect(state.sheets.filter((name) => name.endsWith('_carga'))).toEqual([]);
  });

  it('repairs a write stopped at 6 minutes on the next run: nothing doubled, nothing lost', async () => {
    const id = (await s.gas.call<Action['state']>('sidebarState')).tables[0]!.id;
    // A refresh whose merge and write cannot share an execution (1.5 ms per cell written)…
    await costs(s.gas, { fetchMs: 40_000, cellWriteMs: 1.5 });
    let step = await s.gas.call<Action>('sidebarRefresh', id);
    expect(step.progress?.text).toMatch(/^Carregando “Municípios”: [\d.]+ de 5\.571/);
    while (step.progress?.text.startsWith('Carregando')) {
      step = await s.gas.call<Action>('sidebarContinue', id);
    }
    expect(step.progress?.text).toBe('Gravando “Municípios” na planilha (5571 linhas)…');
    // …whose writes turn out ten times slower than measured: Apps Script stops it mid-way.
    await costs(s.gas, { cellWriteMs: 5 });
    await expect(s.gas.call('sidebarContinue', id)).rejects.toThrow(
      'Exceeded maximum execution time',
    );
    await costs(s.gas, {});
    const repaired = await s.gas.call<Action>('sidebarContinue', id);
    expect(repaired.message).toBe('5571 linhas atualizadas; 0 com alterações locais mantidas.');
    const values = await sheetValues(s.gas);
    expect(values).toHaveLength(5572);
    expect(new Set(values.slice(1).map((row) => row[0])).size).toBe(5571);
    const push = await s.gas.call<{ message: string }>('sidebarPush', true, id);
    expect(push.message).toBe('Nenhuma alteração para enviar.');
  });

  it('keeps an edit typed between the merge and the write of a long refresh', async () => {
    const id = (await s.gas.call<Action['state']>('sidebarState')).tables[0]!.id;
    await costs(s.gas, { fetchMs: 40_000, cellWriteMs: 1.5 });
    let step = await s.gas.call<Action>('sidebarRefresh', id);
    while (step.progress?.text.startsWith('Carregando')) {
      step = await s.gas.call<Action>('sidebarContinue', id);
    }
    expect(step.progress?.text).toBe('Gravando “Municípios” na planilha (5571 linhas)…');
    await costs(s.gas, {});
    await edit(s.gas, '4314902', 'População', 1_500_000);
    const done = await s.gas.call<Action>('sidebarContinue', id);
    expect(done.message).toBe('5571 linhas atualizadas; 1 com alterações locais mantidas.');
    expect(await rowOf(s.gas, '4314902')).toMatchObject({ População: 1_500_000 });
  });

  it('shares one deadline among the tables of a refresh; a failing table is recorded and retried', async () => {
    await s.t.gql(
      `mutation ($input: CreateSavedQueryInput!) { createSavedQuery(input: $input) { name } }`,
      {
        input: {
          name: 'Capitais',
          query: `{ municipalities(filter: { capital: true }) { nodes { ibgeCode name version } } }`,
        },
      },
      { authorization: `Bearer ${s.keys.admin}` },
    );
    for (const [cell, name, uf] of [
      ['J1', 'Capitais', null],
      ['N1', 'Municípios', 'SC'],
    ] as const) {
      await select(s.gas, cell);
      const inserted = await s.gas.call<Action>('sidebarInsert', {
        name,
        fields: uf ? [ufField] : [],
        values: uf ? { uf } : {},
      });
      expect(inserted.progress).toBeNull();
    }
    // Someone deletes the saved query of the middle table on the server.
    await s.t.gql(
      `mutation { deleteSavedQuery(name: "Capitais") }`,
      {},
      { authorization: `Bearer ${s.keys.admin}` },
    );
    const all = await s.gas.call<Action>('sidebarRefresh', null);
    expect(all.message.split('\n')).toEqual([
      'Municípios: 5571 linhas atualizadas; 1 com alterações locais mantidas.',
      'Capitais: falhou (2ª tentativa): não encontrado: Capitais',
      'Municípios: 295 linhas atualizadas; 0 com alterações locais mantidas.',
    ]);
    const capitais = all.state.tables.find((table) => table.title === 'Capitais')!;
    expect(capitais.lastRun).toMatchObject({ ok: false, outcome: 'não encontrado: Capitais' });

    // Requests of 60 s: the first table uses up this execution; the others wait their turn and
    // go first next time.
    await costs(s.gas, { fetchMs: 60_000 });
    const slow = await s.gas.call<Action>('sidebarRefresh', null);
    expect(slow.message.split('\n')).toEqual([
      expect.stringMatching(/^Municípios: \d+ linhas até agora; continua na próxima execução\.$/),
      'Municípios: aguardando: o tempo desta execução acabou; continua na próxima',
      'Capitais: aguardando: o tempo desta execução acabou; continua na próxima',
    ]);
    await costs(s.gas, {});
    const { last } = await continueAll(s.gas, slow);
    expect(last.message).toBe('5571 linhas atualizadas; 1 com alterações locais mantidas.');
  });

  it('waits for the document lock another execution holds, then says so in Portuguese', async () => {
    const release = await s.gas.run((env) => {
      env.locks.holdElsewhere('document');
      return true;
    });
    expect(release).toBe(true);
    await expect(s.gas.call('sidebarPush', true, null)).rejects.toThrow(
      'outra pessoa (ou uma atualização automática) está atualizando ou enviando esta planilha agora; tente de novo em instantes',
    );
    await s.gas.run((env) => {
      env.locks.document.holder = null;
    });
    expect((await s.gas.call<{ message: string }>('sidebarPush', true, null)).message).toBe(
      'Nenhuma alteração para enviar.',
    );
  });

  it('ends a formula over 2,000 rows with a visible “truncated” row; its cache stays under 100 KB per value', async () => {
    const table = await s.gas.callAs<unknown[][]>(
      { kind: 'custom-function' },
      'REDE_CONSULTA',
      'Municípios',
    );
    expect(table).toHaveLength(1 + 2000 + 1);
    expect(table[0]).toEqual([
      'Código IBGE',
      'Nome',
      'População',
      'Tipo de gestão',
      'Estado › UF',
      'Região de saúde › Código',
      'Versão',
    ]);
    expect(table[2001]![0]).toBe(
      '… resultado truncado: mostrando 2000 de 5571 linhas (limite das fórmulas). Para tudo, insira uma tabela pelo painel.',
    );
    const cache = await s.gas.run((env) =>
      [...env.storage.documentCache.entries].map(
        ([key, entry]) => [key, Buffer.byteLength(entry.value)] as const,
      ),
    );
    expect(cache.length).toBeGreaterThan(2);
    for (const [key, bytes] of cache) {
      expect(key).toMatch(/^rede:[A-Za-z0-9_-]{43}=(\.\d+)?$/);
      expect(bytes).toBeLessThanOrEqual(100 * 1024);
    }
  });

  it('cuts a formula’s cache by bytes: long accented names do not overflow a 100 KB value', async () => {
    const mg = await s.t.gql<{ municipalities: { nodes: { ibgeCode: string }[] } }>(
      `{ municipalities(filter: { uf: ["MG"] }, first: 1000) { nodes { ibgeCode } } }`,
    );
    const rows = mg.data!.municipalities.nodes.map((node) => ({
      ibgeCode: node.ibgeCode,
      expectedVersion: 1,
      name: `São João ${'ç'.repeat(150)}`,
    }));
    const updated = await s.t.gql(
      `mutation ($rows: [MunicipalityUpsertInput!]!) { upsertMunicipalities(rows: $rows) { updated } }`,
      { rows },
      { authorization: `Bearer ${s.keys.admin}` },
    );
    expect(updated.errors).toBeUndefined();
    const table = await s.gas.callAs<unknown[][]>(
      { kind: 'custom-function' },
      'REDE_CONSULTA',
      'Municípios',
      'uf',
      '["MG"]',
    );
    expect(table).toHaveLength(1 + 853);
    expect(String(table[1]![1])).toMatch(/^São João ç+$/);
    const again = await s.gas.run((env) => env.requests.length);
    await s.gas.callAs({ kind: 'custom-function' }, 'REDE_CONSULTA', 'Municípios', 'uf', '["MG"]');
    expect(await s.gas.run((env) => env.requests.length)).toBe(again); // from the cache
  });

  it('stops a formula before its 30 seconds, with what it has and a row that says so', async () => {
    await costs(s.gas, { fetchMs: 12_000 });
    const table = await s.gas.callAs<unknown[][]>(
      { kind: 'custom-function' },
      'REDE_CONSULTA',
      'Municípios',
      'uf',
      '["RS","SC"]',
    );
    await costs(s.gas, {});
    expect(table).toHaveLength(1 + 500 + 1);
    expect(table[501]![0]).toBe(
      '… resultado truncado: mostrando 500 linhas; a fórmula chegou ao limite de 30 s. Para tudo, insira uma tabela pelo painel.',
    );
  });

  it('shows last runs in the spreadsheet’s time zone', async () => {
    const zone = async (timeZone: string) => {
      await s.gas.run((env, tz: string) => {
        env.book.timeZone = tz;
      }, timeZone);
      const state = await s.gas.call<Action['state']>('sidebarState');
      return state.tables[0]!.lastRun!.at;
    };
    const saoPaulo = await zone('America/Sao_Paulo');
    const tokyo = await zone('Asia/Tokyo');
    expect(saoPaulo).toMatch(/^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}$/);
    const hour = (text: string) => Number(text.slice(11, 13));
    expect((hour(tokyo) - hour(saoPaulo) + 24) % 24).toBe(12);
    await zone('America/Sao_Paulo');
    expect(await rowOf(s.gas, '4314902')).toMatchObject({ Nome: 'Porto Alegre' });
  });
});
