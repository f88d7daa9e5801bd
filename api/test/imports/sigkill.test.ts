import { execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/common/paths';
import { initOrm, type Orm } from '../../src/db/orm';
import { ImportRun } from '../../src/imports/import-run.entity';
import { scratchDatabase, type ScratchDatabase } from '../database';
import { databaseAvailable, driver, testDatabase } from '../helpers';
import { fixtureDir, graphFingerprint, writeFixture } from './import-helpers';

const cli = path.join(projectRoot, 'dist', 'api', 'src', 'cli', 'main.js');
const ROWS = 50_000;

function eventsFile(rows: number): string {
  const lines = ['codigo,tipo,titulo,data,uf,participantes'];
  for (let i = 1; i <= rows; i += 1) {
    const month = String((i % 12) + 1).padStart(2, '0');
    lines.push(`K-${i},CIR,Reunião ${i},15/${month}/2025,RS,${i % 40}`);
  }
  return `${lines.join('\n')}\n`;
}

/** A killed import leaves the database exactly as it was: the apply is one transaction. */
describe.skipIf(!databaseAvailable)(`an import killed with SIGKILL (${driver})`, () => {
  let scratch: ScratchDatabase;
  let orm: Orm;
  let env: NodeJS.ProcessEnv;
  let file: string;

  beforeAll(async () => {
    // The child is the real CLI, so build it from the current sources (a no-op when up to date).
    execFileSync(
      process.execPath,
      [
        path.join(projectRoot, 'node_modules', 'typescript', 'bin', 'tsc'),
        '-b',
        'tsconfig.build.json',
      ],
      {
        cwd: projectRoot,
        stdio: 'inherit',
      },
    );
    scratch = await scratchDatabase(testDatabase);
    const url =
      scratch.target.driver === 'sqlite' ? `sqlite:${scratch.target.file}` : scratch.target.url;
    env = { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'silent' };
    orm = await initOrm({ database: scratch.target });
    file = writeFixture(fixtureDir(), 'events-big.csv', eventsFile(ROWS));
  }, 300_000);

  afterAll(async () => {
    await orm?.close(true);
    await scratch?.drop();
  });

  /**
   * Starts the import and SIGKILLs it as soon as its progress matches `moment`. On PostgreSQL
   * another session holds `audit_entries` meanwhile, so the import cannot reach its commit
   * whatever the timing (its apply waits for that table); on SQLite, whose import holds the one
   * write lock from its first statement, the file is large enough that the apply outlasts the
   * kill (50,000 rows: the kill lands while half a second of writing is left).
   */
  async function killDuring(moment: RegExp): Promise<void> {
    const blocker = await holdAuditTable();
    const child = spawn(process.execPath, [cli, 'import', 'events', file, '--as', 'kill-test'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const killed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal })),
    );
    let armed = false;
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (moment.test(stderr) && !armed) {
        armed = true;
        child.kill('SIGKILL');
      }
    });
    const exit = await killed.finally(() => blocker?.release());
    expect(exit.signal, `stdout: ${stdout}\nstderr: ${stderr}`).toBe('SIGKILL');
    expect(stdout).not.toMatch(/applied/);
  }

  /** PostgreSQL: a transaction holding `audit_entries` in EXCLUSIVE mode (reads go on). */
  async function holdAuditTable(): Promise<{ release(): Promise<void> } | null> {
    if (scratch.target.driver !== 'postgresql') {
      return null;
    }
    const client = new pg.Client({ connectionString: scratch.target.url });
    await client.connect();
    await client.query('begin');
    await client.query('lock table audit_entries in exclusive mode');
    return {
      async release() {
        await client.query('rollback');
        await client.end();
      },
    };
  }

  it('leaves every table as it was, killed while staging or while applying; then the same import applies in full', async () => {
    const before = await graphFingerprint(orm);
    const runsBefore = await orm.em.fork().count(ImportRun, {});

    // While the rows are read and staged (the transaction is open, the staging table filling),
    // then mid-apply (rows and audit entries being written).
    for (const moment of [/validating: /, /applying: \d+\/\d+ rows/]) {
      await killDuring(moment);
      // Reopen from scratch and compare.
      await orm.close(true);
      orm = await initOrm({ database: scratch.target });
      expect(await graphFingerprint(orm)).toEqual(before);
      expect(await orm.em.fork().count(ImportRun, {})).toBe(runsBefore);
    }

    const output = execFileSync(
      process.execPath,
      [cli, 'import', 'events', file, '--as', 'kill-test'],
      {
        env,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    expect(output).toMatch(new RegExp(`Event: ${ROWS} to create`));
    expect(output).toMatch(new RegExp(`import #\\d+ applied: ${ROWS} rows`));
    const after = await graphFingerprint(orm);
    expect(after.events).not.toEqual(before.events);
  }, 600_000);
});
