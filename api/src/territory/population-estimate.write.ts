import { ref } from '@mikro-orm/core';
import { z } from 'zod';
import { AuditAction } from '../audit/audit.enums';
import { Municipality } from './municipality.entity';
import { PopulationEstimate } from './population-estimate.entity';
import { sizeClassOf } from './territory.enums';
import { type Batch, type FieldProblem, type Flat, refProblems } from '../writes/write.batch';
import { ibgeCode, rowIdentity } from '../writes/write.fields';
import {
  loadRows,
  type RelatedChange,
  relatedChange,
  stateOfCode,
  writeSpec,
} from '../writes/write.spec';
import { municipalityWrites } from './municipality.write';
import { importTarget, specFields, ufOfMunicipality } from '../imports/import.targets';

function keyOf(flat: Flat): string | null {
  return typeof flat.ibgeCode === 'string' && typeof flat.year === 'number'
    ? `${flat.ibgeCode}|${flat.year}`
    : null;
}

function flatOf(row: PopulationEstimate): Flat {
  return {
    ibgeCode: row.municipality.unwrap().ibgeCode,
    year: row.year,
    population: row.population,
  };
}

/** The first year IBGE counted (1872 census); estimates of the coming year are published early. */
const FIRST_YEAR = 1872;
const lastYear = () => new Date().getUTCFullYear() + 1;

/**
 * IBGE population estimates, one per municipality × year. As in the population-ibge import, the
 * newest year (the municipality's `populationYear` or later) also becomes the municipality's
 * `population`: that change is versioned and audited like any municipality update, and so is
 * the one a delete or restore makes.
 */
export const populationEstimateWrites = writeSpec<PopulationEstimate>({
  typeName: 'PopulationEstimate',
  entity: PopulationEstimate,
  requiredOnCreate: ['ibgeCode', 'year', 'population'],
  schema: z
    .object({
      ...rowIdentity,
      ibgeCode: ibgeCode.nullish().describe('Municipality IBGE code.'),
      year: z.number().int().min(FIRST_YEAR, `No estimate before ${FIRST_YEAR}`).nullish(),
      population: z.number().int().min(0, 'Must be 0 or more').max(50_000_000).nullish(),
    })
    .describe('Natural key: municipality × year.'),
  keyOf,
  load: loadRows(
    PopulationEstimate,
    (keys) => [{ municipality: { ibgeCode: { $in: keys.map((key) => key.split('|')[0]!) } } }],
    ['municipality'],
    (row) => keyOf(flatOf(row)),
  ),
  async prepare(batch, drafts) {
    await batch.loadNamed(drafts, 'ibgeCode', Municipality, 'ibgeCode', ['healthRegion']);
  },
  snapshot: flatOf,
  check(draft, before, batch) {
    const problems: FieldProblem[] = [];
    if (before && (before.ibgeCode !== draft.ibgeCode || before.year !== draft.year)) {
      problems.push({
        field: before.year !== draft.year ? 'year' : 'ibgeCode',
        message:
          'The municipality and year of an estimate cannot change; delete it and create another',
      });
    }
    if ((draft.year as number) > lastYear()) {
      problems.push({
        field: 'year',
        message: `An estimate is for ${lastYear()} at the latest (got ${String(draft.year)})`,
      });
    }
    return problems.concat(
      refProblems(draft, batch, [
        ['ibgeCode', Municipality, 'municipality', { required: true, live: true }],
      ]),
    );
  },
  ufsOf: stateOfCode('ibgeCode'),
  create: () => new PopulationEstimate(),
  write(row, draft, batch) {
    row.municipality = ref(batch.ref(Municipality, draft.ibgeCode as string)!);
    row.year = draft.year as number;
    row.population = draft.population as number;
  },
  /** The newest estimate is the municipality's population (older years never replace it). */
  related(row, _before, _draft, batch) {
    const municipality = batch.ref(Municipality, row.municipality.unwrap().ibgeCode)!;
    const newest = (municipality.populationYear ?? 0) <= row.year;
    return newest ? populationFrom(row, municipality, batch) : [];
  },
  /**
   * Deleting the estimate the municipality's population came from puts the next newest back (with
   * none left, the population stays: it may have been typed in); restoring one re-applies the rule.
   */
  async relatedOnDelete(row, batch) {
    const municipality = await batch.em.findOneOrFail(
      Municipality,
      { id: row.municipality.id },
      { populate: ['healthRegion'] },
    );
    let source: PopulationEstimate | undefined = row;
    if (row.deletedAt) {
      const fromThis =
        municipality.populationYear === row.year && municipality.population === row.population;
      const others = fromThis
        ? await batch.em.find(
            PopulationEstimate,
            { municipality: municipality.id, deletedAt: null, id: { $ne: row.id } },
            { orderBy: { year: 'desc' }, limit: 1 },
          )
        : [];
      source = others[0];
    } else if ((municipality.populationYear ?? 0) > row.year) {
      source = undefined;
    }
    return source ? populationFrom(source, municipality, batch) : [];
  },
});

/** Makes the estimate the municipality's population (audited); nothing when it already is. */
function populationFrom(
  estimate: PopulationEstimate,
  municipality: Municipality,
  batch: Batch,
): RelatedChange[] {
  if (
    municipality.population === estimate.population &&
    municipality.populationYear === estimate.year
  ) {
    return [];
  }
  const before = municipalityWrites.snapshot(municipality, batch);
  municipality.population = estimate.population;
  municipality.populationYear = estimate.year;
  municipality.sizeClass = sizeClassOf(estimate.population);
  return [relatedChange(municipalityWrites, municipality, before, AuditAction.UPDATE)];
}

/** How the import engine writes PopulationEstimate rows (flat, related rows by natural key). */
export const populationEstimateTarget = importTarget(
  PopulationEstimate,
  specFields(populationEstimateWrites, 'ibgeCode=municipality:Municipality'),
  {
    keyFields: 'ibgeCode year',
    lookup: 'ibgeCode',
    stateUfOf: ufOfMunicipality,
  },
);
