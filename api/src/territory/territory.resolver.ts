import { type FilterQuery } from '@mikro-orm/core';
import { type GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Ctx, FieldResolver, Info, Query, Resolver, Root } from 'type-graphql';
import { healthRegionOn, macroregionOf } from '../analytics/point-in-time';
import { LocalDate } from '../common/scalars';
import { ConnectionArgs, connectionOf, joined } from '../graphql/connection';
import type { ConnectionEntry, LookupEntry } from '../graphql/compiled/catalog';
import type { GraphQLContext } from '../graphql/context';
import { loadedOrLoad, readPlan } from '../graphql/selection';
import { HealthMacroregion } from './health-macroregion.entity';
import { HealthRegion } from './health-region.entity';
import {
  MunicipalityFilter,
  MunicipalityOrder,
  inMacroregion,
  municipalityByIbgeCode,
  municipalityOrder,
  municipalityWhere,
} from './municipality.input';
import { Municipality } from './municipality.entity';
import { MunicipalityName } from './municipality-name.entity';
import { PopulationEstimate } from './population-estimate.entity';
import {
  HealthMacroregionFilter,
  HealthRegionFilter,
  RegionOrder,
  StateFilter,
  StateOrder,
  healthMacroregionByCode,
  healthRegionByCode,
  healthRegionWhere,
  macroregionWhere,
  regionOrder,
  stateByUf,
  stateOrder,
  stateWhere,
} from './region.input';
import { RegionMembership } from './region-membership.entity';
import { State } from './state.entity';
import {
  HealthMacroregionConnection,
  HealthRegionConnection,
  MunicipalityConnection,
  MunicipalityNameConnection,
  PopulationEstimateConnection,
  RegionMembershipConnection,
  StateConnection,
} from './territory.connections';
import { SizeClassCoarse, coarseSizeClassOf } from './territory.enums';

@Resolver(() => State)
export class StateResolver {
  @Query(() => State, { nullable: true, description: 'A state by its acronym, e.g. "RS".' })
  state(@Arg('uf', () => String) uf: string, @Ctx() { em }: GraphQLContext): Promise<State | null> {
    return em.findOne(State, stateByUf(uf));
  }

  @Query(() => StateConnection)
  states(
    @Args() args: ConnectionArgs,
    @Arg('filter', () => StateFilter, { nullable: true }) filter: StateFilter | null,
    @Arg('orderBy', () => [StateOrder], { nullable: true }) orderBy: StateOrder[] | null,
    @Ctx() context: GraphQLContext,
  ): Promise<StateConnection> {
    return connectionOf(StateConnection, context, {
      entity: State,
      where: stateWhere(filter),
      orderBy: stateOrder(orderBy),
      args,
    });
  }

  @FieldResolver(() => String, { description: 'Name of the geographic region, e.g. "Sul".' })
  regionName(@Root() state: State): string {
    return regionNames[state.region];
  }

  @FieldResolver(() => Municipality, { nullable: true })
  capital(@Root() state: State, @Ctx() { em }: GraphQLContext): Promise<Municipality | null> {
    return em.findOne(Municipality, { state: state.id, isCapital: true, deletedAt: null });
  }

