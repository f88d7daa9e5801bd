import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../src/auth/auth.enums';
import { Person } from '../../src/people/person.entity';
import { Adhesion } from '../../src/programs/adhesion.entity';
import { Participation } from '../../src/activity/participation.entity';
import { Event } from '../../src/activity/event.entity';
import { AuditEntry } from '../../src/audit/audit-entry.entity';
import { AuditAction } from '../../src/audit/audit.enums';
import { Mandate } from '../../src/people/mandate.entity';
import { createTestApp, databaseAvailable, driver, type TestApp } from '../helpers';
import { bearer } from '../writes/fixtures';
import { fixtureDir, importFiles, writeFixture } from './import-helpers';

/**
 * One value, two ways in: a mutation and an import file. Each case is a value the two paths once
 * judged differently (the import took 60 topics or a phone of words, refused a 2024-Q2 RDQA
 * period or 6,000 characters of notes the API took, lower-cased e-mails the API kept as typed,
 * took an approved adhesion without its decision date and said a decision before the request
 * in other words, took a second gestor for a municipality).
 * Both must now accept it or both refuse it, in the same words, and store the same value.
 */
interface Case {
  name: string;
  kind: string;
  /** The upsert mutation's plural and input row (without the natural key). */
  plural: string;
  inputType: string;
  input: Record<string, unknown>;
  /** The import file's header and row (without the natural key). */
  header: string[];
  cells: string[];
  /** The import column and the upsert field the value goes in. */
  column: string;
  field: string;
  accepted: boolean;
}

const long = (n: number) => 'a'.repeat(n);
const event = (input: Record<string, unknown>, header: string[], cells: string[]) => ({
  kind: 'events',
  plural: 'Events',
  inputType: 'EventUpsertInput',
  input: {
    kind: 'CIR_MEETING',
    title: 'Reunião',
    startDate: '2025-03-10',
    modality: 'IN_PERSON',
    stateUf: 'RS',
    ...input,
  },
  header: ['tipo', 'titulo', 'data', 'uf', ...header],
  cells: ['CIR', 'Reunião', '10/03/2025', 'RS', ...cells],
});
const person = (input: Record<string, unknown>, header: string[], cells: string[]) => ({
  kind: 'people',
  plural: 'People',
  inputType: 'PersonUpsertInput',
  input: { name: 'Pessoa Fictícia', ...input },
  header: ['nome', ...header],
  cells: ['Pessoa Fictícia', ...cells],
});
const rdqa = (period: string) => ({
  kind: 'instrument-statuses',
  plural: 'InstrumentStatuses',
  inputType: 'InstrumentStatusUpsertInput',
  input: { instrument: 'RDQA', period, status: 'PENDING' },
  header: ['instrumento', 'periodo', 'situacao'],
  cells: ['RDQA', period, 'PENDING'],
});

const mandate = (input: Record<string, unknown>, header: string[], cells: string[]) => ({
  kind: 'mandates',
  plural: 'Mandates',
  inputType: 'MandateUpsertInput',
  input: { personCode: 'RULE-PERSON', startDate: '2025-01-01', ...input },
  header: ['pessoa', 'inicio', ...header],
  cells: ['RULE-PERSON', '01/01/2025', ...cells],
});

const adhesion = (input: Record<string, unknown>, header: string[], cells: string[]) => ({
  kind: 'adhesions',
  plural: 'Adhesions',
  inputType: 'AdhesionUpsertInput',
  input: { programCode: 'RULE-PROGRAM', requestedOn: '2025-03-03', ...input },
  header: ['programa', 'datasolicitacao', ...header],
  cells: ['RULE-PROGRAM', '03/03/2025', ...cells],
});

