import { Arg, Authorized, Ctx, ID, Int, Mutation, Resolver, type ClassType } from 'type-graphql';
import { originOf } from '../audit/audit.service';
import { Role } from '../auth/auth.enums';
import { type BaseEntity } from '../common/base.entity';
import type { GraphQLContext } from '../graphql/context';
import { UpsertResult } from './upsert.types';
import { type Flat } from './write.batch';
import { setDeleted, writeOne, writeRows, type WriteActor } from './write.service';
import { type WriteSpec } from './write.spec';

export function actorOf(context: GraphQLContext): WriteActor {
  return {
    em: context.em,
    ...originOf(context),
    lockRows: context.config.database.driver === 'postgresql',
  };
}

/** Type-graphql input instances → plain objects; omitted fields stay absent, `null` stays null. */
function plain(input: object): Flat {
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined));
}

/**
 * The mutations of one entity type — `createX`, `updateX`, `deleteX`, `restoreX`, `upsertXs` —
 * all thin wrappers over the write service, which does the checking.
 */
export function entityMutationsResolver<E extends BaseEntity>(spec: WriteSpec<E>): ClassType {
  const inputType = spec.input;
  const singular = spec.typeName;
  const plural = spec.plural ?? `${singular}s`;
  // The entity doubles as the GraphQL object type.
  const objectType = spec.entity as ClassType<E>;

  @Resolver()
  class EntityWriteResolver {
    @Authorized(Role.EDITOR)
    @Mutation(() => UpsertResult, {
      name: `upsert${plural}`,
      description: `Creates or updates ${plural} by natural key (or \`id\`), up to 5,000 rows, with a result per row. Existing rows need \`expectedVersion\`. Partial success unless \`atomic\`; \`dryRun\` previews.`,
    })
    upsert(
      @Arg('rows', () => [inputType]) rows: object[],
      @Arg('atomic', () => Boolean, { nullable: true, defaultValue: false }) atomic: boolean | null,
      @Arg('dryRun', () => Boolean, { nullable: true, defaultValue: false }) dryRun: boolean | null,
      @Ctx() context: GraphQLContext,
    ): Promise<UpsertResult> {
      return writeRows(actorOf(context), spec, 'upsert', rows.map(plain), { atomic, dryRun });
    }

    @Authorized(spec.roles?.create ?? Role.EDITOR)
    @Mutation(() => objectType, { name: `create${singular}` })
    async create(
      @Arg('input', () => inputType) input: object,
      @Ctx() context: GraphQLContext,
    ): Promise<E> {
      return (await writeOne(actorOf(context), spec, 'create', plain(input))) as E;
    }

    @Authorized(Role.EDITOR)
    @Mutation(() => objectType, {
      name: `update${singular}`,
      description:
        'Changes the given fields (omitted: unchanged, null: cleared); needs `expectedVersion`.',
    })
    async update(
      @Arg('input', () => inputType) input: object,
      @Ctx() context: GraphQLContext,
    ): Promise<E> {
      return (await writeOne(actorOf(context), spec, 'update', plain(input))) as E;
    }

    @Authorized(spec.roles?.delete ?? Role.EDITOR)
    @Mutation(() => objectType, { name: `delete${singular}`, description: 'Soft delete.' })
    async remove(
      @Arg('id', () => ID) id: string,
      @Arg('expectedVersion', () => Int) expectedVersion: number,
      @Ctx() context: GraphQLContext,
    ): Promise<E> {
      return (await setDeleted(actorOf(context), spec, id, expectedVersion, true)) as E;
    }

    @Authorized(spec.roles?.delete ?? Role.EDITOR)
    @Mutation(() => objectType, {
      name: `restore${singular}`,
      description: 'Undoes a soft delete.',
    })
    async restore(
      @Arg('id', () => ID) id: string,
      @Arg('expectedVersion', () => Int) expectedVersion: number,
      @Ctx() context: GraphQLContext,
    ): Promise<E> {
      return (await setDeleted(actorOf(context), spec, id, expectedVersion, false)) as E;
    }
  }
  Object.defineProperty(EntityWriteResolver, 'name', { value: `${singular}WriteResolver` });
  return EntityWriteResolver;
}