  @FieldResolver(() => MunicipalityConnection)
  async municipalities(
    @Root() state: State,
    @Args() args: ConnectionArgs,
    @Arg('filter', () => MunicipalityFilter, { nullable: true }) filter: MunicipalityFilter | null,
    @Arg('orderBy', () => [MunicipalityOrder], { nullable: true })
    orderBy: MunicipalityOrder[] | null,
    @Ctx() context: GraphQLContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<MunicipalityConnection> {
    return municipalityPage(context, info, args, filter, orderBy, { state: state.id });
  }

  @FieldResolver(() => HealthRegionConnection)
  healthRegions(
    @Root() state: State,
    @Args() args: ConnectionArgs,
    @Arg('orderBy', () => [RegionOrder], { nullable: true }) orderBy: RegionOrder[] | null,
    @Ctx() context: GraphQLContext,
  ): Promise<HealthRegionConnection> {
    return connectionOf(HealthRegionConnection, context, {
      entity: HealthRegion,
      where: { state: state.id, deletedAt: null },
      orderBy: regionOrder<HealthRegion>(orderBy),
      args,
    });
  }

  @FieldResolver(() => HealthMacroregionConnection)
  macroregions(
    @Root() state: State,
    @Args() args: ConnectionArgs,
    @Arg('orderBy', () => [RegionOrder], { nullable: true }) orderBy: RegionOrder[] | null,
    @Ctx() context: GraphQLContext,
  ): Promise<HealthMacroregionConnection> {
    return connectionOf(HealthMacroregionConnection, context, {
      entity: HealthMacroregion,
      where: { state: state.id, deletedAt: null },
      orderBy: regionOrder<HealthMacroregion>(orderBy),
      args,
    });
  }
}

/**
 * Every municipality connection (top level, a state's, a health region's): the page read with the
 * selected to-one relations joined — one statement however many rows and levels.
 */
function municipalityPage(
  context: GraphQLContext,
  info: GraphQLResolveInfo,
  args: ConnectionArgs,
  filter: MunicipalityFilter | null,
  orderBy: MunicipalityOrder[] | null,
  scope?: FilterQuery<Municipality>,
): Promise<MunicipalityConnection> {
  const where = municipalityWhere(filter);
  return connectionOf(MunicipalityConnection, context, {
    entity: Municipality,
    where: scope ? { $and: [where, scope] } : where,
    orderBy: municipalityOrder(orderBy),
    args,
    populate: readPlan(info, context.em, Municipality.name, { connection: true }).populate,
  });
}

const regionNames = {
  NORTE: 'Norte',
  NORDESTE: 'Nordeste',
  SUDESTE: 'Sudeste',
  SUL: 'Sul',
  CENTRO_OESTE: 'Centro-Oeste',
} as const;

@Resolver(() => HealthMacroregion)
export class HealthMacroregionResolver {
  @Query(() => HealthMacroregion, { nullable: true })
  healthMacroregion(
    @Arg('code', () => String) code: string,
    @Ctx() { em }: GraphQLContext,
  ): Promise<HealthMacroregion | null> {
    return em.findOne(HealthMacroregion, healthMacroregionByCode(code));
  }

  @Query(() => HealthMacroregionConnection)
  healthMacroregions(
    @Args() args: ConnectionArgs,
    @Arg('filter', () => HealthMacroregionFilter, { nullable: true })
    filter: HealthMacroregionFilter | null,
    @Arg('orderBy', () => [RegionOrder], { nullable: true }) orderBy: RegionOrder[] | null,
    @Ctx() context: GraphQLContext,
  ): Promise<HealthMacroregionConnection> {
    return connectionOf(HealthMacroregionConnection, context, {
      entity: HealthMacroregion,
      where: macroregionWhere(filter),
      orderBy: regionOrder<HealthMacroregion>(orderBy),
      args,
    });
  }

  @FieldResolver(() => State)
  state(@Root() macroregion: HealthMacroregion): Promise<State> {
    return macroregion.state.load() as Promise<State>;
  }

  @FieldResolver(() => MunicipalityConnection, {
    description:
      'Municipalities in the macroregion: through their health region, or given it directly by an official file (as `macroregionCode` filters).',
  })
  async municipalities(
    @Root() macroregion: HealthMacroregion,
    @Args() args: ConnectionArgs,
    @Arg('filter', () => MunicipalityFilter, { nullable: true }) filter: MunicipalityFilter | null,
    @Arg('orderBy', () => [MunicipalityOrder], { nullable: true })
    orderBy: MunicipalityOrder[] | null,
    @Ctx() context: GraphQLContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<MunicipalityConnection> {
    return municipalityPage(context, info, args, filter, orderBy, inMacroregion(macroregion.id));
  }

  @FieldResolver(() => HealthRegionConnection)
  healthRegions(
    @Root() macroregion: HealthMacroregion,
    @Args() args: ConnectionArgs,
    @Arg('orderBy', () => [RegionOrder], { nullable: true }) orderBy: RegionOrder[] | null,
    @Ctx() context: GraphQLContext,
  ): Promise<HealthRegionConnection> {
    return connectionOf(HealthRegionConnection, context, {
      entity: HealthRegion,
      where: { macroregion: macroregion.id, deletedAt: null },
      orderBy: regionOrder<HealthRegion>(orderBy),
      args,
    });
  }
}

@Resolver(() => HealthRegion)
export class HealthRegionResolver {
  @Query(() => HealthRegion, {
    nullable: true,
    description: 'A health region by its 5-digit code, e.g. "43001".',
  })
  healthRegion(
    @Arg('code', () => String) code: string,
    @Ctx() { em }: GraphQLContext,
  ): Promise<HealthRegion | null> {
    return em.findOne(HealthRegion, healthRegionByCode(code));
  }

