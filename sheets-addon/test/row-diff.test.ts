import { describe, expect, it } from 'vitest';
import { editableSpec, type IntrospectedInputField } from '../src/editable';
import { mergeRefresh, planPush, type SheetValue } from '../src/row-diff';

const scalar = (name: string) => ({ kind: 'SCALAR', name, ofType: null });
const required = (name: string) => ({ kind: 'NON_NULL', name: null, ofType: scalar(name) });
const inputFields: IntrospectedInputField[] = [
  { name: 'ibgeCode', type: required('String') },
  { name: 'expectedVersion', type: scalar('Int') },
  { name: 'name', type: scalar('String') },
  { name: 'population', type: scalar('Int') },
  { name: 'isCapital', type: scalar('Boolean') },
  { name: 'latitude', type: scalar('Float') },
  { name: 'healthRegionCode', type: scalar('String') },
];
const columns = ['ibgeCode', 'name', 'population', 'healthRegion.code', 'state.uf', 'version'];
const spec = editableSpec('Municipality', columns, inputFields)!;

describe('editable tables', () => {
  it('maps columns onto the upsert input, nested codes included', () => {
    expect(spec).toMatchObject({
      mutation: 'upsertMunicipalities',
      inputType: 'MunicipalityUpsertInput',
      keyFields: ['ibgeCode'],
      columns: {
        ibgeCode: 'ibgeCode',
        name: 'name',
        population: 'population',
        healthRegionCode: 'healthRegion.code',
      },
      types: { population: 'Int', healthRegionCode: 'String' },
    });
    expect(editableSpec('State', columns, inputFields)).toBeNull();
    expect(editableSpec('Municipality', columns, null)).toBeNull();
    expect(() => editableSpec('Municipality', ['name', 'version'], inputFields)).toThrow(
      /“ibgeCode”/,
    );
    expect(() => editableSpec('Municipality', ['ibgeCode', 'name'], inputFields)).toThrow(
      /“version”/,
    );
  });
});

describe('push plan', () => {
  const snapshot: SheetValue[][] = [
    ['4314902', 'Porto Alegre', 1332570, '43001', 'RS', 3],
    ['4300034', 'Aceguá', 4900, '43003', 'RS', 1],
    ['4300059', 'Água Santa', 3700, '43017', 'RS', 2],
  ];

  it('sends only changed rows and fields, with the version they were read at', () => {
    const current = snapshot.map((row) => [...row]);
    current[0]![2] = '1.400.000'.replace(/\./g, '');
    current[1]![4] = 'SC'; // not an input field: nothing to send
    current[2]![1] = 'Água Santa ';
    current.push(['4300109', 'Agudo', 16000, '', '', '']);
    current.push(['', '', '', '', '', '']);
    const plan = planPush(spec, columns, current, snapshot, 2);
    expect(plan.problems).toEqual([]);
    expect(plan.changes).toEqual([
      {
        row: 0,
        kind: 'update',
        input: { ibgeCode: '4314902', population: 1400000, expectedVersion: 3 },
      },
      { row: 3, kind: 'create', input: { ibgeCode: '4300109', name: 'Agudo', population: 16000 } },
    ]);
  });

  it('reports cells it cannot read, by sheet row and column', () => {
    const current = snapshot.map((row) => [...row]);
    current[1]![2] = 'muitos';
    current.push(['', 'Sem código', 10, '', '', '']);
    const headers: Record<string, string> = { population: 'População', ibgeCode: 'Código IBGE' };
    const plan = planPush(spec, columns, current, snapshot, 2, 'pt-BR', (path) => headers[path]!);
    expect(plan.changes).toEqual([]);
    expect(plan.problems).toEqual([
      { row: 1, message: 'linha 3, coluna “População”: “muitos” não é um número' },
      { row: 3, message: 'linha 5: Código IBGE vazio' },
    ]);
    const english = planPush(spec, columns, current, snapshot, 2, 'en');
    expect(english.problems[1]!.message).toBe('row 5: ibgeCode empty');
  });

  it('sends enum labels back as values, and says which labels a cell may hold', () => {
    const withEnum = editableSpec(
      'Municipality',
      [...columns, 'managementType'],
      [...inputFields, { name: 'managementType', type: scalar('ManagementType') }],
    )!;
    const wide = [...columns, 'managementType'];
    const before = snapshot.map((row) => [...row, 'Somente atenção primária']);
    const current = before.map((row) => [...row]);
    current[0]![6] = 'gestão plena';
    current[1]![6] = 'Plena';
    const plan = planPush(withEnum, wide, current, before, 2);
    expect(plan.changes).toEqual([
      {
        row: 0,
        kind: 'update',
        input: { ibgeCode: '4314902', managementType: 'FULL', expectedVersion: 3 },
      },
    ]);
    expect(plan.problems).toEqual([
      {
        row: 1,
        message:
          'linha 3, coluna “managementType”: “Plena” não é uma das opções (Somente atenção primária, Gestão plena, Média complexidade parcial)',
      },
    ]);
  });

  it('clears a field when its cell is emptied', () => {
    const current = snapshot.map((row) => [...row]);
    current[2]![3] = '';
    expect(planPush(spec, columns, current, snapshot, 2).changes).toEqual([
      {
        row: 2,
        kind: 'update',
        input: { ibgeCode: '4300059', healthRegionCode: null, expectedVersion: 2 },
      },
    ]);
  });
});

describe('refresh merge', () => {
  const old: SheetValue[][] = [
    ['1', 'A', 1],
    ['2', 'B', 1],
    ['3', 'C', 1],
  ];
  const fresh: SheetValue[][] = [
    ['1', 'A*', 2],
    ['2', 'B*', 2],
    ['4', 'D', 1],
  ];

  it('takes the server’s rows but keeps rows edited locally, with their old snapshot', () => {
    const current: SheetValue[][] = [
      ['1', 'A', 1],
      ['2', 'mine', 1],
      ['3', 'C', 1],
      ['9', 'new', ''],
    ];
    const merged = mergeRefresh([0], current, old, fresh);
    expect(merged.visible).toEqual([
      ['1', 'A*', 2],
      ['2', 'mine', 1],
      ['4', 'D', 1],
      ['9', 'new', ''],
    ]);
    expect(merged.snapshot).toEqual([
      ['1', 'A*', 2],
      ['2', 'B', 1],
      ['4', 'D', 1],
      [null, null, null],
    ]);
    expect(merged.kept).toEqual([1, 3]);
  });

  it('replaces everything in a table that cannot be written back', () => {
    expect(mergeRefresh(null, [['x', 'y', 0]], old, fresh).visible).toEqual(fresh);
  });
});
