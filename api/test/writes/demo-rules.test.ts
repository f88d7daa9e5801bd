import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoSeedResult, seedDemoNetwork } from '../../../seeds/demo/demo.seed';
import { AuditEntry } from '../../src/audit/audit-entry.entity';
import { AuditAction, AuditVia } from '../../src/audit/audit.enums';
import { auditStateUf } from '../../src/audit/audit.service';
import { revertImport } from '../../src/audit/revert-import';
import { ImportRun, ImportStatus } from '../../src/imports/import-run.entity';
import { Municipality } from '../../src/territory/municipality.entity';
import { systemViewer } from '../../src/auth/viewer';
import { toGlobalId } from '../../src/common/global-id';
import { Batch } from '../../src/writes/write.batch';
import { writeSpecs } from '../../src/writes/write.registry';
import { MAX_UPSERT_ROWS, writeRows } from '../../src/writes/write.service';
import { createTestApp, databaseAvailable, driver, type TestApp } from '../helpers';

/*
 * The demo seed writes its rows as an import does (flat rows through each entity's import target,
 * planned and applied in bulk, audited under one import run), without a file. This holds its
 * rows to the write specs' rules too: every live row of the demo network (and of the shipped
 * territory), sent back through its entity's write spec as an update of every field, in a dry
 * run, must be valid (zod schema, domain checks) and unchanged (the generator gave it the values
 * the spec would). Then the run is reverted as any import is, and no demo row is left.
 */
describe.skipIf(!databaseAvailable)(`the demo network under the write specs (${driver})`, () => {
  let t: TestApp;
  let seeded: DemoSeedResult;
  beforeAll(async () => {
    t = await createTestApp();
    seeded = await seedDemoNetwork(t.app.orm, { seed: 425, scale: 1 });
  }, 600_000);
  afterAll(async () => {
    await t?.close();
  });

  it.each([...writeSpecs.values()].map((spec) => [spec.typeName, spec] as const))(
    '%s: every row is valid, unchanged, and audited under the state a mutation gives it',
    async (_name, spec) => {
      const em = t.app.orm.em.fork();
      const ids = (
        await em.find(spec.entity, { deletedAt: null } as never, {
          fields: ['id'] as never,
          orderBy: { id: 'asc' } as never,
        })
      ).map((row) => row.id);
      const statuses = new Map<string, number>();
      const refused: unknown[] = [];
      const misplaced: unknown[] = [];
      let audited = 0;
      for (let start = 0; start < ids.length; start += MAX_UPSERT_ROWS) {
        const chunk = em.fork();
        const batch = new Batch(chunk, systemViewer('demo-rules'));
        await batch.loadStates();
        const rows = await spec.load(chunk, {
          ids: ids.slice(start, start + MAX_UPSERT_ROWS),
          keys: [],
        });
        const inputs = rows.map((row) => ({
          ...spec.snapshot(row, batch),
          id: toGlobalId(spec.typeName, row.id),
          expectedVersion: row.version,
        }));
        const result = await writeRows(
          {
            em: chunk,
            viewer: systemViewer('demo-rules'),
            via: AuditVia.SYSTEM,
            lockRows: false,
          },
          spec,
          'update',
          inputs,
          { dryRun: true },
        );
        for (const row of result.rows) {
          statuses.set(row.status, (statuses.get(row.status) ?? 0) + 1);
          if (row.status !== 'UNCHANGED' && refused.length < 5) {
            refused.push({ row: inputs[row.rowIndex], status: row.status, errors: row.errors });
          }
        }
        // The state the seed audited each row under is the one a mutation's entry would have.
        // (Not a person's: theirs is their mandates' state, which the seed writes after them.)
        if (spec.typeName !== 'Person') {
          await spec.prepare(batch, inputs);
          const entries = await chunk.find(AuditEntry, {
            importRunId: seeded.runId,
            entityType: spec.typeName,
            entityId: { $in: rows.map((row) => row.id) },
          });
          const auditedUf = new Map(entries.map((entry) => [entry.entityId, entry.stateUf]));
          rows.forEach((row, index) => {
            if (!auditedUf.has(row.id)) {
              return; // a shipped territory row the seed did not write
            }
            audited += 1;
            const expected = auditStateUf(spec.ufsOf(inputs[index]!, batch));
            if (auditedUf.get(row.id) !== expected && misplaced.length < 5) {
              misplaced.push({ id: row.id, audited: auditedUf.get(row.id), expected });
            }
          });
        }
      }
      expect(refused).toEqual([]);
      expect(Object.fromEntries(statuses)).toEqual(ids.length ? { UNCHANGED: ids.length } : {});
      expect(misplaced).toEqual([]);
      expect(audited).toBe(spec.typeName === 'Person' ? 0 : (seeded.rows[spec.typeName] ?? 0));
    },
    600_000,
  );

  it('is one import run: every row it wrote has one audit entry of that run', async () => {
    const em = t.app.orm.em.fork();
    const run = await em.findOneOrFail(ImportRun, seeded.runId);
    expect([run.kind, run.status, run.source]).toEqual(['demo', ImportStatus.SUCCEEDED, 'demo']);
    expect(run.counts).toMatchObject(seeded.rows);
    for (const [entityType, count] of Object.entries(seeded.rows)) {
      // Municipalities only get their demo region; every other entity's rows are new.
      const action = entityType === 'Municipality' ? AuditAction.UPDATE : AuditAction.CREATE;
      const entries = await em.count(AuditEntry, { importRunId: run.id, entityType, action });
      const stored = await liveDemoRows(em, entityType);
      expect({ entityType, entries, stored }).toEqual({
        entityType,
        entries: count,
        stored: count,
      });
    }
    expect(await em.count(AuditEntry, { importRunId: run.id })).toBe(
      Object.values(seeded.rows).reduce((sum, count) => sum + count, 0),
    );
  });

  it('is undone by reverting its run, as any import is', async () => {
    const result = await revertImport(
      {
        em: t.app.orm.em.fork(),
        viewer: systemViewer('demo-rules'),
        via: AuditVia.IMPORT,
        lockRows: driver === 'postgresql',
      },
      seeded.runId,
    );
    expect(result.reverted).toBe(Object.values(seeded.rows).reduce((sum, count) => sum + count, 0));
    const em = t.app.orm.em.fork();
    for (const entityType of Object.keys(seeded.rows)) {
      const live = await liveDemoRows(em, entityType);
      expect({ entityType, live }).toEqual({ entityType, live: 0 });
    }
    expect(await em.count(Municipality, { deletedAt: null })).toBeGreaterThan(5000);
  }, 600_000);
});

/** Live rows the demo wrote: its own rows, or (municipalities) those it gave a demo region. */
function liveDemoRows(em: TestApp['app']['orm']['em'], entityType: string): Promise<number> {
  const where =
    entityType === 'Municipality'
      ? { healthRegion: { $ne: null } }
      : { source: 'demo', deletedAt: null };
  return em.count(writeSpecs.get(entityType)!.entity, where as never);
}
