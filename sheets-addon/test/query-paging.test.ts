import fs from 'node:fs';
import path from 'node:path';
import { buildSchema, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import {
  QueryShapeError,
  flattenNode,
  neutralizeFormula,
  preparePagedQuery,
  readPage,
} from '../../api/src/saved-queries/query-paging';

describe('query paging', () => {
  it('finds the first connection, pages it and lists leaf columns in selection order', () => {
    const paged = preparePagedQuery(`query Rs($uf: [String!]!, $limit: Int = 10) {
      municipalities(filter: { uf: $uf }) {
        totalCount
        nodes { ibgeCode name state { uf } healthRegion { code macroregion { name } } }
      }
    }`);
    expect(paged.connectionPath).toEqual(['municipalities']);
    expect(paged.columns).toEqual([
      'ibgeCode',
      'name',
      'state.uf',
      'healthRegion.code',
      'healthRegion.macroregion.name',
    ]);
    expect(paged.variables).toEqual([
      {
        name: 'uf',
        type: '[String!]!',
        namedType: 'String',
        required: true,
        list: true,
        defaultValue: undefined,
      },
      {
        name: 'limit',
        type: 'Int',
        namedType: 'Int',
        required: false,
        list: false,
        defaultValue: 10,
      },
    ]);
    expect(paged.text).toContain(
      'query Rs($uf: [String!]!, $limit: Int = 10, $rhAfter: String, $rhFirst: Int)',
    );
    expect(paged.text).toContain(
      'municipalities(filter: {uf: $uf}, after: $rhAfter, first: $rhFirst)',
    );
    expect(paged.text).toContain('rhPageInfo: pageInfo {');
    expect(paged.text).toContain('rhType: __typename');
  });

  it('keeps an explicit page size, replaces `after`, follows aliases, fragments and edges', () => {
    const paged = preparePagedQuery(`{
      rs: state(uf: "RS") {
        lista: municipalities(first: 50, after: "xyz") { edges { node { ...Cols } } }
      }
    }
    fragment Cols on Municipality { ibgeCode populacao: population }`);
    expect(paged.connectionPath).toEqual(['rs', 'lista']);
    expect(paged.columns).toEqual(['ibgeCode', 'populacao']);
    expect(paged.text).toContain('municipalities(first: 50, after: $rhAfter)');
    expect(paged.text).not.toContain('xyz');
    // Valid against the schema: no `$rhFirst` declared when the query sets its own page size.
    const schema = buildSchema(
      fs.readFileSync(path.resolve(__dirname, '../../schema/schema.graphql'), 'utf8'),
    );
    expect(validate(schema, parse(paged.text)).map((error) => error.message)).toEqual([]);
  });

  it('says why a query cannot be a table', () => {
    const shape = (source: string) => () => preparePagedQuery(source);
    expect(shape('{ state(uf: "RS") { name } }')).toThrow(/no connection/);
    expect(shape('mutation { x }')).toThrow(/must be a `query`/);
    expect(shape('{ a { nodes { x } } } { b }')).toThrow(/exactly one operation/);
    expect(shape('query ($rhAfter: String) { a { nodes { x } } }')).toThrow(/reserved/);
    expect(shape('{ a(last: 5) { nodes { x } } }')).toThrow(/forwards/);
    expect(shape('{ a { nodes { x } ')).toThrow(QueryShapeError);
    expect(shape('{ a { nodes { x } ')).toThrow(/^line 1, column 19/);
  });

  it('reads a page from nodes or edges and flattens nested values', () => {
    const data = {
      rs: {
        lista: {
          edges: [
            {
              node: {
                ibgeCode: '4314902',
                state: { uf: 'RS' },
                tags: ['a', 'b'],
                rhType: 'Municipality',
              },
            },
            { node: { ibgeCode: '4300034', state: null, tags: [], rhType: 'Municipality' } },
          ],
          rhPageInfo: { hasNextPage: true, endCursor: 'bzox' },
        },
      },
    };
    const page = readPage(data, ['rs', 'lista']);
    expect(page).toMatchObject({ hasNextPage: true, endCursor: 'bzox', typeName: 'Municipality' });
    expect(page.nodes.map((node) => flattenNode(node, ['ibgeCode', 'state.uf', 'tags']))).toEqual([
      ['4314902', 'RS', 'a; b'],
      ['4300034', null, ''],
    ]);
    const nested = {
      mandates: { nodes: [{ person: { name: 'Ana' } }, { person: { name: 'Rui' } }] },
    };
    expect(flattenNode(nested, ['mandates.nodes.person.name'])).toEqual(['Ana; Rui']);
    expect(readPage({ rs: null }, ['rs', 'lista'])).toMatchObject({
      nodes: [],
      hasNextPage: false,
    });
  });

  it('neutralises cells that a spreadsheet would evaluate', () => {
    expect(['=1+1', '+55 51', '-x', '@SUM', 'ok', -3, null].map(neutralizeFormula)).toEqual([
      "'=1+1",
      "'+55 51",
      "'-x",
      "'@SUM",
      'ok',
      -3,
      null,
    ]);
  });
});
