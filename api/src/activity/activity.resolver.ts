import { Arg, Args, Ctx, FieldResolver, ObjectType, Query, Resolver, Root } from 'type-graphql';
import { Connection, ConnectionArgs, connectionOf } from '../graphql/connection';
import type { GraphQLContext } from '../graphql/context';
import { Organization } from '../people/organization.entity';
import { Person } from '../people/person.entity';
import { HealthRegion } from '../territory/health-region.entity';
import { Municipality } from '../territory/municipality.entity';
import { State } from '../territory/state.entity';
import { EventFilter, EventOrder, eventOrder, eventWhere } from './activity.input';
import { Event } from './event.entity';
import { Participation } from './participation.entity';

@ObjectType()
export class EventConnection extends Connection(Event) {}

@ObjectType()
export class ParticipationConnection extends Connection(Participation) {}

@Resolver(() => Event)
export class EventResolver {
  @Query(() => EventConnection)
  events(
    @Args() args: ConnectionArgs,
    @Arg('filter', () => EventFilter, { nullable: true }) filter: EventFilter | null,
    @Arg('orderBy', () => [EventOrder], { nullable: true }) orderBy: EventOrder[] | null,
    @Ctx() context: GraphQLContext,
  ): Promise<EventConnection> {
    return connectionOf(EventConnection, context, {
      entity: Event,
      where: eventWhere(filter),
      orderBy: eventOrder(orderBy),
      args,
    });
  }

  @FieldResolver(() => Organization, { nullable: true, description: 'The organiser.' })
  async organization(@Root() event: Event): Promise<Organization | null> {
    return (await event.organization?.load()) ?? null;
  }

  @FieldResolver(() => State, { nullable: true })
  async state(@Root() event: Event): Promise<State | null> {
    return (await event.state?.load()) ?? null;
  }

  @FieldResolver(() => HealthRegion, { nullable: true })
  async healthRegion(@Root() event: Event): Promise<HealthRegion | null> {
    return (await event.healthRegion?.load()) ?? null;
  }

  @FieldResolver(() => Municipality, { nullable: true })
  async municipality(@Root() event: Event): Promise<Municipality | null> {
    return (await event.municipality?.load()) ?? null;
  }

  @FieldResolver(() => ParticipationConnection)
  participations(
    @Root() event: Event,
    @Args() args: ConnectionArgs,
    @Ctx() context: GraphQLContext,
  ): Promise<ParticipationConnection> {
    return connectionOf(ParticipationConnection, context, {
      entity: Participation,
      where: { event: event.id, deletedAt: null },
      orderBy: [{ id: 'asc' }],
      args,
    });
  }
}

@Resolver(() => Participation)
export class ParticipationResolver {
  @FieldResolver(() => Event)
  event(@Root() participation: Participation): Promise<Event> {
    return participation.event.load() as Promise<Event>;
  }

  @FieldResolver(() => Person, {
    nullable: true,
    description: 'The participant (null for a municipality, or a person since deleted).',
  })
  async person(@Root() participation: Participation): Promise<Person | null> {
    const person = (await participation.person?.load()) ?? null;
    return person?.deletedAt ? null : person;
  }

  @FieldResolver(() => Municipality, { nullable: true })
  async municipality(@Root() participation: Participation): Promise<Municipality | null> {
    return (await participation.municipality?.load()) ?? null;
  }
}
