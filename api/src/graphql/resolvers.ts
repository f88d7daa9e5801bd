import type { NonEmptyArray } from 'type-graphql';
import { EventResolver, ParticipationResolver } from '../activity/activity.resolver';
import {
  AnalyticsResolver,
  ApoiadorCoverageResolver,
  HealthRegionHistoryResolver,
} from '../analytics/analytics.resolver';
import {
  MandateResolver,
  MunicipalityPeopleResolver,
  OrganizationResolver,
  PersonResolver,
} from '../people/people.resolver';
import {
  AdhesionResolver,
  EnrolmentResolver,
  InstrumentStatusResolver,
  ProgramResolver,
} from '../programs/programs.resolver';
import {
  HealthMacroregionResolver,
  HealthRegionResolver,
  MunicipalityResolver,
  RegionMembershipResolver,
  StateResolver,
} from '../territory/territory.resolver';
import { ExportTokenResolver, SavedQueryResolver } from '../saved-queries/saved-query.resolver';
import { ApiKeyResolver } from '../auth/api-key.resolver';
import { AuditResolver } from '../audit/audit.resolver';
import { ViewerResolver } from '../auth/viewer.resolver';
import { writeResolvers } from '../writes/write.registry';
import { ImportRunResolver } from '../imports/import.resolver';
import { NodeResolver } from './node.resolver';

/** Every resolver class of the schema; features add theirs here. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- type-graphql's own type for resolver classes
export const resolvers: NonEmptyArray<Function> = [
  NodeResolver,
  StateResolver,
  HealthMacroregionResolver,
  HealthRegionResolver,
  MunicipalityResolver,
  RegionMembershipResolver,
  PersonResolver,
  OrganizationResolver,
  MandateResolver,
  MunicipalityPeopleResolver,
  EventResolver,
  ParticipationResolver,
  ProgramResolver,
  AdhesionResolver,
  EnrolmentResolver,
  InstrumentStatusResolver,
  SavedQueryResolver,
  ExportTokenResolver,
  ViewerResolver,
  ApiKeyResolver,
  AuditResolver,
  ...writeResolvers,
  ImportRunResolver,
  AnalyticsResolver,
  ApoiadorCoverageResolver,
  HealthRegionHistoryResolver,
];
