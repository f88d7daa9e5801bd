import { describe, expect, it } from 'vitest';
import {
  parseQuery,
  singleQueryOperation,
  variableDefinitions,
} from '../../api/src/saved-queries/query-paging';
import {
  buildForm,
  describeTypesQuery,
  readForm,
  readTypeDescriptions,
  typesToDescribe,
} from '../src/variable-form';
import { chunkUtf8, checkedPropertyValue, rowBlocks } from '../src/batching';

const definitions = variableDefinitions(
  singleQueryOperation(
    parseQuery(`query ($uf: [String!]!, $min: Int = 5000, $kind: ManagementType, $capital: Boolean,
      $filter: MunicipalityFilter, $lat: Float) { municipalities { nodes { name } } }`),
  ),
);

describe('variables form', () => {
  it('asks the server only about non-scalar types, in one document', () => {
    const names = typesToDescribe(definitions);
    expect(names).toEqual(['ManagementType', 'MunicipalityFilter']);
    expect(describeTypesQuery(names)).toBe(
      'query RedeDescribeTypes { t0: __type(name: "ManagementType") { kind enumValues { name } } t1: __type(name: "MunicipalityFilter") { kind enumValues { name } } }',
    );
    expect(() => describeTypesQuery(['x") { a }'])).toThrow();
  });

  it('builds fields with kinds, enum options, required marks and defaults', () => {
    const types = readTypeDescriptions(['ManagementType', 'MunicipalityFilter'], {
      t0: { kind: 'ENUM', enumValues: [{ name: 'APS_ONLY' }, { name: 'FULL' }] },
      t1: { kind: 'INPUT_OBJECT', enumValues: null },
    });
    const form = buildForm(definitions, types, { uf: ['RS', 'SC'] });
    expect(
      form.map(({ name, kind, list, required, options, value }) => ({
        name,
        kind,
        list,
        required,
        options,
        value,
      })),
    ).toEqual([
      { name: 'uf', kind: 'text', list: true, required: true, options: [], value: 'RS, SC' },
      { name: 'min', kind: 'int', list: false, required: false, options: [], value: '5000' },
      {
        name: 'kind',
        kind: 'enum',
        list: false,
        required: false,
        options: [
          { value: 'APS_ONLY', label: 'Somente atenção primária' },
          { value: 'FULL', label: 'Gestão plena' },
        ],
        value: '',
      },
      { name: 'capital', kind: 'boolean', list: false, required: false, options: [], value: '' },
      { name: 'filter', kind: 'json', list: false, required: false, options: [], value: '' },
      { name: 'lat', kind: 'float', list: false, required: false, options: [], value: '' },
    ]);
    expect(
      readForm(form, {
        uf: 'RS, SC\nPR',
        min: '10',
        kind: 'FULL',
        capital: 'sim',
        filter: '{"uf":["RS"]}',
        lat: '-30,03',
      }),
    ).toEqual({
      uf: ['RS', 'SC', 'PR'],
      min: 10,
      kind: 'FULL',
      capital: true,
      filter: { uf: ['RS'] },
      lat: -30.03,
    });
    expect(readForm(form, { uf: 'RS' })).toEqual({ uf: ['RS'] });
    expect(() => readForm(form, { uf: '' })).toThrow('variável $uf: é obrigatória');
    expect(() => readForm(form, { uf: 'RS', min: '1.5' })).toThrow('"1.5" não é inteiro');
    expect(readForm(form, { uf: 'RS', kind: 'gestão plena' })).toEqual({
      uf: ['RS'],
      kind: 'FULL',
    });
    expect(() => readForm(form, { uf: 'RS', kind: 'HALF' })).toThrow(
      'não é um de Somente atenção primária, Gestão plena',
    );
    expect(() => readForm(form, { uf: 'RS', filter: '{' })).toThrow('não é JSON válido');
  });
});

describe('Apps Script limits', () => {
  it('writes in blocks under the cell limit', () => {
    const rows = Array.from({ length: 5571 }, (_, index) => [index, 'x', 'y', 'z']);
    const blocks = rowBlocks(rows, 4, 20_000);
    expect(blocks.map((block) => block.rows.length)).toEqual([5000, 571]);
    expect(blocks[1]!.offset).toBe(5000);
    expect(rowBlocks([], 4)).toEqual([]);
  });

  it('cuts cache values and refuses property values of 9 KB or more', () => {
    expect(chunkUtf8('abcdefg', 3)).toEqual(['abc', 'def', 'g']);
    // Bytes, not characters: "ç" is two bytes of UTF-8, an emoji four (never split).
    expect(chunkUtf8('çççç', 4)).toEqual(['çç', 'çç']);
    expect(chunkUtf8('a😀b', 4)).toEqual(['a', '😀', 'b']);
    expect(checkedPropertyValue('ok', 'x'.repeat(9000))).toHaveLength(9000);
    expect(() => checkedPropertyValue('big', 'é'.repeat(4700))).toThrow(
      /"big" would hold 9400 bytes/,
    );
  });
});