const topics = Array.from({ length: 51 }, (_, i) => `tema ${i + 1}`);
const cases: Case[] = [
  {
    name: '51 topics',
    ...event({ topics }, ['temas'], [topics.join('|')]),
    column: 'temas',
    field: 'topics',
    accepted: false,
  },
  {
    name: '50 topics',
    ...event({ topics: topics.slice(0, 50) }, ['temas'], [topics.slice(0, 50).join('|')]),
    column: 'temas',
    field: 'topics',
    accepted: true,
  },
  {
    name: 'notes of 6,000 characters',
    ...event({ notes: long(6000) }, ['observacoes'], [long(6000)]),
    column: 'observacoes',
    field: 'notes',
    accepted: true,
  },
  {
    name: '2,000,000 participants',
    ...event({ participantCount: 2_000_000 }, ['participantes'], ['2000000']),
    column: 'participantes',
    field: 'participantCount',
    accepted: false,
  },
  {
    name: 'a title of 501 characters',
    ...event({ title: long(501) }, [], []),
    header: ['tipo', 'titulo', 'data', 'uf'],
    cells: ['CIR', long(501), '10/03/2025', 'RS'],
    column: 'titulo',
    field: 'title',
    accepted: false,
  },
  {
    name: 'a phone of words',
    ...person({ phone: 'ligar depois' }, ['telefone'], ['ligar depois']),
    column: 'telefone',
    field: 'phone',
    accepted: false,
  },
  {
    name: 'a name of 301 characters',
    ...person({ name: long(301) }, [], []),
    header: ['nome'],
    cells: [long(301)],
    column: 'nome',
    field: 'name',
    accepted: false,
  },
  {
    name: 'an e-mail in capitals',
    ...person({ email: 'Ana.Valdorim@Demo.invalid' }, ['email'], ['Ana.Valdorim@Demo.invalid']),
    column: 'email',
    field: 'email',
    accepted: true,
  },
  {
    name: 'an event in RS in a municipality of MT',
    ...event({ municipalityIbgeCode: '5103403' }, ['ibge'], ['5103403']),
    column: 'uf',
    field: 'stateUf',
    accepted: false,
  },
  {
    // The file has no municipality column: the problem names the field's column.
    name: 'a mayor without a municipality',
    ...mandate({ role: 'MAYOR' }, ['papel'], ['MAYOR']),
    column: 'municipality',
    field: 'municipalityIbgeCode',
    accepted: false,
  },
  {
    name: 'an apoiador without health regions',
    ...mandate({ role: 'APOIADOR' }, ['papel'], ['apoiador']),
    column: 'regions',
    field: 'healthRegionCodes',
    accepted: false,
  },
  {
    name: 'a council seat without a seat',
    ...mandate({ role: 'COUNCIL_SEAT' }, ['papel'], ['COUNCIL_SEAT']),
    column: 'seat',
    field: 'seat',
    accepted: false,
  },
  {
    name: 'a requested adhesion with a decision date',
    ...adhesion(
      { status: 'REQUESTED', decidedOn: '2025-03-04' },
      ['situacao', 'datadecisao'],
      ['solicitada', '04/03/2025'],
    ),
    column: 'datadecisao',
    field: 'decidedOn',
    accepted: false,
  },
  {
    // The file has no decision column: the problem names the field's column.
    name: 'an approved adhesion without its decision date',
    ...adhesion({ status: 'APPROVED' }, ['situacao'], ['aprovada']),
    column: 'decided',
    field: 'decidedOn',
    accepted: false,
  },
  {
    name: 'an adhesion decided before it was requested',
    ...adhesion(
      { status: 'APPROVED', decidedOn: '2025-03-01' },
      ['situacao', 'datadecisao'],
      ['aprovada', '01/03/2025'],
    ),
    column: 'datadecisao',
    field: 'decidedOn',
    accepted: false,
  },
  {
    // A gestor of 4314902 since 2024 is stored before the cases run.
    name: 'a second gestor of a municipality',
    ...mandate(
      { role: 'MUNICIPAL_SECRETARY', municipalityIbgeCode: '4314902' },
      ['papel', 'ibge'],
      ['gestor', '4314902'],
    ),
    column: 'inicio',
    field: 'startDate',
    accepted: false,
  },
  {
    name: 'an RDQA of 2024-Q2',
    ...rdqa('2024-Q2'),
    column: 'periodo',
    field: 'period',
    accepted: true,
  },
  {
    name: 'an RDQA of 2024-Q4',
    ...rdqa('2024-Q4'),
    column: 'periodo',
    field: 'period',
    accepted: false,
  },
];

