import { searchText } from '../common/text';
import { ufOfStateCode } from './territory.seed';
import {
  CellError,
  code,
  type ColumnSpec,
  decimal,
  ibgeCode,
  oneOf,
  text,
} from '../imports/import.cells';
import type { ImportKind, Located, PlanContext } from '../imports/import.kind';
import { planTarget, type TargetPlan } from '../imports/import.plan';
import { combineDatasusTables, datasusSkipReason } from './datasus.tables';
import {
  type CurrentMunicipality,
  currentMunicipalities,
  type DemoTerritory,
  demoMembershipPlan,
  demoTerritoryOf,
  type FileName,
  macroregionsOfRegions,
  newestFileDay,
  notInFile,
  planMemberships,
  planNames,
  pruneCondition,
  type RegionRow,
  regionsOf,
  stateIdsOf,
} from './territory.plan';
import type { Em } from '../db/orm';
import { type Flat } from '../writes/write.batch';
import { healthMacroregionTarget } from './health-macroregion.write';
import { healthRegionTarget } from './health-region.write';
import { municipalityTarget } from './municipality.write';

interface DatasusRow {
  ibgeCode: string;
  name: string;
  uf: string;
  isCapital: boolean;
  latitude: number | null;
  longitude: number | null;
  macroregion: { code: string; name: string } | null;
  /** From `rl_municip_regsaud` + `tb_regsaud` when the separate tables are given. */
  region: { code: string; name: string } | null;
  /** Where the name is, for a name the database cannot take. */
  at: FileName['at'];
}

const datasusColumns: ColumnSpec[] = [
  { field: 'sus', aliases: ['comunicip', 'codmun', 'comun'], required: true },
  { field: 'ibge', aliases: ['comunicdv', 'codmundv'] },
  { field: 'status', aliases: ['costatusmunicip', 'costatus'] },
  { field: 'type', aliases: ['cotipo'] },
  {
    field: 'name',
    aliases: ['dsnomemunicip', 'dsnome', 'nomemunicipio', 'nomunicip', 'nomemunicip'],
    required: true,
  },
  { field: 'capital', aliases: ['incapital'] },
  { field: 'latitude', aliases: ['nulatitud', 'latitude'] },
  { field: 'longitude', aliases: ['nulongit', 'longitude'] },
  { field: 'uf', aliases: ['dsufsigla', 'coufsigla', 'sguf', 'uf'] },
  /** `CO_UF`: the state's IBGE code (or, in some exports, its acronym). */
  { field: 'stateCode', aliases: ['couf'] },
  { field: 'regionCode', aliases: ['coregsaud'] },
  { field: 'regionName', aliases: ['noregsaud'] },
  { field: 'macroCode', aliases: ['comacsaud'] },
  { field: 'macroStatus', aliases: ['costatusmacsaud'] },
  { field: 'macroName', aliases: ['dsnomemacsaud'] },
];

const capitalFlag = oneOf({ E: 'E', F: 'F', N: 'N' } as Record<string, string>, {
  S: 'E',
  sim: 'E',
  nao: 'N',
});

/**
 * DATASUS's territorial table of municipalities (`tb_municip`), alone or joined with its health
 * macroregion (`CO_MACSAUD`…): names, capitals, coordinates and macroregions.
 */
