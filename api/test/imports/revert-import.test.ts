import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditEntry } from '../../src/audit/audit-entry.entity';
import { AuditAction } from '../../src/audit/audit.enums';
import { Role } from '../../src/auth/auth.enums';
import { ImportRun, ImportStatus } from '../../src/imports/import-run.entity';
import { countsByEntity } from '../../src/imports/import.engine';
import { Person } from '../../src/people/person.entity';
import { Event } from '../../src/activity/event.entity';
import { createTestApp, databaseAvailable, driver, type TestApp } from '../helpers';
import { bearer, upsert } from '../writes/fixtures';
import {
  datasusTables,
  fixtureDir,
  graphContent,
  importFiles,
  writeFixture,
} from './import-helpers';

const revertMutation = `mutation($id: ID!, $force: Boolean) {
  revertImport(id: $id, force: $force) { importRunId reverted entries { action entityType importRunId } }
}`;

interface RevertData {
  revertImport: {
    importRunId: number;
    reverted: number;
    entries: { action: string; entityType: string; importRunId: number }[];
  };
}

describe.skipIf(!databaseAvailable)(`revertImport of import runs (${driver})`, () => {
  let test: TestApp;
  let dir: string;
  let admin: Record<string, string>;

  beforeAll(async () => {
    test = await createTestApp();
    dir = fixtureDir();
    admin = bearer(await test.createKey(Role.ADMIN, null, 'revert-admin'));
  });
  afterAll(async () => {
    await test?.close();
  });

  async function applied(kind: string, files: string[], asOf?: string): Promise<number> {
    const outcome = await importFiles(test.app.orm, kind, files, { asOf, force: true });
    expect(outcome.status === 'invalid' ? outcome.issues.lines() : outcome.status).toBe('applied');
    return outcome.status === 'applied' ? outcome.runId : 0;
  }

  const revert = (id: number, force?: boolean) =>
    test.gql<RevertData>(revertMutation, { id: String(id), force }, admin);

  function tableFiles(tables: Record<string, Buffer>, prefix: string): string[] {
    return Object.entries(tables).map(([name, bytes]) =>
      writeFixture(dir, `${prefix}-${name}.csv`, bytes),
    );
  }

  it('reverts territory imports one by one back to the graph before each', async () => {
    const start = await graphContent(test.app.orm);
    const first = await applied(
      'territory-datasus',
      tableFiles(datasusTables(), '2025'),
      '2025-01-01',
    );
    const afterFirst = await graphContent(test.app.orm);
    expect(afterFirst).not.toEqual(start);
    // A later publication moves Canoas to another region and renames a macroregion.
    const moved = datasusTables({
      rl_municip_regsaud: (text) => text.replace('430460;43001', '430460;43002'),
      tb_macsaud: (text) => text.replace('Serra e Sul', 'Serra, Campos e Sul'),
    });
    const second = await applied('territory-datasus', tableFiles(moved, '2026'), '2026-03-01');
    const entries = await test.app.orm.em.fork().count(AuditEntry, { importRunId: second });
    // Macroregion name, municipality region (and macroregion), old membership closed, new one,
    // and the seven names given again on a later day (their name history's knownTo).
    expect(entries).toBe(11);

    const reverted = await revert(second);
    expect(reverted.errors).toBeUndefined();
    expect(reverted.data!.revertImport.reverted).toBe(11);
    expect(
      reverted.data!.revertImport.entries.every(
        (entry) => entry.action === 'REVERT' && entry.importRunId === second,
      ),
    ).toBe(true);
    expect(await graphContent(test.app.orm)).toEqual(afterFirst);

    const all = await revert(first);
    expect(all.errors).toBeUndefined();
    expect(await graphContent(test.app.orm)).toEqual(start);
    const runs = await test.app.orm.em
      .fork()
      .find(ImportRun, { id: { $in: [first, second] } }, { orderBy: { id: 'asc' } });
    expect(runs.map((run) => run.status)).toEqual([ImportStatus.REVERTED, ImportStatus.REVERTED]);

    // Imported again after the revert: the soft-deleted rows come back, nothing is duplicated.
    const again = await importFiles(
      test.app.orm,
      'territory-datasus',
      tableFiles(datasusTables(), '2025b'),
      { asOf: '2025-01-01' },
    );
    expect(again.status).toBe('applied');
    expect(await graphContent(test.app.orm)).toEqual(afterFirst);
  });

  it('brings back rows a --prune import soft-deleted', async () => {
    const people = (rows: string[]) =>
      writeFixture(dir, `people-${rows.length}.csv`, `codigo;nome\n${rows.join('\n')}\n`);
    await applied('people', [people(['RV1;Ana Revert', 'RV2;Bruno Revert', 'RV3;Carla Revert'])]);
    const before = await graphContent(test.app.orm);
    const outcome = await importFiles(
      test.app.orm,
      'people',
      [people(['RV1;Ana Revertida', 'RV2;Bruno Revert'])],
      { prune: true },
    );
    expect(outcome.status).toBe('applied');
    if (outcome.status !== 'applied') {
      return;
    }
    const counts = countsByEntity(outcome.plans).Person!;
    expect([counts.updated, counts.deleted]).toEqual([1, 1]);
    const result = await revert(outcome.runId);
    expect(result.errors).toBeUndefined();
    expect(result.data!.revertImport.reverted).toBe(2);
    expect(await graphContent(test.app.orm)).toEqual(before);
    const carla = await test.app.orm.em.fork().findOneOrFail(Person, { code: 'RV3' });
    expect(carla.deletedAt ?? null).toBeNull();
  });

  it('reverts the rows an import created set-based: the same statements for 100 and 3,000 rows, one REVERT entry each', async () => {
    const events = (prefix: string, count: number) => {
      const lines = ['code,kind,title,start,uf'];
      for (let i = 1; i <= count; i += 1) {
        lines.push(`${prefix}-${i},CIR_MEETING,Reunião ${i},2025-03-15,RS`);
      }
      return writeFixture(dir, `revert-${prefix}.csv`, `${lines.join('\n')}\n`);
    };
    const statementsToRevert = async (prefix: string, count: number) => {
      const before = await graphContent(test.app.orm);
      const runId = await applied('events', [events(prefix, count)]);
      test.statements.reset();
      const result = await revert(runId);
      const statements = test.statements.count;
      expect(result.errors).toBeUndefined();
      expect(result.data!.revertImport.reverted).toBe(count);
      expect(result.data!.revertImport.entries).toHaveLength(Math.min(count, 1000));
      expect(await graphContent(test.app.orm)).toEqual(before);
      return { runId, statements };
    };
    const small = await statementsToRevert('RS', 100);
    const large = await statementsToRevert('RL', 3000);
    expect(large.statements).toBe(small.statements);

    const em = test.app.orm.em.fork();
    const entries = await em.find(
      AuditEntry,
      { importRunId: large.runId },
      { orderBy: { id: 'asc' } },
    );
    const created = entries.filter((entry) => entry.action === AuditAction.CREATE);
    const reverts = entries.filter((entry) => entry.action === AuditAction.REVERT);
    expect([created.length, reverts.length]).toEqual([3000, 3000]);
    // The entry the row-by-row revert writes: the row as it was (live), then deleted.
    reverts.forEach((entry, index) => {
      const create = created[index]!;
      expect(entry.entityId).toBe(create.entityId);
      expect(entry.before).toEqual({ ...create.after, deleted: false });
      expect(entry.after).toEqual({ ...create.after, deleted: true });
      expect([entry.stateUf, entry.actor]).toEqual([create.stateUf, 'revert-admin']);
    });
    const rows = await em.find(Event, { code: { $like: 'RL-%' } });
    expect(rows).toHaveLength(3000);
    expect(rows.every((row) => row.deletedAt !== null && row.version === 2)).toBe(true);
  });

  it('refuses with CONFLICT when a row changed after the import; force reverts it; twice is an error', async () => {
    const file = writeFixture(
      dir,
      'people-conflict.csv',
      'codigo;nome\nRC1;Dora Conflito\nRC2;Elias Conflito\n',
    );
    const runId = await applied('people', [file]);
    const em = test.app.orm.em.fork();
    const elias = await em.findOneOrFail(Person, { code: 'RC2' });
    await upsert(
      test,
      'People',
      'PersonUpsertInput',
      [{ code: 'RC2', expectedVersion: elias.version, name: 'Elias Editado' }],
      admin,
    );
    const before = await graphContent(test.app.orm);

    const refused = await revert(runId);
    expect(refused.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect(refused.errors?.[0]?.message).toBe(
      `1 row(s) changed after import ${runId}; nothing was reverted (force: true, or --force on the command line, reverts them anyway)`,
    );
    const conflicts = (
      refused.errors?.[0]?.extensions?.current as {
        conflicts: { entityType: string; key: string; fields: string[]; changedBy: unknown[] }[];
      }
    ).conflicts;
    expect(conflicts).toEqual([
      expect.objectContaining({
        entityType: 'Person',
        key: 'RC2',
        reason: 'changed after the import',
        fields: ['name', 'nameSearch'],
      }),
    ]);
    expect(conflicts[0]!.changedBy).toHaveLength(1);
    expect(await graphContent(test.app.orm)).toEqual(before);

    const forced = await revert(runId, true);
    expect(forced.errors).toBeUndefined();
    expect(forced.data!.revertImport.reverted).toBe(2);
    const left = await test.app.orm.em
      .fork()
      .find(Person, { code: { $in: ['RC1', 'RC2'] }, deletedAt: null });
    expect(left).toHaveLength(0);
    const audit = await test.app.orm.em
      .fork()
      .find(AuditEntry, { importRunId: runId, action: AuditAction.REVERT });
    expect(audit).toHaveLength(2);

    const twice = await revert(runId, true);
    expect(twice.errors?.[0]?.message).toBe(`Import run ${runId} is already reverted`);
  });
});
