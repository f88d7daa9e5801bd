import { type GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Ctx, FieldResolver, Info, Query, Resolver, Root } from 'type-graphql';
import { today } from '../common/dates';
import { LocalDate } from '../common/scalars';
import { ConnectionArgs, connectionOf, joined } from '../graphql/connection';
import type { GraphQLContext } from '../graphql/context';
import { requestLoader } from '../graphql/loaders';
import { loadedOrLoad, readPlan, type ReadPlan } from '../graphql/selection';
import { HealthRegion } from '../territory/health-region.entity';
import { Municipality } from '../territory/municipality.entity';
import { State } from '../territory/state.entity';
import { Mandate } from './mandate.entity';
import { Organization } from './organization.entity';
import { MandateConnection, OrganizationConnection, PersonConnection } from './people.connections';
import { MandateRole } from './people.enums';
import {
  MandateFilter,
  MandateOrder,
  OrganizationFilter,
  PersonFilter,
  PersonOrder,
  mandateInForceOrder,
  mandateInForceWhere,
  mandateOrder,
  mandateWhere,
  organizationWhere,
  personOrder,
  personWhere,
} from './people.input';
import { contactVisibleTo } from './contact';
import { Person } from './person.entity';

@Resolver(() => Person)
export class PersonResolver {
  @Query(() => Person, { nullable: true })
  person(
    @Arg('code', () => String) code: string,
    @Ctx() { em }: GraphQLContext,
  ): Promise<Person | null> {
    return em.findOne(Person, { code, deletedAt: null });
  }

  @Query(() => PersonConnection)
  async people(
    @Args() args: ConnectionArgs,
    @Arg('filter', () => PersonFilter, { nullable: true }) filter: PersonFilter | null,
    @Arg('orderBy', () => [PersonOrder], { nullable: true }) orderBy: PersonOrder[] | null,
    @Ctx() context: GraphQLContext,
  ): Promise<PersonConnection> {
    const where = await personWhere(context.em, filter);
    return connectionOf(PersonConnection, context, {
      entity: Person,
      where,
      orderBy: personOrder(orderBy),
      args,
    });
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: 'Personal data: editors in scope and admins only; null otherwise.',
  })
  async email(@Root() person: Person, @Ctx() context: GraphQLContext): Promise<string | null> {
    return (await contactVisibleTo(context, person.id)) ? (person.email ?? null) : null;
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: 'Personal data: editors in scope and admins only; null otherwise.',
  })
  async phone(@Root() person: Person, @Ctx() context: GraphQLContext): Promise<string | null> {
    return (await contactVisibleTo(context, person.id)) ? (person.phone ?? null) : null;
  }

  @FieldResolver(() => MandateConnection)
  mandates(
    @Root() person: Person,
    @Args() args: ConnectionArgs,
    @Arg('filter', () => MandateFilter, { nullable: true }) filter: MandateFilter | null,
    @Arg('orderBy', () => [MandateOrder], { nullable: true }) orderBy: MandateOrder[] | null,
    @Ctx() context: GraphQLContext,
  ): Promise<MandateConnection> {
    return connectionOf(MandateConnection, context, {
      entity: Mandate,
      where: { $and: [mandateWhere(filter), { person: person.id }] },
      orderBy: mandateOrder(orderBy),
      args,
    });
  }
}

@Resolver(() => Organization)
export class OrganizationResolver {
  @Query(() => Organization, { nullable: true })
  organization(
    @Arg('code', () => String) code: string,
    @Ctx() { em }: GraphQLContext,
  ): Promise<Organization | null> {
    return em.findOne(Organization, { code, deletedAt: null });
  }

  @Query(() => OrganizationConnection)
  organizations(
    @Args() args: ConnectionArgs,
    @Arg('filter', () => OrganizationFilter, { nullable: true }) filter: OrganizationFilter | null,
    @Ctx() context: GraphQLContext,
  ): Promise<OrganizationConnection> {
    return connectionOf(OrganizationConnection, context, {
      entity: Organization,
      where: organizationWhere(filter),
      orderBy: [{ code: 'asc' }, { id: 'asc' }],
      args,
    });
  }

