import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import sqlite3 from 'sqlite3';
import type { DatabaseTarget } from '../config';

const run = promisify(execFile);

export interface BackupResult {
  file: string;
  bytes: number;
  /** The command that puts this backup back. */
  restoreHint: string;
}

/** Raised with a message for the operator: what went wrong and what to do. */
export class BackupError extends Error {
  override name = 'BackupError';
}

export function defaultBackupFile(target: DatabaseTarget, now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return path.resolve(
    'backups',
    `rede-hub-${stamp}.${target.driver === 'sqlite' ? 'sqlite' : 'dump'}`,
  );
}

function openSqlite(file: string, mode: number): Promise<sqlite3.Database> {
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(file, mode, (error) => (error ? reject(error) : resolve(db)));
  });
}

function sqliteAll<T>(db: sqlite3.Database, sql: string, params: unknown[] = []): Promise<T[]> {
  return new Promise((resolve, reject) =>
    db.all(sql, params, (error, rows) => (error ? reject(error) : resolve(rows as T[]))),
  );
}

function closeSqlite(db: sqlite3.Database): Promise<void> {
  return new Promise((resolve, reject) => db.close((error) => (error ? reject(error) : resolve())));
}

/** `PRAGMA integrity_check` plus the migrations table: is this file a Rede Hub database? */
export async function checkSqliteFile(file: string): Promise<void> {
  if (!fs.existsSync(file)) {
    throw new BackupError(`${file} does not exist`);
  }
  const db = await openSqlite(file, sqlite3.OPEN_READONLY).catch((error: Error) => {
    throw new BackupError(`${file} cannot be opened as SQLite: ${error.message}`);
  });
  try {
    const [check] = await sqliteAll<{ integrity_check: string }>(db, 'PRAGMA integrity_check');
    if (check?.integrity_check !== 'ok') {
      throw new BackupError(`${file} is damaged: ${check?.integrity_check ?? 'no answer'}`);
    }
    const tables = await sqliteAll(
      db,
      "SELECT 1 FROM sqlite_master WHERE name = 'mikro_orm_migrations'",
    );
    if (tables.length === 0) {
      throw new BackupError(`${file} is not a Rede Hub database (no migrations table)`);
    }
  } catch (error) {
    throw error instanceof BackupError
      ? error
      : new BackupError(`${file} is not a readable SQLite database: ${(error as Error).message}`);
  } finally {
    await closeSqlite(db);
  }
}

/**
 * An online, consistent copy: SQLite's `VACUUM INTO` reads one snapshot while the server keeps
 * serving (WAL), then the copy is integrity-checked; PostgreSQL goes through `pg_dump -Fc`.
 * The output is written under a temporary name and renamed, so a failed backup leaves nothing.
 */
export async function backupDatabase(
  target: DatabaseTarget,
  file = defaultBackupFile(target),
): Promise<BackupResult> {
  const out = path.resolve(file);
  if (fs.existsSync(out)) {
    throw new BackupError(`${out} already exists; choose another --out`);
  }
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const partial = `${out}.partial`;
  fs.rmSync(partial, { force: true });
  try {
    if (target.driver === 'sqlite') {
      if (target.file === ':memory:') {
        throw new BackupError('an in-memory database cannot be backed up');
      }
      if (!fs.existsSync(target.file)) {
        throw new BackupError(`the database ${target.file} does not exist`);
      }
      const db = await openSqlite(target.file, sqlite3.OPEN_READONLY);
      try {
        db.configure('busyTimeout', 10_000);
        await sqliteAll(db, 'VACUUM INTO ?', [partial]);
      } finally {
        await closeSqlite(db);
      }
      await checkSqliteFile(partial);
    } else {
      await run('pg_dump', [
        '--format=custom',
        '--no-owner',
        '--no-privileges',
        `--file=${partial}`,
        target.url,
      ]).catch((error: NodeJS.ErrnoException & { stderr?: string }) => {
        throw new BackupError(
          error.code === 'ENOENT'
            ? 'pg_dump is not installed; install the PostgreSQL client (apt-get install postgresql-client) or run pg_dump -Fc "$DATABASE_URL" > backup.dump where it is'
            : `pg_dump failed: ${(error.stderr ?? error.message).trim()}`,
        );
      });
    }
    fs.renameSync(partial, out);
  } finally {
    fs.rmSync(partial, { force: true });
  }
  return {
    file: out,
    bytes: fs.statSync(out).size,
    restoreHint:
      target.driver === 'sqlite'
        ? `stop the server, then: npm run restore -- ${out}`
        : `npm run restore -- ${out}   (runs pg_restore --clean --single-transaction into DATABASE_URL)`,
  };
}

/**
 * Puts a backup back into the target. SQLite: the backup is checked, copied next to the database
 * and renamed over it (stale `-wal`/`-shm` files removed), so a failure leaves the old file;
 * the server must be stopped. PostgreSQL: `pg_restore --clean --if-exists --single-transaction`.
 */
export async function restoreDatabase(
  target: DatabaseTarget,
  file: string,
  options: { force?: boolean } = {},
): Promise<void> {
  const source = path.resolve(file);
  if (!fs.existsSync(source)) {
    throw new BackupError(`${source} does not exist`);
  }
  if (target.driver === 'sqlite') {
    await checkSqliteFile(source);
    if (fs.existsSync(target.file) && !options.force) {
      throw new BackupError(
        `${target.file} exists; stop the server and pass --force to replace it`,
      );
    }
    fs.mkdirSync(path.dirname(target.file), { recursive: true });
    const incoming = `${target.file}.restoring`;
    fs.copyFileSync(source, incoming);
    for (const suffix of ['-wal', '-shm']) {
      fs.rmSync(`${target.file}${suffix}`, { force: true });
    }
    fs.renameSync(incoming, target.file);
    return;
  }
  await run('pg_restore', [
    '--clean',
    '--if-exists',
    '--no-owner',
    '--no-privileges',
    '--single-transaction',
    '--exit-on-error',
    `--dbname=${target.url}`,
    source,
  ]).catch((error: NodeJS.ErrnoException & { stderr?: string }) => {
    throw new BackupError(
      error.code === 'ENOENT'
        ? 'pg_restore is not installed; install the PostgreSQL client (apt-get install postgresql-client)'
        : `pg_restore failed, nothing was changed: ${(error.stderr ?? error.message).trim()}`,
    );
  });
}
