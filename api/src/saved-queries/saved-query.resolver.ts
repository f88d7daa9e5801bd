import { QueryOrder } from '@mikro-orm/core';
import {
  Arg,
  Args,
  Ctx,
  FieldResolver,
  ID,
  Info,
  Mutation,
  Query,
  Resolver,
  Root,
} from 'type-graphql';
import { type GraphQLResolveInfo } from 'graphql';
import { AuditAction } from '../audit/audit.enums';
import { originOf, recordAudit } from '../audit/audit.service';
import { Role } from '../auth/auth.enums';
import { hasRole, scopedUf } from '../auth/policy';
import { viewerName } from '../auth/viewer';
import { fromGlobalId } from '../common/global-id';
import { likeLiteral } from '../common/text';
import { ConnectionArgs, connectionOf } from '../graphql/connection';
import type { GraphQLContext } from '../graphql/context';
import {
  AppError,
  BadUserInputError,
  ConflictError,
  ErrorCode,
  ForbiddenError,
  NotFoundError,
} from '../graphql/errors';
import { ExportToken } from './export-token.entity';
import { SavedQuery } from './saved-query.entity';
import {
  CreateSavedQueryInput,
  CreatedExportToken,
  SavedQueryConnection,
  SavedQueryFilter,
  UpdateSavedQueryInput,
} from './saved-query.input';
import {
  assertCanEdit,
  canEditQuery,
  canSeeQuery,
  exportTokenExpiry,
  findVisibleQuery,
  generateExportToken,
  validName,
  validQueryText,
  validStateUf,
  visibleQueriesWhere,
} from './saved-query.service';

function snapshot(query: SavedQuery): Record<string, unknown> {
  return {
    name: query.name,
    description: query.description ?? null,
    query: query.query,
    variables: query.variables ?? null,
    stateUf: query.stateUf ?? null,
  };
}

/** The CSV path of a saved query; `url` is it on the server the request came to. */
export function exportPath(query: SavedQuery, token: string): string {
  return `/export/${query.globalId}.csv?token=${encodeURIComponent(token)}`;
}

@Resolver(() => SavedQuery)
export class SavedQueryResolver {
  @Query(() => SavedQueryConnection, {
    description: 'Saved queries this key may use: national ones and those of its state.',
  })
  savedQueries(
    @Arg('filter', () => SavedQueryFilter, { nullable: true }) filter: SavedQueryFilter | null,
    @Args() args: ConnectionArgs,
    @Ctx() context: GraphQLContext,
  ): Promise<SavedQueryConnection> {
    const conditions = [visibleQueriesWhere(context.viewer)] as object[];
    if (filter?.search?.trim()) {
      const pattern = `%${likeLiteral(filter.search.trim())}%`;
      // LIKE ignores case for ASCII on SQLite; PostgreSQL needs ILIKE for the same answer.
      const like = context.config.database.driver === 'postgresql' ? '$ilike' : '$like';
      conditions.push({
        $or: [{ name: { [like]: pattern } }, { description: { [like]: pattern } }],
      });
    }
    if (filter?.stateUf) {
      const ufs = filter.stateUf.map(validStateUf);
      const named = ufs.filter((uf): uf is string => uf !== null);
      conditions.push({
        $or: [
          ...(named.length > 0 ? [{ stateUf: { $in: named } }] : []),
          ...(ufs.includes(null) ? [{ stateUf: null }] : []),
        ],
      });
    }
    return connectionOf(SavedQueryConnection, context, {
      entity: SavedQuery,
      where: { $and: conditions },
      orderBy: [{ name: QueryOrder.ASC }, { id: QueryOrder.ASC }],
      args,
    });
  }

  @Query(() => SavedQuery, { nullable: true, description: 'A saved query by its exact name.' })
  async savedQuery(
    @Arg('name', () => String) name: string,
    @Ctx() { em, viewer }: GraphQLContext,
  ): Promise<SavedQuery | null> {
    const query = await em.findOne(SavedQuery, { name: name.trim(), deletedAt: null });
    return query && canSeeQuery(viewer, query) ? query : null;
  }

