import pg from 'pg';
import sqlite3 from 'sqlite3';
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

/**
 * Holds the write lock on `table` from a connection outside the API, so the API's writes wait
 * while its reads go on: `LOCK TABLE … IN EXCLUSIVE MODE` on PostgreSQL; on SQLite (one writer
 * per database) a second connection's `BEGIN IMMEDIATE`, which makes every writer wait.
 */
export async function holdWriteLock(
  target: DatabaseTarget,
  table: string,
): Promise<() => Promise<void>> {
  if (target.driver === 'postgresql') {
    const client = new pg.Client({ connectionString: target.url });
    await client.connect();
    await client.query('BEGIN');
    await client.query(`LOCK TABLE ${table} IN EXCLUSIVE MODE`);
    return async () => {
      await client.query('ROLLBACK');
      await client.end();
    };
  }
  const database = new sqlite3.Database(target.file);
  const exec = (sql: string) =>
    new Promise<void>((resolve, reject) =>
      database.exec(sql, (error) => (error ? reject(error) : resolve())),
    );
  await exec('BEGIN IMMEDIATE');
  return async () => {
    await exec('ROLLBACK');
    await new Promise<void>((resolve, reject) =>
      database.close((error) => (error ? reject(error) : resolve())),
    );
  };
}
