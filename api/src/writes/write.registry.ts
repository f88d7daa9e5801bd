import { adhesionTarget, adhesionWrites } from '../programs/adhesion.write';
import { enrolmentWrites } from '../programs/enrolment.write';
import { eventTarget, eventWrites } from '../activity/event.write';
import {
  instrumentStatusTarget,
  instrumentStatusWrites,
} from '../programs/instrument-status.write';
import { mandateTarget, mandateWrites } from '../people/mandate.write';
import { municipalityTarget, municipalityWrites } from '../territory/municipality.write';
import { participationTarget, participationWrites } from '../activity/participation.write';
import { personTarget, personWrites } from '../people/person.write';
import {
  populationEstimateTarget,
  populationEstimateWrites,
} from '../territory/population-estimate.write';
import {
  regionMembershipTarget,
  regionMembershipWrites,
} from '../territory/region-membership.write';
import {
  healthMacroregionTarget,
  healthMacroregionWrites,
} from '../territory/health-macroregion.write';
import { stateWrites } from '../territory/state.write';
import { healthRegionTarget, healthRegionWrites } from '../territory/health-region.write';
import { organizationTarget, organizationWrites } from '../people/organization.write';
import { programTarget, programWrites } from '../programs/program.write';
import { entityMutationsResolver } from './entity-mutations.resolver';
import { municipalityNameTarget } from '../territory/municipality-name.write';
import { type Target } from '../imports/import.targets';
import { type WriteSpec } from './write.spec';

/** Every writable entity, in the schema's order. */
const writable = [
  municipalityWrites,
  personWrites,
  mandateWrites,
  eventWrites,
  adhesionWrites,
  instrumentStatusWrites,
  enrolmentWrites,
  healthRegionWrites,
  organizationWrites,
  programWrites,
  stateWrites,
  healthMacroregionWrites,
  regionMembershipWrites,
  populationEstimateWrites,
  participationWrites,
].map((spec) => spec as unknown as WriteSpec);

/** Every writable entity type, by audit `entityType` (what `revertImport` looks up). */
export const writeSpecs: ReadonlyMap<string, WriteSpec> = new Map(
  writable.map((spec) => [spec.typeName, spec]),
);

export const writeResolvers = writable.map((spec) => entityMutationsResolver(spec));

/**
 * How the import engine writes each entity type, by audit `entityType` (what `revertImport`
 * looks up to write an engine run's rows back).
 */
export const importTargets: ReadonlyMap<string, Target> = new Map(
  [
    healthMacroregionTarget,
    healthRegionTarget,
    municipalityTarget,
    municipalityNameTarget,
    regionMembershipTarget,
    populationEstimateTarget,
    organizationTarget,
    programTarget,
    personTarget,
    mandateTarget,
    eventTarget,
    participationTarget,
    adhesionTarget,
    instrumentStatusTarget,
  ].map((target) => [target.name, target]),
);
