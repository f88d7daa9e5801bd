import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../src/auth/auth.enums';
import { createTestApp, databaseAvailable, type TestApp } from '../helpers';
import {
  bearer,
  fictionalIbgeCode,
  seedWriteFixtures,
  stateCodes,
  upsert,
  type Uf,
  type WriteFixtures,
} from './fixtures';

type Row = Record<string, unknown>;
type Mutation = 'create' | 'update' | 'delete' | 'restore' | 'upsert';
type Outcome = 'OK' | 'UNAUTHENTICATED' | 'FORBIDDEN';
type ViewerName = 'anonymous' | 'reader' | 'editor-RS' | 'editor' | 'admin';

interface Subject {
  singular: string;
  plural: string;
  inputType: string;
  row(uf: Uf, n: number, f: WriteFixtures): Row;
  change: Row;
  /** Rows of the whole country (programs): beyond any state-scoped key. */
  national?: boolean;
  /** Mutations only an admin may make (adding, removing or restoring a state). */
  adminOnly?: Mutation[];
  /** Rows other entities need before this one exists (people of enrolments). */
  before?(uf: Uf, n: number): [plural: string, inputType: string, row: Row];
  /** Rows that tie this one to a state (a person's mandate). */
  after?(uf: Uf, n: number): [plural: string, inputType: string, row: Row];
}

