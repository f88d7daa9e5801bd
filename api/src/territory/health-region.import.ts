import { ufOfStateCode } from './territory.seed';
import { CellError, code, type ColumnSpec, ibgeCode, text } from '../imports/import.cells';
import type { ImportKind, Located } from '../imports/import.kind';
import { planTarget } from '../imports/import.plan';
import {
  currentMunicipalities,
  demoTerritoryOf,
  listed,
  macroregionsOfRegions,
  notInFile,
  planMemberships,
  pruneCondition,
  type RegionRow,
  regionsOf,
  stateIdsOf,
} from './territory.plan';

import { municipalityAliases } from '../imports/import.columns';
import { type Flat } from '../writes/write.batch';
import { healthMacroregionTarget } from './health-macroregion.write';
import { healthRegionTarget } from './health-region.write';
import { municipalityTarget } from './municipality.write';

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
    const { refs, notes } = context;
    await Promise.all([refs.load('HealthRegion'), refs.load('HealthMacroregion')]);
    const ufs = new Set(rows.map((row) => ufOfStateCode(row.ibgeCode.slice(0, 2))!));
    const current = await currentMunicipalities(em, context, ufs);
    const demo = await demoTerritoryOf(em, context, ufs);
    const userPrune = context.prune ? { state: { $in: await stateIdsOf(context, ufs) } } : null;
    const givesMacroregions = rows.some((row) => row.macroCode !== null);
    let macroregionOf: (regionCode: string) => string | null | undefined;
    if (givesMacroregions) {
      const macroregions = new Map(rows.map((row) => [row.regionCode, row.macroCode]));
      macroregionOf = (code) => macroregions.get(code);
    } else {
      // The macroregion territory-datasus gave each municipality, agreed on by the region's.
      const members = new Map<string, (string | null)[]>();
      for (const row of rows) {
        const macroregion = current.get(row.ibgeCode)?.macroregionCode ?? null;
        members.set(row.regionCode, [...(members.get(row.regionCode) ?? []), macroregion]);
      }
      const derived = macroregionsOfRegions(members, notes);
      macroregionOf = (code) => derived.get(code);
      const none = [...members.keys()].filter((code) => !derived.get(code));
      notes.push(
        `the file gives no macroregions: ${members.size - none.length} of ${members.size} region(s) take theirs from their municipalities' (given by territory-datasus)${none.length > 0 ? `; ${none.length} have none (${listed(none)}): import territory-datasus for their municipalities` : ''}`,
      );
    }
    const inFile = new Set(rows.map((row) => row.ibgeCode));
    const municipalities: Flat[] = rows.map((row) => ({
      ibgeCode: row.ibgeCode,
      healthRegionCode: row.regionCode,
      ...(givesMacroregions ? { macroregionCode: row.macroCode } : {}),
    }));
    for (const municipality of current.values()) {
      if (
        !inFile.has(municipality.ibgeCode) &&
        demo.regionCodes.has(municipality.regionCode ?? '')
      ) {
        municipalities.push({ ibgeCode: municipality.ibgeCode, healthRegionCode: null });
      }
    }
    const missing = notInFile(
      current,
      inFile,
      'they keep the official region they had, and a demo one is removed',
    );
    if (missing) {
      notes.push(missing);
    }
    return [
      ...(demo.where
        ? [
            await planTarget(em, refs, healthMacroregionTarget, [], {
              pruneWhere: demo.where,
            }),
          ]
        : []),
      await planTarget(em, refs, healthRegionTarget, regionsOf(rows, macroregionOf), {
        pruneWhere: pruneCondition(userPrune, demo.where),
      }),
      await planTarget(em, refs, municipalityTarget, municipalities),
      await planMemberships(em, rows, context, demo),
    ];
  },
};
