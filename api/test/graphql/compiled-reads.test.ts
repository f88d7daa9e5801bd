import { ref } from '@mikro-orm/core';
import fc from 'fast-check';
import { buildSchema, getNamedType, type GraphQLObjectType } from 'graphql';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrap, type App } from '../../src/app';
import { Mandate } from '../../src/people/mandate.entity';
import { MandateRole } from '../../src/people/people.enums';
import { preparePagedQuery } from '../../src/saved-queries/query-paging';
import { Person } from '../../src/people/person.entity';
import { Municipality } from '../../src/territory/municipality.entity';
import { ibgeCheckDigit } from '../../src/territory/ibge-code';
import { ManagementType } from '../../src/territory/territory.enums';
import { EventKind, Modality } from '../../src/activity/activity.enums';
import { Event } from '../../src/activity/event.entity';
import { HealthRegion } from '../../src/territory/health-region.entity';
import {
  lookupCatalog,
  objectCatalogOf,
  type ObjectCatalog,
} from '../../src/graphql/compiled/catalog';
import { buildAppSchema } from '../../src/graphql/schema';
import { createTestApp, databaseAvailable, driver, type TestApp } from '../helpers';
import { seedRsRegions } from '../territory/fixtures';

/**
 * Compiled reads answer exactly what the resolvers answer. Two servers share one database: the
 * product's (compiled reads on) and one with them off. Every document is sent to the first twice
 * — the first time Apollo runs it and it is compiled, the second time one statement answers it —
 * and to the second once; the answers must be equal, key order included.
 */

const municipalityFields = `
  ibgeCode name population populationYear sizeClass managementType isCapital version source
  state { uf ibgeCode name region }
  healthRegion { code name demo macroregion { code name } }
  gestor(asOf: $asOf) { startDate endDate role seat code demo person { code name demo } }`;

interface Case {
  name: string;
  query: string;
  variables?: Record<string, unknown>;
  /**
   * Whether the second request is answered by compiled reads: rows by one statement that builds
   * the JSON, aggregates by the resolver's own statement written without graphql-js.
   */
  compiled: boolean;
  aggregate?: boolean;
}