describe.skipIf(!databaseAvailable)(`imports and mutations, one rule (${driver})`, () => {
  let t: TestApp;
  let admin: Record<string, string>;
  let dir: string;
  beforeAll(async () => {
    t = await createTestApp();
    admin = bearer(await t.createKey(Role.ADMIN, null, 'admin'));
    const person = await t.gql(
      'mutation { upsertPeople(rows: [{ code: "RULE-PERSON", name: "Pessoa Fictícia" }]) { created } }',
      {},
      admin,
    );
    expect(person.errors).toBeUndefined();
    const program = await t.gql(
      `mutation { upsertPrograms(rows: [{ code: "RULE-PROGRAM", name: "Programa fictício",
        adhesionOpensOn: "2025-01-01", adhesionClosesOn: "2025-12-31", decisionBusinessDays: 3,
        validityMonths: 24 }]) { created } }`,
      {},
      admin,
    );
    expect(program.errors).toBeUndefined();
    const gestor = await t.gql(
      `mutation { upsertMandates(rows: [{ code: "RULE-GESTOR", personCode: "RULE-PERSON",
        role: MUNICIPAL_SECRETARY, municipalityIbgeCode: "4314902", startDate: "2024-01-01" }])
        { created } }`,
      {},
      admin,
    );
    expect(gestor.data).toEqual({ upsertMandates: { created: 1 } });
    dir = fixtureDir();
  });
  afterAll(async () => {
    await t?.close();
  });

  /** Imports one file of `kind`: its `file:line` problems when refused, else the outcome. */
  async function imported(kind: string, name: string, csv: string): Promise<string | string[]> {
    const outcome = await importFiles(t.app.orm, kind, [writeFixture(dir, name, csv)]);
    return outcome.status === 'invalid' ? outcome.issues.lines() : outcome.status;
  }

  /** Each row's code and the state of its audit entries (the first one's), by code. */
  async function auditedStates(entity: typeof Event | typeof Mandate, codes: string[]) {
    const em = t.app.orm.em.fork();
    const rows = await em.find(entity, { code: { $in: codes } }, { orderBy: { code: 'asc' } });
    const entries = await em.find(AuditEntry, {
      entityType: entity.name,
      entityId: { $in: rows.map((row) => row.id) },
    });
    const ufOf = (id: number) => entries.find((entry) => entry.entityId === id)?.stateUf;
    return rows.map((row) => [row.code, ufOf(row.id)]);
  }

  /** A natural key per case and path, so that every write creates its own row. */
  function keyed(c: Case, index: number, path: 'api' | 'file') {
    const code = `RULE-${index}-${path}`;
    if (c.kind === 'instrument-statuses' || c.kind === 'adhesions') {
      // Keyed by municipality × instrument × period or × program: one municipality per path.
      const ibgeCode = path === 'api' ? '4314902' : '4304606';
      return { input: { ibgeCode }, header: ['ibge'], cells: [ibgeCode] };
    }
    return { input: { code }, header: ['codigo'], cells: [code] };
  }

  it.each(cases.map((c, index) => [c.name, c, index] as const))(
    '%s: both paths give the same verdict, words and stored value',
    async (_name, c, index) => {
      const api = keyed(c, index, 'api');
      const response = await t.gql<{
        result: { rows: { status: string; errors: { field: string; message: string }[] }[] };
      }>(
        `mutation ($rows: [${c.inputType}!]!) {
          result: upsert${c.plural}(rows: $rows) { rows { status errors { field message } } }
        }`,
        { rows: [{ ...api.input, ...c.input }] },
        admin,
      );
      expect(response.errors).toBeUndefined();
      const row = response.data!.result.rows[0]!;
      const apiMessage = row.errors.find((error) => error.field === c.field)?.message;

      const file = keyed(c, index, 'file');
      const csv = [
        [...file.header, ...c.header].join(';'),
        [...file.cells, ...c.cells].join(';'),
      ].join('\n');
      const outcome = await importFiles(t.app.orm, c.kind, [
        writeFixture(dir, `rule-${index}.csv`, `${csv}\n`),
      ]);
      const lines = outcome.status === 'invalid' ? outcome.issues.lines() : [];

      expect({ api: row.status, file: outcome.status }).toEqual(
        c.accepted ? { api: 'CREATED', file: 'applied' } : { api: 'INVALID', file: 'invalid' },
      );
      if (!c.accepted) {
        expect(apiMessage, `the mutation names ${c.field}`).toBeDefined();
        expect(lines).toEqual([`rule-${index}.csv:2: ${c.column}: ${apiMessage}`]);
      }
    },
  );

  it("derives an adhesion's dates the same way from both paths", async () => {
    const program = await t.gql(
      `mutation ($rows: [ProgramUpsertInput!]!) { upsertPrograms(rows: $rows) { rows { status } } }`,
      {
        rows: [
          {
            code: 'RULES-1',
            name: 'Programa fictício',
            adhesionOpensOn: '2025-01-01',
            adhesionClosesOn: '2025-12-31',
            decisionBusinessDays: 5,
            validityMonths: 18,
          },
        ],
      },
      admin,
    );
    expect(program.errors).toBeUndefined();
    const adhesion = { programCode: 'RULES-1', status: 'APPROVED', requestedOn: '2025-03-03' };
    const api = await t.gql<{ result: { rows: { status: string }[] } }>(
      `mutation ($rows: [AdhesionUpsertInput!]!) {
        result: upsertAdhesions(rows: $rows) { rows { status errors { field message } } }
      }`,
      { rows: [{ ...adhesion, ibgeCode: '4314902', decidedOn: '2025-03-06' }] },
      admin,
    );
    expect(api.data?.result.rows[0]?.status).toBe('CREATED');
    expect(
      await imported(
        'adhesions',
        'rules-adhesion.csv',
        'ibge;programa;situacao;datasolicitacao;datadecisao\n4304606;RULES-1;aprovada;03/03/2025;06/03/2025\n',
      ),
    ).toBe('applied');
    const stored = await t.app.orm.em
      .fork()
      .find(
        Adhesion,
        { program: { code: 'RULES-1' } },
        { populate: ['municipality'], orderBy: { id: 'asc' } },
      );
    // 2025-03-03 + 5 business days (Carnival Tuesday, 2025-03-04, is not one); 2025-03-06 + 18 months.
    expect(stored.map((a) => [a.municipality.$.ibgeCode, a.decisionDueOn, a.validUntil])).toEqual([
      ['4314902', '2025-03-11', '2026-09-06'],
      ['4304606', '2025-03-11', '2026-09-06'],
    ]);
  });

  it('records an official adhesion file as published, where a mutation applies the hand-edit rules', async () => {
    // RULE-PROGRAM: window 2025-01-01 to 2025-12-31, decision within 3 business days.
    const rows = [
      // Decided weeks after its deadline (2025-03-13).
      { status: 'APPROVED', cell: 'aprovada', requestedOn: '2025-03-10', decidedOn: '2025-04-30' },
      // Expired, as the ministry's file says.
      { status: 'EXPIRED', cell: 'expirada', requestedOn: '2025-02-03', decidedOn: '2025-02-04' },
      // Requested after the window closed.
      { status: 'REQUESTED', cell: 'solicitada', requestedOn: '2026-02-02', decidedOn: null },
    ];
    const api = await t.gql<{
      result: { rows: { status: string; errors: { message: string }[] }[] };
    }>(
      `mutation ($rows: [AdhesionUpsertInput!]!) {
        result: upsertAdhesions(rows: $rows) { rows { status errors { field message } } }
      }`,
      {
        rows: rows.map((row, index) => ({
          ibgeCode: ['4305108', '4316907', '4314407'][index],
          programCode: 'RULE-PROGRAM',
          status: row.status,
          requestedOn: row.requestedOn,
          decidedOn: row.decidedOn,
        })),
      },
      admin,
    );
    expect(
      api.data?.result.rows.map((row) => [row.status, row.errors.map((e) => e.message).join()]),
    ).toEqual([
      ['INVALID', expect.stringContaining('The decision was due by 2025-03-13')],
      ['INVALID', expect.stringContaining('EXPIRED is not set by hand')],
      ['INVALID', expect.stringContaining('Outside the adhesion window of RULE-PROGRAM')],
    ]);
    const iso = (date: string | null) => (date ? date.split('-').reverse().join('/') : '');
    const file = rows.map(
      (row, index) =>
        `${['4302105', '4313409', '4318705'][index]};RULE-PROGRAM;${row.cell};${iso(row.requestedOn)};${iso(row.decidedOn)}`,
    );
    expect(
      await imported(
        'adhesions',
        'official-adhesions.csv',
        ['ibge;programa;situacao;datasolicitacao;datadecisao', ...file, ''].join('\n'),
      ),
    ).toBe('applied');
    const stored = await t.app.orm.em
      .fork()
      .find(
        Adhesion,
        { program: { code: 'RULE-PROGRAM' } },
        { populate: ['municipality'], orderBy: { requestedOn: 'asc' } },
      );
    expect(stored.map((a) => [a.municipality.$.ibgeCode, a.status, a.decidedOn])).toEqual([
      ['4313409', 'EXPIRED', '2025-02-04'],
      ['4302105', 'APPROVED', '2025-04-30'],
      ['4318705', 'REQUESTED', null],
    ]);
  });

  it('checks each row against the rows before it, in a file as in one mutation', async () => {
    const gestores = (path: string) => [
      { code: `RULE-G1-${path}`, personCode: 'RULE-PERSON', startDate: '2025-01-01' },
      { code: `RULE-G2-${path}`, personCode: 'RULE-PERSON', startDate: '2025-06-01' },
    ];
    const api = await t.gql<{
      result: { rows: { status: string; errors: { message: string }[] }[] };
    }>(
      `mutation ($rows: [MandateUpsertInput!]!) {
        result: upsertMandates(rows: $rows) { rows { status errors { message } } }
      }`,
      {
        rows: gestores('api').map((row) => ({
          ...row,
          role: 'MUNICIPAL_SECRETARY',
          municipalityIbgeCode: '4304606',
        })),
      },
      admin,
    );
    expect(api.data!.result.rows.map((row) => row.status)).toEqual(['CREATED', 'INVALID']);
    const message = api.data!.result.rows[1]!.errors[0]!.message;
    expect(message).toContain('Municipality 4304606 already has a gestor from 2025-01-01');
    const csv = [
      'codigo;pessoa;papel;inicio;ibge',
      ...gestores('file').map(
        (row) =>
          `${row.code};RULE-PERSON;gestor;${row.startDate.split('-').reverse().join('/')};4305108`,
      ),
    ];
    expect(await imported('mandates', 'rules-gestores.csv', csv.join('\n') + '\n')).toEqual([
      `rules-gestores.csv:3: inicio: ${message.replace('4304606', '4305108')}`,
    ]);
  });

  it("stores an event's state the same way from both paths: its municipality's", async () => {
    const api = await t.gql(
      `mutation { upsertEvents(rows: [{ code: "RULE-STATE-api", kind: CIR_MEETING,
        title: "Reunião", startDate: "2025-03-10", modality: IN_PERSON,
        municipalityIbgeCode: "4314902" }]) { created } }`,
      {},
      admin,
    );
    expect(api.data).toEqual({ upsertEvents: { created: 1 } });
    expect(
      await imported(
        'events',
        'rules-state.csv',
        'codigo;tipo;titulo;data;ibge\nRULE-STATE-file;CIR;Reunião;10/03/2025;4314902\n',
      ),
    ).toBe('applied');
    const stored = await t.app.orm.em
      .fork()
      .find(
        Event,
        { code: { $in: ['RULE-STATE-api', 'RULE-STATE-file'] } },
        { populate: ['state'], orderBy: { code: 'asc' } },
      );
    expect(stored.map((event) => [event.code, event.state?.$.uf ?? null])).toEqual([
      ['RULE-STATE-api', 'RS'],
      ['RULE-STATE-file', 'RS'],
    ]);
  });

  it("audits a participation under its event's state from both paths", async () => {
    const event = await t.gql(
      `mutation { upsertEvents(rows: [{ code: "RULE-PART-EV", kind: CIR_MEETING,
        title: "Reunião", startDate: "2025-03-11", modality: IN_PERSON,
        municipalityIbgeCode: "4314902" }]) { created } }`,
      {},
      admin,
    );
    expect(event.data).toEqual({ upsertEvents: { created: 1 } });
    const api = await t.gql(
      `mutation { upsertParticipations(rows: [{ eventCode: "RULE-PART-EV",
        personCode: "RULE-PERSON" }]) { created } }`,
      {},
      admin,
    );
    expect(api.data).toEqual({ upsertParticipations: { created: 1 } });
    expect(
      await imported(
        'participation',
        'rules-participation.csv',
        'evento;ibge\nRULE-PART-EV;4304606\n',
      ),
    ).toBe('applied');
    const em = t.app.orm.em.fork();
    const rows = await em.find(
      Participation,
      { event: { code: 'RULE-PART-EV' } },
      { populate: ['person', 'municipality'], orderBy: { id: 'asc' } },
    );
    const entries = await em.find(AuditEntry, {
      entityType: 'Participation',
      entityId: { $in: rows.map((row) => row.id) },
    });
    expect(
      rows.map((row) => [
        row.person?.$.code ?? row.municipality?.$.ibgeCode,
        entries.find((entry) => entry.entityId === row.id)?.stateUf,
      ]),
    ).toEqual([
      ['RULE-PERSON', 'RS'],
      ['4304606', 'RS'],
    ]);
  });

  it('audits a national event (no territory) as BR from both paths', async () => {
    const api = await t.gql(
      `mutation { upsertEvents(rows: [{ code: "RULE-NATIONAL-api", kind: WEB_OFICINA,
        title: "Oficina", startDate: "2025-03-10", modality: ONLINE }]) { created } }`,
      {},
      admin,
    );
    expect(api.data).toEqual({ upsertEvents: { created: 1 } });
    expect(
      await imported(
        'events',
        'rules-national.csv',
        'codigo;tipo;titulo;data\nRULE-NATIONAL-file;oficina;Oficina;10/03/2025\n',
      ),
    ).toBe('applied');
    expect(await auditedStates(Event, ['RULE-NATIONAL-api', 'RULE-NATIONAL-file'])).toEqual([
      ['RULE-NATIONAL-api', 'BR'],
      ['RULE-NATIONAL-file', 'BR'],
    ]);
  });

  it("audits a mayor's mandate under its municipality's state from both paths", async () => {
    const api = await t.gql(
      `mutation { upsertMandates(rows: [{ code: "RULE-MAYOR-api", personCode: "RULE-PERSON",
        role: MAYOR, municipalityIbgeCode: "4314902", startDate: "2025-01-01" }]) { created } }`,
      {},
      admin,
    );
    expect(api.data).toEqual({ upsertMandates: { created: 1 } });
    expect(
      await imported(
        'mandates',
        'rules-mayor.csv',
        'codigo;pessoa;papel;inicio;ibge\nRULE-MAYOR-file;RULE-PERSON;prefeito;01/01/2025;4314902\n',
      ),
    ).toBe('applied');
    expect(await auditedStates(Mandate, ['RULE-MAYOR-api', 'RULE-MAYOR-file'])).toEqual([
      ['RULE-MAYOR-api', 'RS'],
      ['RULE-MAYOR-file', 'RS'],
    ]);
  });

  it("audits a population estimate under its municipality's state from both paths", async () => {
    const api = await t.gql(
      `mutation { upsertPopulationEstimates(rows: [{ ibgeCode: "4314902", year: 1991,
        population: 1263403 }]) { created } }`,
      {},
      admin,
    );
    expect(api.data).toEqual({ upsertPopulationEstimates: { created: 1 } });
    expect(
      await imported(
        'population-ibge',
        'rules-population.csv',
        'ano,codmuni,pop\n1991,4304606,90000\n',
      ),
    ).toBe('applied');
    const entries = await t.app.orm.em
      .fork()
      .find(AuditEntry, { entityType: 'PopulationEstimate' }, { orderBy: { id: 'asc' } });
    const of1991 = entries.filter((entry) => entry.after?.year === 1991);
    expect(of1991.map((entry) => [entry.after?.ibgeCode, entry.stateUf])).toEqual([
      ['4314902', 'RS'],
      ['4304606', 'RS'],
    ]);
  });

  it("audits a person's change under the state of their mandates from both paths", async () => {
    const em = t.app.orm.em.fork();
    const person = await em.findOneOrFail(Person, { code: 'RULE-PERSON' });
    const api = await t.gql(
      `mutation { upsertPeople(rows: [{ code: "RULE-PERSON", name: "Pessoa Renomeada",
        expectedVersion: ${person.version} }]) { updated } }`,
      {},
      admin,
    );
    expect(api.data).toEqual({ upsertPeople: { updated: 1 } });
    expect(
      await imported('people', 'rules-person.csv', 'codigo;nome\nRULE-PERSON;Pessoa Reimportada\n'),
    ).toBe('applied');
    const entries = await em.find(
      AuditEntry,
      { entityType: 'Person', entityId: person.id, action: AuditAction.UPDATE },
      { orderBy: { id: 'asc' } },
    );
    expect(entries.map((entry) => [entry.after?.name, entry.stateUf])).toEqual([
      ['Pessoa Renomeada', 'RS'],
      ['Pessoa Reimportada', 'RS'],
    ]);
  });

  it('stores an e-mail the same way from both paths', async () => {
    const index = cases.findIndex((c) => c.field === 'email');
    const stored = await t.app.orm.em
      .fork()
      .find(Person, { code: { $in: [`RULE-${index}-api`, `RULE-${index}-file`] } });
    expect(stored.map((p) => p.email)).toEqual([
      'ana.valdorim@demo.invalid',
      'ana.valdorim@demo.invalid',
    ]);
  });
});