  @FieldResolver(() => [ExportToken], {
    description: 'CSV links of this query (editors of its state and admins only).',
  })
  async exportTokens(
    @Root() query: SavedQuery,
    @Ctx() { em, viewer }: GraphQLContext,
  ): Promise<ExportToken[]> {
    if (!canEditQuery(viewer, query.stateUf)) {
      return [];
    }
    return em.find(
      ExportToken,
      { savedQuery: query.id, deletedAt: null },
      { orderBy: { id: QueryOrder.ASC } },
    );
  }

  @Mutation(() => SavedQuery, { description: 'Saves a query for a state (or nationally).' })
  async createSavedQuery(
    @Arg('input', () => CreateSavedQueryInput) input: CreateSavedQueryInput,
    @Info() info: GraphQLResolveInfo,
    @Ctx() { em, config, viewer, requestId, via }: GraphQLContext,
  ): Promise<SavedQuery> {
    const stateUf = input.stateUf === undefined ? scopedUf(viewer) : validStateUf(input.stateUf);
    assertCanEdit(viewer, stateUf);
    const name = validName(input.name);
    if (await em.findOne(SavedQuery, { name })) {
      throw new BadUserInputError(`A saved query named "${name}" already exists`, {
        argument: 'name',
      });
    }
    const text = validQueryText(info.schema, config, input.query, input.variables);
    return em.transactional(async (tx) => {
      const query = tx.create(SavedQuery, {
        name,
        description: input.description?.trim() || null,
        query: text,
        variables: input.variables ?? null,
        stateUf,
        createdBy: viewerName(viewer),
        source: 'api',
      });
      await tx.flush();
      recordAudit(tx, {
        ...originOf({ viewer, via, requestId }),
        entityType: 'SavedQuery',
        entityId: query.id,
        action: AuditAction.CREATE,
        after: snapshot(query),
        stateUf,
      });
      return query;
    });
  }

  @Mutation(() => SavedQuery)
  async updateSavedQuery(
    @Arg('input', () => UpdateSavedQueryInput) input: UpdateSavedQueryInput,
    @Info() info: GraphQLResolveInfo,
    @Ctx() { em, config, viewer, requestId, via }: GraphQLContext,
  ): Promise<SavedQuery> {
    const query = await findVisibleQuery(em, viewer, input.name);
    assertCanEdit(viewer, query.stateUf);
    if (input.expectedVersion != null && input.expectedVersion !== query.version) {
      throw new ConflictError(
        `Saved query "${query.name}" is at version ${query.version}, not ${input.expectedVersion}; reload it`,
        snapshot(query),
      );
    }
    const before = snapshot(query);
    if (input.newName != null) {
      const name = validName(input.newName);
      const clash = await em.findOne(SavedQuery, { name, id: { $ne: query.id } });
      if (clash) {
        throw new BadUserInputError(`A saved query named "${name}" already exists`, {
          argument: 'newName',
        });
      }
      query.name = name;
    }
    if (input.stateUf !== undefined) {
      const stateUf = validStateUf(input.stateUf);
      assertCanEdit(viewer, stateUf);
      query.stateUf = stateUf;
    }
    if (input.description !== undefined) {
      query.description = input.description?.trim() || null;
    }
    if (input.query != null || input.variables !== undefined) {
      const variables = input.variables !== undefined ? input.variables : query.variables;
      query.query = validQueryText(info.schema, config, input.query ?? query.query, variables);
      query.variables = variables ?? null;
    }
    await em.transactional(async (tx) => {
      recordAudit(tx, {
        ...originOf({ viewer, via, requestId }),
        entityType: 'SavedQuery',
        entityId: query.id,
        action: AuditAction.UPDATE,
        before,
        after: snapshot(query),
        stateUf: query.stateUf ?? null,
      });
    });
    return query;
  }

  @Mutation(() => Boolean, { description: 'Soft-deletes a saved query and revokes its CSV links.' })
  async deleteSavedQuery(
    @Arg('name', () => String) name: string,
    @Ctx() { em, viewer, requestId, via }: GraphQLContext,
  ): Promise<boolean> {
    const query = await findVisibleQuery(em, viewer, name);
    assertCanEdit(viewer, query.stateUf);
    const now = new Date();
    const tokens = await em.find(ExportToken, { savedQuery: query.id, revokedAt: null });
    await em.transactional(async (tx) => {
      query.deletedAt = now;
      // Frees the unique name for a new query; the audit entry keeps the old one.
      query.name = `${query.name.slice(0, 150)} (deleted ${query.id})`;
      for (const token of tokens) {
        token.revokedAt = now;
      }
      recordAudit(tx, {
        ...originOf({ viewer, via, requestId }),
        entityType: 'SavedQuery',
        entityId: query.id,
        action: AuditAction.DELETE,
        before: { ...snapshot(query), name: name.trim() },
        stateUf: query.stateUf ?? null,
      });
    });
    return true;
  }