const cases: Case[] = [
  {
    name: 'the nested pull of every municipality',
    query: `query Pull($asOf: LocalDate) {
      municipalities(first: 10000, orderBy: [IBGE_CODE_ASC]) { nodes {${municipalityFields} } }
    }`,
    variables: { asOf: '2026-06-01' },
    compiled: true,
  },
  {
    name: 'the gestor in force on another day, and today by default',
    query: `query Pull($asOf: LocalDate) {
      municipalities(first: 50, filter: { uf: ["RS"] }) {
        nodes { ibgeCode then: gestor(asOf: $asOf) { startDate person { name } } now: gestor { startDate } mayor { person { name } } }
      }
    }`,
    variables: { asOf: '2022-03-01' },
    compiled: true,
  },
  {
    name: 'a lookup with nested fields',
    query: `query Lookup($ibgeCode: String!, $asOf: LocalDate) {
      municipality(ibgeCode: $ibgeCode) {${municipalityFields} }
    }`,
    variables: { ibgeCode: '4314902', asOf: '2026-06-01' },
    compiled: true,
  },
  {
    name: 'a lookup that finds nothing',
    query: `query Lookup($ibgeCode: String!) { municipality(ibgeCode: $ibgeCode) { name } }`,
    variables: { ibgeCode: `439999${ibgeCheckDigit('439999')}` },
    compiled: true,
  },
  {
    name: 'a soft-deleted municipality is not found',
    query: `{ municipality(ibgeCode: "4300034") { name } }`,
    compiled: true,
  },
  {
    name: 'a page by population with totalCount and every pageInfo field',
    query: `query Page($uf: String!) {
      municipalities(filter: { uf: [$uf] }, orderBy: [POPULATION_DESC], first: 100) {
        totalCount
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor __typename }
        __typename
        nodes { ibgeCode name population sizeClass healthRegion { code name } __typename }
      }
    }`,
    variables: { uf: 'RS' },
    compiled: true,
  },
  {
    name: 'the page after a cursor',
    query: `{ municipalities(filter: { uf: ["SC"] }, orderBy: [NAME_DESC], first: 7, after: "bzoxMw") {
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor } nodes { name } } }`,
    compiled: true,
  },
  {
    name: 'the last page, and an empty one',
    query: `{ last: municipalities(filter: { uf: ["RS"] }, first: 10, after: "bzo0OTA") {
        pageInfo { hasNextPage endCursor } nodes { ibgeCode } totalCount }
      none: municipalities(filter: { uf: ["RS"] }, first: 0) { pageInfo { hasNextPage startCursor } nodes { ibgeCode } totalCount } }`,
    compiled: true,
  },
  ...(
    [
      [
        'uf and population range',
        '{ uf: ["RS", "sc"], populationMin: 5000, populationMax: 90000 }',
      ],
      ['health region codes', '{ healthRegionCode: ["43001", "42002"] }'],
      ['macroregion codes', '{ macroregionCode: ["4102"] }'],
      ['without a health region', '{ hasHealthRegion: false, uf: ["AC", "RS"] }'],
      ['with a health region', '{ hasHealthRegion: true }'],
      ['size classes', '{ sizeClass: [FROM_5K_TO_10K, FROM_50K_TO_100K], uf: ["PR"] }'],
      ['management type', '{ managementType: [FULL] }'],
      ['capitals', '{ capital: true }'],
      ['not capitals in a state', '{ capital: false, uf: ["RR"] }'],
      ['name, ignoring case and accents', '{ nameContains: "SÃO jo" }'],
      ['IBGE codes', '{ ibgeCode: ["4314902", "4205407", "4300034"] }'],
      ['deleted rows included', '{ includeDeleted: true, uf: ["RS"] }'],
      ['an empty list', '{ uf: [] }'],
    ] as const
  ).map(([name, filter]): Case => ({
    name: `filter: ${name}`,
    query: `{ municipalities(filter: ${filter}, first: 1000) { totalCount pageInfo { hasNextPage } nodes { ibgeCode isCapital population } } }`,
    compiled: true,
  })),
  ...(
    [
      'NAME_ASC',
      'NAME_DESC',
      'IBGE_CODE_DESC',
      'POPULATION_ASC',
      'POPULATION_DESC',
      'UF_ASC',
      'UF_DESC',
    ] as const
  ).map((order): Case => ({
    name: `order ${order}, then by name`,
    query: `{ municipalities(orderBy: [${order}, NAME_ASC], first: 300, after: "bzoyMDA") { nodes { ibgeCode name } } }`,
    compiled: true,
  })),
  {
    name: 'the Sheets add-on’s paged pull of a saved query (rewritten by preparePagedQuery)',
    query: preparePagedQuery(`query Tabela($uf: String!) {
      municipalities(filter: { uf: [$uf] }, orderBy: [NAME_ASC]) {
        nodes { ibgeCode name population state { uf } healthRegion { name macroregion { name } } gestor { person { name } } }
      }
    }`).text,
    variables: { uf: 'RS', rhFirst: 200, rhAfter: 'bzoxOTk' },
    compiled: true,
  },
  {
    name: 'fragments, aliases, merged fields and __typename',
    query: `query Shapes {
      __typename
      rs: state(uf: "rs") { ...St }
      region: healthRegion(code: " 43002 ") { code state { uf } macroregion { ...Macro } }
      macro: healthMacroregion(code: "4203") { ...Macro }
      poa: municipality(ibgeCode: "4314902") {
        ... on Municipality { nome: name state { uf } }
        ... on Node { __typename }
        ...Mun
        state { name }
      }
    }
    fragment St on State { uf name __typename }
    fragment Macro on HealthMacroregion { code name state { ...St } }
    fragment Mun on Municipality { name population }`,
    compiled: true,
  },
  {
    name: 'text with quotes, backslashes, control characters and accents',
    query: `{ municipality(ibgeCode: "4205407") { name gestor { person { name code } } } }`,
    compiled: true,
  },
  {
    name: 'eventStats by health region and month (the bench’s aggregate)',
    query: `query Aggregate { eventStats(groupBy: [HEALTH_REGION, MONTH]) {
      rows { healthRegionCode month count participantsSum accessesSum } } }`,
    compiled: true,
    aggregate: true,
  },
  {
    name: 'eventStats groups with their key and label, and rows with ratios, by default group',
    query: `{ eventStats { __typename groups { key { kind label } count participantsSum }
      rows { label kind count share } } }`,
    compiled: true,
    aggregate: true,
  },
  {
    name: 'eventStats filtered by dates and state, by UF, modality and year',
    query: `query E($from: LocalDate) { eventStats(filter: { from: $from, to: "2025-12-31", uf: ["RS", "SC"] }, groupBy: [UF, MODALITY, YEAR]) {
      rows { uf stateName modality year count accessesSum share } } }`,
    variables: { from: '2025-02-01' },
    compiled: true,
    aggregate: true,
  },
  {
    name: 'municipalityStats by UF and size class, with averages',
    query: `{ municipalityStats(filter: { uf: ["RS", "SC", "PR"] }, groupBy: [UF, SIZE_CLASS]) {
      rows { uf sizeClass count populationSum populationAvg populationMin share label } } }`,
    compiled: true,
    aggregate: true,
  },
  {
    name: 'a date range the wrong way round is the resolvers’ error',
    query: `{ eventStats(filter: { from: "2025-03-01", to: "2025-01-01" }) { rows { count } } }`,
    compiled: false,
  },
  {
    name: 'edges (cursors per row) go through the resolvers',
    query: `{ municipalities(first: 3) { edges { cursor node { name } } } }`,
    compiled: false,
  },
  {
    name: 'ids, timestamps and floats go through the resolvers',
    query: `{ municipality(ibgeCode: "4314902") { id createdAt latitude } }`,
    compiled: false,
  },
  {
    name: 'directives go through the resolvers',
    query: `query D($yes: Boolean!) { municipality(ibgeCode: "4314902") { name state @include(if: $yes) { uf } } }`,
    variables: { yes: true },
    compiled: false,
  },
  {
    name: 'backward paging goes through the resolvers',
    query: `{ municipalities(last: 3) { nodes { name } } }`,
    compiled: false,
  },
  {
    name: 'an invalid IBGE code is the resolvers’ error',
    query: `query Lookup($ibgeCode: String!) { municipality(ibgeCode: $ibgeCode) { name } }`,
    variables: { ibgeCode: '4314903' },
    compiled: false,
  },
  {
    name: 'a page over the maximum is the resolvers’ error',
    query: `query Big($first: Int) { municipalities(first: $first) { nodes { name } } }`,
    variables: { first: 100_000 },
    compiled: false,
  },
  {
    name: 'a bad cursor is the resolvers’ error',
    query: `{ municipalities(first: 1, after: "nope") { nodes { name } } }`,
    compiled: false,
  },
  {
    name: 'a bad variable is the resolvers’ error',
    query: `query Lookup($asOf: LocalDate) { municipality(ibgeCode: "4314902") { gestor(asOf: $asOf) { startDate } } }`,
    variables: { asOf: '2026-02-30' },
    compiled: false,
  },
];

