import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../src/common/paths';
import { printAppSchema, schemaFile } from '../src/graphql/schema';
import { createTestApp, databaseAvailable, type TestApp } from './helpers';

describe('schema file', () => {
  it('matches the resolvers (run `npm run schema:emit` and commit schema/schema.graphql when this fails)', async () => {
    const committed = fs.existsSync(schemaFile) ? fs.readFileSync(schemaFile, 'utf8') : '';
    const current = await printAppSchema();
    if (committed !== current) {
      expect.fail(
        'schema/schema.graphql is out of date with the resolvers: run `npm run schema:emit` and commit the file',
      );
    }
  });
});

const examplesDir = path.join(projectRoot, 'schema', 'examples');
const examples = fs
  .readdirSync(examplesDir)
  .filter((file) => file.endsWith('.graphql'))
  .sort();

describe.skipIf(!databaseAvailable)('schema/examples', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it("has an analyst's first ten queries", () => {
    expect(examples.length).toBeGreaterThanOrEqual(10);
  });

  it.each(examples)('%s runs without errors', async (file) => {
    const query = fs.readFileSync(path.join(examplesDir, file), 'utf8');
    const result = await t.gql(query);
    expect(result.errors).toBeUndefined();
    expect(result.data).toBeDefined();
  });
});
