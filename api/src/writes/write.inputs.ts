import { Field, Float, ID, InputType, Int } from 'type-graphql';
import { EventKind, Modality, ParticipationRole } from '../activity/activity.enums';
import { MandateRole, OrganizationKind, SeatType } from '../people/people.enums';
import { AdhesionStatus, Instrument, InstrumentStatusValue } from '../programs/programs.enums';
import { GeographicRegion, ManagementType } from '../territory/territory.enums';

/*
 * Upsert inputs: every field optional so that an omitted field is left unchanged and `null`
 * clears it; `id` (global id) or the natural key finds an existing row; `expectedVersion` is the
 * version the client last saw. Validation happens in the write service (zod), not here.
 */

@InputType()
export class MunicipalityUpsertInput {
  @Field(() => ID, { nullable: true }) id?: string | null;
  @Field(() => String) ibgeCode!: string;
  @Field(() => Int, { nullable: true }) expectedVersion?: number | null;
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => String, {
    nullable: true,
    description:
      'YYYY-MM-DD: the day the name is known true on (default when the name changes: `effectiveFrom`, else today). An official file of an earlier day never renames the municipality back.',
  })
  nameAsOf?: string | null;
  @Field(() => Int, { nullable: true }) population?: number | null;
  @Field(() => Int, { nullable: true }) populationYear?: number | null;
  @Field(() => ManagementType, { nullable: true }) managementType?: ManagementType | null;
  @Field(() => String, { nullable: true }) healthRegionCode?: string | null;
  @Field(() => Boolean, { nullable: true }) isCapital?: boolean | null;
  @Field(() => Float, { nullable: true }) latitude?: number | null;
  @Field(() => Float, { nullable: true }) longitude?: number | null;
  @Field(() => String, {
    nullable: true,
    description:
      'YYYY-MM-DD (default: today): when a new `healthRegionCode` takes effect. The current region membership ends that day and a new one begins.',
  })
  effectiveFrom?: string | null;
}

@InputType()
export class PersonUpsertInput {
  @Field(() => ID, { nullable: true }) id?: string | null;
  @Field(() => String, { nullable: true, description: 'Natural key.' }) code?: string | null;
  @Field(() => Int, { nullable: true }) expectedVersion?: number | null;
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => String, { nullable: true }) email?: string | null;
  @Field(() => String, { nullable: true }) phone?: string | null;
}

@InputType()
export class MandateUpsertInput {
  @Field(() => ID, { nullable: true }) id?: string | null;
  @Field(() => String, { nullable: true, description: 'Natural key from the roster.' })
  code?: string | null;
  @Field(() => Int, { nullable: true }) expectedVersion?: number | null;
  @Field(() => String, { nullable: true }) personCode?: string | null;
  @Field(() => String, { nullable: true }) organizationCode?: string | null;
  @Field(() => MandateRole, { nullable: true }) role?: MandateRole | null;
  @Field(() => SeatType, { nullable: true }) seat?: SeatType | null;
  @Field(() => String, { nullable: true }) stateUf?: string | null;
  @Field(() => String, { nullable: true }) municipalityIbgeCode?: string | null;
  @Field(() => [String], { nullable: true }) healthRegionCodes?: string[] | null;
  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD' }) startDate?: string | null;
  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD, exclusive' })
  endDate?: string | null;
}

@InputType()
export class EventUpsertInput {
  @Field(() => ID, { nullable: true }) id?: string | null;
  @Field(() => String, { nullable: true, description: 'Natural key.' }) code?: string | null;
  @Field(() => Int, { nullable: true }) expectedVersion?: number | null;
  @Field(() => EventKind, { nullable: true }) kind?: EventKind | null;
  @Field(() => String, { nullable: true }) title?: string | null;
  @Field(() => String, { nullable: true }) startDate?: string | null;
  @Field(() => String, { nullable: true }) endDate?: string | null;
  @Field(() => Modality, { nullable: true }) modality?: Modality | null;
  @Field(() => String, { nullable: true }) organizationCode?: string | null;
  @Field(() => String, { nullable: true }) stateUf?: string | null;
  @Field(() => String, { nullable: true }) healthRegionCode?: string | null;
  @Field(() => String, { nullable: true }) municipalityIbgeCode?: string | null;
  @Field(() => [String], { nullable: true }) topics?: string[] | null;
  @Field(() => Int, { nullable: true }) participantCount?: number | null;
  @Field(() => Int, { nullable: true }) accessCount?: number | null;
  @Field(() => String, { nullable: true }) notes?: string | null;
}

@InputType()
export class AdhesionUpsertInput {
  @Field(() => ID, { nullable: true }) id?: string | null;
  @Field(() => String, { nullable: true, description: 'Municipality (key, with programCode).' })
  ibgeCode?: string | null;
  @Field(() => String, { nullable: true }) programCode?: string | null;
  @Field(() => Int, { nullable: true }) expectedVersion?: number | null;
  @Field(() => AdhesionStatus, { nullable: true }) status?: AdhesionStatus | null;
  @Field(() => String, { nullable: true }) requestedOn?: string | null;
  @Field(() => String, { nullable: true }) decidedOn?: string | null;
  @Field(() => String, { nullable: true }) notes?: string | null;
}

