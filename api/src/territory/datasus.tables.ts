import path from 'node:path';
import { garbledTextProblem } from '../common/text';
import { aliasMatches, headerKey } from '../imports/import.cells';
import type { IssueList } from '../imports/import.issues';
import type { KindContext } from '../imports/import.kind';
import type { SourceRow, SourceTable } from '../imports/import.source';

/**
 * The tables of DATASUS's *Base Territorial*, as separate files or the members of its zip.
 * `municipalities` is `tb_municip` (or the joined municipality table with `CO_MACSAUD`).
 */
export type DatasusTable =
  'municipalities' | 'municipalityRegions' | 'regions' | 'regionMacroregions' | 'macroregions';

const tableNames: Record<DatasusTable, string> = {
  municipalities: 'tb_municip',
  municipalityRegions: 'rl_municip_regsaud',
  regions: 'tb_regsaud',
  regionMacroregions: 'rl_regsaud_macsaud',
  macroregions: 'tb_macsaud',
};

/** Header keys (see `headerKey`) in order of preference; a pattern matches a key's start. */
type Aliases = (string | RegExp)[];

const aliases = {
  municipality: ['comunicip', 'codmun', 'comun', /^comunicip/, /^codmun/],
  region: ['coregsaud', 'codregsaud', /^coregsaud/],
  macroregion: ['comacsaud', 'codmacsaud', /^comacsaud/],
  regionName: ['noregiao', 'noregsaud', 'dsnome', 'nome', 'dsnomepad', /^noregiao/, /^dsnome/],
  macroName: ['nomacsaud', 'dsnome', 'nome', 'dsnomepad', /^nomacsaud/, /^dsnome/],
  status: ['costatus', /^costatus/],
  type: ['cotipo'],
} satisfies Record<string, Aliases>;

/** Index of the first header matching the aliases, in the aliases' order of preference. */
function findColumn(table: SourceTable, wanted: Aliases): number {
  const keys = table.headers.map(headerKey);
  for (const alias of wanted) {
    const index = keys.findIndex((key) => aliasMatches(alias, key));
    if (index !== -1) {
      return index;
    }
  }
  return -1;
}

/** Which Base Territorial table a file is: by its name first, else by its columns. */
export function datasusTableOf(table: SourceTable): DatasusTable {
  const name = path
    .basename(table.file)
    .toLowerCase()
    .replace(/[^a-z]/g, '');
  for (const role of [
    'municipalityRegions',
    'regionMacroregions',
    'regions',
    'macroregions',
    'municipalities',
  ] as const) {
    if (name.includes(tableNames[role].replace(/_/g, ''))) {
      return role;
    }
  }
  const has = (wanted: Aliases) => findColumn(table, wanted) !== -1;
  const municipality = has(aliases.municipality);
  const region = has(aliases.region);
  const macroregion = has(aliases.macroregion);
  const named = has(aliases.regionName) || has(aliases.macroName);
  if (municipality && region && !named) {
    return 'municipalityRegions';
  }
  if (!municipality && region && macroregion && !named) {
    return 'regionMacroregions';
  }
  if (!municipality && region && named) {
    return 'regions';
  }
  if (!municipality && macroregion && named) {
    return 'macroregions';
  }
  return 'municipalities';
}

/**
 * Why DATASUS rows are left out on purpose: placeholder "ignored municipality" rows and
 * inactive ones. `status` is null when the table has no status column.
 */
export function datasusSkipReason(
  susCode: string,
  status: string | null,
  type: string,
  statusHeader = 'CO_STATUS',
): string | null {
  if (status !== null && status !== 'ATIVO') {
    return `not active (${statusHeader} ${status})`;
  }
  if (type === 'IGNOR' || /0000$/.test(susCode)) {
    return 'placeholder "ignored municipality" rows';
  }
  return null;
}

function cellOf(row: SourceRow, index: number): string {
  const value = index === -1 ? '' : (row.cells[index] ?? '').trim();
  return value === 'NA' ? '' : value;
}

/** Reads one relation or code table, reporting `file:line: column: message` for each problem. */
class TableReader {
  private readonly columns = new Map<string, number>();

  constructor(
    readonly table: SourceTable,
    private readonly issues: IssueList,
  ) {}

  /** Maps a column, or reports it missing; false when it is missing. */
  need(field: string, wanted: Aliases, label: string): boolean {
    const index = findColumn(this.table, wanted);
    if (index === -1) {
      this.issues.add({
        file: this.table.file,
        line: this.table.headerLine,
        column: label,
        message: `required column is missing; found: ${this.table.headers.join(', ')}`,
      });
      return false;
    }
    this.columns.set(field, index);
    return true;
  }