export const territoryDatasusKind: ImportKind<DatasusRow> = {
  name: 'territory-datasus',
  description:
    'DATASUS Base Territorial: tb_municip with rl_municip_regsaud, tb_regsaud, rl_regsaud_macsaud, tb_macsaud (separate files or the zip), or the joined table with CO_MACSAUD',
  refs: ['State', 'Municipality'],
  combine: combineDatasusTables,
  columns: () => datasusColumns,
  skip: (reader) =>
    datasusSkipReason(
      reader.raw('sus'),
      reader.has('status') ? reader.raw('status') : null,
      reader.raw('type'),
      reader.header('status'),
    ),
  readRow(reader, context) {
    const sus = reader.required('sus', ibgeCode);
    const ibge = reader.optional('ibge', ibgeCode);
    if (sus && ibge && sus !== ibge) {
      reader.fail(
        reader.header('ibge'),
        `${ibge} does not match ${reader.header('sus')} ${reader.raw('sus')} (expected ${sus})`,
      );
    }
    const name = reader.required('name', text(200));
    const uf = reader.has('uf')
      ? reader.required('uf', (value) => {
          if (!context.refs.has('State', value.toUpperCase())) {
            throw new CellError(`"${value}" is not a state acronym`);
          }
          return value.toUpperCase();
        })
      : reader.has('stateCode') && /^[A-Za-z]{2}$/.test(reader.raw('stateCode'))
        ? reader.raw('stateCode').toUpperCase()
        : sus
          ? (ufOfStateCode(sus.slice(0, 2)) ?? null)
          : null;
    if (sus && uf && ufOfStateCode(sus.slice(0, 2)) !== uf) {
      reader.fail(reader.header('uf'), `${uf} is not the state of municipality ${sus}`);
    }
    const latitude = reader.optional('latitude', decimal(-34, 6));
    const longitude = reader.optional('longitude', decimal(-74, -28));
    const capital = reader.optional('capital', capitalFlag);
    let macroregion: DatasusRow['macroregion'] = null;
    const macroCode = reader.optional('macroCode', code(10));
    if (macroCode && reader.raw('macroStatus') !== 'IGNOR') {
      if (!/^\d{4}$/.test(macroCode) || (sus && macroCode.slice(0, 2) !== sus.slice(0, 2))) {
        reader.fail(
          reader.header('macroCode'),
          `"${macroCode}" is not a macroregion code of this municipality's state (4 digits starting with ${sus?.slice(0, 2)})`,
        );
      }
      const macroName = reader.required('macroName', text(200));
      macroregion = macroName ? { code: macroCode, name: macroName } : null;
    }
    let region: DatasusRow['region'] = null;
    const regionCode = reader.optional('regionCode', code(10));
    if (regionCode) {
      if (!/^\d{5}$/.test(regionCode) || (sus && regionCode.slice(0, 2) !== sus.slice(0, 2))) {
        reader.fail(
          reader.header('regionCode'),
          `"${regionCode}" is not a health region code of this municipality's state (5 digits starting with ${sus?.slice(0, 2)})`,
        );
      }
      const regionName = reader.required('regionName', text(200));
      region = regionName ? { code: regionCode, name: regionName } : null;
    }
    if (!sus || !name || !uf) {
      return null;
    }
    // DATASUS writes 0 for unknown coordinates.
    const located = latitude !== null && longitude !== null && (latitude !== 0 || longitude !== 0);
    return {
      ibgeCode: sus,
      name,
      uf,
      isCapital: capital === 'E' || capital === 'F',
      latitude: located ? latitude : null,
      longitude: located ? longitude : null,
      macroregion,
      region,
      at: { file: reader.table.file, line: reader.row.line, column: reader.header('name') },
    };
  },
  identity: (row) => `municipality ${row.ibgeCode}`,
  checkAll(rows, context) {
    const names = new Map<string, Located<DatasusRow>>();
    for (const item of rows) {
      const macro = item.row.macroregion;
      if (!macro) {
        continue;
      }
      const first = names.get(macro.code);
      if (!first) {
        names.set(macro.code, item);
      } else if (first.row.macroregion!.name !== macro.name) {
        context.issues.add({
          file: item.file,
          line: item.line,
          column: 'macroregion',
          message: `macroregion ${macro.code} is named "${macro.name}" here but "${first.row.macroregion!.name}" on line ${first.line}`,
        });
      }
    }
  },
  async plan(em, rows, context) {
    const { refs } = context;
    await Promise.all([refs.load('HealthMacroregion'), refs.load('HealthRegion')]);
    const ufs = new Set(rows.map((row) => row.uf));
    const newest = await newestFileDay(em, territoryDatasusKind.name);
    if (context.asOfGiven && newest !== null && context.asOf < newest) {
      return planOlderPublication(em, rows, context, ufs, newest);
    }
    const givesMacroregions = rows.some((row) => row.macroregion !== null);
    const givesRegions = rows.some((row) => row.region !== null);
    // A state the file gives macroregions or regions for has official territory from now on.
    const covered = new Set(rows.filter((row) => row.macroregion || row.region).map((r) => r.uf));
    const current = await currentMunicipalities(em, context, ufs);
    const demo = await demoTerritoryOf(em, context, covered);
    const userPrune = context.prune ? { state: { $in: await stateIdsOf(context, ufs) } } : null;
    const inFile = new Set(rows.map((row) => row.ibgeCode));
    const scope: FileScope = { givesMacroregions, givesRegions, current, inFile, demo, userPrune };

    const plans = [
      await planTarget(em, refs, healthMacroregionTarget, macroregionsOf(rows), {
        pruneWhere: pruneCondition(userPrune, demo.where),
      }),
    ];
    const regionRows = regionRowsOf(rows);
    const regions = healthRegionsOf(rows, regionRows, scope, context.notes);
    if (regions.length > 0 || demo.where) {
      plans.push(
        await planTarget(em, refs, healthRegionTarget, regions, {
          pruneWhere: pruneCondition(givesRegions ? userPrune : null, demo.where),
        }),
      );
    }
    const names = await planNames(em, context, rows, current);
    plans.push(
      await planTarget(em, refs, municipalityTarget, municipalitiesOf(rows, scope, names), {
        pruneWhere: userPrune,
      }),
      names.plan,
    );
    plans.push(
      ...(givesRegions
        ? [await planMemberships(em, regionRows, context, demo)]
        : demoMembershipPlan(demo)),
    );
    context.notes.push(...whatTheFileLeaves(scope, covered));
    return plans;
  },
};

