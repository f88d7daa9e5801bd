import { type FilterQuery, QueryOrder } from '@mikro-orm/core';
import { Arg, Args, Ctx, Field, InputType, ObjectType, Query, Resolver } from 'type-graphql';
import { LocalDate } from '../common/scalars';
import { Connection, ConnectionArgs, connectionOf } from '../graphql/connection';
import type { GraphQLContext } from '../graphql/context';
import { ImportRun, ImportStatus } from './import-run.entity';

@ObjectType()
export class ImportRunConnection extends Connection(ImportRun) {}

@InputType({ description: 'Which imports to list; every field narrows the list.' })
export class ImportRunFilter {
  @Field(() => [String], { nullable: true, description: 'Kinds, e.g. "health-regions".' })
  kind?: string[];

  @Field(() => [ImportStatus], { nullable: true })
  status?: ImportStatus[];

  @Field(() => String, { nullable: true, description: 'Who ran it (OS user or `--as`).' })
  actor?: string;

  @Field(() => String, { nullable: true, description: 'Full sha256 of the imported files.' })
  sha256?: string;

  @Field(() => LocalDate, { nullable: true, description: 'Started on or after this day (UTC).' })
  startedFrom?: string;

  @Field(() => LocalDate, { nullable: true, description: 'Started on or before this day (UTC).' })
  startedTo?: string;
}

export function importRunWhere(filter: ImportRunFilter | null | undefined): FilterQuery<ImportRun> {
  const and: FilterQuery<ImportRun>[] = [{ deletedAt: null }];
  if (filter?.kind) {
    and.push({ kind: { $in: filter.kind } });
  }
  if (filter?.status) {
    and.push({ status: { $in: filter.status } });
  }
  if (filter?.actor) {
    and.push({ actor: filter.actor });
  }
  if (filter?.sha256) {
    and.push({ sha256: filter.sha256.toLowerCase() });
  }
  if (filter?.startedFrom) {
    and.push({ startedAt: { $gte: new Date(`${filter.startedFrom}T00:00:00.000Z`) } });
  }
  if (filter?.startedTo) {
    and.push({
      startedAt: { $lt: new Date(Date.parse(`${filter.startedTo}T00:00:00.000Z`) + 86_400_000) },
    });
  }
  return and.length === 1 ? and[0]! : { $and: and };
}

@Resolver(() => ImportRun)
export class ImportRunResolver {
  @Query(() => ImportRunConnection, {
    description: 'Import history, newest first: kind, files, sha256, counts, who, when, errors.',
  })
  imports(
    @Args() args: ConnectionArgs,
    @Arg('filter', () => ImportRunFilter, { nullable: true }) filter: ImportRunFilter | null,
    @Ctx() context: GraphQLContext,
  ): Promise<ImportRunConnection> {
    return connectionOf(ImportRunConnection, context, {
      entity: ImportRun,
      where: importRunWhere(filter),
      orderBy: [{ startedAt: QueryOrder.DESC }, { id: QueryOrder.DESC }],
      args,
    });
  }
}
