import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ibgeCheckDigit } from '../../src/territory/ibge-code';
import { createTestApp, databaseAvailable, type TestApp } from '../helpers';

describe.skipIf(!databaseAvailable)('bad input', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { MAX_PAGE_SIZE: '1000' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  const cases: {
    name: string;
    query: string;
    variables?: Record<string, unknown>;
    message: RegExp;
  }[] = [
    {
      name: 'an unknown UF in a filter',
      query: `{ municipalities(filter: { uf: ["XX"] }) { totalCount } }`,
      message: /Unknown UF "XX".*expected one of AC, AL/,
    },
    {
      name: 'an unknown UF in a lookup',
      query: `{ state(uf: "ZZ") { name } }`,
      message: /Unknown UF "ZZ"/,
    },
    {
      name: 'an IBGE code of the wrong length',
      query: `{ municipality(ibgeCode: "43149") { name } }`,
      message: /expected 7 digits/,
    },
    {
      name: 'a 6-digit SUS code, offering the IBGE code it means',
      query: `{ municipality(ibgeCode: "431490") { name } }`,
      message: /"431490" is a 6-digit SUS code; the IBGE code has 7 digits: 4314902/,
    },
    {
      name: 'a date in the wrong format, as a variable',
      query: `query ($at: LocalDate!) { apoiadorCoverage(uf: "RS", at: $at) { at } }`,
      variables: { at: '01/06/2024' },
      // The rejected value is never echoed back (see withoutEchoedValues); the reading is.
      message: /is not a date as YYYY-MM-DD; read as dd\/mm\/yyyy it is 2024-06-01/,
    },
    {
      name: 'a date in the wrong format, in the document',
      query: `{ gestorTurnover(uf: "MT", from: "2020-13-01", to: "2021-03-01") { rows { label } } }`,
      message: /"2020-13-01" is not a calendar day \(expected YYYY-MM-DD/,
    },
    {
      name: 'an IBGE code with a wrong check digit',
      query: `{ municipality(ibgeCode: "4314903") { name } }`,
      message: /wrong check digit: the 7th digit should be 2/,
    },
    {
      name: 'a wrong check digit inside a filter',
      query: `{ municipalities(filter: { ibgeCode: ["4314901"] }) { totalCount } }`,
      message: /wrong check digit.*filter\.ibgeCode/,
    },
    {
      name: 'a corrupted cursor',
      query: `{ municipalities(after: "not-a-cursor") { totalCount } }`,
      message: /`after` is not a valid cursor/,
    },
    {
      name: 'a cursor that decodes to something else',
      query: `{ municipalities(before: "${Buffer.from('o:-1').toString('base64url')}") { totalCount } }`,
      message: /`before` is not a valid cursor/,
    },
    {
      name: 'first: -1',
      query: `{ municipalities(first: -1) { totalCount } }`,
      message: /`first` must be 0 or more \(got -1\)/,
    },
    {
      name: 'last: -5',
      query: `{ municipalities(last: -5) { totalCount } }`,
      message: /`last` must be 0 or more/,
    },
    {
      name: 'first over the maximum page size',
      query: `{ municipalities(first: 1001) { totalCount } }`,
      message: /over the maximum page size of 1000 \(got 1001\)/,
    },
    {
      name: 'first: 1e9',
      query: `{ municipalities(first: 1000000000) { totalCount } }`,
      message: /maximum page size of 1000/,
    },
    {
      name: 'first and last together',
      query: `{ municipalities(first: 1, last: 1) { totalCount } }`,
      message: /either `first` or `last`/,
    },
    {
      name: 'a malformed global id',
      query: `{ node(id: "???") { id } }`,
      message: /not a valid global id/,
    },
    {
      name: 'a global id of an unknown type',
      query: `{ node(id: "${Buffer.from('Spaceship:1').toString('base64url')}") { id } }`,
      message: /does not name a known type/,
    },
  ];

  it.each(cases)(
    'rejects $name with BAD_USER_INPUT saying what is accepted',
    async ({ query, variables, message }) => {
      const result = await t.gql(query, variables);
      expect(result.status).toBeLessThan(500);
      expect(result.errors).toHaveLength(1);
      expect(result.errors![0]!.extensions?.code).toBe('BAD_USER_INPUT');
      expect(result.errors![0]!.message).toMatch(message);
      expect(result.errors![0]!.extensions?.stacktrace).toBeUndefined();
    },
  );

  it('returns null, not an error, for a well-formed code that does not exist', async () => {
    const code = `439999${ibgeCheckDigit('439999')}`;
    const result = await t.gql(`{ municipality(ibgeCode: "${code}") { name } }`);
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ municipality: null });
  });

  it('puts a code on every error, including GraphQL validation errors', async () => {
    const result = await t.gql(`{ municipalities { nope } }`);
    expect(result.status).toBe(400);
    expect(result.errors![0]!.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});
