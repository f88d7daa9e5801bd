import { Event } from '../activity/event.entity';
import { Participation } from '../activity/participation.entity';
import { Mandate } from '../people/mandate.entity';
import { Organization } from '../people/organization.entity';
import { Program } from '../programs/program.entity';
import { HealthRegion } from '../territory/health-region.entity';
import { Person } from '../people/person.entity';
import { Adhesion } from '../programs/adhesion.entity';
import { Enrolment } from '../programs/enrolment.entity';
import { InstrumentStatus } from '../programs/instrument-status.entity';
import { HealthMacroregion } from '../territory/health-macroregion.entity';
import { Municipality } from '../territory/municipality.entity';
import { PopulationEstimate } from '../territory/population-estimate.entity';
import { RegionMembership } from '../territory/region-membership.entity';
import { State } from '../territory/state.entity';
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
import {
  AdhesionUpsertInput,
  EnrolmentUpsertInput,
  EventUpsertInput,
  HealthRegionUpsertInput,
  OrganizationUpsertInput,
  ProgramUpsertInput,
  InstrumentStatusUpsertInput,
  MandateUpsertInput,
  MunicipalityUpsertInput,
  PersonUpsertInput,
  StateUpsertInput,
  HealthMacroregionUpsertInput,
  RegionMembershipUpsertInput,
  PopulationEstimateUpsertInput,
  ParticipationUpsertInput,
} from './write.inputs';
import { entityMutationsResolver } from './entity-mutations.resolver';
import { type WriteSpec } from './write.spec';

/** Every writable entity type, by audit `entityType` (what `revertImport` looks up). */
export const writeSpecs: ReadonlyMap<string, WriteSpec> = new Map(
  [
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
  ].map((spec) => [spec.typeName, spec as unknown as WriteSpec]),
);

export const writeResolvers = [
  entityMutationsResolver(
    municipalityWrites,
    { singular: 'Municipality', plural: 'Municipalities' },
    MunicipalityUpsertInput,
    Municipality,
  ),
  entityMutationsResolver(
    personWrites,
    { singular: 'Person', plural: 'People' },
    PersonUpsertInput,
    Person,
  ),
  entityMutationsResolver(
    mandateWrites,
    { singular: 'Mandate', plural: 'Mandates' },
    MandateUpsertInput,
    Mandate,
  ),
  entityMutationsResolver(
    eventWrites,
    { singular: 'Event', plural: 'Events' },
    EventUpsertInput,
    Event,
  ),
  entityMutationsResolver(
    adhesionWrites,
    { singular: 'Adhesion', plural: 'Adhesions' },
    AdhesionUpsertInput,
    Adhesion,
  ),
  entityMutationsResolver(
    instrumentStatusWrites,
    { singular: 'InstrumentStatus', plural: 'InstrumentStatuses' },
    InstrumentStatusUpsertInput,
    InstrumentStatus,
  ),
  entityMutationsResolver(
    enrolmentWrites,
    { singular: 'Enrolment', plural: 'Enrolments' },
    EnrolmentUpsertInput,
    Enrolment,
  ),
  entityMutationsResolver(
    healthRegionWrites,
    { singular: 'HealthRegion', plural: 'HealthRegions' },
    HealthRegionUpsertInput,
    HealthRegion,
  ),
  entityMutationsResolver(
    organizationWrites,
    { singular: 'Organization', plural: 'Organizations' },
    OrganizationUpsertInput,
    Organization,
  ),
  entityMutationsResolver(
    programWrites,
    { singular: 'Program', plural: 'Programs' },
    ProgramUpsertInput,
    Program,
  ),
  entityMutationsResolver(
    stateWrites,
    { singular: 'State', plural: 'States' },
    StateUpsertInput,
    State,
  ),
  entityMutationsResolver(
    healthMacroregionWrites,
    { singular: 'HealthMacroregion', plural: 'HealthMacroregions' },
    HealthMacroregionUpsertInput,
    HealthMacroregion,
  ),
  entityMutationsResolver(
    regionMembershipWrites,
    { singular: 'RegionMembership', plural: 'RegionMemberships' },
    RegionMembershipUpsertInput,
    RegionMembership,
  ),
  entityMutationsResolver(
    populationEstimateWrites,
    { singular: 'PopulationEstimate', plural: 'PopulationEstimates' },
    PopulationEstimateUpsertInput,
    PopulationEstimate,
  ),
  entityMutationsResolver(
    participationWrites,
    { singular: 'Participation', plural: 'Participations' },
    ParticipationUpsertInput,
    Participation,
  ),
];