  @Query(() => HealthRegionConnection)
  healthRegions(
    @Args() args: ConnectionArgs,
    @Arg('filter', () => HealthRegionFilter, { nullable: true }) filter: HealthRegionFilter | null,
    @Arg('orderBy', () => [RegionOrder], { nullable: true }) orderBy: RegionOrder[] | null,
    @Ctx() context: GraphQLContext,
  ): Promise<HealthRegionConnection> {
    return connectionOf(HealthRegionConnection, context, {
      entity: HealthRegion,
      where: healthRegionWhere(filter),
      orderBy: regionOrder<HealthRegion>(orderBy),
      args,
    });
  }

  @FieldResolver(() => State)
  state(@Root() region: HealthRegion): State | Promise<State> {
    return loadedOrLoad(region.state) as State | Promise<State>;
  }

  @FieldResolver(() => HealthMacroregion, { nullable: true })
  macroregion(
    @Root() region: HealthRegion,
  ): HealthMacroregion | null | Promise<HealthMacroregion | null> {
    return loadedOrLoad(region.macroregion);
  }

  @FieldResolver(() => Municipality, {
    nullable: true,
    description: 'The seat (sede) municipality.',
  })
  async seatMunicipality(@Root() region: HealthRegion): Promise<Municipality | null> {
    return (await region.seatMunicipality?.load()) ?? null;
  }

