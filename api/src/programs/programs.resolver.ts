import { Arg, Args, Ctx, FieldResolver, ObjectType, Query, Resolver, Root } from 'type-graphql';
import { today } from '../common/dates';
import { Connection, ConnectionArgs, connectionOf } from '../graphql/connection';
import type { GraphQLContext } from '../graphql/context';
import { Person } from '../people/person.entity';
import { Municipality } from '../territory/municipality.entity';
import { Adhesion } from './adhesion.entity';
import { Enrolment } from './enrolment.entity';
import { InstrumentStatus } from './instrument-status.entity';
import { Program } from './program.entity';
import {
  AdhesionFilter,
  InstrumentStatusFilter,
  adhesionWhere,
  instrumentStatusWhere,
} from './programs.input';
import { AdhesionStatus } from './programs.enums';

@ObjectType()
export class ProgramConnection extends Connection(Program) {}

@ObjectType()
export class AdhesionConnection extends Connection(Adhesion) {}

@ObjectType()
export class InstrumentStatusConnection extends Connection(InstrumentStatus) {}

/** An approved adhesion past its validity reads as expired, whatever is stored. */
export function effectiveAdhesionStatus(adhesion: Adhesion, on = today()): AdhesionStatus {
  if (
    adhesion.status === AdhesionStatus.APPROVED &&
    adhesion.validUntil &&
    adhesion.validUntil < on
  ) {
    return AdhesionStatus.EXPIRED;
  }
  return adhesion.status;
}

@Resolver(() => Program)
export class ProgramResolver {
  @Query(() => Program, { nullable: true })
  program(
    @Arg('code', () => String) code: string,
    @Ctx() { em }: GraphQLContext,
  ): Promise<Program | null> {
    return em.findOne(Program, { code, deletedAt: null });
  }

  @Query(() => ProgramConnection)
  programs(
    @Args() args: ConnectionArgs,
    @Ctx() context: GraphQLContext,
  ): Promise<ProgramConnection> {
    return connectionOf(ProgramConnection, context, {
      entity: Program,
      where: { deletedAt: null },
      orderBy: [{ code: 'asc' }, { id: 'asc' }],
      args,
    });
  }

  @FieldResolver(() => AdhesionConnection)
  adhesions(
    @Root() program: Program,
    @Args() args: ConnectionArgs,
    @Arg('filter', () => AdhesionFilter, { nullable: true }) filter: AdhesionFilter | null,
    @Ctx() context: GraphQLContext,
  ): Promise<AdhesionConnection> {
    return connectionOf(AdhesionConnection, context, {
      entity: Adhesion,
      where: { $and: [adhesionWhere(filter), { program: program.id }] },
      orderBy: [{ id: 'asc' }],
      args,
    });
  }
}

@Resolver(() => Adhesion)
export class AdhesionResolver {
  @Query(() => AdhesionConnection)
  adhesions(
    @Args() args: ConnectionArgs,
    @Arg('filter', () => AdhesionFilter, { nullable: true }) filter: AdhesionFilter | null,
    @Ctx() context: GraphQLContext,
  ): Promise<AdhesionConnection> {
    return connectionOf(AdhesionConnection, context, {
      entity: Adhesion,
      where: adhesionWhere(filter),
      orderBy: [{ requestedOn: 'asc' }, { id: 'asc' }],
      args,
    });
  }

  @FieldResolver(() => AdhesionStatus, {
    description: 'Stored status, with APPROVED past validUntil read as EXPIRED.',
  })
  status(@Root() adhesion: Adhesion): AdhesionStatus {
    return effectiveAdhesionStatus(adhesion);
  }

  @FieldResolver(() => Municipality)
  municipality(@Root() adhesion: Adhesion): Promise<Municipality> {
    return adhesion.municipality.load() as Promise<Municipality>;
  }

  @FieldResolver(() => Program)
  program(@Root() adhesion: Adhesion): Promise<Program> {
    return adhesion.program.load() as Promise<Program>;
  }
}

@Resolver(() => Enrolment)
export class EnrolmentResolver {
  @FieldResolver(() => Person)
  person(@Root() enrolment: Enrolment): Promise<Person> {
    return enrolment.person.load() as Promise<Person>;
  }

  @FieldResolver(() => Program)
  program(@Root() enrolment: Enrolment): Promise<Program> {
    return enrolment.program.load() as Promise<Program>;
  }

  @FieldResolver(() => Municipality)
  municipality(@Root() enrolment: Enrolment): Promise<Municipality> {
    return enrolment.municipality.load() as Promise<Municipality>;
  }
}

@Resolver(() => InstrumentStatus)
export class InstrumentStatusResolver {
  @Query(() => InstrumentStatusConnection)
  instrumentStatuses(
    @Args() args: ConnectionArgs,
    @Arg('filter', () => InstrumentStatusFilter, { nullable: true })
    filter: InstrumentStatusFilter | null,
    @Ctx() context: GraphQLContext,
  ): Promise<InstrumentStatusConnection> {
    return connectionOf(InstrumentStatusConnection, context, {
      entity: InstrumentStatus,
      where: instrumentStatusWhere(filter),
      orderBy: [{ period: 'asc' }, { id: 'asc' }],
      args,
    });
  }

  @FieldResolver(() => Municipality)
  municipality(@Root() status: InstrumentStatus): Promise<Municipality> {
    return status.municipality.load() as Promise<Municipality>;
  }
}
