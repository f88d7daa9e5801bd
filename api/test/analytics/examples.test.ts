import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/common/paths';
import { createTestApp, databaseAvailable, type TestApp } from '../helpers';
import { seedAnalyticsFixture } from './fixtures';

const examplesDir = path.join(projectRoot, 'schema', 'examples');
/** The analysts' questions this feature ships examples for (21–31). */
const analyticsExamples = fs
  .readdirSync(examplesDir)
  .filter((file) => /^(2\d|3[01])-.*\.graphql$/.test(file))
  .sort();

describe.skipIf(!databaseAvailable)('schema/examples of the analysts’ questions', () => {
  let bare: TestApp;
  let network: TestApp;
  beforeAll(async () => {
    bare = await createTestApp();
    network = await createTestApp();
    await seedAnalyticsFixture(network.app.orm.em.fork());
  });
  afterAll(async () => {
    await bare?.close();
    await network?.close();
  });

  it('ships one example per question', () => {
    expect(analyticsExamples).toHaveLength(11);
  });

  it.each(analyticsExamples)('%s runs on the shipped territory alone', async (file) => {
    const result = await bare.gql(fs.readFileSync(path.join(examplesDir, file), 'utf8'));
    expect(result.errors).toBeUndefined();
    expect(result.data).toBeDefined();
  });

  it.each(analyticsExamples)('%s answers with data on a network', async (file) => {
    const result = await network.gql<Record<string, unknown>>(
      fs.readFileSync(path.join(examplesDir, file), 'utf8'),
    );
    expect(result.errors).toBeUndefined();
    const answer = Object.values(result.data!)[0] as Record<string, unknown> | null;
    expect(answer).not.toBeNull();
    // Lists (groups, rows, apoiadores then) are not empty; objects (a region then) are not null.
    for (const value of Object.values(answer!)) {
      expect(value).not.toBeNull();
      if (Array.isArray(value)) {
        expect(value.length).toBeGreaterThan(0);
      }
    }
  });
});
