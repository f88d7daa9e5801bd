import { Arg, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import { EventFilter } from '../activity/activity.input';
import { today } from '../common/dates';
import { LocalDate } from '../common/scalars';
import type { DataEntry } from '../graphql/compiled/catalog';
import type { GraphQLContext } from '../graphql/context';
import { requestLoader } from '../graphql/loaders';
import { Mandate } from '../people/mandate.entity';
import { Person } from '../people/person.entity';
import { Program } from '../programs/program.entity';
import { AdhesionFilter, InstrumentStatusFilter } from '../programs/programs.input';
import { Instrument } from '../programs/programs.enums';
import { HealthRegion } from '../territory/health-region.entity';
import { MunicipalityFilter } from '../territory/municipality.input';
import { validUf } from '../territory/territory.validation';
import { aggregate, type AggregateResult, dimensionsOf } from './aggregate';
import {
  AdhesionDimension,
  EventDimension,
  InstrumentDimension,
  MunicipalityDimension,
} from './analytics.enums';
import {
  ActivitySummary,
  AdhesionRates,
  AdhesionStats,
  ApoiadorCoverage,
  ApoiadorCoverageGroup,
  EventStats,
  GestorTurnover,
  InstrumentCompliance,
  InstrumentStats,
  MunicipalityStats,
} from './analytics.types';
import { apoiadorCoverage } from './coverage';
import * as groupStats from './group-stats';
import { eventDimensions, municipalityDimensions } from './dimensions';
import { apoiadoresOn } from './point-in-time';
import {
  activitySummarySpec,
  adhesionRateSource,
  adhesionRateSpec,
  complianceSource,
  complianceSpec,
  eventSource,
  turnoverSource,
  turnoverSpec,
} from './sources';

/** `groupBy: [Dimension!]!` with its default, the same on every aggregate. */
function GroupByArg<D extends string>(dimension: Record<string, D>, defaultValue: D[]) {
  return Arg('groupBy', () => [dimension], {
    defaultValue,
    description: 'Dimensions to group by, in order; an empty list gives one group with the totals.',
  });
}

/** `regionsAsOf: LocalDate`, for aggregates that can group by past health regions. */
function RegionsAsOfArg() {
  return Arg('regionsAsOf', () => LocalDate, {
    nullable: true,
    description:
      'Group by the health regions (and macroregions) municipalities were in on this day, from region memberships; default: current regions. Filters still use current regions.',
  });
}

/** Group-by aggregates and the analysts' questions: each one SQL statement (or two), never N+1. */
@Resolver()
export class AnalyticsResolver {
  @Query(() => MunicipalityStats, {
    description: 'Municipalities counted and populations summed per group (default: per UF).',
  })
  municipalityStats(
    @Arg('filter', () => MunicipalityFilter, { nullable: true }) filter: MunicipalityFilter | null,
    @GroupByArg(MunicipalityDimension, [MunicipalityDimension.UF]) groupBy: MunicipalityDimension[],
    @RegionsAsOfArg() regionsAsOf: string | null,
    @Ctx() { em }: GraphQLContext,
  ): Promise<AggregateResult> {
    return groupStats.municipalityStats(em, filter, groupBy, regionsAsOf);
  }

  @Query(() => EventStats, {
    description: 'Events counted, participants and accesses summed per group (default: per kind).',
  })
  eventStats(
    @Arg('filter', () => EventFilter, { nullable: true }) filter: EventFilter | null,
    @GroupByArg(EventDimension, [EventDimension.KIND]) groupBy: EventDimension[],
    @Ctx() { em }: GraphQLContext,
  ): Promise<AggregateResult> {
    return groupStats.eventStats(em, filter, groupBy);
  }

  @Query(() => AdhesionStats, {
    description: 'Adhesions counted per group (default: per status, as of today).',
  })
  adhesionStats(
    @Arg('filter', () => AdhesionFilter, { nullable: true }) filter: AdhesionFilter | null,
    @GroupByArg(AdhesionDimension, [AdhesionDimension.STATUS]) groupBy: AdhesionDimension[],
    @Ctx() { em }: GraphQLContext,
  ): Promise<AggregateResult> {
    return groupStats.adhesionStats(em, filter, groupBy);
  }

  @Query(() => InstrumentStats, {
    description: 'Management-instrument statuses counted per group (default: instrument × status).',
  })
  instrumentStats(
    @Arg('filter', () => InstrumentStatusFilter, { nullable: true })
    filter: InstrumentStatusFilter | null,
    @GroupByArg(InstrumentDimension, [InstrumentDimension.INSTRUMENT, InstrumentDimension.STATUS])
    groupBy: InstrumentDimension[],
    @Ctx() { em }: GraphQLContext,
  ): Promise<AggregateResult> {
    return groupStats.instrumentStats(em, filter, groupBy);
  }

  @Query(() => ApoiadorCoverage, {
    description:
      'Per apoiador in office on `at` (default today): the regions of `uf` they covered, the municipalities in them and the gestores in office, all on that day.',
  })
  apoiadorCoverage(
    @Arg('uf', () => String) uf: string,
    @Arg('at', () => LocalDate, { nullable: true }) at: string | null,
    @Ctx() { em }: GraphQLContext,
  ): Promise<ApoiadorCoverage> {
    return apoiadorCoverage(em, validUf(uf, 'uf'), at ?? today());
  }

  @Query(() => GestorTurnover, {
    description:
      'Share of municipalities whose gestor (and mayor) in office on `to` is not the one on `from`, per group (default: per current health region).',
  })
  gestorTurnover(
    @Arg('uf', () => String, { nullable: true, description: 'One state; all when omitted.' })
    uf: string | null,
    @Arg('from', () => LocalDate) from: string,
    @Arg('to', () => LocalDate) to: string,
    @GroupByArg(MunicipalityDimension, [MunicipalityDimension.HEALTH_REGION])
    groupBy: MunicipalityDimension[],
    @RegionsAsOfArg() regionsAsOf: string | null,
    @Ctx() { em }: GraphQLContext,
  ): Promise<AggregateResult> {
    groupStats.checkRange(from, to);
    const filter = uf ? { uf: [validUf(uf, 'uf')] } : null;
    return aggregate(
      em,
      turnoverSource(em, filter, from, to, regionsAsOf),
      dimensionsOf(groupBy, municipalityDimensions),
      turnoverSpec,
    );
  }

  @Query(() => AdhesionRates, {
    nullable: true,
    description:
      'Municipalities adhered to a program (APPROVED and valid on `on`, default today) over the municipalities of `filter`, per group (default: per UF). Null when no program has this code, like `program(code:)`.',
  })
  async adhesionRates(
    @Arg('programCode', () => String) programCode: string,
    @Arg('filter', () => MunicipalityFilter, {
      nullable: true,
      description: 'The eligible municipalities (default: all).',
    })
    filter: MunicipalityFilter | null,
    @GroupByArg(MunicipalityDimension, [MunicipalityDimension.UF]) groupBy: MunicipalityDimension[],
    @Arg('on', () => LocalDate, { nullable: true }) on: string | null,
    @RegionsAsOfArg() regionsAsOf: string | null,
    @Ctx() { em }: GraphQLContext,
  ): Promise<AggregateResult | null> {
    const program = await em.findOne(Program, { code: programCode.trim(), deletedAt: null });
    if (!program) {
      return null;
    }
    return aggregate(
      em,
      adhesionRateSource(em, filter, program.id, regionsAsOf),
      dimensionsOf(groupBy, municipalityDimensions),
      adhesionRateSpec(on ?? today()),
    );
  }

  @Query(() => InstrumentCompliance, {
    description:
      'Municipalities of `filter` that sent (or had approved) an instrument for a period by the deadline, per group (default: per health region).',
  })
  instrumentCompliance(
    @Arg('instrument', () => Instrument) instrument: Instrument,
    @Arg('period', () => String, { description: 'e.g. "2024", or "2022-2025" for a PMS.' })
    period: string,
    @Arg('filter', () => MunicipalityFilter, {
      nullable: true,
      description: 'The municipalities expected to send (default: all).',
    })
    filter: MunicipalityFilter | null,
    @GroupByArg(MunicipalityDimension, [MunicipalityDimension.HEALTH_REGION])
    groupBy: MunicipalityDimension[],
    @Arg('deadline', () => LocalDate, {
      nullable: true,
      description: "Overrides each status's due date.",
    })
    deadline: string | null,
    @RegionsAsOfArg() regionsAsOf: string | null,
    @Ctx() { em }: GraphQLContext,
  ): Promise<AggregateResult> {
    return aggregate(
      em,
      complianceSource(em, filter, instrument, period.trim(), regionsAsOf),
      dimensionsOf(groupBy, municipalityDimensions),
      complianceSpec(deadline),
    );
  }

  @Query(() => ActivitySummary, {
    description:
      'Meetings, oficinas, participants and accesses of events starting between `from` and `to` (inclusive), per group (default: per kind).',
  })
  activitySummary(
    @Arg('uf', () => String, { nullable: true, description: 'Events of one state.' })
    uf: string | null,
    @Arg('from', () => LocalDate, { nullable: true }) from: string | null,
    @Arg('to', () => LocalDate, { nullable: true }) to: string | null,
    @GroupByArg(EventDimension, [EventDimension.KIND]) groupBy: EventDimension[],
    @Ctx() { em }: GraphQLContext,
  ): Promise<AggregateResult> {
    groupStats.checkRange(from, to);
    const filter: EventFilter = {
      ...(uf ? { uf: [validUf(uf, 'uf')] } : {}),
      ...(from ? { from } : {}),
      ...(to ? { to } : {}),
    };
    return aggregate(
      em,
      eventSource(em, filter),
      dimensionsOf(groupBy, eventDimensions),
      activitySummarySpec,
    );
  }
}

@Resolver(() => ApoiadorCoverageGroup)
export class ApoiadorCoverageResolver {
  @FieldResolver(() => Person)
  person(@Root() group: ApoiadorCoverageGroup, @Ctx() context: GraphQLContext): Promise<Person> {
    return requestLoader<number, Person>(context, 'personById', async (ids) => {
      const people = await context.em.find(Person, { id: { $in: [...ids] } });
      const byId = new Map(people.map((person) => [person.id, person]));
      return ids.map((id) => byId.get(id) ?? new Error(`Person ${id} not found`));
    }).load(group.personId);
  }
}

/** History of a health region: who covered it on a given day. */
@Resolver(() => HealthRegion)
export class HealthRegionHistoryResolver {
  @FieldResolver(() => [Mandate], {
    description:
      'Apoiador mandates covering the region on `asOf` (default today), e.g. who was the apoiador of 43001 on 2020-10-01.',
  })
  apoiadores(
    @Root() region: HealthRegion,
    @Arg('asOf', () => LocalDate, { nullable: true }) asOf: string | null,
    @Ctx() context: GraphQLContext,
  ): Promise<Mandate[]> {
    return apoiadoresOn(context, region.id, asOf ?? today());
  }
}

/**
 * How compiled reads answer the aggregates: the resolvers' own functions, their rows written as
 * JSON directly (objects whose fields are their own properties).
 */
export const analyticsRoots: { data: Record<string, DataEntry> } = {
  data: {
    municipalityStats: {
      run: (em, args) =>
        groupStats.municipalityStats(
          em,
          args.filter ?? null,
          args.groupBy,
          args.regionsAsOf ?? null,
        ),
    },
    eventStats: { run: (em, args) => groupStats.eventStats(em, args.filter ?? null, args.groupBy) },
    adhesionStats: {
      run: (em, args) => groupStats.adhesionStats(em, args.filter ?? null, args.groupBy),
    },
    instrumentStats: {
      run: (em, args) => groupStats.instrumentStats(em, args.filter ?? null, args.groupBy),
    },
  },
};
