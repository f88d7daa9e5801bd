import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../src/auth/auth.enums';
import { createTestApp, databaseAvailable, type TestApp } from '../helpers';
import { bearer, seedWriteFixtures } from './fixtures';

interface Applied {
  client: string;
  ibgeCode: string;
  population: number;
  version: number;
}

const UPDATES_PER_CLIENT = 100;
const ROWS = 3;

describe.skipIf(!databaseAvailable)('concurrent conflicting updates', () => {
  let t: TestApp;
  let codes: string[];
  const headers: Record<string, Record<string, string>> = {};

  beforeAll(async () => {
    t = await createTestApp();
    const fixtures = await seedWriteFixtures(t);
    codes = fixtures.municipalities.RS.slice(0, ROWS);
    headers.alice = {
      ...bearer(await t.createKey(Role.EDITOR, 'RS', 'alice')),
      'x-rede-client': 'sheets',
    };
    headers.bruno = bearer(await t.createKey(Role.EDITOR, null, 'bruno'));
  });
  afterAll(async () => {
    await t?.close();
  });

  /**
   * One spreadsheet user: edits the rows in turn with the version it last saw; on CONFLICT it
   * takes the server's `current` version (as the add-on does after showing the conflict).
   */
  async function client(name: string, offset: number) {
    const known = new Map(codes.map((code) => [code, 1]));
    const applied: Applied[] = [];
    let conflicts = 0;
    const other: string[] = [];
    for (let i = 0; i < UPDATES_PER_CLIENT; i += 1) {
      const ibgeCode = codes[i % ROWS]!;
      const population = offset + i;
      const result = await t.gql<{ updateMunicipality: { version: number; population: number } }>(
        `mutation($input: MunicipalityUpsertInput!) { updateMunicipality(input: $input) { version population } }`,
        { input: { ibgeCode, expectedVersion: known.get(ibgeCode), population } },
        headers[name],
      );
      const error = result.errors?.[0];
      if (!error) {
        const version = result.data!.updateMunicipality.version;
        applied.push({ client: name, ibgeCode, population, version });
        known.set(ibgeCode, version);
      } else if (error.extensions?.code === 'CONFLICT') {
        conflicts += 1;
        known.set(ibgeCode, (error.extensions.current as { version: number }).version);
      } else {
        other.push(JSON.stringify(error));
      }
    }
    return { applied, conflicts, other };
  }

  it('applies or reports CONFLICT for each of 200 updates; last applied write wins; one audit entry per applied change', async () => {
    const [alice, bruno] = await Promise.all([client('alice', 10_000), client('bruno', 20_000)]);
    expect([...alice.other, ...bruno.other]).toEqual([]);
    const applied = [...alice.applied, ...bruno.applied];
    const conflicts = alice.conflicts + bruno.conflicts;
    expect(applied.length + conflicts).toBe(2 * UPDATES_PER_CLIENT);
    expect(applied.length).toBeGreaterThan(0);
    console.info(
      `concurrency (${t.config.database.driver}): ${applied.length} applied, ${conflicts} conflicts (alice ${alice.applied.length}/${alice.conflicts}, bruno ${bruno.applied.length}/${bruno.conflicts})`,
    );

    for (const ibgeCode of codes) {
      const mine = applied
        .filter((a) => a.ibgeCode === ibgeCode)
        .sort((a, b) => a.version - b.version);
      // Versions of applied writes are 2, 3, 4…: no two writes ever shared a version.
      expect(mine.map((a) => a.version)).toEqual(mine.map((_, index) => index + 2));
      const final = await t.gql<{ municipality: { population: number; version: number } }>(
        `query($code: String!) { municipality(ibgeCode: $code) { population version } }`,
        { code: ibgeCode },
      );
      expect(final.data!.municipality).toEqual({
        population: mine.at(-1)!.population,
        version: mine.length + 1,
      });
      const log = await t.gql<{
        auditLog: {
          totalCount: number;
          nodes: { actor: string; via: string; after: { population: number; version: number } }[];
        };
      }>(
        `query($code: String!) { auditLog(filter: { entityType: "Municipality", action: [UPDATE] }, first: 1000) {
          totalCount nodes { actor via after entityGlobalId } } municipality(ibgeCode: $code) { id } }`,
        { code: ibgeCode },
        headers.bruno,
      );
      const entries = log.data!.auditLog.nodes.filter(
        (n) => n.after && (n.after as unknown as { ibgeCode: string }).ibgeCode === ibgeCode,
      );
      expect(entries).toHaveLength(mine.length);
      expect(entries.map((e) => e.after.version).sort((a, b) => a - b)).toEqual(
        mine.map((a) => a.version),
      );
      for (const entry of entries) {
        expect(entry.via).toBe(entry.actor === 'alice' ? 'SHEETS' : 'API');
      }
    }
    const total = await t.gql<{ auditLog: { totalCount: number } }>(
      `{ auditLog(filter: { entityType: "Municipality" }, first: 0) { totalCount } }`,
      {},
      headers.bruno,
    );
    expect(total.data!.auditLog.totalCount).toBe(applied.length);
  }, 240_000);
});
