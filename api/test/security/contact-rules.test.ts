import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../src/auth/auth.enums';
import { createTestApp, databaseAvailable, type TestApp } from '../helpers';
import { bearer, seedWriteFixtures, upsert, type WriteFixtures } from '../writes/fixtures';
import { readThrice } from './reads';

type Headers = Record<string, string>;

/**
 * Issue #16, items 1, 2 and the deleted-person rule: contact data reaches a caller only where
 * `Person.email`/`phone` would show it to that caller — never through a conflict, an upsert
 * result, the audit log or an error — and no write lets a state-scoped key grant itself more.
 */
describe.skipIf(!databaseAvailable)('contact data and state scope', () => {
  let t: TestApp;
  let f: WriteFixtures;
  let admin: Headers;
  let editorRs: Headers;
  let editorMt: Headers;

  const contact = {
    rs: { email: 'coord-rs@demo.invalid', phone: '(51) 3333-0001' },
    mt: { email: 'gestor-mt@demo.invalid', phone: '(65) 3333-0002' },
    none: { email: 'sem-estado@demo.invalid', phone: '(61) 3333-0003' },
    moved: { email: 'mudou@demo.invalid', phone: '(51) 3333-0004' },
  };

  const personQuery = `query ($code: String!) { person(code: $code) { code email phone } }`;
  const contactOf = async (code: string, headers: Headers) =>
    (
      await readThrice<{ person: { email: string | null; phone: string | null } | null }>(
        t,
        personQuery,
        { code },
        headers,
      )
    ).data!.person;

  async function mutate<T = Record<string, unknown>>(
    query: string,
    variables: Record<string, unknown>,
    headers: Headers,
  ) {
    const result = await t.gql<T>(query, variables, headers);
    return { ...result, text: JSON.stringify(result) };
  }

  beforeAll(async () => {
    t = await createTestApp();
    f = await seedWriteFixtures(t);
    admin = bearer(await t.createKey(Role.ADMIN, null, 'c-admin'));
    editorRs = bearer(await t.createKey(Role.EDITOR, 'RS', 'c-editor-rs'));
    editorMt = bearer(await t.createKey(Role.EDITOR, 'MT', 'c-editor-mt'));
    await upsert(
      t,
      'People',
      'PersonUpsertInput',
      [
        { code: 'C-RS', name: 'Coordenadora Fictícia', ...contact.rs },
        { code: 'C-MT', name: 'Gestor Fictício', ...contact.mt },
        { code: 'C-NONE', name: 'Profissional Fictícia', ...contact.none },
        { code: 'C-MOVED', name: 'Pessoa Que Mudou', ...contact.moved },
      ],
      admin,
    );
    const mandates = await upsert(
      t,
      'Mandates',
      'MandateUpsertInput',
      [
        {
          code: 'C-RS-M',
          personCode: 'C-RS',
          role: 'STATE_COORDINATOR',
          stateUf: 'RS',
          startDate: '2024-01-01',
        },
        {
          code: 'C-MT-G',
          personCode: 'C-MT',
          role: 'MUNICIPAL_SECRETARY',
          municipalityIbgeCode: f.municipalities.MT[0],
          startDate: '2025-01-01',
        },
        {
          code: 'C-MOVED-RS',
          personCode: 'C-MOVED',
          role: 'TECHNICAL_ADVISER',
          stateUf: 'RS',
          startDate: '2024-01-01',
        },
      ],
      admin,
    );
    expect(mandates.created).toBe(3);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  describe('1. a write never echoes contact data its caller may not read', () => {
    it('a conflict (upsert, dry run, update, delete) shows the row without it', async () => {
      // The reads agree: MT's editor sees no contact for a person of no state…
      expect(await contactOf('C-NONE', editorMt)).toEqual({
        code: 'C-NONE',
        email: null,
        phone: null,
      });
      // …and may write that person (people of no state are anyone's to enter), but a stale
      // version must not answer with their email and phone.
      for (const dryRun of [true, false]) {
        const upserted = await mutate<{
          upsertPeople: { rows: { status: string; current: Record<string, unknown> }[] };
        }>(
          `mutation ($dryRun: Boolean) { upsertPeople(dryRun: $dryRun, rows: [{ code: "C-NONE", expectedVersion: 42 }]) { rows { status current errors { message } } } }`,
          { dryRun },
          editorMt,
        );
        const row = upserted.data!.upsertPeople.rows[0]!;
        expect(row.status).toBe('CONFLICT');
        expect(row.current).toMatchObject({ code: 'C-NONE', name: 'Profissional Fictícia' });
        expect(Object.keys(row.current)).not.toContain('email');
        expect(upserted.text).not.toContain(contact.none.email);
        expect(upserted.text).not.toContain(contact.none.phone);
      }
      const updated = await mutate(
        `mutation { updatePerson(input: { code: "C-NONE", expectedVersion: 42, name: "Outro Nome" }) { email } }`,
        {},
        editorMt,
      );
      expect(updated.errors?.[0]?.extensions?.code).toBe('CONFLICT');
      expect(updated.errors?.[0]?.extensions?.current).toMatchObject({ code: 'C-NONE' });
      expect(updated.text).not.toContain(contact.none.email);
      const id = await personId('C-NONE');
      const deleted = await mutate(
        `mutation ($id: ID!) { deletePerson(id: $id, expectedVersion: 42) { version } }`,
        { id },
        editorMt,
      );
      expect(deleted.errors?.[0]?.extensions?.code).toBe('CONFLICT');
      expect(deleted.text).not.toContain(contact.none.email);

      // Whoever may read the contact gets it in the conflict too.
      const asAdmin = await mutate<{
        upsertPeople: { rows: { current: Record<string, unknown> }[] };
      }>(
        `mutation { upsertPeople(dryRun: true, rows: [{ code: "C-NONE", expectedVersion: 42 }]) { rows { current } } }`,
        {},
        admin,
      );
      expect(asAdmin.data!.upsertPeople.rows[0]!.current).toMatchObject(contact.none);
      const asRs = await mutate<{ upsertPeople: { rows: { current: Record<string, unknown> }[] } }>(
        `mutation { upsertPeople(dryRun: true, rows: [{ code: "C-RS", expectedVersion: 42 }]) { rows { current } } }`,
        {},
        editorRs,
      );
      expect(asRs.data!.upsertPeople.rows[0]!.current).toMatchObject(contact.rs);
      // A person of another state is not the MT key's to write at all.
      const foreign = await mutate(
        `mutation { upsertPeople(dryRun: true, rows: [{ code: "C-RS", expectedVersion: 42 }]) { rows { status current } } }`,
        {},
        editorMt,
      );
      expect(foreign.text).toContain('FORBIDDEN');
      expect(foreign.text).not.toContain(contact.rs.email);
    });

    it('a write naming a contact field its caller cannot read is never UNCHANGED (no guessing game)', async () => {
      const version = await personVersion('C-NONE');
      const statuses: string[] = [];
      for (const email of [contact.none.email, 'palpite@demo.invalid']) {
        const result = await mutate<{ upsertPeople: { rows: { status: string }[] } }>(
          `mutation ($rows: [PersonUpsertInput!]!) { upsertPeople(dryRun: true, rows: $rows) { rows { status } } }`,
          { rows: [{ code: 'C-NONE', expectedVersion: version, email }] },
          editorMt,
        );
        statuses.push(result.data!.upsertPeople.rows[0]!.status);
      }
      // The right guess and the wrong one read alike.
      expect(statuses).toEqual(['UPDATED', 'UPDATED']);
      // The admin, who reads the email anyway, is told the truth.
      const asAdmin = await mutate<{ upsertPeople: { rows: { status: string }[] } }>(
        `mutation ($rows: [PersonUpsertInput!]!) { upsertPeople(dryRun: true, rows: $rows) { rows { status } } }`,
        { rows: [{ code: 'C-NONE', expectedVersion: version, email: contact.none.email }] },
        admin,
      );
      expect(asAdmin.data!.upsertPeople.rows[0]!.status).toBe('UNCHANGED');
    });

    it('the audit log shows before/after contact only to whoever may read it now', async () => {
      // While C-MOVED is a person of RS, an email change is logged under RS…
      await upsert(
        t,
        'People',
        'PersonUpsertInput',
        [
          {
            code: 'C-MOVED',
            expectedVersion: await personVersion('C-MOVED'),
            email: 'mudou-2@demo.invalid',
          },
        ],
        admin,
      );
      const id = await personId('C-MOVED');
      const log = `query ($id: ID!) { auditLog(filter: { entityId: $id }) { nodes { action stateUf before after } } }`;
      const whileRs = await readThrice<{
        auditLog: { nodes: { before: unknown; after: unknown }[] };
      }>(t, log, { id }, editorRs);
      expect(JSON.stringify(whileRs.data)).toContain('mudou-2@demo.invalid');
      // …then the person leaves RS for MT: the RS key still sees that entry, not the contact.
      const moved = await upsert(
        t,
        'Mandates',
        'MandateUpsertInput',
        [
          {
            code: 'C-MOVED-MT',
            personCode: 'C-MOVED',
            role: 'TECHNICAL_ADVISER',
            stateUf: 'MT',
            startDate: '2025-01-01',
          },
        ],
        admin,
      );
      expect(moved.created).toBe(1);
      const mandate = await t.gql<{ mandates: { nodes: { id: string; version: number }[] } }>(
        `{ mandates(filter: { personCode: ["C-MOVED"], uf: ["RS"] }) { nodes { id version } } }`,
        {},
        admin,
      );
      const rsMandate = mandate.data!.mandates.nodes[0]!;
      const removed = await t.gql(
        `mutation ($id: ID!, $v: Int!) { deleteMandate(id: $id, expectedVersion: $v) { id } }`,
        { id: rsMandate.id, v: rsMandate.version },
        admin,
      );
      expect(removed.errors).toBeUndefined();
      const afterMove = await readThrice<{
        auditLog: {
          nodes: {
            action: string;
            before: Record<string, unknown> | null;
            after: Record<string, unknown> | null;
          }[];
        };
      }>(t, log, { id }, editorRs);
      const entries = afterMove.data!.auditLog.nodes;
      expect(entries.length).toBeGreaterThan(0);
      expect(entries.some((entry) => entry.after?.name === 'Pessoa Que Mudou')).toBe(true);
      const text = JSON.stringify(afterMove);
      for (const secret of [contact.moved.email, 'mudou-2@demo.invalid', contact.moved.phone]) {
        expect(text).not.toContain(secret);
      }
      // MT's key, whose state the person is now in, reads the log of MT… and the admin all of it.
      const asAdmin = await readThrice(t, log, { id }, admin);
      expect(JSON.stringify(asAdmin)).toContain('mudou-2@demo.invalid');
    });
  });

  describe('2. a scoped editor cannot grant itself visibility by writing', () => {
    it('refuses a mandate that would attach a person of another state (create, upsert, update, restore)', async () => {
      const created = await mutate(
        `mutation { createMandate(input: { code: "W-1", personCode: "C-MT", role: TECHNICAL_ADVISER, stateUf: "RS", startDate: "2001-01-01", endDate: "2001-01-02" }) { id } }`,
        {},
        editorRs,
      );
      expect(created.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(created.errors?.[0]?.message).toContain('belongs to MT');
      expect(await contactOf('C-MT', editorRs)).toEqual({ code: 'C-MT', email: null, phone: null });

      const bulk = await upsert(
        t,
        'Mandates',
        'MandateUpsertInput',
        ['C-MT', 'C-NONE'].map((personCode, index) => ({
          code: `W-BULK-${index}`,
          personCode,
          role: 'TECHNICAL_ADVISER',
          stateUf: 'RS',
          startDate: '2001-01-01',
        })),
        editorRs,
      );
      expect(bulk.rows.map((row) => row.status)).toEqual(['FORBIDDEN', 'FORBIDDEN']);
      expect(await contactOf('C-NONE', editorRs)).toEqual({
        code: 'C-NONE',
        email: null,
        phone: null,
      });

      // Moving one of RS's own mandates onto someone else's person is the same thing.
      const own = await t.gql<{ mandates: { nodes: { id: string; version: number }[] } }>(
        `{ mandates(filter: { personCode: ["C-RS"] }) { nodes { id version } } }`,
        {},
        editorRs,
      );
      const rsMandate = own.data!.mandates.nodes[0]!;
      const moved = await mutate(
        `mutation ($id: ID!, $v: Int!) { updateMandate(input: { id: $id, expectedVersion: $v, personCode: "C-MT" }) { id } }`,
        { id: rsMandate.id, v: rsMandate.version },
        editorRs,
      );
      expect(moved.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      // Its own person's mandate it still changes.
      const kept = await mutate(
        `mutation ($id: ID!, $v: Int!) { updateMandate(input: { id: $id, expectedVersion: $v, endDate: "2030-01-01" }) { endDate } }`,
        { id: rsMandate.id, v: rsMandate.version },
        editorRs,
      );
      expect(kept.errors).toBeUndefined();

      // A deleted RS mandate of an MT person comes back only through an unscoped key.
      const adminMade = await upsert(
        t,
        'Mandates',
        'MandateUpsertInput',
        [
          {
            code: 'W-R',
            personCode: 'C-MT',
            role: 'TECHNICAL_ADVISER',
            stateUf: 'RS',
            startDate: '2002-01-01',
          },
        ],
        admin,
      );
      const made = adminMade.rows[0]!;
      const gone = await t.gql<{ deleteMandate: { version: number } }>(
        `mutation ($id: ID!, $v: Int!) { deleteMandate(id: $id, expectedVersion: $v) { version } }`,
        { id: made.id, v: made.version },
        admin,
      );
      const restored = await mutate(
        `mutation ($id: ID!, $v: Int!) { restoreMandate(id: $id, expectedVersion: $v) { id } }`,
        { id: made.id, v: gone.data!.deleteMandate.version },
        editorRs,
      );
      expect(restored.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(await contactOf('C-MT', editorRs)).toEqual({ code: 'C-MT', email: null, phone: null });
    });

    it('lets a COSEMS add its own people and their mandates, and read back what it entered', async () => {
      const created = await mutate<{ createPerson: { email: string | null } }>(
        `mutation { createPerson(input: { code: "NOVO-RS", name: "Apoiadora Nova", email: "nova@demo.invalid", phone: "(51) 3333-0009" }) { email } }`,
        {},
        editorRs,
      );
      expect(created.data?.createPerson.email).toBe('nova@demo.invalid');
      expect(await contactOf('NOVO-RS', editorRs)).toEqual({
        code: 'NOVO-RS',
        email: 'nova@demo.invalid',
        phone: '(51) 3333-0009',
      });
      expect(await contactOf('NOVO-RS', editorMt)).toEqual({
        code: 'NOVO-RS',
        email: null,
        phone: null,
      });
      const attached = await mutate(
        `mutation { createMandate(input: { code: "NOVO-RS-M", personCode: "NOVO-RS", role: APOIADOR, healthRegionCodes: ["${f.region.RS}"], startDate: "2025-02-01" }) { id } }`,
        {},
        editorRs,
      );
      expect(attached.errors).toBeUndefined();
      // The person is RS's: MT's key may not change them.
      const foreign = await mutate(
        `mutation { upsertPeople(rows: [{ code: "NOVO-RS", expectedVersion: 1, name: "x" }]) { rows { status } } }`,
        {},
        editorMt,
      );
      expect(foreign.text).toContain('FORBIDDEN');
    });
  });

  describe('a soft-deleted person is gone from every read', () => {
    it('municipality { gestor { person } } answers no gestor, on the resolvers and on compiled reads', async () => {
      const query = `query ($ibge: String!) { municipality(ibgeCode: $ibge) { name gestor { code person { code name } } } }`;
      const ibge = f.municipalities.MT[0]!;
      const before = await readThrice<{
        municipality: { gestor: { person: { code: string } } | null };
      }>(t, query, { ibge });
      expect(before.data!.municipality.gestor?.person.code).toBe('C-MT');
      // The anonymous third request ran one statement: a compiled read answered it.
      expect(before.lastStatements).toBe(1);
      const version = await personVersion('C-MT');
      const deleted = await t.gql(
        `mutation ($id: ID!, $v: Int!) { deletePerson(id: $id, expectedVersion: $v) { deletedAt } }`,
        { id: await personId('C-MT'), v: version },
        admin,
      );
      expect(deleted.errors).toBeUndefined();
      const after = await readThrice<{ municipality: { gestor: unknown } }>(t, query, { ibge });
      expect(after.data!.municipality.gestor).toBeNull();
      expect(after.lastStatements).toBe(1);
      const list = await readThrice<{ municipalities: { nodes: { gestor: unknown }[] } }>(
        t,
        `query ($ibge: [String!]) { municipalities(filter: { ibgeCode: $ibge }) { nodes { gestor { person { name } } } } }`,
        { ibge: [ibge] },
      );
      expect(list.data!.municipalities.nodes).toEqual([{ gestor: null }]);
      const mandates = await readThrice<{ mandates: { totalCount: number } }>(
        t,
        `{ mandates(filter: { personCode: ["C-MT"] }) { totalCount } }`,
        {},
        admin,
      );
      expect(mandates.data!.mandates.totalCount).toBe(0);
      expect((await readThrice(t, personQuery, { code: 'C-MT' }, admin)).data).toEqual({
        person: null,
      });
      // A mandate cannot be given to a deleted person either.
      const refused = await mutate(
        `mutation { createMandate(input: { code: "C-MT-2", personCode: "C-MT", role: TECHNICAL_ADVISER, stateUf: "MT", startDate: "2025-01-01" }) { id } }`,
        {},
        admin,
      );
      expect(refused.errors?.[0]?.message).toContain('is deleted; restore them first');
    });
  });

  describe('node(id:) answers only what the type’s own queries answer', () => {
    it('keys to admins, saved queries and CSV links to their state', async () => {
      const keys = await t.gql<{ apiKeys: { id: string; name: string }[] }>(
        `{ apiKeys { id name } }`,
        {},
        admin,
      );
      const keyId = keys.data!.apiKeys.find((key) => key.name === 'c-editor-rs')!.id;
      const nodeQuery = `query ($id: ID!) { node(id: $id) { id ... on ApiKey { name role } ... on SavedQuery { name } ... on ExportToken { prefix } } }`;
      expect((await readThrice(t, nodeQuery, { id: keyId })).data).toEqual({ node: null });
      expect((await readThrice(t, nodeQuery, { id: keyId }, editorRs)).data).toEqual({
        node: null,
      });
      expect((await readThrice(t, nodeQuery, { id: keyId }, admin)).data).toEqual({
        node: { id: keyId, name: 'c-editor-rs', role: 'EDITOR' },
      });

      const saved = await t.gql<{ createSavedQuery: { id: string } }>(
        `mutation { createSavedQuery(input: { name: "Só RS", query: "{ municipalities(filter: { uf: [\\"RS\\"] }) { nodes { name } } }" }) { id } }`,
        {},
        editorRs,
      );
      expect(saved.errors).toBeUndefined();
      const link = await t.gql<{ createExportToken: { exportToken: { id: string } } }>(
        `mutation { createExportToken(savedQueryName: "Só RS") { exportToken { id } } }`,
        {},
        editorRs,
      );
      const savedId = saved.data!.createSavedQuery.id;
      const linkId = link.data!.createExportToken.exportToken.id;
      expect((await readThrice(t, nodeQuery, { id: savedId }, editorMt)).data).toEqual({
        node: null,
      });
      expect((await readThrice(t, nodeQuery, { id: savedId }, editorRs)).data).toEqual({
        node: { id: savedId, name: 'Só RS' },
      });
      expect((await readThrice(t, nodeQuery, { id: linkId }, editorMt)).data).toEqual({
        node: null,
      });
      expect((await readThrice(t, nodeQuery, { id: linkId })).data).toEqual({ node: null });
      expect(
        (await readThrice<{ node: { id: string } }>(t, nodeQuery, { id: linkId }, editorRs)).data!
          .node.id,
      ).toBe(linkId);
    });
  });

  async function personId(code: string): Promise<string> {
    return (await personRow(code)).id;
  }
  async function personVersion(code: string): Promise<number> {
    return (await personRow(code)).version;
  }
  async function personRow(code: string): Promise<{ id: string; version: number }> {
    const result = await t.gql<{ people: { nodes: { id: string; version: number }[] } }>(
      `query ($code: [String!]) { people(filter: { code: $code }) { nodes { id version } } }`,
      { code: [code] },
      admin,
    );
    return result.data!.people.nodes[0]!;
  }
});