@InputType()
export class InstrumentStatusUpsertInput {
  @Field(() => ID, { nullable: true }) id?: string | null;
  @Field(() => String, { nullable: true }) ibgeCode?: string | null;
  @Field(() => Instrument, { nullable: true }) instrument?: Instrument | null;
  @Field(() => String, { nullable: true }) period?: string | null;
  @Field(() => Int, { nullable: true }) expectedVersion?: number | null;
  @Field(() => InstrumentStatusValue, { nullable: true }) status?: InstrumentStatusValue | null;
  @Field(() => String, { nullable: true }) statusDate?: string | null;
  @Field(() => String, { nullable: true }) dueDate?: string | null;
}

@InputType()
export class EnrolmentUpsertInput {
  @Field(() => ID, { nullable: true }) id?: string | null;
  @Field(() => String, { nullable: true }) personCode?: string | null;
  @Field(() => String, { nullable: true }) programCode?: string | null;
  @Field(() => Int, { nullable: true }) expectedVersion?: number | null;
  @Field(() => String, {
    nullable: true,
    description: 'Municipality the professional enrols through.',
  })
  ibgeCode?: string | null;
  @Field(() => String, { nullable: true }) enrolledOn?: string | null;
}

@InputType()
export class HealthRegionUpsertInput {
  @Field(() => ID, { nullable: true }) id?: string | null;
  @Field(() => String, { nullable: true, description: '5-digit code, e.g. 43001.' })
  code?: string | null;
  @Field(() => Int, { nullable: true }) expectedVersion?: number | null;
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => String, { nullable: true }) macroregionCode?: string | null;
  @Field(() => String, { nullable: true }) seatIbgeCode?: string | null;
}

@InputType()
export class OrganizationUpsertInput {
  @Field(() => ID, { nullable: true }) id?: string | null;
  @Field(() => String, { nullable: true }) code?: string | null;
  @Field(() => Int, { nullable: true }) expectedVersion?: number | null;
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => OrganizationKind, { nullable: true }) kind?: OrganizationKind | null;
  @Field(() => String, { nullable: true, description: 'null = national.' })
  stateUf?: string | null;
}

@InputType()
export class ProgramUpsertInput {
  @Field(() => ID, { nullable: true }) id?: string | null;
  @Field(() => String, { nullable: true }) code?: string | null;
  @Field(() => Int, { nullable: true }) expectedVersion?: number | null;
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => String, { nullable: true }) description?: string | null;
  @Field(() => String, { nullable: true }) adhesionOpensOn?: string | null;
  @Field(() => String, { nullable: true }) adhesionClosesOn?: string | null;
  @Field(() => Int, { nullable: true }) decisionBusinessDays?: number | null;
  @Field(() => Int, { nullable: true }) validityMonths?: number | null;
}

@InputType()
export class StateUpsertInput {
  @Field(() => ID, { nullable: true }) id?: string | null;
  @Field(() => String, { nullable: true, description: 'Natural key, e.g. RS.' }) uf?: string | null;
  @Field(() => Int, { nullable: true }) expectedVersion?: number | null;
  @Field(() => String, { nullable: true, description: 'Two-digit IBGE code, e.g. 43.' })
  ibgeCode?: string | null;
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => GeographicRegion, { nullable: true }) region?: GeographicRegion | null;
}

@InputType()
export class HealthMacroregionUpsertInput {
  @Field(() => ID, { nullable: true }) id?: string | null;
  @Field(() => String, { nullable: true, description: '4-digit code, e.g. 4301.' })
  code?: string | null;
  @Field(() => Int, { nullable: true }) expectedVersion?: number | null;
  @Field(() => String, { nullable: true }) name?: string | null;
}

@InputType({
  description:
    'Natural key: municipality × region × validFrom. Spans are [validFrom, validTo): validTo is the first day in the next region.',
})
export class RegionMembershipUpsertInput {
  @Field(() => ID, { nullable: true }) id?: string | null;
  @Field(() => String, { nullable: true, description: 'Municipality IBGE code.' })
  ibgeCode?: string | null;
  @Field(() => String, { nullable: true }) healthRegionCode?: string | null;
  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD; null: since always.' })
  validFrom?: string | null;
  @Field(() => Int, { nullable: true }) expectedVersion?: number | null;
  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD, exclusive; null: current.' })
  validTo?: string | null;
}

@InputType({ description: 'Natural key: municipality × year.' })
export class PopulationEstimateUpsertInput {
  @Field(() => ID, { nullable: true }) id?: string | null;
  @Field(() => String, { nullable: true, description: 'Municipality IBGE code.' })
  ibgeCode?: string | null;
  @Field(() => Int, { nullable: true }) year?: number | null;
  @Field(() => Int, { nullable: true }) expectedVersion?: number | null;
  @Field(() => Int, { nullable: true }) population?: number | null;
}

@InputType({
  description: 'Natural key: event × person (or event × municipality when there is no person).',
})
export class ParticipationUpsertInput {
  @Field(() => ID, { nullable: true }) id?: string | null;
  @Field(() => String, { nullable: true }) eventCode?: string | null;
  @Field(() => String, { nullable: true }) personCode?: string | null;
  @Field(() => String, { nullable: true }) municipalityIbgeCode?: string | null;
  @Field(() => Int, { nullable: true }) expectedVersion?: number | null;
  @Field(() => ParticipationRole, { nullable: true }) role?: ParticipationRole | null;
}