  @FieldResolver(() => State, { nullable: true })
  async state(@Root() organization: Organization): Promise<State | null> {
    return (await organization.state?.load()) ?? null;
  }
}

@Resolver(() => Mandate)
export class MandateResolver {
  @Query(() => MandateConnection)
  mandates(
    @Args() args: ConnectionArgs,
    @Arg('filter', () => MandateFilter, { nullable: true }) filter: MandateFilter | null,
    @Arg('orderBy', () => [MandateOrder], { nullable: true }) orderBy: MandateOrder[] | null,
    @Ctx() context: GraphQLContext,
  ): Promise<MandateConnection> {
    return connectionOf(MandateConnection, context, {
      entity: Mandate,
      where: mandateWhere(filter),
      orderBy: mandateOrder(orderBy),
      args,
    });
  }

  @FieldResolver(() => Person)
  person(@Root() mandate: Mandate): Person | Promise<Person> {
    return loadedOrLoad(mandate.person) as Person | Promise<Person>;
  }

  @FieldResolver(() => Organization, { nullable: true })
  async organization(@Root() mandate: Mandate): Promise<Organization | null> {
    return (await mandate.organization?.load()) ?? null;
  }

  @FieldResolver(() => State, { nullable: true })
  async state(@Root() mandate: Mandate): Promise<State | null> {
    return (await mandate.state?.load()) ?? null;
  }

  @FieldResolver(() => Municipality, { nullable: true })
  async municipality(@Root() mandate: Mandate): Promise<Municipality | null> {
    return (await mandate.municipality?.load()) ?? null;
  }

  @FieldResolver(() => [HealthRegion], {
    description: 'Health regions in scope (apoiadores, council seats).',
  })
  async healthRegions(@Root() mandate: Mandate): Promise<HealthRegion[]> {
    return (await mandate.healthRegions.load()).getItems();
  }
}

/** The people attached to a municipality, batched: one statement for a whole page of municipalities. */
@Resolver(() => Municipality)
export class MunicipalityPeopleResolver {
  @FieldResolver(() => Mandate, {
    nullable: true,
    description:
      'The municipal health secretary (gestor) mandate in force on `asOf` (default today).',
  })
  gestor(
    @Root() municipality: Municipality,
    @Arg('asOf', () => LocalDate, { nullable: true }) asOf: string | null,
    @Ctx() context: GraphQLContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Mandate | null> {
    return mandateInForce(
      context,
      municipality,
      MandateRole.MUNICIPAL_SECRETARY,
      asOf ?? today(),
      readPlan(info, context.em, Mandate.name),
    );
  }

  @FieldResolver(() => Mandate, {
    nullable: true,
    description: 'The mayor mandate in force on `asOf` (default today).',
  })
  mayor(
    @Root() municipality: Municipality,
    @Arg('asOf', () => LocalDate, { nullable: true }) asOf: string | null,
    @Ctx() context: GraphQLContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Mandate | null> {
    return mandateInForce(
      context,
      municipality,
      MandateRole.MAYOR,
      asOf ?? today(),
      readPlan(info, context.em, Mandate.name),
    );
  }
}

function mandateInForce(
  context: GraphQLContext,
  municipality: Municipality,
  role: MandateRole,
  on: string,
  { populate, key }: ReadPlan,
): Promise<Mandate | null> {
  // One loader per distinct selection, so each batch reads the columns its fields need.
  const loader = requestLoader<number, Mandate | null>(
    context,
    `mandate:${role}:${on}:${key}`,
    async (ids) => {
      const mandates = await context.em.find(
        Mandate,
        { municipality: { $in: [...ids] }, ...mandateInForceWhere(role, on) },
        { orderBy: [...mandateInForceOrder], ...joined(populate) },
      );
      const byMunicipality = new Map<number, Mandate>();
      for (const mandate of mandates) {
        const id = mandate.municipality!.id;
        if (!byMunicipality.has(id)) {
          byMunicipality.set(id, mandate);
        }
      }
      return ids.map((id) => byMunicipality.get(id) ?? null);
    },
  );
  return loader.load(municipality.id);
}
