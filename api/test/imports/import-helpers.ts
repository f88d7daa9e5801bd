import iconv from 'iconv-lite';
import JSZip from 'jszip';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Orm } from '../../src/db/orm';
import { runImport, type ImportOptions, type ImportOutcome } from '../../src/imports/import.engine';
import { importKinds } from '../../src/imports/import.kinds';

/** Tables the graph lives in (not the import history itself). */
export const graphTables = [
  'states',
  'health_macroregions',
  'health_regions',
  'municipalities',
  'municipality_names',
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

/** Columns that record how a row was written rather than what it says. */
const bookkeeping = new Set(['id', 'version', 'created_at', 'updated_at', 'source', 'deleted_at']);

/**
 * What the graph says: every live (not soft-deleted) row of each table, without ids, versions,
 * timestamps or source, sorted. A revert restores this exactly, though it adds versions, audit
 * entries and soft-deleted rows (which `graphFingerprint` counts).
 */
export async function graphContent(orm: Orm): Promise<Record<string, string[]>> {
  const connection = orm.em.getConnection();
  const result: Record<string, string[]> = {};
  for (const table of graphTables.filter(
    (name) => !['mandate_health_regions', 'audit_entries'].includes(name),
  )) {
    const rows = await connection.execute<Record<string, unknown>[]>(
      `select * from ${table} where deleted_at is null`,
    );
    result[table] = rows
      .map((row: Record<string, unknown>) =>
        JSON.stringify(
          Object.keys(row)
            .filter((column) => !bookkeeping.has(column))
            .sort()
            .map((column) => [column, row[column]]),
        ),
      )
      .sort();
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

/**
 * A small DATASUS *Base Territorial* as separate tables (`;`, Latin-1, 6-digit SUS codes): seven
 * real municipalities of RS and SC, five health regions, four macroregions, and one placeholder
 * `IGNOR` row. `edit` changes a table's text before it is encoded (to plant a bad row).
 */
export function datasusTables(
  edit: Partial<Record<DatasusTableName, (text: string) => string>> = {},
): Record<DatasusTableName, Buffer> {
  const tables: Record<DatasusTableName, string> = {
    tb_municip: [
      'CO_MUNICIP;NO_MUNICIP;CO_UF;CO_STATUS;CO_TIPO;IN_CAPITAL;NU_LATITUD;NU_LONGIT;CO_ALTITUDE',
      '430000;Município ignorado - RS;43;IGNOR;IGNOR;;0;0;0',
      '431490;Porto Alegre;43;ATIVO;M;E;-30,0331;-51,23;10',
      '430460;Canoas;43;ATIVO;M;;-29,9178;-51,1839;8',
      '430510;Caxias do Sul;43;ATIVO;M;;-29,1678;-51,1794;817',
      '431440;Pelotas;43;ATIVO;M;;-31,7654;-52,3376;7',
      '420540;Florianópolis;42;ATIVO;M;E;-27,5954;-48,548;3',
      '420910;Joinville;42;ATIVO;M;;-26,3045;-48,8487;4',
      '420240;Blumenau;42;ATIVO;M;;-26,9194;-49,0661;21',
    ].join('\r\n'),
    rl_municip_regsaud: [
      'CO_MUNICIP;CO_REGSAUD',
      '431490;43001',
      '430460;43001',
      '430510;43002',
      '431440;43003',
      '420540;42001',
      '420910;42002',
      '420240;42002',
    ].join('\r\n'),
    tb_regsaud: [
      'CO_REGSAUD;NO_REGIAO;CO_UF',
      '43001;Região Metropolitana;43',
      '43002;Serra Gaúcha;43',
      '43003;Região Sul;43',
      '42001;Grande Florianópolis;42',
      '42002;Nordeste e Vale do Itajaí;42',
    ].join('\r\n'),
    rl_regsaud_macsaud: [
      'CO_REGSAUD;CO_MACSAUD',
      '43001;4301',
      '43002;4302',
      '43003;4302',
      '42001;4201',
      '42002;4202',
    ].join('\r\n'),
    tb_macsaud: [
      'CO_MACSAUD;NO_MACSAUD;CO_UF',
      '4301;Macrorregião Metropolitana;43',
      '4302;Macrorregião Serra e Sul;43',
      '4201;Macrorregião Grande Florianópolis;42',
      '4202;Macrorregião Norte e Nordeste;42',
    ].join('\r\n'),
  };
  return Object.fromEntries(
    Object.entries(tables).map(([name, text]) => {
      const edited = edit[name as DatasusTableName]?.(text) ?? text;
      return [name, iconv.encode(`${edited}\r\n`, 'win1252')];
    }),
  ) as Record<DatasusTableName, Buffer>;
}

export type DatasusTableName =
  'tb_municip' | 'rl_municip_regsaud' | 'tb_regsaud' | 'rl_regsaud_macsaud' | 'tb_macsaud';

/** A zip like DATASUS publishes: one member per table, `<name>.csv` (or as named in `members`). */
export async function datasusZip(members: Record<string, Buffer | string>): Promise<Buffer> {
  const zip = new JSZip();
  for (const [name, content] of Object.entries(members)) {
    zip.file(name.includes('.') ? name : `${name}.csv`, content);
  }
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
}
