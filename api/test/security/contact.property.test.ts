import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKey } from '../../src/auth/api-key.entity';
import { Role } from '../../src/auth/auth.enums';
import { today } from '../../src/common/dates';
import { preparePagedQuery } from '../../src/saved-queries/query-paging';
import { createTestApp, databaseAvailable, type TestApp } from '../helpers';
import { bearer, seedWriteFixtures, upsert, type WriteFixtures } from '../writes/fixtures';

/** Fixed seed so a failure replays; `CONTACT_RUNS` raises the count for a longer local hunt. */
const SEED = Number(process.env.CONTACT_SEED ?? 20261203);
const RUNS = Number(process.env.CONTACT_RUNS ?? 60);

type Scope = 'RS' | 'MT' | 'SC' | null;
type KeyState = 'valid' | 'revoked' | 'unknown';
interface Caller {
  role: 'ANONYMOUS' | Role;
  scope: Scope;
  key: KeyState;
}

/**
 * The world: people whose states are written down here, independently of the code that works
 * them out, each with an e-mail and a phone found nowhere else.
 */
interface WorldPerson {
  code: string;
  states: readonly string[];
  email: string;
  phone: string;
}
const people: WorldPerson[] = [
  ['PB-GESTOR-RS', ['RS']], // gestor of an RS municipality, in office
  ['PB-APOIADOR-MT', ['MT']], // apoiador of an MT region
  ['PB-DOIS', ['RS', 'MT']], // posts in two states
  ['PB-NENHUM', []], // no mandate, added by an admin
  ['PB-NOVO-RS', ['RS']], // no mandate, added by RS's key
  ['PB-ANTIGO-SC', ['SC']], // a mandate in SC that ended years ago
  ['PB-MUDOU', ['MT']], // was of RS (audited there), now of MT only
].map(([code, states], index) => ({
  code: code as string,
  states: states as string[],
  email: `pb-${index}-contato@demo.invalid`,
  phone: `(11) 9000-00${String(index).padStart(2, '0')}`,
}));

/** The rule, stated once: contact data for editors of the person's state, unscoped editors, admins. */
function mayRead(caller: Caller, person: WorldPerson): boolean {
  if (caller.key !== 'valid' || caller.role === 'ANONYMOUS' || caller.role === Role.READER) {
    return false;
  }
  return (
    caller.role === Role.ADMIN || caller.scope === null || person.states.includes(caller.scope)
  );
}

const contactFields = 'code email phone';

/**
 * Every path from a query to a person (and to their contact fields): each returns the request to
 * make for one person, and whether the answer names that person's contact when allowed (so the
 * test also catches a rule that hides too much).
 */
interface Path {
  name: string;
  /** The answer shows the person's contact whenever the caller may read it. */
  shows: boolean;
  /** Reads are sent three times (compiled reads answer the later ones). */
  read: boolean;
  request(
    person: WorldPerson,
    world: World,
  ): { query: string; variables?: Record<string, unknown> };
  /** Only some people are reached this way (the gestor, the apoiador…). */
  reaches?(person: WorldPerson): boolean;
}

interface World {
  f: WriteFixtures;
  ids: Map<string, string>;
  mandateIds: Map<string, string>;
  savedQuery: string;
  exportUrl: string;
}

