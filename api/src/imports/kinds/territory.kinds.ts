import { searchText } from '../../common/text';
import { UnreachableCaseError } from '../../graphql/errors';
import type { Em } from '../../db/orm';
import { Municipality } from '../../territory/municipality.entity';
import { RegionMembership } from '../../territory/region-membership.entity';
import { type MembershipSpan, regionChangeSteps } from '../../territory/region-history';
import { shippedTerritory } from '../../territory/territory.seed';
import { sizeClassOf } from '../../territory/territory.enums';
import {
  CellError,
  code,
  type ColumnSpec,
  decimal,
  ibgeCode,
  integer,
  oneOf,
  text,
} from '../import.cells';
import type { ImportKind, KindContext, Located, PlanContext } from '../import.kind';
import { planTarget, type TargetPlan } from '../import.plan';
import { type FlatRecord, targets } from '../import.targets';
import { combineDatasusTables, datasusSkipReason } from './datasus.tables';

let ufByStateCode: Map<string, string> | null = null;
/** "43" → "RS", from the shipped state list. */
export function ufOfStateCode(stateCode: string): string | undefined {
  ufByStateCode ??= new Map(shippedTerritory().states.map((state) => [state.ibgeCode, state.uf]));
  return ufByStateCode.get(stateCode);
}

async function stateIdsOf(context: KindContext, ufs: Iterable<string>): Promise<number[]> {
  await context.refs.load('State');
  return [...new Set(ufs)]
    .map((uf) => context.refs.id('State', uf))
    .filter((id): id is number => id !== undefined);
}

// ---------------------------------------------------------------- territory-datasus

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
    await context.refs.load('HealthMacroregion');
    const macroregions = new Map<string, FlatRecord>();
    for (const row of rows) {
      if (row.macroregion && !macroregions.has(row.macroregion.code)) {
        macroregions.set(row.macroregion.code, {
          code: row.macroregion.code,
          name: row.macroregion.name,
          nameSearch: searchText(row.macroregion.name),
          state: row.uf,
          demo: false,
        });
      }
    }
    const stateIds = context.prune
      ? await stateIdsOf(
          context,
          rows.map((row) => row.uf),
        )
      : [];
    const pruneWhere = context.prune ? { state: { $in: stateIds } } : null;
    const plans = [
      await planTarget(em, context.refs, targets.HealthMacroregion, [...macroregions.values()], {
        pruneWhere,
      }),
    ];
    // Health regions come only with the separate tables (rl_municip_regsaud + tb_regsaud).
    const regionRows: RegionRow[] = rows.flatMap((row) =>
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
    if (regionRows.length > 0) {
      await context.refs.load('HealthRegion');
      plans.push(
        await planTarget(em, context.refs, targets.HealthRegion, regionsOf(regionRows), {
          pruneWhere,
        }),
      );
    }
    plans.push(
      await planTarget(
        em,
        context.refs,
        targets.Municipality,
        rows.map((row) => ({
          ibgeCode: row.ibgeCode,
          name: row.name,
          nameSearch: searchText(row.name),
          state: row.uf,
          isCapital: row.isCapital,
          latitude: row.latitude,
          longitude: row.longitude,
          ...(row.region ? { healthRegion: row.region.code } : {}),
        })),
        { pruneWhere },
      ),
    );
    if (regionRows.length > 0) {
      plans.push(await planMemberships(em, regionRows, context));
    }
    return plans;
  },
};

// ---------------------------------------------------------------- health-regions

interface RegionRow {
  ibgeCode: string;
  regionCode: string;
  regionName: string;
  macroCode: string | null;
}

const municipalityAliases = [
  'codmun',
  'comunicip',
  'codmunicipio',
  'codigomunicipio',
  'codigodomunicipio',
  'municipiocodigo',
  'ibge',
  'codibge',
  'codigoibge',
  'municipality',
  'municipalitycode',
  'ibgecode',
  /^codmun/,
];

