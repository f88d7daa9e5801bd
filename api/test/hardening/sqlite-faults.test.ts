import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrap, type App } from '../../src/app';
import { createApiKey } from '../../src/auth/api-key.service';
import { ApiKey } from '../../src/auth/api-key.entity';
import { Role } from '../../src/auth/auth.enums';
import { loadConfig } from '../../src/config';
import { checkSqliteFile } from '../../src/db/backup';
import { initOrm, type Orm } from '../../src/db/orm';
import { databaseUnavailable } from '../../src/security/database-errors';
import { driver, testDatabase } from '../helpers';

/** Mounting a size-limited tmpfs needs root (CAP_SYS_ADMIN); elsewhere these tests skip. */
function canMount(): boolean {
  if (process.getuid?.() !== 0) {
    return false;
  }
  const probe = fs.mkdtempSync(path.join(os.tmpdir(), 'rede-hub-mount-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe], { stdio: 'ignore' });
    execFileSync('umount', [probe], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    fs.rmSync(probe, { recursive: true, force: true });
  }
}

const sqlite = driver === 'sqlite' && testDatabase.driver === 'sqlite';

describe.skipIf(!sqlite)('SQLite under concurrent writers', () => {
  let dir: string;
  const orms: Orm[] = [];
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rede-hub-writers-'));
    fs.copyFileSync(testDatabase.template!, path.join(dir, 'db.sqlite'));
  });
  afterAll(async () => {
    await Promise.all(orms.map((orm) => orm.close(true)));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs in WAL mode with a busy timeout, so four connections writing at once all succeed', async () => {
    const file = path.join(dir, 'db.sqlite');
    for (let i = 0; i < 4; i += 1) {
      orms.push(await initOrm({ database: { driver: 'sqlite', file } }));
    }
    const connection = orms[0]!.em.getConnection();
    expect(await connection.execute('PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
    expect(await connection.execute('PRAGMA busy_timeout')).toEqual([{ timeout: 10000 }]);
    // Each connection is a separate writer (as separate processes would be): 4 × 40 transactions.
    const results = await Promise.allSettled(
      orms.flatMap((orm, writer) =>
        Array.from({ length: 40 }, (_, n) =>
          orm.em.fork().transactional(async (em) => {
            await createApiKey(em, { name: `writer-${writer}-${n}`, role: Role.READER });
          }),
        ),
      ),
    );
    expect(results.filter((result) => result.status === 'rejected')).toEqual([]);
    expect(await orms[0]!.em.fork().count(ApiKey, { name: { $like: 'writer-%' } })).toBe(160);
  });

  it('queues transactions that read before they write (an import diffs, then applies) instead of failing SQLITE_BUSY', async () => {
    // A deferred BEGIN reads from a snapshot; if another connection commits before the first
    // write, that write fails at once whatever the busy timeout. BEGIN IMMEDIATE waits instead.
    const results = await Promise.allSettled(
      orms.flatMap((orm, writer) =>
        Array.from({ length: 15 }, (_, n) =>
          orm.em.fork().transactional(async (em) => {
            const before = await em.count(ApiKey, {});
            await new Promise((resolve) => setTimeout(resolve, 2));
            await createApiKey(em, {
              name: `reader-writer-${writer}-${n}-${before}`,
              role: Role.READER,
            });
          }),
        ),
      ),
    );
    expect(
      results.flatMap((result) => (result.status === 'rejected' ? [String(result.reason)] : [])),
    ).toEqual([]);
    expect(await orms[0]!.em.fork().count(ApiKey, { name: { $like: 'reader-writer-%' } })).toBe(60);
  });
});

describe.skipIf(!sqlite || !canMount())('SQLite on a full disk or a read-only file', () => {
  let mountPoint: string;
  let file: string;
  let app: App | undefined;
  beforeAll(() => {
    mountPoint = fs.mkdtempSync(path.join(os.tmpdir(), 'rede-hub-small-disk-'));
    const size = fs.statSync(testDatabase.template!).size;
    // Room for the database, its WAL and a little more: enough to start, not to grow much.
    const bytes = Math.ceil((size + 1024 * 1024) / 4096) * 4096;
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', mountPoint]);
    file = path.join(mountPoint, 'db.sqlite');
    fs.copyFileSync(testDatabase.template!, file);
  });
  afterAll(async () => {
    await app?.close();
    execFileSync('umount', [mountPoint]);
    fs.rmSync(mountPoint, { recursive: true, force: true });
  });

  const config = () =>
    loadConfig({
      NODE_ENV: 'test',
      PORT: '0',
      LOG_LEVEL: 'silent',
      DATABASE_URL: `sqlite:${file}`,
      RATE_LIMIT_PER_MINUTE: '0',
    });
  const read = async (url: string) => {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ municipality(ibgeCode: "4314902") { name } }' }),
    });
    return response.json();
  };

  it('a full disk fails the write with a clear error, keeps the file intact and reads working', async () => {
    app = await bootstrap({ config: config(), seed: false });
    const filler = 'x'.repeat(64 * 1024);
    let failure: unknown;
    let written = 0;
    for (let i = 0; i < 200 && !failure; i += 1) {
      try {
        await app.orm.em.fork().transactional(async (em) => {
          await createApiKey(em, { name: `filler-${i}-${filler}`, role: Role.READER });
        });
        written += 1;
      } catch (error) {
        failure = error;
      }
    }
    expect(failure, 'the disk never filled up').toBeDefined();
    expect(written).toBeGreaterThan(0);
    const mapped = databaseUnavailable(failure);
    expect(mapped?.message).toMatch(/disk is full, so nothing was written/);
    expect(mapped?.extensions.code).toBe('SERVICE_UNAVAILABLE');
    // The failed transaction left nothing behind: exactly the rows that committed are there.
    expect(await app.orm.em.fork().count(ApiKey, { name: { $like: 'filler-%' } })).toBe(written);
    expect(await read(app.url)).toEqual({ data: { municipality: { name: 'Porto Alegre' } } });
    await app.close();
    app = undefined;
    await checkSqliteFile(file);
  });

  it('a read-only file stops the start with a message that names the file', async () => {
    execFileSync('mount', ['-o', 'remount,ro', mountPoint]);
    try {
      await expect(bootstrap({ config: config(), seed: false })).rejects.toThrow(
        new RegExp(`SQLite database file ${file} is read-only \\(EROFS\\)`),
      );
    } finally {
      execFileSync('mount', ['-o', 'remount,rw,size=64m', mountPoint]);
    }
    await checkSqliteFile(file);
    // Writable again (and with room): it starts and serves as before.
    app = await bootstrap({ config: config(), seed: false });
    expect(await read(app.url)).toEqual({ data: { municipality: { name: 'Porto Alegre' } } });
  });
});
