import type { EventFilter } from '../activity/activity.input';
import { today } from '../common/dates';
import type { Em } from '../db/orm';
import { BadUserInputError } from '../graphql/errors';
import type { AdhesionFilter, InstrumentStatusFilter } from '../programs/programs.input';
import type { MunicipalityFilter } from '../territory/municipality.input';
import { aggregate, dimensionsOf, type AggregateResult } from './aggregate';
import type {
  AdhesionDimension,
  EventDimension,
  InstrumentDimension,
  MunicipalityDimension,
} from './analytics.enums';
import {
  adhesionDimensions,
  eventDimensions,
  instrumentDimensions,
  municipalityDimensions,
} from './dimensions';
import {
  adhesionSource,
  adhesionStatsSpec,
  eventSource,
  eventStatsSpec,
  instrumentSource,
  instrumentStatsSpec,
  municipalitySource,
  municipalityStatsSpec,
} from './sources';

/**
 * The group-by aggregates (`municipalityStats`, `eventStats`, `adhesionStats`,
 * `instrumentStats`), each one statement: what the resolvers answer, and what compiled reads
 * serialise without graphql-js when a query selects only their plain fields.
 */
export function checkRange(from: string | null | undefined, to: string | null | undefined): void {
  if (from && to && from > to) {
    throw new BadUserInputError(`\`from\` (${from}) is after \`to\` (${to})`, {
      argument: 'from',
    });
  }
}

export function municipalityStats(
  em: Em,
  filter: MunicipalityFilter | null,
  groupBy: readonly MunicipalityDimension[],
  regionsAsOf: string | null,
): Promise<AggregateResult> {
  return aggregate(
    em,
    municipalitySource(em, filter, regionsAsOf),
    dimensionsOf(groupBy, municipalityDimensions),
    municipalityStatsSpec,
  );
}

export function eventStats(
  em: Em,
  filter: EventFilter | null,
  groupBy: readonly EventDimension[],
): Promise<AggregateResult> {
  checkRange(filter?.from, filter?.to);
  return aggregate(
    em,
    eventSource(em, filter),
    dimensionsOf(groupBy, eventDimensions),
    eventStatsSpec,
  );
}

export function adhesionStats(
  em: Em,
  filter: AdhesionFilter | null,
  groupBy: readonly AdhesionDimension[],
): Promise<AggregateResult> {
  return aggregate(
    em,
    adhesionSource(em, filter),
    dimensionsOf(groupBy, adhesionDimensions(today())),
    adhesionStatsSpec,
  );
}

export function instrumentStats(
  em: Em,
  filter: InstrumentStatusFilter | null,
  groupBy: readonly InstrumentDimension[],
): Promise<AggregateResult> {
  return aggregate(
    em,
    instrumentSource(em, filter),
    dimensionsOf(groupBy, instrumentDimensions),
    instrumentStatsSpec,
  );
}