/** What the file says about the territory as it is, for the phases of `plan`. */
interface FileScope {
  givesMacroregions: boolean;
  givesRegions: boolean;
  /** The municipalities of the file's states as they are now. */
  current: Map<string, CurrentMunicipality>;
  /** The IBGE codes the file gives. */
  inFile: Set<string>;
  demo: DemoTerritory;
  /** `--prune`: the rows of the file's states it no longer has. */
  userPrune: { state: { $in: number[] } } | null;
}

type Names = Awaited<ReturnType<typeof planNames>>;

/** An older publication: what a newer one said stays; only its names join the history. */
async function planOlderPublication(
  em: Em,
  rows: DatasusRow[],
  context: PlanContext,
  ufs: Set<string>,
  newest: string,
): Promise<TargetPlan[]> {
  context.notes.push(
    `the file is true on ${context.asOf}, before the newest territory file applied (${newest}): its names are recorded in the name history, and nothing else it says (coordinates, capitals, macroregions, regions) replaces the newer file's`,
  );
  const names = await planNames(em, context, rows, await currentMunicipalities(em, context, ufs));
  const renamed = [...names.municipalities].map(([ibgeCode, fields]) => ({
    ibgeCode,
    ...fields,
  }));
  return [await planTarget(em, context.refs, municipalityTarget, renamed), names.plan];
}

/** Each macroregion of the file once, as its first row names it. */
function macroregionsOf(rows: DatasusRow[]): Flat[] {
  const macroregions = new Map<string, Flat>();
  for (const row of rows) {
    if (row.macroregion && !macroregions.has(row.macroregion.code)) {
      macroregions.set(row.macroregion.code, {
        code: row.macroregion.code,
        name: row.macroregion.name,
        nameSearch: searchText(row.macroregion.name),
        stateUf: row.uf,
        demo: false,
      });
    }
  }
  return [...macroregions.values()];
}

/** Each municipality's region, given only by the separate tables (rl_municip_regsaud + tb_regsaud). */
function regionRowsOf(rows: DatasusRow[]): RegionRow[] {
  return rows.flatMap((row) =>
    row.region
      ? [
          {
            ibgeCode: row.ibgeCode,
            regionCode: row.region.code,
            regionName: row.region.name,
            macroCode: row.macroregion?.code ?? null,
          },
        ]
      : [],
  );
}

