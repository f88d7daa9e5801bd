import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../src/auth/auth.enums';
import { Program } from '../../src/programs/program.entity';
import { createTestApp, databaseAvailable, type GraphQLResponse, type TestApp } from '../helpers';
import { bearer, seedWriteFixtures, type WriteFixtures } from './fixtures';

type Row = Record<string, unknown>;

describe.skipIf(!databaseAvailable)('domain rules enforced on write', () => {
  let t: TestApp;
  let f: WriteFixtures;
  let editor: Record<string, string>;
  let admin: Record<string, string>;

  async function create(
    singular: string,
    input: Row,
    headers = editor,
  ): Promise<GraphQLResponse<Record<string, Row>>> {
    return t.gql<Record<string, Row>>(
      `mutation($input: ${singular}UpsertInput!) { r: create${singular}(input: $input) { id version } }`,
      { input },
      headers,
    );
  }
  async function update(singular: string, input: Row, headers = editor) {
    return t.gql<Record<string, Row>>(
      `mutation($input: ${singular}UpsertInput!) { r: update${singular}(input: $input) { version } }`,
      { input },
      headers,
    );
  }
  const ok = (result: GraphQLResponse) => expect(result.errors).toBeUndefined();
  function refused(result: GraphQLResponse, field: string, message: string) {
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const fields = result.errors![0]!.extensions!.fields as { field: string; message: string }[];
    expect(fields.find((e) => e.field === field)?.message).toContain(message);
  }

  beforeAll(async () => {
    t = await createTestApp();
    f = await seedWriteFixtures(t);
    editor = bearer(await t.createKey(Role.EDITOR, 'RS', 'regras-rs'));
    admin = bearer(await t.createKey(Role.ADMIN, null, 'regras-admin'));
    const em = t.app.orm.em.fork();
    em.create(Program, {
      code: 'OLD',
      name: 'Programa encerrado (fictício)',
      adhesionOpensOn: '2021-01-01',
      adhesionClosesOn: '2021-12-31',
      decisionBusinessDays: 3,
      validityMonths: 24,
    });
    await em.flush();
    for (const code of [
      'GESTOR-1',
      'GESTOR-2',
      'APOIO-1',
      'PROF-1',
      'PROF-2',
      'PROF-3',
      'PROF-4',
    ]) {
      ok(await create('Person', { code, name: `Pessoa Fictícia ${code}` }));
    }
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('mandates', () => {
    it('end ≥ start', async () => {
      const base = {
        personCode: 'GESTOR-1',
        role: 'TECHNICAL_ADVISER',
        stateUf: 'RS',
        startDate: '2025-05-01',
      };
      refused(
        await create('Mandate', { ...base, code: 'END-1', endDate: '2025-04-30' }),
        'endDate',
        'before it starts',
      );
      ok(await create('Mandate', { ...base, code: 'END-2', endDate: '2025-05-01' }));
    });

    it('one active gestor per municipality at a time', async () => {
      const gestor = { role: 'MUNICIPAL_SECRETARY', municipalityIbgeCode: f.municipalities.RS[0] };
      ok(
        await create('Mandate', {
          ...gestor,
          code: 'G-1',
          personCode: 'GESTOR-1',
          startDate: '2021-01-01',
          endDate: '2025-01-01',
        }),
      );
      refused(
        await create('Mandate', {
          ...gestor,
          code: 'G-2',
          personCode: 'GESTOR-2',
          startDate: '2024-06-01',
        }),
        'startDate',
        'already has a gestor',
      );
      ok(
        await create('Mandate', {
          ...gestor,
          code: 'G-3',
          personCode: 'GESTOR-2',
          startDate: '2025-01-01',
        }),
      );
      refused(
        await create('Mandate', {
          role: 'MUNICIPAL_SECRETARY',
          code: 'G-4',
          personCode: 'GESTOR-2',
          startDate: '2025-01-01',
        }),
        'municipalityIbgeCode',
        'needs a municipality',
      );
    });

    it("an apoiador's scope is health regions", async () => {
      const apoio = { personCode: 'APOIO-1', role: 'APOIADOR', startDate: '2025-01-01' };
      refused(
        await create('Mandate', { ...apoio, code: 'A-1' }),
        'healthRegionCodes',
        'health regions',
      );
      refused(
        await create('Mandate', {
          ...apoio,
          code: 'A-2',
          healthRegionCodes: [f.region.RS],
          municipalityIbgeCode: f.municipalities.RS[1],
        }),
        'municipalityIbgeCode',
        'not a municipality',
      );
      ok(await create('Mandate', { ...apoio, code: 'A-3', healthRegionCodes: [f.region.RS] }));
    });
  });

  describe('adhesions (Nota Técnica 425/2025)', () => {
    const adhesion = (n: number, extra: Row) => ({
      ibgeCode: f.municipalities.RS[n],
      programCode: 'NT425',
      ...extra,
    });

    it("only inside the program's window", async () => {
      refused(
        await create('Adhesion', adhesion(1, { status: 'REQUESTED', requestedOn: '2026-01-05' })),
        'requestedOn',
        'Outside the adhesion window',
      );
      ok(await create('Adhesion', adhesion(1, { status: 'REQUESTED', requestedOn: '2025-12-31' })));
    });

    it('decided within 3 business days, skipping weekends and national holidays', async () => {
      // Requested Thu 2025-04-17: Good Friday, the weekend and Tiradentes (Mon 21) do not count.
      const requested = { status: 'APPROVED', requestedOn: '2025-04-17' };
      refused(
        await create('Adhesion', adhesion(2, { ...requested, decidedOn: '2025-04-25' })),
        'decidedOn',
        'due by 2025-04-24',
      );
      const created = await t.gql<{
        r: { decisionDueOn: string; validUntil: string; status: string };
      }>(
        `mutation($input: AdhesionUpsertInput!) { r: createAdhesion(input: $input) { decisionDueOn validUntil status } }`,
        { input: adhesion(2, { ...requested, decidedOn: '2025-04-24' }) },
        editor,
      );
      expect(created.data?.r).toEqual({
        decisionDueOn: '2025-04-24',
        validUntil: '2027-04-24',
        status: 'APPROVED',
      });
    });

    it('valid for 24 months, then reads as expired', async () => {
      const result = await t.gql<{ r: { status: string; validUntil: string } }>(
        `mutation($input: AdhesionUpsertInput!) { r: createAdhesion(input: $input) { status validUntil } }`,
        {
          input: {
            ibgeCode: f.municipalities.RS[3],
            programCode: 'OLD',
            status: 'APPROVED',
            requestedOn: '2021-03-10',
            decidedOn: '2021-03-11',
          },
        },
        editor,
      );
      expect(result.data?.r).toEqual({ status: 'EXPIRED', validUntil: '2023-03-11' });
      refused(
        await create('Adhesion', adhesion(4, { status: 'EXPIRED', requestedOn: '2025-03-10' })),
        'status',
        'not set by hand',
      );
    });

    it('a professional enrols only where the adhesion is approved; a suspended one blocks new enrolments', async () => {
      ok(
        await create(
          'Adhesion',
          adhesion(5, { status: 'APPROVED', requestedOn: '2025-03-10', decidedOn: '2025-03-11' }),
        ),
      );
      ok(await create('Adhesion', adhesion(6, { status: 'REQUESTED', requestedOn: '2025-03-10' })));
      const suspended = await t.gql<{ r: { id: string; version: number } }>(
        `mutation($input: AdhesionUpsertInput!) { r: createAdhesion(input: $input) { version } }`,
        {
          input: adhesion(7, {
            status: 'APPROVED',
            requestedOn: '2025-03-10',
            decidedOn: '2025-03-11',
          }),
        },
        editor,
      );
      ok(suspended);
      ok(await update('Adhesion', adhesion(7, { expectedVersion: 1, status: 'SUSPENDED' })));
      const enrol = (person: string, n: number) => ({
        personCode: person,
        programCode: 'NT425',
        ibgeCode: f.municipalities.RS[n],
        enrolledOn: '2025-04-01',
      });
      ok(await create('Enrolment', enrol('PROF-1', 5)));
      refused(
        await create('Enrolment', enrol('PROF-2', 6)),
        'ibgeCode',
        'enrolment needs it APPROVED',
      );
      refused(
        await create('Enrolment', enrol('PROF-3', 7)),
        'ibgeCode',
        'suspended: no new enrolments',
      );
      refused(await create('Enrolment', enrol('PROF-4', 8)), 'ibgeCode', 'has not adhered');
      refused(
        await create('Enrolment', { ...enrol('PROF-4', 5), enrolledOn: '2027-03-12' }),
        'ibgeCode',
        'expired on 2027-03-11',
      );
    });
  });

  describe('instrument statuses', () => {
    const status = (extra: Row) => ({
      ibgeCode: f.municipalities.RS[0],
      instrument: 'RAG',
      period: '2024',
      ...extra,
    });

    it('move only forward unless an admin reverts', async () => {
      ok(await create('InstrumentStatus', status({ status: 'PENDING' })));
      ok(await update('InstrumentStatus', status({ expectedVersion: 1, status: 'SENT' })));
      refused(
        await update('InstrumentStatus', status({ expectedVersion: 2, status: 'IN_PROGRESS' })),
        'status',
        'needs an admin',
      );
      ok(
        await update(
          'InstrumentStatus',
          status({ expectedVersion: 2, status: 'IN_PROGRESS' }),
          admin,
        ),
      );
    });

    it('one status per municipality × instrument × period', async () => {
      ok(await create('InstrumentStatus', status({ period: '2023', status: 'PENDING' })));
      refused(
        await create('InstrumentStatus', status({ period: '2023', status: 'SENT' })),
        'key',
        'already exists',
      );
    });
  });

  describe('bad input and stale versions', () => {
    it('lists every invalid field', async () => {
      const result = await create('Municipality', {
        ibgeCode: '4399999',
        name: '',
        population: -5,
      });
      expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      const fields = (result.errors![0]!.extensions!.fields as { field: string }[])
        .map((e) => e.field)
        .sort();
      expect(fields).toEqual(['ibgeCode', 'name', 'population']);
    });

    it('a stale expectedVersion is a CONFLICT carrying the current row', async () => {
      const code = f.municipalities.RS[50]!;
      ok(await update('Municipality', { ibgeCode: code, expectedVersion: 1, population: 10 }));
      const stale = await update('Municipality', {
        ibgeCode: code,
        expectedVersion: 1,
        population: 20,
      });
      expect(stale.errors?.[0]?.extensions?.code).toBe('CONFLICT');
      expect(stale.errors?.[0]?.extensions?.current).toMatchObject({
        ibgeCode: code,
        population: 10,
        version: 2,
      });
    });

    it('delete and restore check the version too', async () => {
      const created = await t.gql<{ r: { result: { rows: { id: string; version: number }[] } } }>(
        `mutation { r: upsertEvents(rows: [{ code: "EV-DEL", kind: CIR_MEETING, title: "CIR fictícia", startDate: "2025-05-05", modality: ONLINE, stateUf: "RS" }]) { rows { id version } } }`,
        {},
        editor,
      );
      const { id } = (created.data!.r as unknown as { rows: { id: string }[] }).rows[0]!;
      const stale = await t.gql(
        `mutation($id: ID!) { deleteEvent(id: $id, expectedVersion: 5) { version } }`,
        { id },
        editor,
      );
      expect(stale.errors?.[0]?.extensions?.code).toBe('CONFLICT');
      const deleted = await t.gql<{ deleteEvent: { version: number; deletedAt: string | null } }>(
        `mutation($id: ID!) { deleteEvent(id: $id, expectedVersion: 1) { version deletedAt } }`,
        { id },
        editor,
      );
      expect(deleted.data?.deleteEvent.deletedAt).not.toBeNull();
      const restored = await t.gql<{ restoreEvent: { version: number; deletedAt: string | null } }>(
        `mutation($id: ID!, $v: Int!) { restoreEvent(id: $id, expectedVersion: $v) { version deletedAt } }`,
        { id, v: deleted.data!.deleteEvent.version },
        editor,
      );
      expect(restored.data?.restoreEvent).toEqual({ version: 3, deletedAt: null });
    });
  });
});