  optional(field: string, wanted: Aliases): void {
    const index = findColumn(this.table, wanted);
    if (index !== -1) {
      this.columns.set(field, index);
    }
  }

  header(field: string): string {
    return this.table.headers[this.columns.get(field) ?? -1] ?? field;
  }

  cell(row: SourceRow, field: string): string {
    return cellOf(row, this.columns.get(field) ?? -1);
  }

  /** Rows that are active (a `CO_STATUS` other than ATIVO leaves a row out). */
  activeRows(): SourceRow[] {
    return this.table.rows.filter((row) => {
      const status = this.cell(row, 'status');
      return !this.columns.has('status') || status === '' || status === 'ATIVO';
    });
  }

  fail(row: SourceRow, field: string, message: string): void {
    this.issues.add({ file: this.table.file, line: row.line, column: this.header(field), message });
  }

  /** The cell as a code of `digits` digits, or null after reporting why not. */
  code(row: SourceRow, field: string, digits: number, what: string): string | null {
    const value = this.cell(row, field);
    if (!new RegExp(`^\\d{${digits}}$`).test(value)) {
      this.fail(
        row,
        field,
        value === ''
          ? 'is empty; a value is required'
          : `"${value.slice(0, 40)}" is not a ${what} code (${digits} digits)`,
      );
      return null;
    }
    return value;
  }
}

interface Named {
  name: string;
  line: number;
}

/** Code → name tables (`tb_regsaud`, `tb_macsaud`), with duplicate codes reported. */
function readCodeTable(
  tables: SourceTable[],
  issues: IssueList,
  code: { wanted: Aliases; digits: number; what: string },
  names: Aliases,
): Map<string, Named> {
  const found = new Map<string, Named>();
  for (const table of tables) {
    const reader = new TableReader(table, issues);
    const ok = reader.need(
      'code',
      code.wanted,
      `CO_${code.what === 'region' ? 'REGSAUD' : 'MACSAUD'}`,
    );
    if (!(
      reader.need('name', names, `NO_${code.what === 'region' ? 'REGIAO' : 'MACSAUD'}`) && ok
    )) {
      continue;
    }
    reader.optional('status', aliases.status);
    for (const row of reader.activeRows()) {
      const value = reader.code(row, 'code', code.digits, code.what);
      const name = reader.cell(row, 'name');
      const garbled = garbledTextProblem(name);
      if (name === '' || garbled) {
        reader.fail(row, 'name', garbled ?? 'is empty; a value is required');
      }
      if (value === null || name === '' || garbled) {
        continue;
      }
      const first = found.get(value);
      if (first) {
        reader.fail(
          row,
          'code',
          `${code.what} ${value} is listed twice (first on line ${first.line})`,
        );
        continue;
      }
      found.set(value, { name, line: row.line });
    }
  }
  return found;
}

const baseName = (tables: SourceTable[]) => path.basename(tables[0]!.file);

/** The given tables that are one DATASUS table. */
type TablesOf = (role: DatasusTable) => SourceTable[];

/**
 * Joins the separate Base Territorial tables into the municipality table the kind reads: each
 * municipality row gains its health region (code, name) and, through `rl_regsaud_macsaud`,
 * its macroregion (code, name), as in the joined `CO_MACSAUD` layout. Every code a relation
 * table names must exist in its code table; nothing is joined if any table has a problem.
 * Phases: missing tables → code tables → links, each checked → the joined rows.
 */
export function combineDatasusTables(tables: SourceTable[], context: KindContext): SourceTable[] {
  const { issues } = context;
  const byRole = new Map<DatasusTable, SourceTable[]>();
  for (const table of tables) {
    const role = datasusTableOf(table);
    byRole.set(role, [...(byRole.get(role) ?? []), table]);
  }
  const of: TablesOf = (role) => byRole.get(role) ?? [];
  if (tables.every((table) => datasusTableOf(table) === 'municipalities')) {
    return tables;
  }
  reportMissingTables(tables, of, issues);
  if (!issues.empty) {
    return [];
  }
  const before = issues.total;
  const macroregions = readCodeTable(
    of('macroregions'),
    issues,
    { wanted: aliases.macroregion, digits: 4, what: 'macroregion' },
    aliases.macroName,
  );
  const regions = readCodeTable(
    of('regions'),
    issues,
    { wanted: aliases.region, digits: 5, what: 'region' },
    aliases.regionName,
  );
  const macroOfRegion = readMacroregionOfRegion(of, issues, regions, macroregions);
  const regionOf = readRegionOfMunicipality(of, issues, regions, macroOfRegion);
  if (issues.total > before) {
    return [];
  }
  return joinMunicipalityTables(of, issues, { regions, macroregions, macroOfRegion, regionOf });
}