const subjects: Subject[] = [
  {
    singular: 'Municipality',
    plural: 'Municipalities',
    inputType: 'MunicipalityUpsertInput',
    row: (uf, n) => ({
      ibgeCode: fictionalIbgeCode(stateCodes[uf], n),
      name: `Município Fictício ${n}`,
    }),
    change: { population: 1234 },
  },
  {
    singular: 'Person',
    plural: 'People',
    inputType: 'PersonUpsertInput',
    row: (uf, n) => ({ code: `P-${uf}-${n}`, name: `Pessoa Fictícia ${n}` }),
    change: { name: 'Outra Pessoa Fictícia' },
    after: (uf, n) => [
      'Mandates',
      'MandateUpsertInput',
      {
        code: `PM-${uf}-${n}`,
        personCode: `P-${uf}-${n}`,
        role: 'TECHNICAL_ADVISER',
        stateUf: uf,
        startDate: '2025-01-01',
      },
    ],
  },
  {
    singular: 'Mandate',
    plural: 'Mandates',
    inputType: 'MandateUpsertInput',
    row: (uf, n) => ({
      code: `M-${uf}-${n}`,
      personCode: 'MATRIX-PERSON',
      role: 'TECHNICAL_ADVISER',
      stateUf: uf,
      startDate: '2025-01-01',
    }),
    change: { endDate: '2025-12-31' },
  },
  {
    singular: 'Event',
    plural: 'Events',
    inputType: 'EventUpsertInput',
    row: (uf, n) => ({
      code: `E-${uf}-${n}`,
      kind: 'CIR_MEETING',
      title: `Reunião ${n}`,
      startDate: '2025-03-10',
      modality: 'ONLINE',
      stateUf: uf,
    }),
    change: { participantCount: 10 },
  },
  {
    singular: 'Adhesion',
    plural: 'Adhesions',
    inputType: 'AdhesionUpsertInput',
    row: (uf, n, f) => ({
      ibgeCode: f.municipalities[uf][n],
      programCode: f.program,
      status: 'REQUESTED',
      requestedOn: '2025-03-10',
    }),
    change: { notes: 'conferido' },
  },
  {
    singular: 'InstrumentStatus',
    plural: 'InstrumentStatuses',
    inputType: 'InstrumentStatusUpsertInput',
    row: (uf, n, f) => ({
      ibgeCode: f.municipalities[uf][0],
      instrument: 'RAG',
      period: String(1900 + n),
      status: 'PENDING',
    }),
    change: { status: 'IN_PROGRESS' },
  },
  {
    singular: 'Enrolment',
    plural: 'Enrolments',
    inputType: 'EnrolmentUpsertInput',
    row: (uf, n, f) => ({
      personCode: `EP-${uf}-${n}`,
      programCode: f.program,
      ibgeCode: f.municipalities[uf][0],
      enrolledOn: '2025-04-01',
    }),
    change: { enrolledOn: '2025-04-02' },
    before: (uf, n) => [
      'People',
      'PersonUpsertInput',
      { code: `EP-${uf}-${n}`, name: `Profissional Fictício ${n}` },
    ],
  },
  {
    singular: 'HealthRegion',
    plural: 'HealthRegions',
    inputType: 'HealthRegionUpsertInput',
    row: (uf, n) => ({
      code: `${stateCodes[uf]}8${String(n).padStart(2, '0')}`,
      name: `Região Fictícia ${n}`,
    }),
    change: { name: 'Região Fictícia Renomeada' },
  },
  {
    singular: 'Organization',
    plural: 'Organizations',
    inputType: 'OrganizationUpsertInput',
    row: (uf, n) => ({
      code: `ORG-${uf}-${n}`,
      name: `Organização Fictícia ${n}`,
      kind: 'COSEMS',
      stateUf: uf,
    }),
    change: { name: 'Organização Fictícia Renomeada' },
  },
  {
    singular: 'Program',
    plural: 'Programs',
    inputType: 'ProgramUpsertInput',
    national: true,
    row: (uf, n) => ({
      code: `PRG-${uf}-${n}`,
      name: `Programa Fictício ${n}`,
      adhesionOpensOn: '2025-01-01',
      adhesionClosesOn: '2025-06-30',
      decisionBusinessDays: 3,
      validityMonths: 24,
    }),
    change: { validityMonths: 12 },
  },
  {
    singular: 'State',
    plural: 'States',
    inputType: 'StateUpsertInput',
    // Fictional states (XA…, YA…) belong to no editor's scope, so they are "national" here.
    national: true,
    adminOnly: ['create', 'delete', 'restore'],
    row: (uf, n) => ({
      uf: `${uf === 'RS' ? 'X' : 'Y'}${String.fromCharCode(64 + n)}`,
      ibgeCode: fictionalStateCode(uf, n),
      name: `Estado Fictício ${n}`,
      region: 'SUL',
    }),
    change: { name: 'Estado Fictício Renomeado' },
  },
  {
    singular: 'HealthMacroregion',
    plural: 'HealthMacroregions',
    inputType: 'HealthMacroregionUpsertInput',
    row: (uf, n) => ({ code: `${stateCodes[uf]}${60 + n}`, name: `Macrorregião Fictícia ${n}` }),
    change: { name: 'Macrorregião Fictícia Renomeada' },
  },
  {
    singular: 'RegionMembership',
    plural: 'RegionMemberships',
    inputType: 'RegionMembershipUpsertInput',
    row: (uf, n, f) => ({
      ibgeCode: f.municipalities[uf][n],
      healthRegionCode: f.region[uf],
      validFrom: '2020-01-01',
      validTo: '2021-01-01',
    }),
    change: { validTo: '2022-01-01' },
  },
  {
    singular: 'PopulationEstimate',
    plural: 'PopulationEstimates',
    inputType: 'PopulationEstimateUpsertInput',
    row: (uf, n, f) => ({ ibgeCode: f.municipalities[uf][n], year: 2001, population: 1000 + n }),
    change: { population: 2000 },
  },
  {
    singular: 'Participation',
    plural: 'Participations',
    inputType: 'ParticipationUpsertInput',
    row: (uf, n) => ({ eventCode: `MATRIX-EVENT-${uf}`, personCode: `PP-${uf}-${n}` }),
    change: { role: 'SPEAKER' },
    before: (uf, n) => [
      'People',
      'PersonUpsertInput',
      { code: `PP-${uf}-${n}`, name: `Participante Fictício ${n}` },
    ],
  },
];

/** Two-digit codes no real state has: 55–79 for the RS cases, 80–99 then 01–05 for MT. */
function fictionalStateCode(uf: Uf, n: number): string {
  if (uf === 'RS') {
    return String(54 + n);
  }
  return n <= 20 ? String(79 + n) : `0${n - 20}`;
}

const mutations: Mutation[] = ['create', 'update', 'delete', 'restore', 'upsert'];
const viewers: ViewerName[] = ['anonymous', 'reader', 'editor-RS', 'editor', 'admin'];
const ufs: Uf[] = ['RS', 'MT'];