const regionColumns: ColumnSpec[] = [
  { field: 'municipality', aliases: municipalityAliases, required: true },
  {
    field: 'regionCode',
    aliases: [
      'coregsaud',
      'codregiao',
      'codigoregiao',
      'codigodaregiao',
      'regiaocodigo',
      'regioncode',
      'healthregioncode',
      /^coregsaud/,
      /^codregsaud/,
    ],
    required: true,
  },
  {
    field: 'regionName',
    aliases: [
      'noregiao',
      'noregsaud',
      'nomeregiao',
      'nomedaregiao',
      'regiaodesaude',
      'regiao',
      'regionname',
      'healthregion',
      'dsnomeregsaud',
      /^noregiao/,
      /^noregsaud/,
    ],
    required: true,
  },
  {
    field: 'macroCode',
    aliases: ['comacsaud', 'codmacro', 'codmacrorregiao', 'macroregioncode', /^comacsaud/],
  },
];

/** Municipality → health region (CIR) lists: DATASUS `rl_municip_regsaud` joins or staff sheets. */
export const healthRegionsKind: ImportKind<RegionRow> = {
  name: 'health-regions',
  description:
    'municipality → health region (codmun, no_regiao, co_regsaud[, co_macsaud]); CSV or XLSX',
  refs: ['Municipality', 'HealthMacroregion', 'State'],
  columns: () => regionColumns,
  readRow(reader, context) {
    const municipality = reader.required('municipality', ibgeCode);
    if (municipality && !context.refs.has('Municipality', municipality)) {
      reader.fail(reader.header('municipality'), `municipality ${municipality} is unknown`);
    }
    const regionCode = reader.required('regionCode', (value) => {
      if (!/^\d{5}$/.test(value)) {
        throw new CellError(
          `"${value}" is not a health region code: expected 5 digits (e.g. 43001)`,
        );
      }
      return value;
    });
    if (municipality && regionCode && regionCode.slice(0, 2) !== municipality.slice(0, 2)) {
      reader.fail(
        reader.header('regionCode'),
        `region ${regionCode} is not in the state of municipality ${municipality} (codes must share the first 2 digits)`,
      );
    }
    const regionName = reader.required('regionName', text(200));
    const macroCode = reader.optional('macroCode', code(10));
    if (macroCode && !context.refs.has('HealthMacroregion', macroCode)) {
      reader.fail(
        reader.header('macroCode'),
        `macroregion ${macroCode} is unknown; import territory-datasus first`,
      );
    }
    if (!municipality || !regionCode || !regionName) {
      return null;
    }
    return { ibgeCode: municipality, regionCode, regionName, macroCode };
  },
  identity: (row) => `municipality ${row.ibgeCode}`,
  checkAll(rows, context) {
    const first = new Map<string, Located<RegionRow>>();
    for (const item of rows) {
      const seen = first.get(item.row.regionCode);
      if (!seen) {
        first.set(item.row.regionCode, item);
      } else if (
        seen.row.regionName !== item.row.regionName ||
        seen.row.macroCode !== item.row.macroCode
      ) {
        context.issues.add({
          file: item.file,
          line: item.line,
          column: 'region',
          message: `region ${item.row.regionCode} is "${item.row.regionName}"${item.row.macroCode ? ` in ${item.row.macroCode}` : ''} here but "${seen.row.regionName}"${seen.row.macroCode ? ` in ${seen.row.macroCode}` : ''} on line ${seen.line}`,
        });
      }
    }
  },
  async plan(em, rows, context) {
    await context.refs.load('HealthRegion');
    const ufs = rows.map((row) => ufOfStateCode(row.ibgeCode.slice(0, 2))!);
    const pruneWhere = context.prune ? { state: { $in: await stateIdsOf(context, ufs) } } : null;
    return [
      await planTarget(em, context.refs, targets.HealthRegion, regionsOf(rows), {
        pruneWhere,
      }),
      await planTarget(
        em,
        context.refs,
        targets.Municipality,
        rows.map((row) => ({ ibgeCode: row.ibgeCode, healthRegion: row.regionCode })),
      ),
      await planMemberships(em, rows, context),
    ];
  },
};

/** One flat region per code; its macroregion only when some row names one. */
function regionsOf(rows: RegionRow[]): FlatRecord[] {
  const withMacro = rows.some((row) => row.macroCode !== null);
  const regions = new Map<string, FlatRecord>();
  for (const row of rows) {
    if (!regions.has(row.regionCode)) {
      regions.set(row.regionCode, {
        code: row.regionCode,
        name: row.regionName,
        nameSearch: searchText(row.regionName),
        state: ufOfStateCode(row.regionCode.slice(0, 2)) ?? null,
        ...(withMacro ? { macroregion: row.macroCode } : {}),
        demo: false,
      });
    }
  }
  return [...regions.values()];
}

