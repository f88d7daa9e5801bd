import { ref } from '@mikro-orm/core';
import { z } from 'zod';
import { searchText } from '../common/text';
import { HealthRegion } from './health-region.entity';
import { Municipality } from './municipality.entity';
import { ManagementType, sizeClassOf } from './territory.enums';
import { AuditAction } from '../audit/audit.enums';
import { today } from '../common/dates';
import { regionChangeSteps, type RegionChangePlan } from './region-history';
import { type Batch, type FieldProblem, type Flat, refProblems } from '../writes/write.batch';
import { ibgeCode, localDate, regionCode, rowIdentity, text } from '../writes/write.fields';
import {
  loadRows,
  type RelatedChange,
  relatedChange,
  stateOfCode,
  writeSpec,
} from '../writes/write.spec';
import {
  loadedMembership,
  loadMembershipSpans,
  regionMembershipWrites,
  rememberSpan,
  spanOf,
  spansOf,
} from './region-membership.write';
import { importTarget, specFields, ufOfState } from '../imports/import.targets';

const regionOf = (flat: Flat) => (flat.healthRegionCode as string | null | undefined) ?? null;

/** How a region change of an existing municipality rewrites its membership history. */
function regionPlan(draft: Flat, before: Flat, batch: Batch): RegionChangePlan {
  return regionChangeSteps({
    from: regionOf(before),
    to: regionOf(draft),
    effectiveFrom: (draft.effectiveFrom as string | null | undefined) ?? today(),
    memberships: spansOf(batch, draft.ibgeCode as string),
  });
}