const paths: Path[] = [
  {
    name: 'person(code:)',
    shows: true,
    read: true,
    request: (p) => ({
      query: `query ($c: String!) { person(code: $c) { ${contactFields} } }`,
      variables: { c: p.code },
    }),
  },
  {
    name: 'people nodes and edges',
    shows: true,
    read: true,
    request: (p) => ({
      query: `query ($c: [String!]) { people(filter: { code: $c }) { nodes { ${contactFields} } edges { node { email phone } } } }`,
      variables: { c: [p.code] },
    }),
  },
  {
    name: 'node(id:) of a person',
    shows: true,
    read: true,
    request: (p, w) => ({
      query: `query ($id: ID!) { node(id: $id) { ... on Person { ${contactFields} } } }`,
      variables: { id: w.ids.get(p.code) },
    }),
  },
  {
    name: 'mandates { person }',
    shows: true,
    read: true,
    reaches: (p) => p.states.length > 0 && p.code !== 'PB-NOVO-RS',
    request: (p) => ({
      query: `query ($c: [String!]) { mandates(filter: { personCode: $c }) { nodes { person { ${contactFields} } } } }`,
      variables: { c: [p.code] },
    }),
  },
  {
    name: 'node(id:) of a mandate { person }',
    shows: true,
    read: true,
    reaches: (p) => p.states.length > 0 && p.code !== 'PB-NOVO-RS',
    request: (p, w) => ({
      query: `query ($id: ID!) { node(id: $id) { ... on Mandate { person { ${contactFields} } } } }`,
      variables: { id: w.mandateIds.get(p.code) },
    }),
  },
  {
    name: 'municipality { gestor { person } } and the list of them',
    shows: true,
    read: true,
    reaches: (p) => p.code === 'PB-GESTOR-RS',
    request: (_p, w) => ({
      query: `query ($i: String!, $l: [String!]) { municipality(ibgeCode: $i) { gestor { person { ${contactFields} } } mayor { person { email } } }
        municipalities(filter: { ibgeCode: $l }) { nodes { gestor { person { email phone } } } } }`,
      variables: { i: w.f.municipalities.RS[0], l: [w.f.municipalities.RS[0]] },
    }),
  },
  {
    name: 'healthRegion { apoiadores { person } }',
    shows: true,
    read: true,
    reaches: (p) => p.code === 'PB-APOIADOR-MT',
    request: (_p, w) => ({
      query: `query ($r: String!) { healthRegion(code: $r) { apoiadores { person { ${contactFields} } } } }`,
      variables: { r: w.f.region.MT },
    }),
  },
  {
    name: 'apoiadorCoverage { groups { person } } (analytics)',
    shows: true,
    read: true,
    reaches: (p) => p.code === 'PB-APOIADOR-MT',
    request: () => ({
      query: `query ($at: LocalDate) { apoiadorCoverage(uf: "MT", at: $at) { groups { personCode person { ${contactFields} } } } }`,
      variables: { at: today() },
    }),
  },
  {
    name: 'event { participations { person } }',
    shows: true,
    read: true,
    reaches: (p) => ['PB-NENHUM', 'PB-NOVO-RS', 'PB-DOIS'].includes(p.code),
    request: () => ({
      query: `{ events(filter: { uf: ["RS"] }) { nodes { participations { nodes { person { ${contactFields} } } } } } }`,
    }),
  },
  {
    name: 'person { mandates { nodes { person } } } (a loop)',
    shows: true,
    read: true,
    reaches: (p) => p.states.length > 0 && p.code !== 'PB-NOVO-RS',
    request: (p) => ({
      query: `query ($c: String!) { person(code: $c) { mandates { nodes { person { email phone } } } } }`,
      variables: { c: p.code },
    }),
  },
  {
    name: 'auditLog before/after',
    shows: false,
    read: true,
    request: (p, w) => ({
      query: `query ($id: ID!) { auditLog(filter: { entityId: $id }) { nodes { stateUf before after } } }`,
      variables: { id: w.ids.get(p.code) },
    }),
  },
  {
    name: 'a saved query, paged as the add-on sends it',
    shows: true,
    read: true,
    request: (p, w) => ({ query: w.savedQuery, variables: { c: [p.code], rhFirst: 10 } }),
  },
  {
    name: 'upsert results and a conflict’s current (dry run)',
    shows: false,
    read: false,
    request: (p) => ({
      query: `mutation ($rows: [PersonUpsertInput!]!) { upsertPeople(dryRun: true, rows: $rows) { rows { status id current errors { field message } } } }`,
      variables: {
        rows: [
          { code: p.code, expectedVersion: 999 },
          { code: p.code, name: 'x' },
        ],
      },
    }),
  },
  {
    name: 'an error: updatePerson with a stale version',
    shows: false,
    read: false,
    request: (p) => ({
      query: `mutation ($c: String!) { updatePerson(input: { code: $c, expectedVersion: 999, name: "Outro" }) { email phone } }`,
      variables: { c: p.code },
    }),
  },
  {
    name: 'an error: deletePerson with a stale version',
    shows: false,
    read: false,
    request: (p, w) => ({
      query: `mutation ($id: ID!) { deletePerson(id: $id, expectedVersion: 999) { email } }`,
      variables: { id: w.ids.get(p.code) },
    }),
  },
];