type CodeTable = ReturnType<typeof readCodeTable>;
type Link = Map<string, { code: string; line: number }>;

/** Each table the given ones need to be joined, once, with why. */
function reportMissingTables(tables: SourceTable[], of: TablesOf, issues: IssueList): void {
  const needs: [DatasusTable, DatasusTable, string][] = [
    ['municipalityRegions', 'municipalities', 'the tables join on its municipalities'],
    ['regions', 'municipalities', 'the tables join on its municipalities'],
    ['macroregions', 'municipalities', 'the tables join on its municipalities'],
    ['municipalityRegions', 'regions', 'region names come from it'],
    ['regions', 'municipalityRegions', 'it says which municipalities are in each region'],
    ['regionMacroregions', 'macroregions', 'macroregion names come from it'],
    ['macroregions', 'regionMacroregions', 'it says which regions are in each macroregion'],
    [
      'regionMacroregions',
      'municipalityRegions',
      'it says which municipalities are in each region',
    ],
  ];
  const reported = new Set<DatasusTable>();
  for (const [present, needed, why] of needs) {
    if (of(present).length === 0 || of(needed).length > 0 || reported.has(needed)) {
      continue;
    }
    reported.add(needed);
    const given = of(present)[0]!;
    issues.add({
      file: given.archive ?? given.file,
      line: 0,
      column: null,
      message: given.archive
        ? `the zip has no ${tableNames[needed]} table (${why}); it holds ${tables.map((t) => path.basename(t.file)).join(', ')}`
        : `${tableNames[needed]} is missing (${why}): give ${tableNames[needed]}.csv too, or the published zip`,
    });
  }
}

/** Region → macroregion, from `tb_regsaud_macsaud`: every code known, one macroregion each. */
function readMacroregionOfRegion(
  of: TablesOf,
  issues: IssueList,
  regions: CodeTable,
  macroregions: CodeTable,
): Link {
  const macroOfRegion = new Map<string, { code: string; line: number }>();
  for (const table of of('regionMacroregions')) {
    const reader = new TableReader(table, issues);
    const ok = reader.need('region', aliases.region, 'CO_REGSAUD');
    if (!(reader.need('macroregion', aliases.macroregion, 'CO_MACSAUD') && ok)) {
      continue;
    }
    reader.optional('status', aliases.status);
    for (const row of reader.activeRows()) {
      const region = reader.code(row, 'region', 5, 'region');
      const macroregion = reader.code(row, 'macroregion', 4, 'macroregion');
      if (region && !regions.has(region)) {
        reader.fail(row, 'region', `unknown region ${region} (not in ${baseName(of('regions'))})`);
      }
      if (macroregion && !macroregions.has(macroregion)) {
        reader.fail(
          row,
          'macroregion',
          `unknown macroregion ${macroregion} (not in ${baseName(of('macroregions'))})`,
        );
      }
      if (region && macroregion && region.slice(0, 2) !== macroregion.slice(0, 2)) {
        reader.fail(
          row,
          'macroregion',
          `macroregion ${macroregion} is not in the state of region ${region} (codes must share the first 2 digits)`,
        );
      }
      if (!region || !macroregion) {
        continue;
      }
      const first = macroOfRegion.get(region);
      if (first) {
        reader.fail(
          row,
          'region',
          `region ${region} is already in macroregion ${first.code} (line ${first.line})`,
        );
        continue;
      }
      macroOfRegion.set(region, { code: macroregion, line: row.line });
    }
  }
  return macroOfRegion;
}

