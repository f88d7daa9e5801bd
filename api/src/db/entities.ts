import { AuditEntry } from '../audit/audit-entry.entity';
import { Event } from '../activity/event.entity';
import { Participation } from '../activity/participation.entity';
import { ApiKey } from '../auth/api-key.entity';
import { BaseEntity } from '../common/base.entity';
import { ImportRun } from '../imports/import-run.entity';
import { Mandate } from '../people/mandate.entity';
import { Organization } from '../people/organization.entity';
import { Person } from '../people/person.entity';
import { Adhesion } from '../programs/adhesion.entity';
import { Enrolment } from '../programs/enrolment.entity';
import { InstrumentStatus } from '../programs/instrument-status.entity';
import { Program } from '../programs/program.entity';
import { ExportToken } from '../saved-queries/export-token.entity';
import { SavedQuery } from '../saved-queries/saved-query.entity';
import { HealthMacroregion } from '../territory/health-macroregion.entity';
import { HealthRegion } from '../territory/health-region.entity';
import { Municipality } from '../territory/municipality.entity';
import { MunicipalityName } from '../territory/municipality-name.entity';
import { PopulationEstimate } from '../territory/population-estimate.entity';
import { RegionMembership } from '../territory/region-membership.entity';
import { State } from '../territory/state.entity';

/** Every entity, listed once: the ORM, the schema diff and the `node(id:)` lookup read this. */
export const entities = [
  BaseEntity,
  State,
  HealthMacroregion,
  HealthRegion,
  Municipality,
  MunicipalityName,
  RegionMembership,
  PopulationEstimate,
  Organization,
  Person,
  Mandate,
  Event,
  Participation,
  Program,
  Adhesion,
  Enrolment,
  InstrumentStatus,
  ApiKey,
  AuditEntry,
  ImportRun,
  SavedQuery,
  ExportToken,
];