async function post(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  headers: Record<string, string> = {},
) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

const schema = buildSchema(
  readFileSync(path.join(__dirname, '..', '..', '..', 'schema', 'schema.graphql'), 'utf8'),
);

/** The GraphQL type `typeName.field` answers with. */
const targetOf = (typeName: string, field: string) =>
  getNamedType((schema.getType(typeName) as GraphQLObjectType).getFields()[field]!.type).name;

/**
 * A selection of `typeName` drawn from the catalogue: some of its columns, its to-one rows and
 * mandates in force (with or without `asOf`), nested up to `depth`, with aliases and
 * `__typename` now and then. The target types come from the schema, the fields from the catalogue.
 */
function selectionOf(
  catalog: ObjectCatalog,
  typeName: string,
  depth: number,
): fc.Arbitrary<string> {
  const entry = catalog[typeName]!;
  const leaf = (name: string) =>
    fc.oneof(fc.constant(name), fc.constant(`a_${name}: ${name}`), fc.constant('__typename'));
  const nested = (field: string, call: string) =>
    selectionOf(catalog, targetOf(typeName, field), depth - 1).map(
      (inner) => `${call} { ${inner} }`,
    );
  const members: fc.Arbitrary<string>[] = entry.columns.map(leaf);
  if (depth > 0) {
    members.push(...entry.toOne.map((field) => nested(field, field)));
    for (const field of Object.keys(entry.inForce)) {
      members.push(
        fc
          .constantFrom(
            field,
            `${field}(asOf: $asOf)`,
            `then_${field}: ${field}(asOf: "2022-03-01")`,
          )
          .chain((call) => nested(field, call)),
      );
    }
  }
  return fc
    .subarray(members, { minLength: 1, maxLength: Math.min(6, members.length) })
    .chain((picked) => fc.tuple(...picked))
    .map((fields) => fields.join(' '));
}

