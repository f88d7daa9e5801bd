import { ref, UniqueConstraintViolationException } from '@mikro-orm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ParticipationRole } from '../../src/activity/activity.enums';
import { Event } from '../../src/activity/event.entity';
import { Participation } from '../../src/activity/participation.entity';
import { Role } from '../../src/auth/auth.enums';
import { today } from '../../src/common/dates';
import { Person } from '../../src/people/person.entity';
import { HealthRegion } from '../../src/territory/health-region.entity';
import { Municipality } from '../../src/territory/municipality.entity';
import { createTestApp, databaseAvailable, type GraphQLResponse, type TestApp } from '../helpers';
import { fixtureDir, importFiles, writeFixture } from '../imports/import-helpers';
import { bearer, seedWriteFixtures, upsert, type WriteFixtures } from './fixtures';

type Row = Record<string, unknown>;

interface MunicipalityView {
  version: number;
  population: number | null;
  populationYear: number | null;
  healthRegion: { code: string } | null;
  regionMemberships: {
    nodes: { healthRegion: { code: string }; validFrom: string | null; validTo: string | null }[];
  };
}

describe.skipIf(!databaseAvailable)('territory history and participations: rules on write', () => {
  let t: TestApp;
  let f: WriteFixtures;
  let editor: Record<string, string>;
  let admin: Record<string, string>;
  const otherRegion = '43902';

  async function mutate(
    verb: 'create' | 'update',
    singular: string,
    input: Row,
    headers = editor,
  ): Promise<GraphQLResponse<Record<string, Row>>> {
    return t.gql<Record<string, Row>>(
      `mutation($input: ${singular}UpsertInput!) { r: ${verb}${singular}(input: $input) { id version } }`,
      { input },
      headers,
    );
  }
  async function setDeleted(
    verb: 'delete' | 'restore',
    singular: string,
    row: Row,
    headers = admin,
  ) {
    return t.gql<Record<string, Row>>(
      `mutation($id: ID!, $v: Int!) { r: ${verb}${singular}(id: $id, expectedVersion: $v) { id version } }`,
      { id: row.id, v: row.version },
      headers,
    );
  }
  const ok = (result: GraphQLResponse<Record<string, Row>>): Row => {
    expect(result.errors).toBeUndefined();
    return result.data!.r!;
  };
  function refused(result: GraphQLResponse, field: string, message: string) {
    expect(result.errors?.[0]?.extensions?.code, JSON.stringify(result.errors)).toBe(
      'BAD_USER_INPUT',
    );
    const fields = result.errors![0]!.extensions!.fields as { field: string; message: string }[];
    expect(fields.find((e) => e.field === field)?.message).toContain(message);
  }
  async function municipality(code: string): Promise<MunicipalityView> {
    const result = await t.gql<{ municipality: MunicipalityView }>(
      `query($code: String!) { municipality(ibgeCode: $code) {
        version population populationYear healthRegion { code }
        regionMemberships(first: 50) { nodes { healthRegion { code } validFrom validTo } }
      } }`,
      { code },
    );
    expect(result.errors).toBeUndefined();
    return result.data!.municipality;
  }
  async function regionOn(code: string, asOf: string): Promise<string | null> {
    const result = await t.gql<{ municipality: { healthRegion: { code: string } | null } }>(
      `query($code: String!, $asOf: LocalDate!) { municipality(ibgeCode: $code) { healthRegion(asOf: $asOf) { code } } }`,
      { code, asOf },
    );
    expect(result.errors).toBeUndefined();
    return result.data!.municipality.healthRegion?.code ?? null;
  }
  /** Memberships as [region, from, to] in the API's order: oldest first, "since always" first. */
  const spans = (view: MunicipalityView) =>
    view.regionMemberships.nodes.map((n) => [n.healthRegion.code, n.validFrom, n.validTo]);

  beforeAll(async () => {
    t = await createTestApp();
    f = await seedWriteFixtures(t);
    editor = bearer(await t.createKey(Role.EDITOR, 'RS', 'territorio-rs'));
    admin = bearer(await t.createKey(Role.ADMIN, null, 'territorio-admin'));
    ok(await mutate('create', 'HealthRegion', { code: otherRegion, name: 'Outra região' }));
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('moving a municipality to another region keeps its history', () => {
    it('closes the current membership on effectiveFrom and opens the next; asOf reads both', async () => {
      const code = f.municipalities.RS[1]!;
      const first = ok(
        await mutate('update', 'Municipality', {
          ibgeCode: code,
          expectedVersion: 1,
          healthRegionCode: f.region.RS,
          effectiveFrom: '2024-01-01',
        }),
      );
      ok(
        await mutate('update', 'Municipality', {
          ibgeCode: code,
          expectedVersion: first.version,
          healthRegionCode: otherRegion,
          effectiveFrom: '2025-07-01',
        }),
      );
      const view = await municipality(code);
      expect(view.healthRegion?.code).toBe(otherRegion);
      expect(spans(view)).toEqual([
        [f.region.RS, '2024-01-01', '2025-07-01'],
        [otherRegion, '2025-07-01', null],
      ]);
      expect(await regionOn(code, '2023-12-31')).toBeNull();
      expect(await regionOn(code, '2025-06-30')).toBe(f.region.RS);
      expect(await regionOn(code, '2025-07-01')).toBe(otherRegion);
      // Every membership change is audited, by the same key, with the municipality's.
      const log = await t.gql<{
        auditLog: { nodes: { action: string; before: Row | null; after: Row | null }[] };
      }>(
        `{ auditLog(filter: { entityType: "RegionMembership", actor: "territorio-rs" }, first: 10) { nodes { action before after } } }`,
        {},
        admin,
      );
      const entries = log.data!.auditLog.nodes.filter(
        (n) => (n.after ?? n.before)!.ibgeCode === code,
      );
      expect(entries.map((e) => e.action).sort()).toEqual(['CREATE', 'CREATE', 'UPDATE']);
      expect(entries.find((e) => e.action === 'UPDATE')!.before).toMatchObject({ validTo: null });
      expect(entries.find((e) => e.action === 'UPDATE')!.after).toMatchObject({
        validTo: '2025-07-01',
      });
    });

    it('records the old region of a municipality without history before the move (upsert)', async () => {
      const code = f.municipalities.RS[2]!;
      const em = t.app.orm.em.fork();
      const row = await em.findOneOrFail(Municipality, { ibgeCode: code });
      row.healthRegion = ref(await em.findOneOrFail(HealthRegion, { code: f.region.RS }));
      await em.flush();
      const result = await upsert(
        t,
        'Municipalities',
        'MunicipalityUpsertInput',
        [
          {
            ibgeCode: code,
            expectedVersion: row.version,
            healthRegionCode: otherRegion,
            effectiveFrom: '2025-07-01',
          },
        ],
        editor,
      );
      expect(result.updated).toBe(1);
      expect(spans(await municipality(code))).toEqual([
        [f.region.RS, null, '2025-07-01'],
        [otherRegion, '2025-07-01', null],
      ]);
      expect(await regionOn(code, '1990-01-01')).toBe(f.region.RS);
    });

    it('takes today when effectiveFrom is omitted', async () => {
      const code = f.municipalities.RS[3]!;
      ok(
        await mutate('update', 'Municipality', {
          ibgeCode: code,
          expectedVersion: 1,
          healthRegionCode: otherRegion,
        }),
      );
      expect(spans(await municipality(code))).toEqual([[otherRegion, today(), null]]);
    });

    it('refuses a move dated before the current membership began, writing nothing', async () => {
      const code = f.municipalities.RS[1]!;
      const before = await municipality(code);
      refused(
        await mutate('update', 'Municipality', {
          ibgeCode: code,
          expectedVersion: before.version,
          healthRegionCode: f.region.RS,
          effectiveFrom: '2025-01-01',
        }),
        'effectiveFrom',
        'before the current membership began',
      );
      expect(await municipality(code)).toEqual(before);
    });
  });

  describe('renaming a municipality', () => {
    it('dates the new name, so an official file of an earlier day does not put the old one back', async () => {
      const code = f.municipalities.RS[2]!;
      const before = await t.gql<{
        municipality: { name: string; nameAsOf: string; version: number };
      }>(`query($code: String!) { municipality(ibgeCode: $code) { name nameAsOf version } }`, {
        code,
      });
      const shipped = before.data!.municipality;
      expect(shipped.nameAsOf).toBe('2025-01-01');
      ok(
        await mutate('update', 'Municipality', {
          ibgeCode: code,
          expectedVersion: shipped.version,
          name: `${shipped.name} Novo`,
        }),
      );
      const file = writeFixture(
        fixtureDir(),
        'tb_municip.csv',
        `CO_MUNICIP,CO_STATUS,DS_NOME\n${code.slice(0, 6)},ATIVO,${shipped.name}\n`,
      );
      // The file is newer than the shipped name, older than the edit.
      const outcome = await importFiles(t.app.orm, 'territory-datasus', [file], {
        asOf: '2025-06-01',
      });
      expect(outcome.status === 'invalid' ? outcome.issues.lines() : outcome.status).toBe(
        'applied',
      );
      expect(outcome.notes.join('\n')).toContain(
        `1 name(s) in the file are older than the database's (the file is true on 2025-06-01)`,
      );
      const after = await t.gql<{
        municipality: {
          name: string;
          nameAsOf: string;
          nameHistory: { nodes: { name: string; knownFrom: string; knownTo: string }[] };
        };
      }>(
        `query($code: String!) { municipality(ibgeCode: $code) { name nameAsOf nameHistory { nodes { name knownFrom knownTo } } } }`,
        { code },
      );
      expect(after.data!.municipality).toEqual({
        name: `${shipped.name} Novo`,
        nameAsOf: today(),
        nameHistory: {
          nodes: [{ name: shipped.name, knownFrom: '2025-01-01', knownTo: '2025-06-01' }],
        },
      });
    });
  });

  describe('region memberships', () => {
    const base = () => ({ ibgeCode: f.municipalities.RS[10]!, healthRegionCode: f.region.RS });

    it('accepts spans that touch without sharing a day', async () => {
      ok(
        await mutate('create', 'RegionMembership', {
          ...base(),
          validFrom: '2010-01-01',
          validTo: '2015-01-01',
        }),
      );
      ok(
        await mutate('create', 'RegionMembership', {
          ...base(),
          healthRegionCode: otherRegion,
          validFrom: '2015-01-01',
          validTo: '2020-01-01',
        }),
      );
    });

    it('refuses overlapping memberships of one municipality', async () => {
      refused(
        await mutate('create', 'RegionMembership', {
          ...base(),
          validFrom: '2014-06-01',
          validTo: '2016-01-01',
        }),
        'validFrom',
        'Overlaps the membership',
      );
      // Within one upsert too: later rows see the earlier ones.
      const result = await upsert(
        t,
        'RegionMemberships',
        'RegionMembershipUpsertInput',
        [
          { ...base(), validFrom: '2000-01-01', validTo: '2005-01-01' },
          {
            ...base(),
            healthRegionCode: otherRegion,
            validFrom: '2004-01-01',
            validTo: '2006-01-01',
          },
        ],
        editor,
      );
      expect(result.rows.map((r) => r.status)).toEqual(['CREATED', 'INVALID']);
      expect(result.rows[1]!.errors[0]!.message).toContain('Overlaps the membership');
    });

    it('refuses validTo on or before validFrom', async () => {
      refused(
        await mutate('create', 'RegionMembership', {
          ...base(),
          validFrom: '1990-01-01',
          validTo: '1990-01-01',
        }),
        'validTo',
        'must come after validFrom',
      );
    });

    it('refuses an open membership of a region that is not the current one', async () => {
      refused(
        await mutate('create', 'RegionMembership', { ...base(), validFrom: '2030-01-01' }),
        'validTo',
        "the municipality's current region",
      );
    });
  });

  describe('population estimates', () => {
    const code = () => f.municipalities.MT[1]!;

    it('the newest year becomes the municipality population (versioned, audited)', async () => {
      const before = await municipality(code());
      const year = Math.min((before.populationYear ?? 2020) + 1, new Date().getUTCFullYear() + 1);
      ok(
        await mutate(
          'create',
          'PopulationEstimate',
          { ibgeCode: code(), year, population: 12345 },
          admin,
        ),
      );
      const after = await municipality(code());
      expect(after).toMatchObject({
        population: 12345,
        populationYear: year,
        version: before.version + 1,
      });
      const log = await t.gql<{ auditLog: { nodes: { entityType: string; action: string }[] } }>(
        `{ auditLog(filter: { actor: "territorio-admin", entityType: "Municipality" }, first: 5) { nodes { entityType action } } }`,
        {},
        admin,
      );
      expect(log.data!.auditLog.nodes).toEqual([{ entityType: 'Municipality', action: 'UPDATE' }]);
    });

    it('an older year is kept but does not replace the population', async () => {
      const before = await municipality(code());
      ok(
        await mutate(
          'create',
          'PopulationEstimate',
          { ibgeCode: code(), year: before.populationYear! - 5, population: 1 },
          admin,
        ),
      );
      expect(await municipality(code())).toEqual(before);
    });

    it('deleting the newest estimate puts the next newest back; restoring re-applies it', async () => {
      const history = async () =>
        (
          await t.gql<{
            municipality: {
              populationHistory: { nodes: { id: string; version: number; year: number }[] };
            };
          }>(
            `query($code: String!) { municipality(ibgeCode: $code) { populationHistory(first: 10) { nodes { id version year } } } }`,
            { code: code() },
          )
        ).data!.municipality.populationHistory.nodes;
      const before = await municipality(code());
      const [newest, older] = await history();
      expect(newest!.year).toBe(before.populationYear);
      const deleted = ok(await setDeleted('delete', 'PopulationEstimate', newest!));
      expect(await municipality(code())).toMatchObject({
        population: 1,
        populationYear: older!.year,
      });
      ok(await setDeleted('restore', 'PopulationEstimate', deleted));
      expect(await municipality(code())).toMatchObject({
        population: before.population,
        populationYear: before.populationYear,
        version: before.version + 2,
      });
    });

    it('refuses years outside 1872 … next year', async () => {
      const next = new Date().getUTCFullYear() + 1;
      refused(
        await mutate(
          'create',
          'PopulationEstimate',
          { ibgeCode: code(), year: next + 1, population: 10 },
          admin,
        ),
        'year',
        `for ${next} at the latest`,
      );
      refused(
        await mutate(
          'create',
          'PopulationEstimate',
          { ibgeCode: code(), year: 1800, population: 10 },
          admin,
        ),
        'year',
        'No estimate before 1872',
      );
    });
  });

  describe('participations', () => {
    beforeAll(async () => {
      ok(
        await mutate('create', 'Event', {
          code: 'PART-RS',
          kind: 'ASSEMBLY',
          title: 'Assembleia fictícia',
          startDate: '2025-03-10',
          modality: 'ONLINE',
          stateUf: 'RS',
        }),
      );
      ok(await mutate('create', 'Person', { code: 'PART-1', name: 'Pessoa Fictícia' }));
    });

    it('one participation per event × person', async () => {
      ok(await mutate('create', 'Participation', { eventCode: 'PART-RS', personCode: 'PART-1' }));
      refused(
        await mutate('create', 'Participation', {
          eventCode: 'PART-RS',
          personCode: 'PART-1',
          role: 'SPEAKER',
        }),
        'key',
        'already exists',
      );
      const result = await upsert(
        t,
        'Participations',
        'ParticipationUpsertInput',
        [
          { eventCode: 'PART-RS', municipalityIbgeCode: f.municipalities.RS[0] },
          { eventCode: 'PART-RS', municipalityIbgeCode: f.municipalities.RS[0], role: 'SPEAKER' },
        ],
        editor,
      );
      expect(result.rows.map((r) => r.status)).toEqual(['CREATED', 'INVALID']);
      expect(result.rows[1]!.errors[0]!.message).toContain('Same row as row 0');
    });

    it('is backed by a unique index on (event, person)', async () => {
      const em = t.app.orm.em.fork();
      em.create(Participation, {
        event: await em.findOneOrFail(Event, { code: 'PART-RS' }),
        person: await em.findOneOrFail(Person, { code: 'PART-1' }),
        role: ParticipationRole.ATTENDEE,
      });
      await expect(em.flush()).rejects.toBeInstanceOf(UniqueConstraintViolationException);
    });

    it('needs a person or a municipality, and known ones', async () => {
      refused(
        await mutate('create', 'Participation', { eventCode: 'PART-RS' }),
        'id',
        'natural key',
      );
      refused(
        await mutate('create', 'Participation', { eventCode: 'PART-RS', personCode: 'NOBODY' }),
        'personCode',
        'No person has code NOBODY',
      );
    });
  });

  describe('states and macroregions', () => {
    it('refuses to delete a state that still has municipalities', async () => {
      const rs = await t.gql<{ state: Row }>(`{ state(uf: "RS") { id version } }`);
      refused(
        await setDeleted('delete', 'State', rs.data!.state),
        'id',
        'RS still has 497 municipalities',
      );
    });

    it('lets an admin add and delete an empty state; the UF and code are fixed', async () => {
      const created = ok(
        await mutate(
          'create',
          'State',
          { uf: 'XA', ibgeCode: '60', name: 'Estado Fictício', region: 'SUL' },
          admin,
        ),
      );
      refused(
        await mutate(
          'update',
          'State',
          { uf: 'XA', ibgeCode: '61', expectedVersion: created.version },
          admin,
        ),
        'ibgeCode',
        'cannot change',
      );
      refused(
        await mutate(
          'create',
          'State',
          { uf: 'XB', ibgeCode: '43', name: 'Outro', region: 'SUL' },
          admin,
        ),
        'ibgeCode',
        "43 is RS's",
      );
      ok(await setDeleted('delete', 'State', created));
    });

    it('lets a state-scoped editor rename its own state, not create one', async () => {
      const rs = (await t.gql<{ state: { version: number } }>(`{ state(uf: "RS") { version } }`))
        .data!.state;
      ok(
        await mutate('update', 'State', {
          uf: 'RS',
          expectedVersion: rs.version,
          name: 'Rio Grande do Sul (teste)',
        }),
      );
      const refusedCreate = await mutate('create', 'State', {
        uf: 'XC',
        ibgeCode: '62',
        name: 'X',
        region: 'SUL',
      });
      expect(refusedCreate.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    });

    it('refuses to delete a macroregion that still groups regions', async () => {
      const macro = ok(
        await mutate('create', 'HealthMacroregion', { code: '4361', name: 'Macro Fictícia' }),
      );
      const region = ok(
        await mutate('create', 'HealthRegion', {
          code: '43903',
          name: 'Região Fictícia',
          macroregionCode: '4361',
        }),
      );
      refused(
        await setDeleted('delete', 'HealthMacroregion', macro, editor),
        'id',
        'still groups 1 health regions',
      );
      ok(await setDeleted('delete', 'HealthRegion', region, editor));
      ok(await setDeleted('delete', 'HealthMacroregion', macro, editor));
    });
  });
});
