import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { DatabaseTarget } from '../src/config';

export const POSTGRES_ADMIN_URL =
  process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export type TestDatabase =
  { driver: 'sqlite'; template: string } | { driver: 'postgresql'; template: string | null };

export interface ScratchDatabase {
  target: DatabaseTarget;
  drop(): Promise<void>;
}

/** A fresh copy of the migrated, seeded template, private to one test app. */
export async function scratchDatabase(
  database: TestDatabase,
  options: { empty?: boolean } = {},
): Promise<ScratchDatabase> {
  if (database.driver === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rede-hub-app-'));
    const file = path.join(dir, 'test.sqlite');
    if (!options.empty) {
      fs.copyFileSync(database.template, file);
    }
    return {
      target: { driver: 'sqlite', file },
      drop: async () => fs.rmSync(dir, { recursive: true, force: true }),
    };
  }
  if (!database.template) {
    throw new Error('PostgreSQL is not available');
  }
  const name = `rede_hub_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  try {
    for (let attempt = 0; ; attempt += 1) {
      try {
        await admin.query(
          options.empty
            ? `CREATE DATABASE ${name}`
            : `CREATE DATABASE ${name} TEMPLATE ${database.template}`,
        );
        break;
      } catch (error) {
        // Two copies of one template at the same instant: PostgreSQL asks the second to wait.
        if (attempt > 20 || !/being accessed by other users/.test((error as Error).message)) {
          throw error;
        }
        await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 200));
      }
    }
  } finally {
    await admin.end();
  }
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    target: { driver: 'postgresql', url: url.toString() },
    drop: async () => {
      const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}
