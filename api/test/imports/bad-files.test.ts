import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImportRun, ImportStatus } from '../../src/imports/import-run.entity';
import { createTestApp, databaseAvailable, driver, type TestApp } from '../helpers';
import { corpus } from './bad-files.corpus';
import { fixtureDir, graphFingerprint, importFiles, writeFixture } from './import-helpers';

describe.skipIf(!databaseAvailable)(`bad import files (${driver})`, () => {
  let test: TestApp;
  let dir: string;

  beforeAll(async () => {
    test = await createTestApp();
    dir = fixtureDir();
  });
  afterAll(async () => {
    await test?.close();
  });

  it('has a corpus of at least 32 bad files', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(32);
  });

  it.each(corpus.map((bad) => [bad.name, bad] as const))(
    'rejects %s with its line and column, and writes nothing to the graph',
    async (_name, bad) => {
      const file = writeFixture(dir, bad.name, await bad.content());
      const before = await graphFingerprint(test.app.orm);
      const runsBefore = await test.app.orm.em.fork().count(ImportRun, {});
      const outcome = await importFiles(test.app.orm, bad.kind, [file], { asOf: bad.asOf });
      expect(outcome.status).toBe('invalid');
      if (outcome.status !== 'invalid') {
        return;
      }
      const lines = outcome.issues.lines();
      expect(
        lines.some((line) => line.startsWith(bad.expected)),
        lines.join('\n'),
      ).toBe(true);
      expect(await graphFingerprint(test.app.orm)).toEqual(before);
      // The failure itself is history: recorded with its errors, nothing else.
      const runs = await test.app.orm.em.fork().find(ImportRun, {}, { orderBy: { id: 'desc' } });
      expect(runs.length).toBe(runsBefore + 1);
      expect(runs[0]!.status).toBe(ImportStatus.FAILED);
      expect(runs[0]!.errors.some((line) => line.startsWith(bad.expected))).toBe(true);
    },
  );

  it('caps the error list and says how many there were', async () => {
    const rows = Array.from({ length: 450 }, (_, index) => `P${index},Ana,not-an-email`);
    const file = writeFixture(dir, 'many-errors.csv', `codigo,nome,email\n${rows.join('\n')}\n`);
    const outcome = await importFiles(test.app.orm, 'people', [file]);
    expect(outcome.status).toBe('invalid');
    if (outcome.status === 'invalid') {
      expect(outcome.issues.total).toBe(450);
      const lines = outcome.issues.lines();
      expect(lines).toHaveLength(201);
      expect(lines.at(-1)).toBe('… and 250 more (450 problems in all)');
    }
  });
});
