import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initOrm, type Orm } from '../../src/db/orm';
import { scratchDatabase, type ScratchDatabase } from '../database';
import { databaseAvailable, driver, testDatabase } from '../helpers';

const BEFORE = 'Migration20261203094851_person_home_state_export_token_last_used';
const RENAMING = 'Migration20261204190000_audit_flat_names';

/** One audit entry as the import engine wrote it before the rename, and what it must become. */
interface Case {
  run: 'engine' | 'sheet';
  entityType: string;
  action: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  expected: { before: Record<string, unknown> | null; after: Record<string, unknown> | null };
}

const cases: Case[] = [
  {
    run: 'engine',
    entityType: 'Event',
    action: 'CREATE',
    before: null,
    after: { code: 'E1', state: 'RS', healthRegion: null, municipality: '4314902', topics: ['a'] },
    expected: {
      before: null,
      after: {
        code: 'E1',
        stateUf: 'RS',
        healthRegionCode: null,
        municipalityIbgeCode: '4314902',
        topics: ['a'],
      },
    },
  },
  {
    // An update lists only what it changed: no key is added.
    run: 'engine',
    entityType: 'Municipality',
    action: 'UPDATE',
    before: { healthRegion: '43001' },
    after: { healthRegion: '43002' },
    expected: { before: { healthRegionCode: '43001' }, after: { healthRegionCode: '43002' } },
  },
  {
    run: 'engine',
    entityType: 'Mandate',
    action: 'CREATE',
    before: null,
    after: { code: 'M1', person: 'P1', healthRegions: ['43001', '43002'], state: null },
    expected: {
      before: null,
      after: { code: 'M1', personCode: 'P1', healthRegionCodes: ['43001', '43002'], stateUf: null },
    },
  },
  {
    run: 'engine',
    entityType: 'RegionMembership',
    action: 'REVERT',
    before: { municipality: '4314902', healthRegion: '43001', validTo: null },
    after: { deletedAt: '2026-12-01T00:00:00.000Z' },
    expected: {
      before: { ibgeCode: '4314902', healthRegionCode: '43001', validTo: null },
      after: { deletedAt: '2026-12-01T00:00:00.000Z' },
    },
  },
  {
    // A sheet pushed as an import went through the write service: its names were already these.
    run: 'sheet',
    entityType: 'Event',
    action: 'UPDATE',
    before: { state: 'kept' },
    after: { stateUf: 'RS' },
    expected: { before: { state: 'kept' }, after: { stateUf: 'RS' } },
  },
];

const parsed = (value: unknown) =>
  typeof value === 'string' ? (JSON.parse(value) as unknown) : (value ?? null);

describe.skipIf(!databaseAvailable)(`migration ${RENAMING} (${driver})`, () => {
  let scratch: ScratchDatabase;
  let orm: Orm;
  beforeAll(async () => {
    scratch = await scratchDatabase(testDatabase, { empty: true });
    orm = await initOrm({ database: scratch.target });
    await orm.getMigrator().up({ to: BEFORE });
    const connection = orm.em.getConnection();
    const now = new Date();
    for (const [index, run] of (['engine', 'sheet'] as const).entries()) {
      await connection.execute(
        `insert into import_runs (id, created_at, updated_at, version, source, kind, file_names,
           sha256, status, actor, started_at, counts, errors)
         values (?, ?, ?, 1, ?, ?, '[]', ?, 'SUCCEEDED', 'test', ?, '{}', '[]')`,
        [index + 1, now, now, run === 'engine' ? 'import:events' : 'sheets', 'events', 'x', now],
      );
    }
    for (const [index, c] of cases.entries()) {
      await connection.execute(
        `insert into audit_entries (id, at, actor, entity_type, entity_id, action, before, after,
           via, import_run_id)
         values (?, ?, 'test', ?, ?, ?, ?, ?, 'IMPORT', ?)`,
        [
          index + 1,
          now,
          c.entityType,
          index + 1,
          c.action,
          c.before && JSON.stringify(c.before),
          c.after && JSON.stringify(c.after),
          c.run === 'engine' ? 1 : 2,
        ],
      );
    }
  });
  afterAll(async () => {
    await orm?.close(true);
    await scratch?.drop();
  });

  async function stored() {
    const rows: { before: unknown; after: unknown }[] = await orm.em
      .getConnection()
      .execute('select id, before, after from audit_entries order by id');
    return rows.map((row) => ({ before: parsed(row.before), after: parsed(row.after) }));
  }

  it("renames the engine's keys to the write specs' names, only where present, and nothing else", async () => {
    const applied = await orm.getMigrator().up({ to: RENAMING });
    expect(applied.map((migration) => migration.name)).toEqual([RENAMING]);
    expect(await stored()).toEqual(cases.map((c) => c.expected));
  });

  it('goes back down to the names it found', async () => {
    await orm.getMigrator().down({ to: BEFORE });
    expect(await stored()).toEqual(cases.map((c) => ({ before: c.before, after: c.after })));
    await orm.getMigrator().up();
  });
});