  @Mutation(() => CreatedExportToken, {
    description: 'Publishes a saved query as a CSV link with its own read-only token.',
  })
  async createExportToken(
    @Arg('savedQueryName', () => String) savedQueryName: string,
    @Info() info: GraphQLResolveInfo,
    @Ctx() { em, config, viewer, requestId, via, baseUrl }: GraphQLContext,
  ): Promise<CreatedExportToken> {
    const query = await findVisibleQuery(em, viewer, savedQueryName);
    assertCanEdit(viewer, query.stateUf);
    if (!config.publicUrl && config.env === 'production') {
      // The Host header is the client's to choose: a link built on it could point anywhere.
      throw new AppError(
        ErrorCode.BadRequest,
        'CSV links need PUBLIC_URL in production (the address spreadsheets reach this server at); ask the operator to set it',
      );
    }
    // A query saved under looser limits is refused now rather than when the sheet first loads.
    validQueryText(info.schema, config, query.query, query.variables);
    const { token, prefix, secretHash } = generateExportToken();
    const exportToken = await em.transactional(async (tx) => {
      const created = tx.create(ExportToken, {
        savedQuery: query.id,
        prefix,
        secretHash,
        createdBy: viewerName(viewer),
      });
      await tx.flush();
      recordAudit(tx, {
        ...originOf({ viewer, via, requestId }),
        entityType: 'ExportToken',
        entityId: created.id,
        action: AuditAction.CREATE,
        after: { savedQuery: query.name, prefix },
        stateUf: query.stateUf ?? null,
      });
      return created;
    });
    const path = exportPath(query, token);
    return { token, url: `${config.publicUrl ?? baseUrl ?? ''}${path}`, exportToken };
  }

  @Mutation(() => ExportToken, {
    description: 'Revokes a CSV link; the URL stops working at once.',
  })
  async revokeExportToken(
    @Arg('id', () => ID) id: string,
    @Ctx() { em, viewer, requestId, via }: GraphQLContext,
  ): Promise<ExportToken> {
    const { typeName, rowId } = fromGlobalId(id);
    const token =
      typeName === 'ExportToken'
        ? await em.findOne(
            ExportToken,
            { id: rowId, deletedAt: null },
            { populate: ['savedQuery'] },
          )
        : null;
    if (!token || !canSeeQuery(viewer, token.savedQuery.getEntity())) {
      throw new NotFoundError(`No export token with id "${id}"`, { argument: 'id' });
    }
    const query = token.savedQuery.getEntity();
    if (!hasRole(viewer, Role.EDITOR)) {
      throw new ForbiddenError('Revoking CSV links needs an EDITOR or ADMIN key');
    }
    assertCanEdit(viewer, query.stateUf);
    if (token.revokedAt) {
      return token;
    }
    await em.transactional(async (tx) => {
      token.revokedAt = new Date();
      recordAudit(tx, {
        ...originOf({ viewer, via, requestId }),
        entityType: 'ExportToken',
        entityId: token.id,
        action: AuditAction.UPDATE,
        before: { savedQuery: query.name, prefix: token.prefix, revokedAt: null },
        after: {
          savedQuery: query.name,
          prefix: token.prefix,
          revokedAt: token.revokedAt.toISOString(),
        },
        stateUf: query.stateUf ?? null,
      });
    });
    return token;
  }
}

@Resolver(() => ExportToken)
export class ExportTokenResolver {
  @FieldResolver(() => Date, {
    nullable: true,
    description:
      'When the link stops working unless it is used before (EXPORT_TOKEN_IDLE_DAYS after its last use); null: never.',
  })
  expiresAt(@Root() token: ExportToken, @Ctx() { config }: GraphQLContext): Date | null {
    return token.revokedAt ? null : exportTokenExpiry(token, config.exportTokenIdleDays);
  }
}