/**
 * A municipality that changes region keeps its old membership, closed on `asOf`, and gets a new
 * one from `asOf`: history is never overwritten. The steps are those of a region change by
 * mutation (`regionChangeSteps`); a file that contradicts the recorded history (an `--as-of`
 * before the current membership began) is refused with the municipality named.
 */
async function planMemberships(
  em: Em,
  rows: RegionRow[],
  context: PlanContext,
): Promise<TargetPlan> {
  const ids = rows
    .map((row) => context.refs.id('Municipality', row.ibgeCode))
    .filter((id): id is number => id !== undefined);
  const history = new Map<string, MembershipSpan[]>();
  const regionNow = new Map<string, string | null>();
  for (let start = 0; start < ids.length; start += 500) {
    const slice = ids.slice(start, start + 500);
    const memberships = await em.find(RegionMembership, {
      municipality: { $in: slice },
      deletedAt: null,
    });
    for (const membership of memberships) {
      const ibgeCode = context.refs.key('Municipality', membership.municipality.id)!;
      const spans = history.get(ibgeCode) ?? [];
      spans.push({
        id: membership.id,
        regionCode: context.refs.key('HealthRegion', membership.healthRegion.id)!,
        validFrom: membership.validFrom ?? null,
        validTo: membership.validTo ?? null,
      });
      history.set(ibgeCode, spans);
    }
    const municipalities = await em.find(
      Municipality,
      { id: { $in: slice } },
      { fields: ['ibgeCode', 'healthRegion'] },
    );
    for (const municipality of municipalities) {
      const regionId = municipality.healthRegion?.id;
      regionNow.set(
        municipality.ibgeCode,
        regionId === undefined ? null : (context.refs.key('HealthRegion', regionId) ?? null),
      );
    }
    em.clear();
  }
  const plan: TargetPlan = { target: targets.RegionMembership, changes: [], unchanged: 0 };
  for (const row of rows) {
    const spans = history.get(row.ibgeCode) ?? [];
    // With no recorded history, the municipality has always been in its current region.
    const from =
      spans.length === 0
        ? (regionNow.get(row.ibgeCode) ?? null)
        : (spans.find((span) => span.validTo === null)?.regionCode ?? null);
    const result = regionChangeSteps({
      from,
      to: row.regionCode,
      effectiveFrom: context.asOf,
      memberships: spans,
    });
    if ('problem' in result) {
      context.issues.add({
        file: 'region history',
        line: 0,
        column: row.ibgeCode,
        message: result.problem,
      });
      continue;
    }
    if (result.steps.length === 0) {
      plan.unchanged += 1;
      continue;
    }
    const stateUf = ufOfStateCode(row.ibgeCode.slice(0, 2)) ?? null;
    const keyOf = (validFrom: string | null) => `${row.ibgeCode}@${validFrom ?? ''}`;
    const spanOf = (id: number) => spans.find((span) => span.id === id)!;
    for (const step of result.steps) {
      switch (step.kind) {
        case 'close':
          plan.changes.push({
            action: 'update',
            key: keyOf(spanOf(step.membershipId).validFrom),
            id: step.membershipId,
            before: { validTo: null },
            after: { validTo: step.validTo },
            stateUf,
          });
          break;
        case 'retarget':
          plan.changes.push({
            action: 'update',
            key: keyOf(spanOf(step.membershipId).validFrom),
            id: step.membershipId,
            before: { healthRegion: spanOf(step.membershipId).regionCode },
            after: { healthRegion: step.regionCode },
            stateUf,
          });
          break;
        case 'open':
          plan.changes.push({
            action: 'create',
            key: keyOf(step.validFrom),
            id: null,
            before: null,
            after: {
              municipality: row.ibgeCode,
              healthRegion: step.regionCode,
              validFrom: step.validFrom,
              validTo: step.validTo,
            },
            stateUf,
          });
          break;
        default:
          throw new UnreachableCaseError(step);
      }
    }
  }
  return plan;
}