/**
 * Every field of `typeName` in the catalogue, to-one rows and mandates in force nested up to
 * `depth`: a document that reaches each catalogued field at least once.
 */
function everyField(catalog: ObjectCatalog, typeName: string, depth: number): string {
  const entry = catalog[typeName]!;
  const nested = (field: string) =>
    `${field} { ${everyField(catalog, targetOf(typeName, field), depth - 1)} }`;
  return [
    ...entry.columns,
    ...(depth > 0 ? [...entry.toOne, ...Object.keys(entry.inForce)].map(nested) : []),
  ].join(' ');
}

/** `$asOf` is declared only where it is used: an unused variable is a validation error. */
const asOfVariable = (selection: string) =>
  selection.includes('$asOf') ? '($asOf: LocalDate)' : '';

const generatedDocument = (catalog: ObjectCatalog) =>
  fc.oneof(
    fc
      .tuple(
        fc.constantFrom('4314902', '4205407', '4300034', '1100015'),
        selectionOf(catalog, 'Municipality', 2),
      )
      .map(
        ([ibgeCode, selection]) =>
          `query Generated${asOfVariable(selection)} { municipality(ibgeCode: "${ibgeCode}") { ${selection} } }`,
      ),
    fc
      .record({
        uf: fc.constantFrom('RS', 'SC', 'AC'),
        order: fc.constantFrom('NAME_ASC', 'POPULATION_DESC', 'UF_DESC', 'IBGE_CODE_ASC'),
        first: fc.integer({ min: 0, max: 30 }),
        after: fc.option(fc.integer({ min: 0, max: 40 }), { nil: undefined }),
        totalCount: fc.boolean(),
        pageInfo: fc.subarray(['hasNextPage', 'hasPreviousPage', 'startCursor', 'endCursor'], {
          minLength: 1,
        }),
        withPageInfo: fc.boolean(),
        nodes: selectionOf(catalog, 'Municipality', 2),
      })
      .map(({ uf, order, first, after, totalCount, pageInfo, withPageInfo, nodes }) => {
        const cursor =
          after === undefined
            ? ''
            : `, after: "${Buffer.from(`o:${after}`).toString('base64url')}"`;
        const parts = [
          totalCount ? 'totalCount' : '',
          withPageInfo ? `pageInfo { ${pageInfo.join(' ')} }` : '',
          `nodes { ${nodes} }`,
        ];
        return `query Generated${asOfVariable(nodes)} { municipalities(filter: { uf: ["${uf}"] }, orderBy: [${order}], first: ${first}${cursor}) { ${parts.join(' ')} } }`;
      }),
  );

/** The answer's JSON with key order kept, so two answers compare as text. */
const canonical = (text: string) => JSON.stringify(JSON.parse(text));