/**
 * The health regions to write: the file's own when it gives them; else, with macroregions only
 * (the joined table), the official regions already loaded take a macroregion when all their
 * municipalities agree on it.
 */
function healthRegionsOf(
  rows: DatasusRow[],
  regionRows: RegionRow[],
  { givesMacroregions, givesRegions, current, demo }: FileScope,
  notes: string[],
): Flat[] {
  if (givesRegions) {
    const macroregionOfRegion = new Map(regionRows.map((row) => [row.regionCode, row.macroCode]));
    return regionsOf(
      regionRows,
      givesMacroregions ? (code) => macroregionOfRegion.get(code) : null,
    );
  }
  if (!givesMacroregions) {
    return [];
  }
  const macroregionOf = new Map(rows.map((row) => [row.ibgeCode, row.macroregion?.code ?? null]));
  const members = new Map<string, (string | null)[]>();
  for (const municipality of current.values()) {
    const region = municipality.regionCode;
    if (region && !demo.regionCodes.has(region) && macroregionOf.has(municipality.ibgeCode)) {
      members.set(region, [
        ...(members.get(region) ?? []),
        macroregionOf.get(municipality.ibgeCode)!,
      ]);
    }
  }
  const derived = macroregionsOfRegions(members, notes);
  const agreeing = [...derived.values()].filter((macroregion) => macroregion !== null).length;
  if (agreeing > 0) {
    notes.push(
      `${agreeing} health region(s) already loaded take their macroregion from their municipalities' in the file`,
    );
  }
  return [...derived].map(([code, macroregion]) => ({ code, macroregionCode: macroregion }));
}

/**
 * The municipalities to write: the file's, with their names as `planNames` decided; those of a
 * demo region (in the file or not) leave it for the official territory.
 */
function municipalitiesOf(
  rows: DatasusRow[],
  { givesMacroregions, current, inFile, demo }: FileScope,
  names: Names,
): Flat[] {
  const inDemoRegion = (ibgeCode: string) =>
    demo.regionCodes.has(current.get(ibgeCode)?.regionCode ?? '');
  const municipalities: Flat[] = rows.map((row) => ({
    ibgeCode: row.ibgeCode,
    stateUf: row.uf,
    isCapital: row.isCapital,
    latitude: row.latitude,
    longitude: row.longitude,
    ...(givesMacroregions ? { macroregionCode: row.macroregion?.code ?? null } : {}),
    ...(row.region
      ? { healthRegionCode: row.region.code }
      : inDemoRegion(row.ibgeCode)
        ? { healthRegionCode: null }
        : {}),
    ...names.municipalities.get(row.ibgeCode),
  }));
  for (const municipality of current.values()) {
    if (!inFile.has(municipality.ibgeCode) && inDemoRegion(municipality.ibgeCode)) {
      municipalities.push({ ibgeCode: municipality.ibgeCode, healthRegionCode: null });
    }
  }
  return municipalities;
}

/** Notes on what the file does not give and what stays as it was. */
function whatTheFileLeaves(
  { givesMacroregions, givesRegions, current, inFile, demo }: FileScope,
  covered: Set<string>,
): string[] {
  const notes: string[] = [];
  if (!givesMacroregions) {
    notes.push('the file gives no macroregions: municipalities keep the ones they have');
  }
  if (!givesRegions && covered.size > 0) {
    const without = [...current.values()].filter(
      (m) => covered.has(m.uf) && (m.regionCode === null || demo.regionCodes.has(m.regionCode)),
    );
    if (without.length > 0) {
      notes.push(
        `the file gives no health regions: ${without.length} municipality(ies) of the states it covers have none; import health-regions (DATASUS rl_municip_regsaud, or a state's list) to give them one`,
      );
    }
  }
  const missing = notInFile(
    current,
    inFile,
    'their name, coordinates and macroregion stay as they were (unknown if never given)',
  );
  if (missing) {
    notes.push(missing);
  }
  return notes;
}