// ---------------------------------------------------------------- population-ibge

interface PopulationRow {
  ibgeCode: string;
  year: number;
  population: number;
}

const populationColumns: ColumnSpec[] = [
  { field: 'year', aliases: ['ano', 'year', 'anoreferencia'] },
  { field: 'stateCode', aliases: ['coduf', 'codigouf', 'couf'] },
  {
    field: 'municipality',
    aliases: ['codmuni', 'codmunic', ...municipalityAliases],
    required: true,
  },
  {
    field: 'population',
    aliases: ['pop', 'populacao', 'populacaoestimada', 'population', 'estimativa', /^populacao/],
    required: true,
  },
];

/**
 * IBGE population estimates: the long `ano,codmuni,nomemun,pop` file or the official table
 * (UF, COD. UF, COD. MUNIC, NOME DO MUNICÍPIO, POPULAÇÃO ESTIMADA; the year comes from `--as-of`).
 */
export const populationIbgeKind: ImportKind<PopulationRow> = {
  name: 'population-ibge',
  description:
    'IBGE estimates: ano,codmuni,nomemun,pop or the official table (COD. UF + COD. MUNIC, POPULAÇÃO ESTIMADA)',
  refs: ['Municipality'],
  columns: () => populationColumns,
  readRow(reader, context) {
    let year: number | null;
    if (reader.has('year')) {
      year = reader.required('year', integer(1872, 2100));
    } else if (context.asOfGiven) {
      year = Number(context.asOf.slice(0, 4));
    } else {
      reader.fail(null, 'the file has no year column (ano); pass --as-of YYYY-MM-DD to give it');
      return null;
    }
    let raw = reader.raw('municipality').replace(/\s/g, '');
    if (reader.has('stateCode') && /^\d{4,5}$/.test(raw)) {
      raw = `${reader.raw('stateCode').padStart(2, '0')}${raw.padStart(5, '0')}`;
    }
    const municipality = raw
      ? (() => {
          try {
            return ibgeCode(raw);
          } catch (error) {
            reader.fail(reader.header('municipality'), (error as Error).message);
            return null;
          }
        })()
      : (reader.fail(reader.header('municipality'), 'is empty; a value is required'), null);
    if (municipality && !context.refs.has('Municipality', municipality)) {
      reader.fail(reader.header('municipality'), `municipality ${municipality} is unknown`);
    }
    const population = reader.required('population', integer(0, 50_000_000));
    if (!municipality || year === null || population === null) {
      return null;
    }
    return { ibgeCode: municipality, year, population };
  },
  identity: (row) => `municipality ${row.ibgeCode} in ${row.year}`,
  async plan(em, rows, context) {
    const newest = new Map<string, PopulationRow>();
    for (const row of rows) {
      const current = newest.get(row.ibgeCode);
      if (!current || current.year < row.year) {
        newest.set(row.ibgeCode, row);
      }
    }
    const currentYear = new Map<string, number | null>();
    const codes = [...newest.keys()];
    for (let start = 0; start < codes.length; start += 500) {
      const found = await em.find(
        Municipality,
        { ibgeCode: { $in: codes.slice(start, start + 500) } },
        { fields: ['ibgeCode', 'populationYear'] },
      );
      found.forEach((m) => currentYear.set(m.ibgeCode, m.populationYear ?? null));
      em.clear();
    }
    // A file of older years never replaces a newer estimate already loaded.
    const municipalities = [...newest.values()]
      .filter((row) => (currentYear.get(row.ibgeCode) ?? 0) <= row.year)
      .map((row) => ({
        ibgeCode: row.ibgeCode,
        population: row.population,
        populationYear: row.year,
        sizeClass: sizeClassOf(row.population),
      }));
    return [
      await planTarget(
        em,
        context.refs,
        targets.PopulationEstimate,
        rows.map((row) => ({
          municipality: row.ibgeCode,
          year: row.year,
          population: row.population,
        })),
        {
          pruneWhere: context.prune
            ? { year: { $in: [...new Set(rows.map((r) => r.year))] } }
            : null,
        },
      ),
      await planTarget(em, context.refs, targets.Municipality, municipalities),
    ];
  },
};
