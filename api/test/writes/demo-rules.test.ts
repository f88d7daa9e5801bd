import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoNetwork } from '../../../seeds/demo/demo.seed';
import { AuditVia } from '../../src/audit/audit.enums';
import { systemViewer } from '../../src/auth/viewer';
import { toGlobalId } from '../../src/common/global-id';
import { Batch } from '../../src/writes/write.batch';
import { writeSpecs } from '../../src/writes/write.registry';
import { MAX_UPSERT_ROWS, writeRows } from '../../src/writes/write.service';
import { createTestApp, databaseAvailable, driver, type TestApp } from '../helpers';

/*
 * The demo seed writes its rows in bulk, not through the write specs. This holds it to their
 * rules: every live row of the demo network (and of the shipped territory), sent back through its
 * entity's write spec as an update of every field, in a dry run, must be valid (zod schema,
 * domain checks) and unchanged (the seed normalised it as the spec would).
 */
describe.skipIf(!databaseAvailable)(`the demo network under the write specs (${driver})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    await seedDemoNetwork(t.app.orm, { seed: 425, scale: 1 });
  }, 600_000);
  afterAll(async () => {
    await t?.close();
  });

  it.each([...writeSpecs.values()].map((spec) => [spec.typeName, spec] as const))(
    '%s: every row is valid and unchanged',
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
      }
      expect(refused).toEqual([]);
      expect(Object.fromEntries(statuses)).toEqual(ids.length ? { UNCHANGED: ids.length } : {});
    },
    600_000,
  );
});
