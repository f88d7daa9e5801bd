import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKey } from '../../src/auth/api-key.entity';
import { Role } from '../../src/auth/auth.enums';
import { backupDatabase, BackupError, restoreDatabase } from '../../src/db/backup';
import { Municipality } from '../../src/territory/municipality.entity';
import { POSTGRES_ADMIN_URL } from '../database';
import { createTestApp, databaseAvailable, driver, type TestApp } from '../helpers';
import { initOrm } from '../../src/db/orm';
import type { DatabaseTarget } from '../../src/config';

async function counts(target: DatabaseTarget) {
  const orm = await initOrm({ database: target });
  try {
    const em = orm.em.fork();
    return {
      keys: (await em.find(ApiKey, {}, { orderBy: { id: 'asc' } })).map((key) => key.name),
      municipalities: await em.count(Municipality, {}),
      portoAlegre: (await em.findOneOrFail(Municipality, { ibgeCode: '4314902' })).name,
    };
  } finally {
    await orm.close(true);
  }
}

describe.skipIf(!databaseAvailable)('backup and restore', () => {
  let t: TestApp;
  let dir: string;
  beforeAll(async () => {
    t = await createTestApp();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rede-hub-backup-'));
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('backs up while the server serves, and restores exactly that state', async () => {
    await t.createKey(Role.ADMIN, null, 'before-backup');
    const file = path.join(dir, driver === 'sqlite' ? 'snapshot.sqlite' : 'snapshot.dump');
    // The server keeps answering during the backup.
    const [result, during] = await Promise.all([
      backupDatabase(t.config.database, file),
      t.gql<{ state: { uf: string } }>('{ state(uf: "RS") { uf } }'),
    ]);
    expect(during.data?.state.uf).toBe('RS');
    expect(result.file).toBe(file);
    expect(result.bytes).toBeGreaterThan(100_000);
    expect(fs.existsSync(`${file}.partial`)).toBe(false);

    // Changes after the backup, which the restore must undo.
    await t.createKey(Role.READER, null, 'after-backup');
    const em = t.app.orm.em.fork();
    const poa = await em.findOneOrFail(Municipality, { ibgeCode: '4314902' });
    poa.name = 'Changed after the backup';
    await em.flush();
    await t.app.close();

    if (driver === 'sqlite') {
      await expect(restoreDatabase(t.config.database, file)).rejects.toThrow(/pass --force/);
      await restoreDatabase(t.config.database, file, { force: true });
      expect(await counts(t.config.database)).toEqual({
        keys: ['before-backup'],
        municipalities: 5571,
        portoAlegre: 'Porto Alegre',
      });
    } else {
      // Restore into a fresh, empty database (a new server), as after losing the old one.
      const name = `rede_hub_restore_${process.pid}_${Date.now()}`;
      const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${name}`);
      const url = new URL(POSTGRES_ADMIN_URL);
      url.pathname = `/${name}`;
      try {
        await restoreDatabase({ driver: 'postgresql', url: url.toString() }, file);
        expect(await counts({ driver: 'postgresql', url: url.toString() })).toEqual({
          keys: ['before-backup'],
          municipalities: 5571,
          portoAlegre: 'Porto Alegre',
        });
      } finally {
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await admin.end();
      }
    }
  });

  it('refuses to overwrite a backup, and to restore a file that is not a backup', async () => {
    const existing = path.join(dir, 'exists.bin');
    fs.writeFileSync(existing, 'not a database');
    await expect(backupDatabase(t.config.database, existing)).rejects.toThrow(/already exists/);
    const target: DatabaseTarget =
      driver === 'sqlite'
        ? { driver: 'sqlite', file: path.join(dir, 'target.sqlite') }
        : t.config.database;
    const failure = await restoreDatabase(target, existing, { force: true }).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(BackupError);
    expect((failure as Error).message).toMatch(
      driver === 'sqlite'
        ? /not a readable SQLite database|cannot be opened|damaged/
        : /pg_restore failed, nothing was changed/,
    );
    if (driver === 'sqlite') {
      expect(fs.existsSync(target.driver === 'sqlite' ? target.file : '')).toBe(false);
    }
  });
});
