/**
 * What the add-on tests share: a real API with keys and a saved query, the add-on in a worker,
 * and a few ways to look at and edit the fake spreadsheet the way a person in Sheets would —
 * finding columns by their (Portuguese) header, rows by their IBGE code.
 */
import { expect } from 'vitest';
import { Role } from '../../../api/src/auth/auth.enums';
import { createTestApp, type TestApp, type TestAppOptions } from '../../../api/test/helpers';
import { startGas, TEST_HUB, type GasHost } from './gas-host';

export { TEST_HUB };
export { ANA as ANA_EMAIL, BEA as BEA_EMAIL } from './google';

export const MUNICIPIOS = `query Municipios($uf: [String!]) {
  municipalities(filter: { uf: $uf }) {
    nodes { ibgeCode name population managementType state { uf } healthRegion { code } version }
  }
}`;

/** The Portuguese headers of the saved query above, from `schema/labels.pt-BR.json`. */
export const HEADERS = [
  'Código IBGE',
  'Nome',
  'População',
  'Tipo de gestão',
  'Estado › UF',
  'Região de saúde › Código',
  'Versão',
];

export interface Scenario {
  t: TestApp;
  gas: GasHost;
  keys: { ana: string; bea: string; admin: string; reader: string };
  close(): Promise<void>;
}

/** A server with a saved query "Municípios", keys for Ana and Bea, and the add-on. */
export async function scenario(options: TestAppOptions = {}): Promise<Scenario> {
  const t = await createTestApp(options);
  const keys = {
    ana: await t.createKey(Role.EDITOR, null, 'Ana (COSEMS-RS)'),
    bea: await t.createKey(Role.EDITOR, null, 'Bea (COSEMS-RS)'),
    admin: await t.createKey(Role.ADMIN, null, 'admin'),
    reader: await t.createKey(Role.READER, null, 'fórmulas COSEMS-RS'),
  };
  const saved = await t.gql(
    `mutation ($input: CreateSavedQueryInput!) { createSavedQuery(input: $input) { name } }`,
    { input: { name: 'Municípios', query: MUNICIPIOS, stateUf: null } },
    { authorization: `Bearer ${keys.admin}` },
  );
  expect(saved.errors).toBeUndefined();
  const gas = await startGas(t.url);
  return {
    t,
    gas,
    keys,
    async close() {
      await gas.close();
      await t.close();
    },
  };
}

export type Grid = (string | number | boolean | Date | null)[][];

/** All values of a sheet, '' for empty, from A1 to its last row and column. */
export function sheetValues(gas: GasHost, sheetName = 'Página1'): Promise<Grid> {
  return gas.run((env, name: string) => {
    const sheet = env.book.sheets.find((candidate) => candidate.name === name)!;
    const rows = Math.max(sheet.getLastRow(), 1);
    const columns = Math.max(sheet.getLastColumn(), 1);
    return sheet.values(1, 1, rows, columns);
  }, sheetName);
}

/** The row of `code` as an object keyed by header (the table's header row is found by header). */
export async function rowOf(
  gas: GasHost,
  code: string,
  sheetName = 'Página1',
): Promise<Record<string, unknown>> {
  const grid = await sheetValues(gas, sheetName);
  const headerRow = grid.findIndex((row) => row.includes('Código IBGE'));
  const header = grid[headerRow]!;
  const codeColumn = header.indexOf('Código IBGE');
  const row = grid.find((cells, index) => index > headerRow && String(cells[codeColumn]) === code);
  if (!row) {
    throw new Error(`no row for ${code} in ${sheetName}`);
  }
  const entries = header.map((name, index) => [name, row[index]] as const);
  // The first table whose header has the name wins (other tables may sit to the right).
  return Object.fromEntries(entries.filter(([name]) => name !== '').reverse());
}

/** Types `value` into the row of `code`, column `header`, as a person in Sheets would. */
export function edit(
  gas: GasHost,
  code: string,
  header: string,
  value: string | number,
  sheetName = 'Página1',
): Promise<string> {
  return gas.run(
    (env, arg: { code: string; header: string; value: string | number; sheetName: string }) => {
      const sheet = env.book.sheets.find((candidate) => candidate.name === arg.sheetName)!;
      const grid = sheet.values(1, 1, sheet.getLastRow(), sheet.getLastColumn());
      const headerRow = grid.findIndex((row) => row.includes('Código IBGE'));
      const codeColumn = grid[headerRow]!.indexOf('Código IBGE');
      const column = grid[headerRow]!.indexOf(arg.header);
      const row = grid.findIndex(
        (cells, index) => index > headerRow && String(cells[codeColumn]) === arg.code,
      );
      if (row < 0 || column < 0) {
        throw new Error(`no cell for ${arg.code} / ${arg.header}`);
      }
      const range = sheet.getRange(row + 1, column + 1);
      range.setValues([[arg.value]]);
      return range.getA1Notation();
    },
    { code, header, value, sheetName },
  );
}

/** Selects a cell, as a click does (`sheetName` is created when missing). */
export function select(gas: GasHost, a1: string, sheetName = 'Página1'): Promise<void> {
  return gas.run(
    (env, arg: { a1: string; sheetName: string }) => {
      const sheet =
        env.book.sheets.find((candidate) => candidate.name === arg.sheetName) ??
        env.book.insertSheet(arg.sheetName);
      env.book.select(sheet, arg.a1);
    },
    { a1, sheetName },
  );
}

/** Runs an upsert as another client of the hub (a colleague working elsewhere). */
export async function upsertMunicipalities(
  t: TestApp,
  key: string,
  rows: Record<string, unknown>[],
): Promise<void> {
  const result = await t.gql<{ upsertMunicipalities: { updated: number } }>(
    `mutation ($rows: [MunicipalityUpsertInput!]!) { upsertMunicipalities(rows: $rows) { updated } }`,
    { rows },
    { authorization: `Bearer ${key}` },
  );
  expect(result.errors).toBeUndefined();
  expect(result.data?.upsertMunicipalities.updated).toBe(rows.length);
}

export async function version(t: TestApp, ibgeCode: string): Promise<number> {
  const { Municipality } = await import('../../../api/src/territory/municipality.entity');
  const row = await t.app.orm.em.fork().findOneOrFail(Municipality, { ibgeCode });
  return row.version;
}
