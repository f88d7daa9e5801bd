import { execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/common/paths';
import { initOrm, type Orm } from '../../src/db/orm';
import { ImportRun } from '../../src/imports/import-run.entity';
import { scratchDatabase, type ScratchDatabase } from '../database';
import { databaseAvailable, driver, testDatabase } from '../helpers';
import { fixtureDir, graphFingerprint, writeFixture } from './import-helpers';

const cli = path.join(projectRoot, 'dist', 'api', 'src', 'cli', 'main.js');

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
    file = writeFixture(fixtureDir(), 'events-big.csv', eventsFile(20_000));
  }, 300_000);

  afterAll(async () => {
    await orm?.close(true);
    await scratch?.drop();
  });

  /** Starts the import and SIGKILLs it 300 ms after its progress first matches `moment`. */
  async function killDuring(moment: RegExp): Promise<void> {
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
        setTimeout(() => child.kill('SIGKILL'), 300);
      }
    });
    const exit = await killed;
    expect(exit.signal, `stdout: ${stdout}\nstderr: ${stderr}`).toBe('SIGKILL');
    expect(stdout).not.toMatch(/applied/);
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
    expect(output).toMatch(/Event: 20000 to create/);
    expect(output).toMatch(/import #\d+ applied: 20000 rows/);
    const after = await graphFingerprint(orm);
    expect(after.events).not.toEqual(before.events);
  }, 600_000);
});
