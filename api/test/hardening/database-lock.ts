import pg from 'pg';
import type { DatabaseTarget } from '../../src/config';

/**
 * Holds a lock that makes every read of `municipalities` wait, from a connection outside the API:
 * `LOCK TABLE … ACCESS EXCLUSIVE` on PostgreSQL (SQLite readers never wait in WAL mode). The
 * deterministic way to make a request slow without a test hook in the server.
 */
export async function lockMunicipalities(target: DatabaseTarget): Promise<() => Promise<void>> {
  if (target.driver === 'postgresql') {
    const client = new pg.Client({ connectionString: target.url });
    await client.connect();
    await client.query('BEGIN');
    await client.query('LOCK TABLE municipalities IN ACCESS EXCLUSIVE MODE');
    return async () => {
      await client.query('ROLLBACK');
      await client.end();
    };
  }
  throw new Error('SQLite readers never wait in WAL mode; use a PostgreSQL target');
}
