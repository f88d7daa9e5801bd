import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Orm } from '../../src/db/orm';
import { runImport, type ImportOptions, type ImportOutcome } from '../../src/imports/import.engine';
import { importKinds } from '../../src/imports/kinds';

/** Tables the graph lives in (not the import history itself). */
export const graphTables = [
  'states',
  'health_macroregions',
  'health_regions',
  'municipalities',
  'region_memberships',
  'population_estimates',
  'organizations',
  'people',
  'mandates',
  'mandate_health_regions',
  'events',
  'participations',
  'programs',
  'adhesions',
  'instrument_statuses',
  'audit_entries',
];

/**
 * A fingerprint of the graph: rows, versions and soft deletes per table. Any write an import
 * makes (insert, update with its version bump, soft delete, audit entry) changes it.
 */
export async function graphFingerprint(orm: Orm): Promise<Record<string, string>> {
  const connection = orm.em.getConnection();
  const result: Record<string, string> = {};
  for (const table of graphTables) {
    const versioned = !['mandate_health_regions', 'audit_entries'].includes(table);
    const [row] = await connection.execute<Record<string, unknown>[]>(
      versioned
        ? `select count(*) as n, coalesce(sum(version), 0) as v, count(deleted_at) as d from ${table}`
        : `select count(*) as n from ${table}`,
    );
    result[table] = `${row!.n}/${row!.v ?? ''}/${row!.d ?? ''}`;
  }
  return result;
}

export function fixtureDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'rede-hub-import-'));
}

export function writeFixture(dir: string, name: string, content: string | Buffer): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

export function importFiles(
  orm: Orm,
  kind: string,
  files: string[],
  options: Partial<Omit<ImportOptions, 'kind' | 'files'>> = {},
): Promise<ImportOutcome> {
  const found = importKinds[kind];
  if (!found) {
    throw new Error(`no kind ${kind}`);
  }
  return runImport(orm, { kind: found, files, actor: 'test-steward', ...options });
}

export const referenceDir = (() => {
  const candidates = [
    path.resolve(__dirname, '..', '..', '..', '..', 'shared', 'data', 'reference'),
    '/work/shared/data/reference',
  ];
  return candidates.find((dir) => fs.existsSync(dir)) ?? null;
})();