  @FieldResolver(() => MunicipalityConnection)
  async municipalities(
    @Root() region: HealthRegion,
    @Args() args: ConnectionArgs,
    @Arg('filter', () => MunicipalityFilter, { nullable: true }) filter: MunicipalityFilter | null,
    @Arg('orderBy', () => [MunicipalityOrder], { nullable: true })
    orderBy: MunicipalityOrder[] | null,
    @Ctx() context: GraphQLContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<MunicipalityConnection> {
    return municipalityPage(context, info, args, filter, orderBy, { healthRegion: region.id });
  }
}

@Resolver(() => Municipality)
export class MunicipalityResolver {
  @Query(() => Municipality, {
    nullable: true,
    description: 'A municipality by its 7-digit IBGE code.',
  })
  async municipality(
    @Arg('ibgeCode', () => String) ibgeCode: string,
    @Ctx() { em }: GraphQLContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Municipality | null> {
    return em.findOne(
      Municipality,
      municipalityByIbgeCode(ibgeCode),
      joined(readPlan(info, em, Municipality.name).populate),
    );
  }

  @Query(() => MunicipalityConnection)
  async municipalities(
    @Arg('filter', () => MunicipalityFilter, { nullable: true }) filter: MunicipalityFilter | null,
    @Arg('orderBy', () => [MunicipalityOrder], { nullable: true })
    orderBy: MunicipalityOrder[] | null,
    @Args() args: ConnectionArgs,
    @Ctx() context: GraphQLContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<MunicipalityConnection> {
    return municipalityPage(context, info, args, filter, orderBy);
  }

  @FieldResolver(() => State)
  state(@Root() municipality: Municipality): State | Promise<State> {
    return loadedOrLoad(municipality.state) as State | Promise<State>;
  }

  @FieldResolver(() => HealthRegion, {
    nullable: true,
    description: 'The current health region, or the one on `asOf` (from region memberships).',
  })
  healthRegion(
    @Root() municipality: Municipality,
    @Arg('asOf', () => LocalDate, { nullable: true }) asOf: string | null,
    @Ctx() context: GraphQLContext,
  ): HealthRegion | null | Promise<HealthRegion | null> {
    if (asOf) {
      return healthRegionOn(context, municipality.id, asOf);
    }
    return loadedOrLoad(municipality.healthRegion);
  }

  @FieldResolver(() => HealthMacroregion, {
    nullable: true,
    description:
      "The health macroregion: its health region's (the current one, or the one on `asOf`), or the one an official file gave the municipality itself when the region has none or it has no region.",
  })
  macroregion(
    @Root() municipality: Municipality,
    @Arg('asOf', () => LocalDate, { nullable: true }) asOf: string | null,
    @Ctx() context: GraphQLContext,
  ): Promise<HealthMacroregion | null> {
    return macroregionOf(context, municipality.id, asOf);
  }

  @FieldResolver(() => MunicipalityNameConnection, {
    description:
      'Every name the shipped territory and official files gave the municipality, newest first, with the first and last day each was given on (a rename through the API dates the new name in nameAsOf).',
  })
  nameHistory(
    @Root() municipality: Municipality,
    @Args() args: ConnectionArgs,
    @Ctx() context: GraphQLContext,
  ): Promise<MunicipalityNameConnection> {
    return connectionOf(MunicipalityNameConnection, context, {
      entity: MunicipalityName,
      where: { municipality: municipality.id, deletedAt: null },
      orderBy: [{ knownTo: 'desc nulls last' }, { id: 'desc' }],
      args,
    });
  }

  @FieldResolver(() => SizeClassCoarse, {
    nullable: true,
    description: 'Small (≤5k), medium (5–50k) or large (>50k).',
  })
  sizeClassCoarse(@Root() municipality: Municipality): SizeClassCoarse | null {
    return coarseSizeClassOf(municipality.population);
  }

  @FieldResolver(() => PopulationEstimateConnection, {
    description: 'Every IBGE estimate kept, newest first.',
  })
  populationHistory(
    @Root() municipality: Municipality,
    @Args() args: ConnectionArgs,
    @Ctx() context: GraphQLContext,
  ): Promise<PopulationEstimateConnection> {
    return connectionOf(PopulationEstimateConnection, context, {
      entity: PopulationEstimate,
      where: { municipality: municipality.id, deletedAt: null },
      orderBy: [{ year: 'desc' }, { id: 'asc' }],
      args,
    });
  }

  @FieldResolver(() => RegionMembershipConnection, {
    description: 'Health-region memberships over time.',
  })
  regionMemberships(
    @Root() municipality: Municipality,
    @Args() args: ConnectionArgs,
    @Ctx() context: GraphQLContext,
  ): Promise<RegionMembershipConnection> {
    return connectionOf(RegionMembershipConnection, context, {
      entity: RegionMembership,
      where: { municipality: municipality.id, deletedAt: null },
      orderBy: [{ validFrom: 'asc nulls first' }, { id: 'asc' }],
      args,
    });
  }
}

@Resolver(() => RegionMembership)
export class RegionMembershipResolver {
  @FieldResolver(() => Municipality)
  municipality(@Root() membership: RegionMembership): Promise<Municipality> {
    return membership.municipality.load() as Promise<Municipality>;
  }

  @FieldResolver(() => HealthRegion)
  healthRegion(@Root() membership: RegionMembership): Promise<HealthRegion> {
    return membership.healthRegion.load() as Promise<HealthRegion>;
  }
}

/**
 * How compiled reads answer this file's root fields (one statement per document): by the same
 * conditions, filters and orders the resolvers above use.
 */
export const territoryRoots: {
  lookups: Record<string, LookupEntry>;
  connections: Record<string, ConnectionEntry>;
} = {
  lookups: {
    municipality: {
      type: 'Municipality',
      where: (args) => municipalityByIbgeCode(args.ibgeCode as string),
    },
    state: { type: 'State', where: (args) => stateByUf(args.uf as string) },
    healthRegion: {
      type: 'HealthRegion',
      where: (args) => healthRegionByCode(args.code as string),
    },
    healthMacroregion: {
      type: 'HealthMacroregion',
      where: (args) => healthMacroregionByCode(args.code as string),
    },
  },
  connections: {
    municipalities: {
      type: 'Municipality',
      where: (args) => municipalityWhere(args.filter as never),
      orderBy: (args) => municipalityOrder(args.orderBy as never),
    },
  },
};
