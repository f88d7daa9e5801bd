import { QueryOrder } from '@mikro-orm/core';
import { Arg, Args, Ctx, ObjectType, Query, Resolver } from 'type-graphql';
import { LocalDate } from '../common/scalars';
import { Connection, ConnectionArgs, connectionOf } from '../graphql/connection';
import { field, filterInput, list } from '../graphql/filters';
import type { GraphQLContext } from '../graphql/context';
import { ImportRun, ImportStatus } from './import-run.entity';

@ObjectType()
export class ImportRunConnection extends Connection(ImportRun) {}

export const [ImportRunFilter, importRunWhere] = filterInput<ImportRun>()(
  'ImportRunFilter',
  {
    kind: list(String, (kinds) => ({ kind: { $in: kinds } }), {
      description: 'Kinds, e.g. "health-regions".',
    }),
    status: list(ImportStatus, (status) => ({ status: { $in: status } })),
    actor: field(String, (actor) => ({ actor }), {
      description: 'Who ran it (OS user or `--as`).',
    }),
    sha256: field(String, (sha256) => ({ sha256: sha256.toLowerCase() }), {
      description: 'Full sha256 of the imported files.',
    }),
    startedFrom: field(
      LocalDate,
      (from) => ({ startedAt: { $gte: new Date(`${from}T00:00:00.000Z`) } }),
      { description: 'Started on or after this day (UTC).' },
    ),
    startedTo: field(
      LocalDate,
      (to) => ({
        startedAt: { $lt: new Date(Date.parse(`${to}T00:00:00.000Z`) + 86_400_000) },
      }),
      { description: 'Started on or before this day (UTC).' },
    ),
  },
  { description: 'Which imports to list; every field narrows the list.', join: '$and' },
);
export type ImportRunFilter = InstanceType<typeof ImportRunFilter>;

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
