import { type FilterQuery } from '@mikro-orm/core';
import { GraphQLJSONObject } from 'graphql-scalars';
import {
  Arg,
  Args,
  Authorized,
  Ctx,
  Field,
  ID,
  Int,
  Mutation,
  ObjectType,
  Query,
  Resolver,
  FieldResolver,
  Root,
} from 'type-graphql';
import { Role } from '../auth/auth.enums';
import { scopedUf } from '../auth/policy';
import { fromGlobalId, toGlobalId } from '../common/global-id';
import { Connection, ConnectionArgs, connectionOf } from '../graphql/connection';
import type { GraphQLContext } from '../graphql/context';
import { CONTACT_FIELDS, contactVisibleTo, withoutFields } from '../people/contact';
import { actorOf } from '../writes/entity-mutations.resolver';
import { AuditEntry } from './audit-entry.entity';
import { AuditLogFilter } from './audit.input';
import { revertImport } from './revert-import';

@ObjectType()
export class AuditEntryConnection extends Connection(AuditEntry) {}

@ObjectType({ description: 'What `revertImport` did.' })
export class RevertImportResult {
  @Field(() => Int)
  importRunId!: number;

  @Field(() => Int, { description: 'Rows written back to their state before the import.' })
  reverted!: number;

  @Field(() => [AuditEntry], {
    description:
      'The REVERT entries written, in order (the first 1,000; `reverted` counts them all).',
  })
  entries!: AuditEntry[];
}

/** Entries a viewer may read: admins and unscoped editors all, a scoped editor its state's. */
export function auditWhere(
  context: GraphQLContext,
  filter: AuditLogFilter | null,
): FilterQuery<AuditEntry> {
  const { viewer } = context;
  const where: FilterQuery<AuditEntry> & Record<string, unknown> = {};
  const scope = scopedUf(viewer);
  if (scope) {
    where.stateUf = scope;
  }
  if (!filter) {
    return where;
  }
  const and: FilterQuery<AuditEntry>[] = [where];
  if (filter.entityType) {
    and.push({ entityType: filter.entityType });
  }
  if (filter.entityId) {
    const { typeName, rowId } = fromGlobalId(filter.entityId);
    and.push({ entityType: typeName, entityId: rowId });
  }
  if (filter.action?.length) {
    and.push({ action: { $in: filter.action } });
  }
  if (filter.via?.length) {
    and.push({ via: { $in: filter.via } });
  }
  for (const field of ['actor', 'requestId', 'importRunId', 'stateUf'] as const) {
    if (filter[field] !== null && filter[field] !== undefined) {
      and.push({ [field]: filter[field] });
    }
  }
  if (filter.since) {
    and.push({ at: { $gte: filter.since } });
  }
  if (filter.until) {
    and.push({ at: { $lt: filter.until } });
  }
  return { $and: and };
}

type Flat = Record<string, unknown>;

/** A person's `before`/`after` carries contact fields only for those who may read them now. */
async function auditedValues(
  context: GraphQLContext,
  entry: AuditEntry,
  values: Flat | null | undefined,
): Promise<Flat | null> {
  if (!values || entry.entityType !== 'Person') {
    return values ?? null;
  }
  return (await contactVisibleTo(context, entry.entityId))
    ? values
    : withoutFields(values, CONTACT_FIELDS);
}

@Resolver(() => AuditEntry)
export class AuditResolver {
  @Authorized(Role.EDITOR)
  @Query(() => AuditEntryConnection, {
    description:
      'Every change (who, when, before, after), newest first; scoped like the data (a state-scoped key sees its state, admins everything).',
  })
  auditLog(
    @Arg('filter', () => AuditLogFilter, { nullable: true }) filter: AuditLogFilter | null,
    @Args(() => ConnectionArgs) args: ConnectionArgs,
    @Ctx() context: GraphQLContext,
  ): Promise<AuditEntryConnection> {
    return connectionOf(AuditEntryConnection, context, {
      entity: AuditEntry,
      where: auditWhere(context, filter),
      orderBy: [{ id: 'desc' }],
      args,
    });
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => RevertImportResult, {
    description:
      'Writes every row an import changed back to its state before the import: updated rows get their old values, created rows are soft-deleted, pruned rows restored (all or nothing, one transaction; CONFLICT listing the rows changed since, unless `force`). Audited as REVERT.',
  })
  async revertImport(
    @Arg('id', () => ID, { description: 'Global id of the ImportRun, or its number.' }) id: string,
    @Arg('force', () => Boolean, {
      defaultValue: false,
      description: 'Revert rows changed after the import too (their later changes are lost).',
    })
    force: boolean,
    @Ctx() context: GraphQLContext,
  ): Promise<RevertImportResult> {
    const importRunId = /^\d+$/.test(id) ? Number(id) : fromGlobalId(id).rowId;
    return revertImport(actorOf(context), importRunId, { force });
  }

  @FieldResolver(() => GraphQLJSONObject, {
    nullable: true,
    description: 'The row before the change (flat, named like the input fields).',
  })
  before(@Root() entry: AuditEntry, @Ctx() context: GraphQLContext): Promise<Flat | null> {
    return auditedValues(context, entry, entry.before);
  }

  @FieldResolver(() => GraphQLJSONObject, {
    nullable: true,
    description: 'The row after the change (flat, named like the input fields).',
  })
  after(@Root() entry: AuditEntry, @Ctx() context: GraphQLContext): Promise<Flat | null> {
    return auditedValues(context, entry, entry.after);
  }

  @FieldResolver(() => ID, { description: 'Global id of the changed row, for `node(id:)`.' })
  entityGlobalId(@Root() entry: AuditEntry): string {
    return toGlobalId(entry.entityType, entry.entityId);
  }
}
