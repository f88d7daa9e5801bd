import { ReferenceKind } from '@mikro-orm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initOrm, migrate, type Orm } from '../../src/db/orm';
import { seedTerritory } from '../../src/territory/territory.seed';
import { scratchDatabase, type ScratchDatabase } from '../database';
import { databaseAvailable, driver, testDatabase } from '../helpers';

describe.skipIf(!databaseAvailable)(`migrations (${driver})`, () => {
  let scratch: ScratchDatabase;
  let orm: Orm;
  beforeAll(async () => {
    scratch = await scratchDatabase(testDatabase, { empty: true });
    orm = await initOrm({ database: scratch.target });
  });
  afterAll(async () => {
    await orm?.close(true);
    await scratch?.drop();
  });

  it('build the schema the entities describe (run `npm run db:migration -- <name>` when this fails)', async () => {
    const applied = await migrate(orm);
    expect(applied.length).toBeGreaterThan(0);
    if (driver === 'postgresql') {
      const pending = await orm.getSchemaGenerator().getUpdateSchemaSQL({ wrap: false });
      expect(pending.trim(), 'entities and committed migrations disagree').toBe('');
      return;
    }
    // MikroORM's SQLite diff re-creates every table with an enum check (a known false positive),
    // so on SQLite compare what matters: every entity table and column exists.
    const missing: string[] = [];
    for (const meta of Object.values(orm.getMetadata().getAll())) {
      if (meta.abstract || meta.embeddable || !meta.tableName) {
        continue;
      }
      const columns = new Set(
        (
          await orm.em
            .getConnection()
            .execute<{ name: string }[]>(`pragma table_info(\`${meta.tableName}\`)`)
        ).map((column: { name: string }) => column.name),
      );
      for (const prop of meta.props.filter(
        (p) => p.kind === ReferenceKind.SCALAR || p.kind === ReferenceKind.MANY_TO_ONE,
      )) {
        for (const fieldName of prop.persist === false ? [] : (prop.fieldNames ?? [])) {
          if (!columns.has(fieldName)) {
            missing.push(`${meta.tableName}.${fieldName}`);
          }
        }
      }
    }
    expect(missing, 'columns the entities need but the migrations do not create').toEqual([]);
  });

  it('are idempotent on start: a second run applies nothing', async () => {
    expect(await migrate(orm)).toEqual([]);
  });

  it('leave a database the shipped territory loads into once, and only once', async () => {
    const first = await seedTerritory(orm.em.fork());
    expect(first).toEqual({ statesCreated: 27, municipalitiesCreated: 5571 });
    const second = await seedTerritory(orm.em.fork());
    expect(second).toEqual({ statesCreated: 0, municipalitiesCreated: 0 });
  });
});