/** Municipality → region, from `rl_municip_regsaud`: known codes, same state, one region each. */
function readRegionOfMunicipality(
  of: TablesOf,
  issues: IssueList,
  regions: CodeTable,
  macroOfRegion: Link,
): Link {
  // Municipalities the municipality tables hold, and those they leave out on purpose.
  const known = new Set<string>();
  const skipped = new Set<string>();
  for (const table of of('municipalities')) {
    const reader = new TableReader(table, issues);
    if (!reader.need('sus', aliases.municipality, 'CO_MUNICIP')) {
      continue;
    }
    reader.optional('status', ['costatusmunicip', ...aliases.status]);
    reader.optional('type', aliases.type);
    const hasStatus = findColumn(table, ['costatusmunicip', ...aliases.status]) !== -1;
    for (const row of table.rows) {
      const sus = reader.cell(row, 'sus').slice(0, 6);
      const reason = datasusSkipReason(
        sus,
        hasStatus ? reader.cell(row, 'status') : null,
        reader.cell(row, 'type'),
      );
      (reason ? skipped : known).add(sus);
    }
  }

  const regionOf = new Map<string, { code: string; line: number }>();
  for (const table of of('municipalityRegions')) {
    const reader = new TableReader(table, issues);
    const ok = reader.need('municipality', aliases.municipality, 'CO_MUNICIP');
    if (!(reader.need('region', aliases.region, 'CO_REGSAUD') && ok)) {
      continue;
    }
    reader.optional('status', aliases.status);
    for (const row of reader.activeRows()) {
      const raw = reader.cell(row, 'municipality');
      if (!/^\d{6,7}$/.test(raw)) {
        reader.fail(
          row,
          'municipality',
          raw === ''
            ? 'is empty; a value is required'
            : `"${raw.slice(0, 40)}" is not a municipality code (6 or 7 digits)`,
        );
        continue;
      }
      const municipality = raw.slice(0, 6);
      if (skipped.has(municipality)) {
        continue;
      }
      const region = reader.code(row, 'region', 5, 'region');
      if (!known.has(municipality)) {
        reader.fail(
          row,
          'municipality',
          `unknown municipality ${raw} (not in ${baseName(of('municipalities'))})`,
        );
      }
      if (region === null) {
        continue;
      }
      if (!regions.has(region)) {
        reader.fail(row, 'region', `unknown region ${region} (not in ${baseName(of('regions'))})`);
        continue;
      }
      if (region.slice(0, 2) !== municipality.slice(0, 2)) {
        reader.fail(
          row,
          'region',
          `region ${region} is not in the state of municipality ${raw} (codes must share the first 2 digits)`,
        );
        continue;
      }
      if (of('regionMacroregions').length > 0 && !macroOfRegion.has(region)) {
        reader.fail(
          row,
          'region',
          `region ${region} has no macroregion in ${baseName(of('regionMacroregions'))}`,
        );
      }
      const first = regionOf.get(municipality);
      if (first) {
        reader.fail(
          row,
          'municipality',
          `municipality ${raw} is already in region ${first.code} (line ${first.line})`,
        );
        continue;
      }
      regionOf.set(municipality, { code: region, line: row.line });
    }
  }
  return regionOf;
}

/** The municipality tables with each row's region (and macroregion) code and name appended. */
function joinMunicipalityTables(
  of: TablesOf,
  issues: IssueList,
  {
    regions,
    macroregions,
    macroOfRegion,
    regionOf,
  }: {
    regions: CodeTable;
    macroregions: CodeTable;
    macroOfRegion: Link;
    regionOf: Link;
  },
): SourceTable[] {
  const withMacroregions = of('regionMacroregions').length > 0;
  return of('municipalities').map((table) => {
    const reader = new TableReader(table, issues);
    reader.need('sus', aliases.municipality, 'CO_MUNICIP');
    if (withMacroregions && findColumn(table, aliases.macroregion) !== -1) {
      issues.add({
        file: table.file,
        line: table.headerLine,
        column: table.headers[findColumn(table, aliases.macroregion)]!,
        message: `macroregions are given twice: by this column and by ${baseName(of('regionMacroregions'))}; give one`,
      });
    }
    const joined: string[] = ['CO_REGSAUD', 'NO_REGSAUD'];
    if (withMacroregions) {
      joined.push('CO_MACSAUD', 'DS_NOME_macsaud');
    }
    return {
      ...table,
      headers: [...table.headers, ...joined],
      rows: table.rows.map((row) => {
        const region = regionOf.get(reader.cell(row, 'sus').slice(0, 6))?.code;
        const macroregion = region ? macroOfRegion.get(region)?.code : undefined;
        const extra = [region ?? '', region ? regions.get(region)!.name : ''];
        if (withMacroregions) {
          extra.push(macroregion ?? '', macroregion ? macroregions.get(macroregion)!.name : '');
        }
        return { line: row.line, cells: [...row.cells, ...extra] };
      }),
    };
  });
}
