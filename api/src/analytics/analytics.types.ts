import { Field, Int, ObjectType } from 'type-graphql';
import { LocalDate } from '../common/scalars';
import { aggregateTypes } from './aggregate';
import {
  adhesionDimensions,
  eventDimensions,
  instrumentDimensions,
  municipalityDimensions,
} from './dimensions';
import {
  activitySummarySpec,
  adhesionRateSpec,
  adhesionStatsSpec,
  complianceSpec,
  eventStatsSpec,
  instrumentStatsSpec,
  municipalityStatsSpec,
  turnoverSpec,
} from './sources';

// The specs' SQL depends on arguments (dates); their columns do not, so any value builds the types.
const anyDay = '2000-01-01';

export const MunicipalityStats = aggregateTypes('MunicipalityStats', {
  description: 'Municipalities counted and their populations summed, per group.',
  dimensions: Object.values(municipalityDimensions),
  ...municipalityStatsSpec,
});

export const EventStats = aggregateTypes('EventStats', {
  description: 'Events counted and their participants and accesses summed, per group.',
  dimensions: Object.values(eventDimensions),
  ...eventStatsSpec,
});

export const AdhesionStats = aggregateTypes('AdhesionStats', {
  description: 'Adhesions counted per group.',
  dimensions: Object.values(adhesionDimensions(anyDay)),
  ...adhesionStatsSpec,
});

export const InstrumentStats = aggregateTypes('InstrumentStats', {
  description: 'Management-instrument statuses counted per group.',
  dimensions: Object.values(instrumentDimensions),
  ...instrumentStatsSpec,
});

export const GestorTurnover = aggregateTypes('GestorTurnover', {
  description: 'Municipalities whose gestor (and mayor) changed between two days, per group.',
  dimensions: Object.values(municipalityDimensions),
  ...turnoverSpec,
});

export const AdhesionRates = aggregateTypes('AdhesionRates', {
  description: 'Municipalities adhered to a program over those eligible, per group.',
  dimensions: Object.values(municipalityDimensions),
  ...adhesionRateSpec(anyDay),
});

export const InstrumentCompliance = aggregateTypes('InstrumentCompliance', {
  description: 'Municipalities that sent an instrument for a period by the deadline, per group.',
  dimensions: Object.values(municipalityDimensions),
  ...complianceSpec(null),
});

export const ActivitySummary = aggregateTypes('ActivitySummary', {
  description: 'Meetings, oficinas, participants and accesses, per group.',
  dimensions: Object.values(eventDimensions),
  ...activitySummarySpec,
});

@ObjectType({ description: 'One health region an apoiador covered on the day asked.' })
export class ApoiadorRegionCoverage {
  @Field(() => String)
  healthRegionCode!: string;

  @Field(() => String)
  healthRegionName!: string;

  @Field(() => Int, { description: 'Municipalities in the region on that day.' })
  municipalityCount!: number;

  @Field(() => Int, { description: 'Distinct gestores in office in those municipalities.' })
  gestorCount!: number;
}

@ObjectType({ description: 'What one apoiador covered on the day asked.' })
export class ApoiadorCoverageGroup {
  /** Row id of the person, for the `person` field. */
  personId!: number;

  @Field(() => String)
  personCode!: string;

  @Field(() => String)
  personName!: string;

  @Field(() => Int)
  regionCount!: number;

  @Field(() => Int, { description: 'Municipalities in the covered regions on that day.' })
  municipalityCount!: number;

  @Field(() => Int, { description: 'Distinct gestores in office in them on that day.' })
  gestorCount!: number;

  @Field(() => [String], { description: 'Codes of the covered regions, in order.' })
  regionCodes!: string[];

  @Field(() => [ApoiadorRegionCoverage])
  regions!: ApoiadorRegionCoverage[];
}

@ObjectType({ description: 'One apoiador as scalar columns, ready for a spreadsheet.' })
export class ApoiadorCoverageRow {
  @Field(() => String)
  personCode!: string;

  @Field(() => String)
  personName!: string;

  @Field(() => String, { description: 'Covered region codes, comma-separated.' })
  regionCodes!: string;

  @Field(() => Int)
  regionCount!: number;

  @Field(() => Int)
  municipalityCount!: number;

  @Field(() => Int)
  gestorCount!: number;
}

@ObjectType({
  description:
    'Per apoiador in office on a day, the health regions (of one state) they covered, with the municipalities in those regions and gestores in office on that day.',
})
export class ApoiadorCoverage {
  @Field(() => LocalDate)
  at!: string;

  @Field(() => String)
  uf!: string;

  @Field(() => [ApoiadorCoverageGroup])
  groups!: ApoiadorCoverageGroup[];

  @Field(() => [ApoiadorCoverageRow])
  rows!: ApoiadorCoverageRow[];
}
