import { ref } from '@mikro-orm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../src/auth/auth.enums';
import { searchText } from '../../src/common/text';
import { HealthRegion } from '../../src/territory/health-region.entity';
import { Municipality } from '../../src/territory/municipality.entity';
import { RegionMembership } from '../../src/territory/region-membership.entity';
import { State } from '../../src/territory/state.entity';
import { createTestApp, databaseAvailable, type TestApp } from '../helpers';
import { bearer, seedWriteFixtures, upsert } from './fixtures';

type Row = Record<string, unknown>;

/** `YYYY-MM-DD`, `days` after 2000-01-01. */
function day(days: number): string {
  return new Date(Date.UTC(2000, 0, 1 + days)).toISOString().slice(0, 10);
}

interface Subject {
  plural: string;
  inputType: string;
  /** Row `i` of a run that starts at `from` (runs never share a natural key). */
  row(from: number, i: number): Row;
  /** What an update changes in row `i`. */
  change(from: number, i: number): Row;
}

describe.skipIf(!databaseAvailable)(
  'bulk upsert of territory history and participations: statements grow with batches, not rows',
  () => {
    let t: TestApp;
    let admin: Record<string, string>;
    /** Every municipality of the database with a test region of its own state. */
    let placed: { ibgeCode: string; region: string }[];
    const states: string[] = [];

    beforeAll(async () => {
      t = await createTestApp();
      await seedWriteFixtures(t);
      admin = bearer(await t.createKey(Role.ADMIN, null, 'contagem'));
      const em = t.app.orm.em.fork();
      for (const state of await em.find(State, {}, { orderBy: { ibgeCode: 'asc' } })) {
        states.push(state.ibgeCode);
      }
      // One region per state so that memberships of any municipality have a region to point to.
      const regions = new Map<string, string>();
      for (const state of await em.find(State, {})) {
        const code = `${state.ibgeCode}902`;
        em.create(HealthRegion, {
          code,
          name: `Região de contagem ${state.uf}`,
          nameSearch: searchText(`Região de contagem ${state.uf}`),
          state: ref(state),
          demo: false,
        });
        regions.set(state.ibgeCode, code);
      }
      await em.flush();
      placed = (await em.find(Municipality, {}, { orderBy: { ibgeCode: 'asc' } })).map((m) => ({
        ibgeCode: m.ibgeCode,
        region: regions.get(m.ibgeCode.slice(0, 2))!,
      }));
      await upsert(
        t,
        'Events',
        'EventUpsertInput',
        [
          {
            code: 'CONTAGEM',
            kind: 'ASSEMBLY',
            title: 'Assembleia fictícia',
            startDate: '2025-03-10',
            modality: 'ONLINE',
            stateUf: 'RS',
          },
        ],
        admin,
      );
      const people = Array.from({ length: 1010 }, (_, i) => ({
        code: `CONTAGEM-${i}`,
        name: `Pessoa Fictícia ${i}`,
      }));
      const created = await upsert(t, 'People', 'PersonUpsertInput', people, admin);
      expect(created.created).toBe(1010);
    }, 120_000);
    afterAll(async () => {
      await t?.close();
    });

    const subjects: Subject[] = [
      {
        plural: 'HealthMacroregions',
        inputType: 'HealthMacroregionUpsertInput',
        // 4-digit codes: state code + 50…99, fifty per state.
        row: (from, i) => ({
          code: `${states[Math.floor((from + i) / 50)]}${50 + ((from + i) % 50)}`,
          name: `Macrorregião Fictícia ${from + i}`,
        }),
        change: () => ({ name: 'Macrorregião Renomeada' }),
      },
      {
        plural: 'RegionMemberships',
        inputType: 'RegionMembershipUpsertInput',
        // Two-day spans of one municipality per run (none overlaps another); updates shorten them.
        row: (from, i) => ({
          ibgeCode: placed[from === 0 ? 0 : 1]!.ibgeCode,
          healthRegionCode: placed[from === 0 ? 0 : 1]!.region,
          validFrom: day(2 * i),
          validTo: day(2 * i + 2),
        }),
        change: (_from, i) => ({ validTo: day(2 * i + 1) }),
      },
      {
        plural: 'PopulationEstimates',
        inputType: 'PopulationEstimateUpsertInput',
        row: (from, i) => ({
          ibgeCode: placed[(from + i) % 500]!.ibgeCode,
          year: 1900 + Math.floor((from + i) / 500),
          population: 1000 + i,
        }),
        change: () => ({ population: 5 }),
      },
      {
        plural: 'Participations',
        inputType: 'ParticipationUpsertInput',
        row: (from, i) => ({ eventCode: 'CONTAGEM', personCode: `CONTAGEM-${from + i}` }),
        change: () => ({ role: 'SPEAKER' }),
      },
    ];

    for (const subject of subjects) {
      it(`upsert${subject.plural}: 10 vs 1,000 rows, created and updated`, async () => {
        const rowsFor = (from: number, count: number) =>
          Array.from({ length: count }, (_, i) => subject.row(from, i));
        const measure = async (rows: Row[]) => {
          t.statements.reset();
          const result = await upsert(t, subject.plural, subject.inputType, rows, admin);
          return { count: t.statements.count, result };
        };
        const small = await measure(rowsFor(0, 10));
        const large = await measure(rowsFor(10, 1000));
        expect(small.result.created, JSON.stringify(small.result.rows[0])).toBe(10);
        expect(large.result.created, JSON.stringify(large.result.rows[0])).toBe(1000);
        const changed = (from: number, count: number) =>
          rowsFor(from, count).map((row, i) => ({
            ...row,
            ...subject.change(from, i),
            expectedVersion: 1,
          }));
        const smallUpdate = await measure(changed(0, 10));
        const largeUpdate = await measure(changed(10, 1000));
        expect(smallUpdate.result.updated, JSON.stringify(smallUpdate.result.rows[0])).toBe(10);
        expect(largeUpdate.result.updated, JSON.stringify(largeUpdate.result.rows[0])).toBe(1000);
        console.info(
          `statements (${t.config.database.driver}) upsert${subject.plural}: create 10 rows → ${small.count}, 1,000 rows → ${large.count}; update 10 → ${smallUpdate.count}, 1,000 → ${largeUpdate.count}`,
        );
        // Two batches of 500: at most twice one batch, plus MikroORM's 300-row flush chunks (an
        // estimate of the newest year writes its row, its municipality and two audit entries).
        expect(large.count).toBeLessThanOrEqual(2 * small.count + 12);
        expect(largeUpdate.count).toBeLessThanOrEqual(2 * smallUpdate.count + 12);
        expect(large.count).toBeLessThan(60);
        expect(largeUpdate.count).toBeLessThan(60);
      }, 120_000);
    }

    it('upsertMunicipalities moving 10 vs 1,000 municipalities to another region (history written too)', async () => {
      const rowsFor = (from: number, count: number) =>
        placed.slice(2000 + from, 2000 + from + count).map((m) => ({
          ibgeCode: m.ibgeCode,
          healthRegionCode: m.region,
          effectiveFrom: '2025-07-01',
          expectedVersion: 1,
        }));
      const measure = async (rows: Row[]) => {
        t.statements.reset();
        const result = await upsert(t, 'Municipalities', 'MunicipalityUpsertInput', rows, admin);
        return { count: t.statements.count, result };
      };
      const small = await measure(rowsFor(0, 10));
      const large = await measure(rowsFor(10, 1000));
      expect(small.result.updated, JSON.stringify(small.result.rows[0])).toBe(10);
      expect(large.result.updated, JSON.stringify(large.result.rows[0])).toBe(1000);
      const opened = await t.app.orm.em
        .fork()
        .count(RegionMembership, { validFrom: '2025-07-01', validTo: null });
      expect(opened).toBe(1010);
      console.info(
        `statements (${t.config.database.driver}) upsertMunicipalities with a region change: 10 rows → ${small.count}, 1,000 rows → ${large.count}`,
      );
      expect(large.count).toBeLessThanOrEqual(2 * small.count + 12);
      expect(large.count).toBeLessThan(60);
    }, 120_000);
  },
);