describe.skipIf(!databaseAvailable)(
  'contact data reaches a caller only where the rule allows (property)',
  () => {
    let t: TestApp;
    const world = {} as World;
    const keys = new Map<string, string>();
    const keyOf = (caller: Caller) => `${caller.role}:${caller.scope ?? '*'}:${caller.key}`;

    beforeAll(async () => {
      t = await createTestApp();
      world.f = await seedWriteFixtures(t);
      const admin = bearer(await t.createKey(Role.ADMIN, null, 'pb-setup'));
      const editorRs = bearer(await t.createKey(Role.EDITOR, 'RS', 'pb-setup-rs'));
      const byCode = new Map(people.map((p) => [p.code, p]));
      const row = (code: string) => ({
        code,
        name: `Pessoa ${code}`,
        email: byCode.get(code)!.email,
        phone: byCode.get(code)!.phone,
      });
      await upsert(
        t,
        'People',
        'PersonUpsertInput',
        people.filter((p) => p.code !== 'PB-NOVO-RS').map((p) => row(p.code)),
        admin,
      );
      const mine = await upsert(t, 'People', 'PersonUpsertInput', [row('PB-NOVO-RS')], editorRs);
      expect(mine.created).toBe(1);
      const { f } = world;
      const mandate = (code: string, personCode: string, extra: Record<string, unknown>) => ({
        code,
        personCode,
        role: 'TECHNICAL_ADVISER',
        startDate: '2024-01-01',
        ...extra,
      });
      const mandates = await upsert(
        t,
        'Mandates',
        'MandateUpsertInput',
        [
          mandate('PB-M-GESTOR', 'PB-GESTOR-RS', {
            role: 'MUNICIPAL_SECRETARY',
            municipalityIbgeCode: f.municipalities.RS[0],
          }),
          mandate('PB-M-APOIADOR', 'PB-APOIADOR-MT', {
            role: 'APOIADOR',
            healthRegionCodes: [f.region.MT],
          }),
          mandate('PB-M-DOIS-RS', 'PB-DOIS', { stateUf: 'RS' }),
          mandate('PB-M-DOIS-MT', 'PB-DOIS', { stateUf: 'MT' }),
          mandate('PB-M-SC', 'PB-ANTIGO-SC', {
            role: 'BOARD_MEMBER',
            stateUf: 'SC',
            startDate: '2010-01-01',
            endDate: '2012-01-01',
          }),
          mandate('PB-M-MUDOU-RS', 'PB-MUDOU', { stateUf: 'RS' }),
        ],
        admin,
      );
      expect(mandates.created).toBe(6);
      // PB-MUDOU changes phone while of RS (an RS audit entry), then leaves RS for MT.
      const moved = await t.gql<{ people: { nodes: { version: number }[] } }>(
        `{ people(filter: { code: ["PB-MUDOU"] }) { nodes { version } } }`,
        {},
        admin,
      );
      await upsert(
        t,
        'People',
        'PersonUpsertInput',
        [
          {
            code: 'PB-MUDOU',
            expectedVersion: moved.data!.people.nodes[0]!.version,
            phone: byCode.get('PB-MUDOU')!.phone.replace('(11)', '(51)'),
          },
        ],
        admin,
      );
      byCode.get('PB-MUDOU')!.phone = byCode.get('PB-MUDOU')!.phone.replace('(11)', '(51)');
      await upsert(
        t,
        'Mandates',
        'MandateUpsertInput',
        [mandate('PB-M-MUDOU-MT', 'PB-MUDOU', { stateUf: 'MT' })],
        admin,
      );
      const rsMandate = mandates.rows.find((r, i) => i === 5)!;
      const gone = await t.gql(
        `mutation ($id: ID!, $v: Int!) { deleteMandate(id: $id, expectedVersion: $v) { id } }`,
        { id: rsMandate.id, v: rsMandate.version },
        admin,
      );
      expect(gone.errors).toBeUndefined();
      await upsert(
        t,
        'Events',
        'EventUpsertInput',
        [
          {
            code: 'PB-EV',
            kind: 'CIR_MEETING',
            title: 'Reunião fictícia',
            startDate: '2025-03-10',
            modality: 'ONLINE',
            stateUf: 'RS',
          },
        ],
        admin,
      );
      await upsert(
        t,
        'Participations',
        'ParticipationUpsertInput',
        ['PB-NENHUM', 'PB-NOVO-RS', 'PB-DOIS'].map((personCode) => ({
          eventCode: 'PB-EV',
          personCode,
        })),
        admin,
      );

      const ids = await t.gql<{
        people: { nodes: { code: string; id: string; mandates: { nodes: { id: string }[] } }[] };
      }>(
        `{ people(first: 100, filter: { code: [${people.map((p) => `"${p.code}"`).join(', ')}] }) { nodes { code id mandates { nodes { id } } } } }`,
        {},
        admin,
      );
      world.ids = new Map(ids.data!.people.nodes.map((n) => [n.code, n.id]));
      world.mandateIds = new Map(
        ids
          .data!.people.nodes.filter((n) => n.mandates.nodes.length > 0)
          .map((n) => [n.code, n.mandates.nodes[0]!.id]),
      );
      expect(world.ids.size).toBe(people.length);

      // A saved query of the people (national), as the add-on pulls it, and its CSV link.
      const text = `query Pessoas($c: [String!]) { people(filter: { code: $c }) { nodes { ${contactFields} name } } }`;
      const saved = await t.gql(
        `mutation ($input: CreateSavedQueryInput!) { createSavedQuery(input: $input) { id } }`,
        { input: { name: 'pessoas', query: text, stateUf: null } },
        admin,
      );
      expect(saved.errors).toBeUndefined();
      world.savedQuery = preparePagedQuery(text).text;
      const link = await t.gql<{ createExportToken: { url: string } }>(
        `mutation { createExportToken(savedQueryName: "pessoas") { url } }`,
        {},
        admin,
      );
      world.exportUrl = link.data!.createExportToken.url;

      // One key per role × scope, valid and revoked; "unknown" forges a valid key's prefix.
      for (const role of [Role.READER, Role.EDITOR, Role.ADMIN]) {
        for (const scope of [null, 'RS', 'MT', 'SC'] as Scope[]) {
          const name = `pb-${role}-${scope ?? 'all'}`;
          keys.set(keyOf({ role, scope, key: 'valid' }), await t.createKey(role, scope, name));
          const revoked = await t.createKey(role, scope, `${name}-revogada`);
          await t.app.orm.em
            .fork()
            .nativeUpdate(ApiKey, { name: `${name}-revogada` }, { revokedAt: new Date() });
          keys.set(keyOf({ role, scope, key: 'revoked' }), revoked);
          const valid = keys.get(keyOf({ role, scope, key: 'valid' }))!;
          keys.set(
            keyOf({ role, scope, key: 'unknown' }),
            `${valid.slice(0, 14)}${'Z'.repeat(40)}`,
          );
        }
      }
    }, 180_000);
    afterAll(async () => {
      await t?.close();
    });

    const caller: fc.Arbitrary<Caller> = fc.oneof(
      fc.constant<Caller>({ role: 'ANONYMOUS', scope: null, key: 'valid' }),
      fc.record({
        role: fc.constantFrom(Role.READER, Role.EDITOR, Role.EDITOR, Role.ADMIN),
        scope: fc.constantFrom<Scope>(null, 'RS', 'MT', 'SC'),
        key: fc.constantFrom<KeyState>('valid', 'valid', 'valid', 'revoked', 'unknown'),
      }),
    );

    /** Which people's contact the text shows, by e-mail or phone. */
    const shown = (text: string) =>
      people.filter((p) => text.includes(p.email) || text.includes(p.phone));

    /**
     * Sends `path`'s request for every person as `who` (reads three times, and all three answers
     * must agree) and returns what broke the rule: contact shown to a caller it is not for, or
     * hidden from one it is for.
     */
    async function check(who: Caller, path: Path): Promise<string[]> {
      const headers = who.role === 'ANONYMOUS' ? {} : bearer(keys.get(keyOf(who))!);
      const problems: string[] = [];
      const asked = new Set<string>();
      for (const person of people) {
        const { query, variables } = path.request(person, world);
        const request = JSON.stringify({ query, variables });
        const answers: string[] = [];
        if (!asked.has(request)) {
          asked.add(request);
          for (let i = 0; i < (path.read ? 3 : 1); i += 1) {
            answers.push(JSON.stringify(await t.gql(query, variables, headers)));
          }
          if (new Set(answers).size !== 1) {
            problems.push(`${path.name} as ${keyOf(who)}: the three answers differ`);
          }
          for (const leaked of shown(answers[0]!).filter((p) => !mayRead(who, p))) {
            problems.push(
              `${path.name} as ${keyOf(who)} shows ${leaked.code}: ${answers[0]!.slice(0, 300)}`,
            );
          }
        }
        const text = answers[0];
        if (
          text &&
          path.shows &&
          (path.reaches?.(person) ?? true) &&
          mayRead(who, person) &&
          !text.includes(person.email)
        ) {
          problems.push(`${path.name} as ${keyOf(who)} hides ${person.code}, whom it may read`);
        }
      }
      return problems;
    }

    it('over every path to a Person: direct, nested, node, lists, analytics, saved queries, audit, writes, errors', async () => {
      const seen = new Set<string>();
      await fc.assert(
        fc.asyncProperty(caller, fc.constantFrom(...paths), async (who, path) => {
          seen.add(path.name);
          expect(await check(who, path)).toEqual([]);
        }),
        { seed: SEED, numRuns: RUNS },
      );
      console.info(
        `contact property (${t.config.database.driver}): ${RUNS} runs (caller × path, every person) over ${seen.size} of ${paths.length} paths`,
      );
    }, 240_000);

    it('every path and person for each kind of caller (the corners random runs may miss)', async () => {
      const corners: Caller[] = [
        { role: 'ANONYMOUS', scope: null, key: 'valid' },
        { role: Role.READER, scope: null, key: 'valid' },
        { role: Role.EDITOR, scope: 'RS', key: 'valid' },
        { role: Role.EDITOR, scope: 'MT', key: 'valid' },
        { role: Role.EDITOR, scope: 'SC', key: 'valid' },
        { role: Role.EDITOR, scope: null, key: 'valid' },
        { role: Role.ADMIN, scope: 'RS', key: 'valid' },
        { role: Role.EDITOR, scope: null, key: 'revoked' },
        { role: Role.ADMIN, scope: null, key: 'unknown' },
      ];
      const problems: string[] = [];
      for (const path of paths) {
        for (const who of corners) {
          problems.push(...(await check(who, path)));
        }
      }
      expect(problems).toEqual([]);
    }, 240_000);

    it('and a CSV link never carries contact data (it runs as an anonymous reader)', async () => {
      const csv = await (await fetch(world.exportUrl)).text();
      expect(csv.split('\n')[0]).toBe('code,email,phone,name');
      expect(csv).toContain('PB-GESTOR-RS');
      expect(shown(csv).map((p) => p.code)).toEqual([]);
    });
  },
);
