import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrationsFor } from '../../src/db/migrations';
import { startServerProcess, type ServerProcess } from '../child-process';
import { scratchDatabase, type ScratchDatabase } from '../database';
import { databaseAvailable, driver, testDatabase } from '../helpers';

/**
 * Several API instances on one PostgreSQL (issue #20). Start-up takes a database lock, so three
 * instances started at the same moment on an empty database migrate and seed it once.
 */
describe.skipIf(!databaseAvailable || driver !== 'postgresql')(
  'three instances started at once on an empty database',
  () => {
    let scratch: ScratchDatabase;
    let servers: ServerProcess[] = [];
    beforeAll(async () => {
      scratch = await scratchDatabase(testDatabase, { empty: true });
    });
    afterAll(async () => {
      await Promise.all(servers.map((server) => server.stop()));
      await scratch?.drop();
    });

    it('migrate and seed it exactly once, under the advisory lock, and all serve', async () => {
      const url = scratch.target.driver === 'postgresql' ? scratch.target.url : '';
      servers = await Promise.all(
        [0, 1, 2].map(() =>
          startServerProcess({
            DATABASE_URL: url,
            LOG_LEVEL: 'info',
            SEED_ON_START: 'true',
            DEMO_ON_START: 'false',
          }),
        ),
      );
      const logs = servers.map((server) => server.logs());
      const count = (pattern: RegExp) =>
        logs.reduce((total, log) => total + (log.match(pattern)?.length ?? 0), 0);
      expect(count(/"msg":"applied migrations"/g)).toBe(1);
      expect(count(/"msg":"loaded the shipped territory"/g)).toBe(1);
      // The first admin key is made once and printed once, by the instance that seeded.
      expect(count(/No admin API key existed, so one was created/g)).toBe(1);
      // The others said why they waited (they tried the lock while the first held it).
      expect(count(/another instance is migrating or seeding; waiting for it/g)).toBe(2);

      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        const migrations = await client.query<{ name: string; n: string }>(
          'select name, count(*) as n from mikro_orm_migrations group by name',
        );
        expect(migrations.rows.length).toBe(migrationsFor('postgresql').length);
        expect(migrations.rows.filter((row) => row.n !== '1')).toEqual([]);
        const counts = await client.query<{
          states: string;
          municipalities: string;
          admins: string;
        }>(
          `select (select count(*) from states) as states,
                  (select count(*) from municipalities) as municipalities,
                  (select count(*) from api_keys where role = 'ADMIN') as admins`,
        );
        expect(counts.rows[0]).toEqual({ states: '27', municipalities: '5571', admins: '1' });
        const locks = await client.query(
          'select 1 from pg_locks where locktype = $1 and objid = $2',
          ['advisory', 0x52656465],
        );
        expect(locks.rowCount).toBe(0);
      } finally {
        await client.end();
      }
      for (const server of servers) {
        const response = await fetch(`${server.url}/ready`);
        expect(response.status).toBe(200);
      }
    });
  },
);
