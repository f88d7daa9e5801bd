import { Municipality } from './municipality.entity';
import { sizeClassOf } from './territory.enums';
import { type ColumnSpec, ibgeCode, integer } from '../imports/import.cells';
import type { ImportKind } from '../imports/import.kind';
import { planTarget } from '../imports/import.plan';

import { municipalityAliases } from '../imports/import.columns';
import { municipalityTarget } from './municipality.write';
import { populationEstimateTarget } from './population-estimate.write';

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
        populationEstimateTarget,
        rows.map((row) => ({
          ibgeCode: row.ibgeCode,
          year: row.year,
          population: row.population,
        })),
        {
          pruneWhere: context.prune
            ? { year: { $in: [...new Set(rows.map((r) => r.year))] } }
            : null,
        },
      ),
      await planTarget(em, context.refs, municipalityTarget, municipalities),
    ];
  },
};