/** The rule under test, stated once: role first, then the key's state scope. */
function expected(viewer: ViewerName, uf: Uf, subject: Subject, mutation: Mutation): Outcome {
  if (viewer === 'anonymous') {
    return 'UNAUTHENTICATED';
  }
  if (viewer === 'reader') {
    return 'FORBIDDEN';
  }
  if (viewer !== 'admin' && subject.adminOnly?.includes(mutation)) {
    return 'FORBIDDEN';
  }
  // A new person has no mandate yet, so no state: any editor may create one.
  const stateless = subject.singular === 'Person' && mutation === 'create';
  if (viewer === 'editor-RS' && (uf !== 'RS' || subject.national) && !stateless) {
    return 'FORBIDDEN';
  }
  return 'OK';
}

interface Case {
  subject: Subject;
  mutation: Mutation;
  viewer: ViewerName;
  uf: Uf;
  n: number;
  target?: { id: string; version: number };
  outcome?: Outcome;
}

describe.skipIf(!databaseAvailable)('authorisation matrix: every mutation × role × scope', () => {
  let t: TestApp;
  let f: WriteFixtures;
  const headers = {} as Record<ViewerName, Record<string, string>>;
  const cases: Case[] = [];

  beforeAll(async () => {
    t = await createTestApp();
    f = await seedWriteFixtures(t);
    headers.anonymous = {};
    headers.reader = bearer(await t.createKey(Role.READER, null, 'matrix-reader'));
    headers['editor-RS'] = bearer(await t.createKey(Role.EDITOR, 'RS', 'matrix-editor-RS'));
    headers.editor = bearer(await t.createKey(Role.EDITOR, null, 'matrix-editor'));
    headers.admin = bearer(await t.createKey(Role.ADMIN, null, 'matrix-admin'));
    const setup = bearer(await t.createKey(Role.ADMIN, null, 'matrix-setup'));
    await upsert(
      t,
      'People',
      'PersonUpsertInput',
      [{ code: 'MATRIX-PERSON', name: 'Pessoa Fictícia' }],
      setup,
    );
    await upsert(
      t,
      'Adhesions',
      'AdhesionUpsertInput',
      ufs.map((uf) => ({
        ibgeCode: f.municipalities[uf][0],
        programCode: f.program,
        status: 'APPROVED',
        requestedOn: '2025-03-10',
        decidedOn: '2025-03-12',
      })),
      setup,
    );
    await upsert(
      t,
      'Events',
      'EventUpsertInput',
      ufs.map((uf) => ({
        code: `MATRIX-EVENT-${uf}`,
        kind: 'ASSEMBLY',
        title: `Assembleia fictícia ${uf}`,
        startDate: '2025-03-10',
        modality: 'ONLINE',
        stateUf: uf,
      })),
      setup,
    );

    for (const subject of subjects) {
      for (const uf of ufs) {
        let n = 1;
        for (const mutation of mutations) {
          for (const viewer of viewers) {
            cases.push({ subject, mutation, viewer, uf, n: n++ });
          }
        }
      }
    }
    // Rows the cases act on, written by the setup admin: one per case (except creates).
    const bulk = async (plural: string, inputType: string, rows: Row[]) => {
      if (rows.length === 0) {
        return [];
      }
      const result = await upsert(t, plural, inputType, rows, setup, { atomic: true });
      expect(result.rows.filter((r) => r.status !== 'CREATED')).toEqual([]);
      return result.rows;
    };
    for (const subject of subjects) {
      const all = cases.filter((c) => c.subject === subject);
      const prerequisites = all.flatMap((c) => (subject.before ? [subject.before(c.uf, c.n)] : []));
      if (prerequisites.length) {
        await bulk(
          prerequisites[0]![0],
          prerequisites[0]![1],
          prerequisites.map((p) => p[2]),
        );
      }
      const needRow = all.filter((c) => c.mutation !== 'create');
      const created = await bulk(
        subject.plural,
        subject.inputType,
        needRow.map((c) => subject.row(c.uf, c.n, f)),
      );
      needRow.forEach((c, index) => {
        c.target = { id: created[index]!.id!, version: created[index]!.version! };
      });
      const attachments = needRow.flatMap((c) => (subject.after ? [subject.after(c.uf, c.n)] : []));
      if (attachments.length) {
        await bulk(
          attachments[0]![0],
          attachments[0]![1],
          attachments.map((a) => a[2]),
        );
      }
      for (const c of needRow.filter((c) => c.mutation === 'restore')) {
        const deleted = await t.gql<Record<string, { version: number }>>(
          `mutation($id: ID!, $v: Int!) { d: delete${subject.singular}(id: $id, expectedVersion: $v) { version } }`,
          { id: c.target!.id, v: c.target!.version },
          setup,
        );
        expect(deleted.errors).toBeUndefined();
        c.target!.version = deleted.data!.d!.version;
      }
    }
  }, 240_000);

  afterAll(async () => {
    await t?.close();
  });

  async function run(c: Case): Promise<Outcome | string> {
    const { subject, mutation, target } = c;
    const fullRow = subject.row(c.uf, c.n, f);
    let document: string;
    let variables: Row;
    switch (mutation) {
      case 'create':
        document = `mutation($input: ${subject.inputType}!) { r: create${subject.singular}(input: $input) { version } }`;
        variables = { input: fullRow };
        break;
      case 'update':
        document = `mutation($input: ${subject.inputType}!) { r: update${subject.singular}(input: $input) { version } }`;
        variables = {
          input: {
            ...fullRow,
            ...subject.change,
            id: target!.id,
            expectedVersion: target!.version,
          },
        };
        break;
      case 'delete':
      case 'restore':
        document = `mutation($id: ID!, $v: Int!) { r: ${mutation}${subject.singular}(id: $id, expectedVersion: $v) { version deletedAt } }`;
        variables = { id: target!.id, v: target!.version };
        break;
      case 'upsert':
        document = `mutation($rows: [${subject.inputType}!]!) { r: upsert${subject.plural}(rows: $rows) { rows { status errors { message } } } }`;
        variables = {
          rows: [
            { ...fullRow, ...subject.change, id: target!.id, expectedVersion: target!.version },
          ],
        };
        break;
    }
    const result = await t.gql<{ r: { rows?: { status: string; errors: unknown[] }[] } | null }>(
      document,
      variables,
      headers[c.viewer],
    );
    if (result.errors?.length) {
      const code = String(result.errors[0]!.extensions?.code);
      if (code === 'UNAUTHENTICATED' && result.status !== 401) {
        return `UNAUTHENTICATED with HTTP ${result.status}`;
      }
      return code;
    }
    if (mutation === 'upsert') {
      const row = result.data!.r!.rows![0]!;
      return row.status === 'UPDATED'
        ? 'OK'
        : row.status === 'FORBIDDEN'
          ? 'FORBIDDEN'
          : JSON.stringify(row);
    }
    return result.data?.r ? 'OK' : 'no data';
  }

  it('gives every case the outcome its role and scope call for (750 cases)', async () => {
    expect(cases).toHaveLength(subjects.length * mutations.length * viewers.length * ufs.length);
    expect(cases).toHaveLength(750);
    const mismatches: string[] = [];
    for (const c of cases) {
      c.outcome = expected(c.viewer, c.uf, c.subject, c.mutation);
      const actual = await run(c);
      if (actual !== c.outcome) {
        mismatches.push(
          `${c.mutation}${c.subject.singular} as ${c.viewer} on ${c.uf}: expected ${c.outcome}, got ${actual}`,
        );
      }
    }
    expect(mismatches).toEqual([]);
    const tally = (outcome: Outcome) => cases.filter((c) => c.outcome === outcome).length;
    expect({
      ok: tally('OK'),
      forbidden: tally('FORBIDDEN'),
      unauthenticated: tally('UNAUTHENTICATED'),
    }).toEqual({
      ok: 360,
      forbidden: 240,
      unauthenticated: 150,
    });
  }, 240_000);

  it('writes one audit entry per allowed change, none for refused ones', async () => {
    for (const viewer of ['editor-RS', 'editor', 'admin'] as const) {
      const result = await t.gql<{ auditLog: { totalCount: number } }>(
        `query($actor: String) { auditLog(filter: { actor: $actor }, first: 0) { totalCount } }`,
        { actor: `matrix-${viewer}` },
        headers.admin,
      );
      expect(result.errors).toBeUndefined();
      // A population estimate of the newest year also updates its municipality: two entries.
      const secondEntry = (c: Case) =>
        c.subject.singular === 'PopulationEstimate' &&
        c.mutation !== 'delete' &&
        c.mutation !== 'restore';
      expect(result.data!.auditLog.totalCount).toBe(
        cases
          .filter((c) => c.viewer === viewer && c.outcome === 'OK')
          .reduce((sum, c) => sum + (secondEntry(c) ? 2 : 1), 0),
      );
    }
    const reader = await t.gql(`{ auditLog(first: 1) { totalCount } }`, {}, headers.reader);
    expect(reader.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
