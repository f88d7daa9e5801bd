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
import { adhesionWrites, enrolmentWrites } from './specs/adhesion.write';
import { eventWrites } from './specs/event.write';
import { instrumentStatusWrites } from './specs/instrument-status.write';
import { mandateWrites } from './specs/mandate.write';
import { municipalityWrites } from './specs/municipality.write';
import { participationWrites } from './specs/participation.write';
import { personWrites } from './specs/person.write';
import { populationEstimateWrites } from './specs/population-estimate.write';
import { regionMembershipWrites } from './specs/region-membership.write';
import { healthMacroregionWrites, stateWrites } from './specs/state.write';
import { healthRegionWrites, organizationWrites, programWrites } from './specs/reference.write';
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
import { writeResolver } from './write.resolver';
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
  writeResolver(
    municipalityWrites,
    { singular: 'Municipality', plural: 'Municipalities' },
    MunicipalityUpsertInput,
    Municipality,
  ),
  writeResolver(personWrites, { singular: 'Person', plural: 'People' }, PersonUpsertInput, Person),
  writeResolver(
    mandateWrites,
    { singular: 'Mandate', plural: 'Mandates' },
    MandateUpsertInput,
    Mandate,
  ),
  writeResolver(eventWrites, { singular: 'Event', plural: 'Events' }, EventUpsertInput, Event),
  writeResolver(
    adhesionWrites,
    { singular: 'Adhesion', plural: 'Adhesions' },
    AdhesionUpsertInput,
    Adhesion,
  ),
  writeResolver(
    instrumentStatusWrites,
    { singular: 'InstrumentStatus', plural: 'InstrumentStatuses' },
    InstrumentStatusUpsertInput,
    InstrumentStatus,
  ),
  writeResolver(
    enrolmentWrites,
    { singular: 'Enrolment', plural: 'Enrolments' },
    EnrolmentUpsertInput,
    Enrolment,
  ),
  writeResolver(
    healthRegionWrites,
    { singular: 'HealthRegion', plural: 'HealthRegions' },
    HealthRegionUpsertInput,
    HealthRegion,
  ),
  writeResolver(
    organizationWrites,
    { singular: 'Organization', plural: 'Organizations' },
    OrganizationUpsertInput,
    Organization,
  ),
  writeResolver(
    programWrites,
    { singular: 'Program', plural: 'Programs' },
    ProgramUpsertInput,
    Program,
  ),
  writeResolver(stateWrites, { singular: 'State', plural: 'States' }, StateUpsertInput, State),
  writeResolver(
    healthMacroregionWrites,
    { singular: 'HealthMacroregion', plural: 'HealthMacroregions' },
    HealthMacroregionUpsertInput,
    HealthMacroregion,
  ),
  writeResolver(
    regionMembershipWrites,
    { singular: 'RegionMembership', plural: 'RegionMemberships' },
    RegionMembershipUpsertInput,
    RegionMembership,
  ),
  writeResolver(
    populationEstimateWrites,
    { singular: 'PopulationEstimate', plural: 'PopulationEstimates' },
    PopulationEstimateUpsertInput,
    PopulationEstimate,
  ),
  writeResolver(
    participationWrites,
    { singular: 'Participation', plural: 'Participations' },
    ParticipationUpsertInput,
    Participation,
  ),
];
