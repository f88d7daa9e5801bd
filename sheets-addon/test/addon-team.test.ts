/**
 * Several people on one spreadsheet, against a hub that refuses anonymous requests (as in
 * production): the menu in each authorization mode, a scheduled refresh that belongs to the
 * person who switched it on (and that others see and may take over), formulas that never read
 * with anyone's personal key, and the hub's errors said in Portuguese.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../api/src/auth/auth.enums';
import { databaseAvailable } from '../../api/test/helpers';
import { ANA_EMAIL, BEA_EMAIL, scenario, select, type Scenario } from './harness/scenario';

interface Schedule {
  frequency: string;
  owner: string | null;
  mine: boolean;
  text: string;
  lastRun: { at: string; ok: boolean; outcome: string } | null;
}
interface State {
  schedule: Schedule;
  formulas: { text: string; hasKey: boolean };
  tables: { id: string }[];
}
const asBea = { as: BEA_EMAIL };
const formula = { as: BEA_EMAIL, kind: 'custom-function' as const };

describe.skipIf(!databaseAvailable)('a spreadsheet shared by a team', () => {
  let s: Scenario;

  beforeAll(async () => {
    s = await scenario({ env: { ANONYMOUS_ACCESS: 'none' } });
    await s.gas.call('sidebarConnect', s.keys.ana);
    await s.gas.callAs(asBea, 'sidebarConnect', s.keys.bea);
    await select(s.gas, 'A1');
    await s.gas.call('sidebarInsert', {
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
    });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('builds the menu in every auth mode, touching nothing but the locale in AuthMode.NONE', async () => {
    await s.gas.callAs(asBea, 'sidebarSetLocale', 'en');
    await s.gas.callAs({ as: BEA_EMAIL, kind: 'simple-trigger', authMode: 'NONE' }, 'onOpen', {
      authMode: 'NONE',
    });
    await s.gas.callAs({ as: BEA_EMAIL, kind: 'simple-trigger', authMode: 'LIMITED' }, 'onOpen', {
      authMode: 'LIMITED',
    });
    await s.gas.callAs({ as: ANA_EMAIL, kind: 'simple-trigger', authMode: 'FULL' }, 'onInstall', {
      authMode: 'FULL',
    });
    const menus = await s.gas.run((env) => env.ui.menus);
    expect(menus).toEqual([
      {
        authMode: 'NONE',
        items: [
          ['Abrir painel', 'showSidebar'],
          ['Atualizar todas as tabelas', 'menuRefreshAll'],
          ['Enviar alterações…', 'menuPush'],
        ],
      },
      {
        authMode: 'LIMITED',
        items: [
          ['Open sidebar', 'showSidebar'],
          ['Refresh all tables', 'menuRefreshAll'],
          ['Push changes…', 'menuPush'],
        ],
      },
      expect.objectContaining({ authMode: 'FULL' }),
    ]);
    await s.gas.callAs(asBea, 'sidebarSetLocale', 'pt-BR');
  });

  it('gives the schedule one trigger, its owner’s: others see who owns it and may take it over', async () => {
    const on = await s.gas.call<State>('sidebarSchedule', 'hourly');
    expect(on.schedule).toMatchObject({ frequency: 'hourly', owner: ANA_EMAIL, mine: true });
    expect(on.schedule.text).toBe(
      'Ligada (a cada hora) por você: roda com a sua conta e a sua chave, mesmo com a planilha fechada.',
    );
    const daily = await s.gas.call<State>('sidebarSchedule', 'daily');
    expect(daily.schedule.frequency).toBe('daily');
    expect(
      await s.gas.run((env) => env.triggers.all.map((t) => [t.owner.email, t.handler, t.schedule])),
    ).toEqual([[ANA_EMAIL, 'scheduledRefresh', 'every 1 d at 6h (America/Sao_Paulo)']]);

    const seen = await s.gas.callAs<State>(asBea, 'sidebarState');
    expect(seen.schedule).toMatchObject({ frequency: 'daily', owner: ANA_EMAIL, mine: false });
    expect(seen.schedule.text).toBe(
      `Ligada (diariamente, às 6h) por ${ANA_EMAIL}: roda com a conta e a chave dessa pessoa. Só ela desliga, ou alguém assume.`,
    );
    await expect(s.gas.callAs(asBea, 'sidebarSchedule', 'off')).rejects.toThrow(
      `a atualização automática já está ligada por ${ANA_EMAIL}; use “Assumir” para que ela passe a rodar com a sua conta`,
    );

    const taken = await s.gas.callAs<State>(asBea, 'sidebarSchedule', 'hourly', true);
    expect(taken.schedule).toMatchObject({ owner: BEA_EMAIL, mine: true });
    const [anas, beas] = await s.gas.run((env) => env.triggers.all.map((t) => t.uid));
    // Ana's old trigger fires: it is no longer the document's schedule, so it retires itself.
    const before = await s.gas.run((env) => env.requests.length);
    await s.gas.fire(anas!);
    expect(await s.gas.run((env) => env.requests.length)).toBe(before);
    expect(await s.gas.run((env) => env.triggers.all.map((t) => t.owner.email))).toEqual([
      BEA_EMAIL,
    ]);

    // Bea's fires: the refresh runs as Bea, with Bea's key.
    await s.gas.fire(beas!);
    const sent = await s.gas.run((env, from: number) => env.requests.slice(from), before);
    expect(sent.length).toBeGreaterThan(0);
    expect(
      new Set(sent.map((request) => `${request.kind} ${request.user} ${request.authorization}`)),
    ).toEqual(new Set([`trigger ${BEA_EMAIL} Bearer ${s.keys.bea}`]));
    const after = await s.gas.call<State>('sidebarState');
    expect(after.schedule).toMatchObject({ owner: BEA_EMAIL, mine: false, lastRun: { ok: true } });
    expect(after.schedule.lastRun!.outcome).toBe(
      'Municípios: 15 linhas atualizadas; 0 com alterações locais mantidas.',
    );
    expect(after.schedule.lastRun!.at).toMatch(/^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}$/);

    // While someone else holds the document, the scheduled run steps aside and says so.
    await s.gas.run((env) => {
      env.locks.holdElsewhere('document');
    });
    await s.gas.fire(beas!);
    await s.gas.run((env) => {
      env.locks.document.holder = null;
    });
    expect((await s.gas.call<State>('sidebarState')).schedule.lastRun).toMatchObject({
      ok: false,
      outcome: 'outra pessoa estava usando a planilha; tenta de novo na próxima execução',
    });
  });

  it('never reads a formula with a person’s key: a reader key set for the sheet, or nothing', async () => {
    const before = await s.gas.run((env) => env.requests.length);
    expect(await s.gas.callAs(formula, 'REDE_MUNICIPIO', '4314902', 'population')).toBe(
      '#ERRO: as fórmulas desta planilha precisam de uma chave de leitura (painel › Conectar › Fórmulas desta planilha)',
    );
    // Ana owns the spreadsheet and is connected: her key is still not used for Bea's formula.
    const anonymous = await s.gas.run((env, from: number) => env.requests.slice(from), before);
    expect(anonymous.map((request) => [request.kind, request.authorization])).toEqual([
      ['custom-function', null],
    ]);

    await expect(s.gas.call('sidebarSetReaderKey', s.keys.bea)).rejects.toThrow(
      'use uma chave de leitura (papel READER): a chave das fórmulas fica na planilha e vale para todos os editores; esta chave é EDITOR',
    );
    const set = await s.gas.call<State>('sidebarSetReaderKey', s.keys.reader);
    expect(set.formulas.text).toMatch(
      new RegExp(
        `^Fórmulas leem com a chave de leitura “fórmulas COSEMS-RS”, definida por ${ANA_EMAIL} em \\d{2}/\\d{2}/\\d{4} \\d{2}:\\d{2}\\.$`,
      ),
    );
    const name = await s.gas.callAs(formula, 'REDE_MUNICIPIO', '4314902', 'name');
    expect(name).toBe('Porto Alegre');
    const read = await s.gas.run((env, from: number) => env.requests.slice(from), before);
    expect(read.at(-1)).toMatchObject({
      kind: 'custom-function',
      authorization: `Bearer ${s.keys.reader}`,
    });

    // The cache key includes the connection: a new reader key means a new read.
    const cached = await s.gas.run((env) => env.requests.length);
    expect(await s.gas.callAs(formula, 'REDE_MUNICIPIO', '4314902', 'name')).toBe(name);
    expect(await s.gas.run((env) => env.requests.length)).toBe(cached);
    const other = await s.t.createKey(Role.READER, null, 'outra leitura');
    await s.gas.call('sidebarSetReaderKey', other);
    const fresh = await s.gas.run((env) => env.requests.length);
    expect(await s.gas.callAs(formula, 'REDE_MUNICIPIO', '4314902', 'name')).toBe(name);
    expect(await s.gas.run((env) => env.requests.length)).toBe(fresh + 1);
    const keys = await s.gas.run((env) => [...env.storage.documentCache.entries.keys()]);
    expect(keys.every((key) => /^rede:[A-Za-z0-9_-]{43}=(\.\d+)?$/.test(key))).toBe(true);
  });

  it('says the hub’s errors in Portuguese', async () => {
    await expect(
      s.gas.call('sidebarInsert', {
        query: '{ municipalities { nodes { ibgeCode populacao } } }',
        fields: [],
        values: {},
        target: 'newSheet',
      }),
    ).rejects.toThrow('a consulta não é válida: o campo “populacao” não existe em Município');
    expect(await s.gas.callAs(formula, 'REDE_MUNICIPIO', '4314902', 'populacao')).toBe(
      '#ERRO: a consulta não é válida: o campo “populacao” não existe em Município',
    );
    expect(await s.gas.callAs(formula, 'REDE_MUNICIPIO', '4314903', 'name')).toBe(
      '#ERRO: o servidor recusou os dados: municipality: “4314903” tem o dígito verificador errado: o 7º dígito deveria ser 2',
    );
  });
});
