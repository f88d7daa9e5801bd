import { adhesionWrites } from '../programs/adhesion.write';
import { enrolmentWrites } from '../programs/enrolment.write';
import { eventWrites } from '../activity/event.write';
import { instrumentStatusWrites } from '../programs/instrument-status.write';
import { mandateWrites } from '../people/mandate.write';
import { municipalityWrites } from '../territory/municipality.write';
import { participationWrites } from '../activity/participation.write';
import { personWrites } from '../people/person.write';
import { populationEstimateWrites } from '../territory/population-estimate.write';
import { regionMembershipWrites } from '../territory/region-membership.write';
import { healthMacroregionWrites } from '../territory/health-macroregion.write';
import { stateWrites } from '../territory/state.write';
import { healthRegionWrites } from '../territory/health-region.write';
import { organizationWrites } from '../people/organization.write';
import { programWrites } from '../programs/program.write';
import { entityMutationsResolver } from './entity-mutations.resolver';
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