describe.skipIf(!databaseAvailable)(`compiled reads answer as the resolvers do (${driver})`, () => {
  let t: TestApp;
  let resolversOnly: App;
  let catalog: ObjectCatalog;
  const logLines: string[] = [];
  const compiledAnswers = () =>
    logLines.filter((line) => line.includes('answered by a compiled read')).length;
  beforeAll(async () => {
    t = await createTestApp({
      logger: pino({ level: 'debug' }, { write: (line) => logLines.push(line) }),
    });
    resolversOnly = await bootstrap({ config: { ...t.config, compiledReads: false }, seed: false });
    catalog = objectCatalogOf(await buildAppSchema(), t.app.orm.getMetadata());
    const em = t.app.orm.em.fork();
    await seedRsRegions(em);
    const byCode = async (ibgeCode: string) => em.findOneOrFail(Municipality, { ibgeCode });
    const [portoAlegre, florianopolis, aceguá] = await Promise.all(
      ['4314902', '4205407', '4300034'].map(byCode),
    );
    portoAlegre!.managementType = ManagementType.FULL;
    aceguá!.deletedAt = new Date();
    const person = (code: string, name: string) =>
      em.create(Person, { code, name, nameSearch: name.toLowerCase(), demo: true });
    const mandate = (
      who: Person,
      role: MandateRole,
      municipality: Municipality,
      startDate: string,
      endDate: string | null,
    ) =>
      em.create(Mandate, {
        person: ref(who),
        role,
        municipality: ref(municipality),
        startDate,
        endDate,
        demo: true,
      });
    mandate(
      person('g-1', 'Ana Fictícia'),
      MandateRole.MUNICIPAL_SECRETARY,
      portoAlegre!,
      '2021-01-01',
      '2025-01-01',
    );
    const gestor = mandate(
      person('g-2', 'Bia Fictícia'),
      MandateRole.MUNICIPAL_SECRETARY,
      portoAlegre!,
      '2025-01-01',
      null,
    );
    gestor.state = portoAlegre!.state;
    mandate(person('m-1', 'Caio Fictício'), MandateRole.MAYOR, portoAlegre!, '2025-01-01', null);
    mandate(
      person('g-"3"\\', 'Zé "Aspas" \\ barra\nlinha\ttab \u0001 ção 😀'),
      MandateRole.MUNICIPAL_SECRETARY,
      florianopolis!,
      '2020-01-01',
      null,
    );
    const regions = await em.find(HealthRegion, { code: { $in: ['43001', '43002', '42001'] } });
    // Seats to read: one live municipality, one soft-deleted (the row is still the seat).
    const region = (code: string) => regions.find((it) => it.code === code)!;
    region('43001').seatMunicipality = ref(portoAlegre!);
    region('43002').seatMunicipality = ref(aceguá!);
    for (let index = 0; index < 60; index += 1) {
      const region = regions[index % regions.length]!;
      em.create(Event, {
        kind: [EventKind.CIR_MEETING, EventKind.WEB_OFICINA, EventKind.ASSEMBLY][index % 3]!,
        title: `Evento ${index}`,
        startDate: `2025-${String((index % 12) + 1).padStart(2, '0')}-${String((index % 27) + 1).padStart(2, '0')}`,
        modality: [Modality.IN_PERSON, Modality.ONLINE][index % 2]!,
        healthRegion: index % 7 === 0 ? null : ref(region),
        state: region.state,
        topics: [],
        participantCount: index % 5 === 0 ? null : index * 3,
        accessCount: index % 2 === 0 ? index * 11 : null,
        demo: true,
      });
    }
    await em.flush();
  });
  afterAll(async () => {
    await resolversOnly?.close();
    await t?.close();
  });

  it.each(cases)('$name', async ({ query, variables, compiled, aggregate }) => {
    const expected = await post(resolversOnly.url, query, variables);
    const first = await post(t.url, query, variables);
    t.statements.reset();
    const answered = compiledAnswers();
    const second = await post(t.url, query, variables);
    const statements = [...t.statements.statements];
    expect(compiledAnswers() - answered).toBe(compiled ? 1 : 0);

    expect(first.status).toBe(expected.status);
    expect(second.status).toBe(expected.status);
    expect(canonical(first.text)).toBe(canonical(expected.text));
    expect(canonical(second.text)).toBe(canonical(expected.text));
    const jsonStatement =
      statements.length === 1 && /json_build_object|json_object/.test(statements[0]!);
    expect(jsonStatement).toBe(compiled && !aggregate);
    if (aggregate) {
      expect(statements).toHaveLength(1);
    }
    if (compiled) {
      expect(second.headers.get('content-type')).toBe(expected.headers.get('content-type'));
      expect(JSON.parse(second.text).errors).toBeUndefined();
    }
  });

  it('answers generated documents over the catalogue as the resolvers do, in one statement', async () => {
    await fc.assert(
      fc.asyncProperty(generatedDocument(catalog), async (query) => {
        const variables = query.includes('$asOf') ? { asOf: '2026-06-01' } : undefined;
        const expected = await post(resolversOnly.url, query, variables);
        await post(t.url, query, variables);
        t.statements.reset();
        const answered = compiledAnswers();
        const second = await post(t.url, query, variables);
        expect(JSON.parse(expected.text).errors).toBeUndefined();
        expect(canonical(second.text)).toBe(canonical(expected.text));
        expect(compiledAnswers() - answered).toBe(1);
        expect(t.statements.count).toBe(1);
      }),
      { numRuns: 40, seed: 1812 },
    );
  });

  it('answers every catalogued field, from each lookup and the connection, as the resolvers do', async () => {
    const lookups: Record<string, string> = {
      municipality: 'ibgeCode: "4314902"',
      state: 'uf: "RS"',
      healthRegion: 'code: "43002"',
      healthMacroregion: 'code: "4301"',
    };
    expect(Object.keys(lookups).sort()).toEqual(Object.keys(lookupCatalog).sort());
    const queries = [
      ...Object.entries(lookups).map(
        ([root, args]) =>
          `{ ${root}(${args}) { ${everyField(catalog, lookupCatalog[root]!.type, 2)} } }`,
      ),
      `{ municipalities(filter: { uf: ["RS"] }, first: 40) { nodes { ${everyField(catalog, 'Municipality', 2)} } } }`,
    ];
    for (const query of queries) {
      const expected = await post(resolversOnly.url, query);
      await post(t.url, query);
      t.statements.reset();
      const answered = compiledAnswers();
      const second = await post(t.url, query);
      expect(JSON.parse(expected.text).errors, query).toBeUndefined();
      expect(canonical(second.text), query).toBe(canonical(expected.text));
      expect(compiledAnswers() - answered, query).toBe(1);
      expect(t.statements.count).toBe(1);
    }
  });

  it('builds a statement once per argument shape and binds each request its own values', async () => {
    const query = `query Page($filter: MunicipalityFilter, $orderBy: [MunicipalityOrder!], $first: Int, $after: String, $asOf: LocalDate) {
      municipalities(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
        totalCount pageInfo { hasNextPage endCursor } nodes { ibgeCode name gestor(asOf: $asOf) { startDate } }
      }
    }`;
    // Same shapes with other values, and shapes that differ by a filter's presence, a list's
    // length, a boolean that changes the condition, the order and an empty page.
    const requests: Record<string, unknown>[] = [
      { first: 5 },
      { first: 3, after: 'bzoy' },
      { filter: { uf: ['RS'] }, first: 4, asOf: '2022-03-01' },
      { filter: { uf: ['SC'] }, first: 6, asOf: '2026-06-01' },
      { filter: { uf: ['SC', 'RS'] }, first: 6 },
      { filter: { uf: ['RS'], hasHealthRegion: true }, first: 5 },
      { filter: { uf: ['RS'], hasHealthRegion: false }, first: 5 },
      { filter: { uf: ['RS'], includeDeleted: true, nameContains: 'ace' }, first: 5 },
      { filter: { uf: ['RS'], includeDeleted: true, nameContains: 'por' }, first: 5 },
      { filter: { uf: ['RS'] }, orderBy: ['POPULATION_DESC'], first: 5 },
      { filter: { uf: ['RS'] }, orderBy: ['NAME_ASC'], first: 5 },
      { filter: { uf: ['RS'] }, first: 0 },
      { filter: { uf: ['RS'], includeDeleted: false, nameContains: 'por' }, first: 5 },
    ];
    const texts: string[] = [];
    for (const variables of requests) {
      const expected = await post(resolversOnly.url, query, variables);
      expect(JSON.parse(expected.text).errors).toBeUndefined();
      await post(t.url, query, variables);
      t.statements.reset();
      const answered = compiledAnswers();
      const compiled = await post(t.url, query, variables);
      expect(canonical(compiled.text), JSON.stringify(variables)).toBe(canonical(expected.text));
      expect(compiledAnswers() - answered).toBe(1);
      expect(t.statements.count).toBe(1);
      // The statement as logged, without its colours and timing.
      const text = stripVTControlCharacters(t.statements.statements[0]!).replace(
        / \[took .*$/s,
        '',
      );
      // Values are bound, never written into the statement.
      expect(text).not.toMatch(/'(RS|SC|2022-03-01|2026-06-01)'|%(ace|por)%/);
      texts.push(text);
    }
    // One text for requests of one shape; another for each shape.
    expect(texts[1]).toBe(texts[0]);
    expect(texts[3]).toBe(texts[2]);
    expect(texts[8]).toBe(texts[7]);
    expect(texts[11]).toBe(texts[2]);
    expect(
      new Set([
        texts[0],
        texts[2],
        texts[4],
        texts[5],
        texts[6],
        texts[7],
        texts[9],
        texts[10],
        texts[12],
      ]).size,
    ).toBe(9);
  });

  it('sees a write made between two compiled reads (prepared statements keep no snapshot)', async () => {
    const query = `query Name($ibgeCode: String!) { municipality(ibgeCode: $ibgeCode) { name population } }`;
    const read = async () =>
      JSON.parse((await post(t.url, query, { ibgeCode: '4306106' })).text).data.municipality;
    await read();
    const before = await read();
    const em = t.app.orm.em.fork();
    await em.nativeUpdate(Municipality, { ibgeCode: '4306106' }, { population: 123_456 });
    const after = await read();
    expect(after).toEqual({ ...before, population: 123_456 });
  });

  it('is one statement for 10 and for 5,571 municipalities with every nested level', async () => {
    const query = `query Pull($first: Int!, $asOf: LocalDate) {
      municipalities(first: $first) { nodes {${municipalityFields} } } }`;
    for (const first of [10, 10_000]) {
      await post(t.url, query, { first, asOf: '2026-01-01' });
      t.statements.reset();
      const answer = await post(t.url, query, { first, asOf: '2026-01-01' });
      expect(JSON.parse(answer.text).data.municipalities.nodes.length).toBe(Math.min(first, 5570));
      expect(t.statements.count).toBe(1);
    }
  });

  it.each([
    [undefined, 'application/json; charset=utf-8'],
    ['application/json', 'application/json; charset=utf-8'],
    ['application/graphql-response+json', 'application/graphql-response+json; charset=utf-8'],
    [
      'application/graphql-response+json, application/json;q=0.9',
      'application/graphql-response+json; charset=utf-8',
    ],
    ['*/*', 'application/json; charset=utf-8'],
  ])('answers Accept: %s with %s, as Apollo does', async (accept, contentType) => {
    const query = `{ municipality(ibgeCode: "4314902") { name } }`;
    const headers: Record<string, string> = accept ? { accept } : {};
    const expected = await post(resolversOnly.url, query, undefined, headers);
    await post(t.url, query, undefined, headers);
    t.statements.reset();
    const answer = await post(t.url, query, undefined, headers);
    expect(t.statements.count).toBe(1);
    expect(expected.headers.get('content-type')).toBe(contentType);
    expect(answer.headers.get('content-type')).toBe(contentType);
    expect(canonical(answer.text)).toBe(canonical(expected.text));
  });

  it('refuses an unknown key and, without anonymous access, a missing one, as Apollo does', async () => {
    const query = `{ municipality(ibgeCode: "4314902") { name } }`;
    const bad = { authorization: 'Bearer rh_nope_nope' };
    await post(t.url, query);
    const expected = await post(resolversOnly.url, query, undefined, bad);
    const answer = await post(t.url, query, undefined, bad);
    expect(answer.status).toBe(expected.status);
    expect(answer.status).toBe(401);
    expect(canonical(answer.text)).toBe(canonical(expected.text));
    const key = await t.createKey('READER' as never);
    t.statements.reset();
    const withKey = await post(t.url, query, undefined, { authorization: `Bearer ${key}` });
    expect(JSON.parse(withKey.text).data.municipality.name).toBe('Porto Alegre');
  });
});
