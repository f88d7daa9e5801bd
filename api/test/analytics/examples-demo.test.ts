import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/common/paths';
import { seedDemoNetwork } from '../../../seeds/demo/demo.seed';
import { createTestApp, databaseAvailable, driver, type TestApp } from '../helpers';

const examplesDir = path.join(projectRoot, 'schema', 'examples');
const examples = fs
  .readdirSync(examplesDir)
  .filter((file) => file.endsWith('.graphql'))
  .sort();

/**
 * Examples whose answer depends on population, which the demo never invents (it comes from the
 * population-ibge import): on the demo alone they list municipalities without one, or none.
 */
const needPopulation = new Set([
  '05-largest-municipalities.graphql',
  '10-small-municipalities-page-two.graphql',
]);

/** Every array and object under `value`, depth first, with the path that reaches it. */
function* containers(value: unknown, at = ''): Generator<[string, unknown]> {
  if (value !== null && typeof value === 'object') {
    yield [at, value];
    for (const [key, inner] of Object.entries(value)) {
      yield* containers(inner, `${at}.${key}`);
    }
  }
}

/** What a newcomer sees after `npm start`: every shipped example, asked of the demo network. */
describe.skipIf(!databaseAvailable)(`schema/examples on the demo network (${driver})`, () => {
  let test: TestApp;
  beforeAll(async () => {
    test = await createTestApp();
    await seedDemoNetwork(test.app.orm, { seed: 425, scale: 1 });
  }, 600_000);
  afterAll(async () => {
    await test?.close();
  });

  it.each(examples)('%s answers with data', async (file) => {
    const result = await test.gql<Record<string, unknown>>(
      fs.readFileSync(path.join(examplesDir, file), 'utf8'),
    );
    expect(result.errors).toBeUndefined();
    const answer = Object.values(result.data!)[0];
    expect(answer).not.toBeNull();
    const empty = [...containers(answer)]
      .filter(([, value]) => Array.isArray(value) && value.length === 0)
      .map(([at]) => at);
    if (needPopulation.has(file)) {
      // Nothing is made up: what the example lists has no population yet.
      for (const [, value] of containers(answer)) {
        if (value && typeof value === 'object' && 'population' in value) {
          expect((value as { population: unknown }).population).toBeNull();
        }
      }
      return;
    }
    // Every list in the answer has rows (a mandate's regions, a group's rows…).
    expect(empty).toEqual([]);
  });

  it('gestor turnover after the 2020 election has someone in office on both days', async () => {
    const query = fs.readFileSync(
      path.join(examplesDir, '26-gestor-turnover-after-elections.graphql'),
      'utf8',
    );
    const result = await test.gql<{
      gestorTurnover: {
        rows: {
          municipalityCount: number;
          gestorOnFromCount: number;
          gestorOnToCount: number;
          gestorChangedShare: number;
          mayorChangedShare: number;
        }[];
      };
    }>(query);
    expect(result.errors).toBeUndefined();
    const rows = result.data!.gestorTurnover.rows;
    const sum = (pick: (row: (typeof rows)[number]) => number) =>
      rows.reduce((total, row) => total + pick(row), 0);
    const municipalities = sum((row) => row.municipalityCount);
    expect(municipalities).toBeGreaterThan(100);
    expect(sum((row) => row.gestorOnFromCount)).toBe(municipalities);
    expect(sum((row) => row.gestorOnToCount)).toBe(municipalities);
    const changed = sum((row) => row.gestorChangedShare * row.municipalityCount) / municipalities;
    expect(changed).toBeGreaterThan(0.4);
    expect(changed).toBeLessThan(0.85);
  });
});