export const municipalityWrites = writeSpec<Municipality>({
  typeName: 'Municipality',
  plural: 'Municipalities',
  entity: Municipality,
  transientFields: ['effectiveFrom'],
  requiredOnCreate: ['ibgeCode', 'name'],
  schema: z.object({
    ...rowIdentity,
    ibgeCode: ibgeCode,
    name: text(200).nullish(),
    nameAsOf: localDate
      .nullish()
      .describe(
        'YYYY-MM-DD: the day the name is known true on (default when the name changes: `effectiveFrom`, else today). An official file of an earlier day never renames the municipality back.',
      ),
    population: z.number().int().min(0, 'Must be 0 or more').nullish(),
    populationYear: z.number().int().min(1872).max(2100).nullish(),
    managementType: z.enum(ManagementType).nullish(),
    healthRegionCode: regionCode.nullish(),
    isCapital: z.boolean().nullish(),
    latitude: z.number().min(-90).max(90).nullish(),
    longitude: z.number().min(-180).max(180).nullish(),
    effectiveFrom: localDate
      .nullish()
      .describe(
        'YYYY-MM-DD (default: today): when a new `healthRegionCode` takes effect. The current region membership ends that day and a new one begins.',
      ),
  }),
  keyOf: (flat) => (typeof flat.ibgeCode === 'string' ? flat.ibgeCode : null),
  load: loadRows(Municipality, (keys) => [{ ibgeCode: { $in: keys } }], ['healthRegion']),
  async prepare(batch, drafts, changes = []) {
    await batch.loadNamed(drafts, 'healthRegionCode', HealthRegion, 'code', ['state']);
    const moving = changes.filter((c) => c.before && regionOf(c.before) !== regionOf(c.draft));
    await loadMembershipSpans(
      batch,
      moving.map((c) => c.draft.ibgeCode as string),
    );
  },
  snapshot: (row) => ({
    ibgeCode: row.ibgeCode,
    name: row.name,
    nameAsOf: row.nameAsOf ?? null,
    population: row.population ?? null,
    populationYear: row.populationYear ?? null,
    managementType: row.managementType ?? null,
    healthRegionCode: row.healthRegion?.unwrap().code ?? null,
    isCapital: row.isCapital,
    latitude: row.latitude ?? null,
    longitude: row.longitude ?? null,
  }),
  check(draft, before, batch) {
    const problems: FieldProblem[] = [];
    const uf = batch.ufOfCode(draft.ibgeCode as string);
    if (!uf) {
      problems.push({
        field: 'ibgeCode',
        message: 'No state has the code these digits start with',
      });
    }
    if (before && before.ibgeCode !== draft.ibgeCode) {
      problems.push({
        field: 'ibgeCode',
        message: 'The IBGE code of a municipality cannot change',
      });
    }
    const inState = (region: HealthRegion, code: string) =>
      region.state.unwrap().uf === uf
        ? null
        : `Region ${code} is in ${region.state.unwrap().uf}, the municipality in ${uf}`;
    problems.push(
      ...refProblems(draft, batch, [
        ['healthRegionCode', HealthRegion, 'health region', { then: inState }],
      ]),
    );
    if (problems.length === 0 && before && regionOf(before) !== regionOf(draft)) {
      const plan = regionPlan(draft, before, batch);
      if ('problem' in plan) {
        problems.push({ field: 'effectiveFrom', message: plan.problem });
      }
    }
    return problems;
  },
  ufsOf: stateOfCode('ibgeCode'),
  create: () => new Municipality(),
  write(row, draft: Flat, batch) {
    row.ibgeCode = draft.ibgeCode as string;
    // A new name is true from the day given (default: the region's `effectiveFrom`, else today),
    // so an official file of an earlier day does not put the old name back (see nameAsOf).
    const nameAsOf = (draft.nameAsOf as string | null | undefined) ?? null;
    row.nameAsOf =
      row.name !== draft.name && nameAsOf === (row.nameAsOf ?? null)
        ? ((draft.effectiveFrom as string | null | undefined) ?? today())
        : nameAsOf;
    row.name = draft.name as string;
    row.nameSearch = searchText(row.name);
    row.state = ref(batch.state(batch.ufOfCode(row.ibgeCode)!)!);
    row.population = (draft.population as number | null | undefined) ?? null;
    row.sizeClass = sizeClassOf(row.population);
    row.populationYear = (draft.populationYear as number | null | undefined) ?? null;
    row.managementType = (draft.managementType as ManagementType | null | undefined) ?? null;
    const region = batch.ref(HealthRegion, draft.healthRegionCode as string | null);
    row.healthRegion = region ? ref(region) : null;
    row.isCapital = Boolean(draft.isCapital);
    row.latitude = (draft.latitude as number | null | undefined) ?? null;
    row.longitude = (draft.longitude as number | null | undefined) ?? null;
  },
  /** A region change closes the current membership and opens the next: history is kept. */
  related(row, before, draft, batch) {
    if (!before || regionOf(before) === regionOf(draft)) {
      return [];
    }
    const plan = regionPlan(draft, before, batch);
    if ('problem' in plan) {
      throw new Error(`Region change checked but not applicable: ${plan.problem}`);
    }
    const changes: RelatedChange[] = [];
    for (const step of plan.steps) {
      if (step.kind === 'open') {
        const membership = regionMembershipWrites.create(batch.em);
        membership.municipality = ref(row);
        membership.healthRegion = ref(batch.ref(HealthRegion, step.regionCode)!);
        membership.validFrom = step.validFrom;
        membership.validTo = step.validTo;
        changes.push(relatedChange(regionMembershipWrites, membership, null, AuditAction.CREATE));
        rememberSpan(batch, row.ibgeCode, null, { ...spanOf(membership), id: -1 });
        continue;
      }
      const membership = loadedMembership(batch, step.membershipId);
      const previous = regionMembershipWrites.snapshot(membership, batch);
      if (step.kind === 'close') {
        membership.validTo = step.validTo;
      } else {
        membership.healthRegion = ref(batch.ref(HealthRegion, step.regionCode)!);
      }
      changes.push(relatedChange(regionMembershipWrites, membership, previous, AuditAction.UPDATE));
      rememberSpan(batch, row.ibgeCode, membership.id, spanOf(membership));
    }
    return changes;
  },
});

/** How the import engine writes Municipality rows (flat, related rows by natural key). */
export const municipalityTarget = importTarget(
  Municipality,
  specFields(
    municipalityWrites,
    'healthRegionCode=healthRegion:HealthRegion',
    'nameSearch stateUf=state:State macroregionCode=macroregion:HealthMacroregion sizeClass',
  ),
  {
    namespace: 'Municipality',
    lookup: 'ibgeCode',
    stateUfOf: ufOfState,
  },
);
