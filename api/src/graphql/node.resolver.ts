import { Arg, Ctx, ID, Query, Resolver } from 'type-graphql';
import { ApiKey } from '../auth/api-key.entity';
import { Role } from '../auth/auth.enums';
import { hasRole } from '../auth/policy';
import { type Viewer } from '../auth/viewer';
import { BaseEntity, Node } from '../common/base.entity';
import { fromGlobalId } from '../common/global-id';
import { entities } from '../db/entities';
import { ExportToken } from '../saved-queries/export-token.entity';
import { SavedQuery } from '../saved-queries/saved-query.entity';
import { canEditQuery, canSeeQuery } from '../saved-queries/saved-query.service';
import type { GraphQLContext } from './context';
import { BadUserInputError } from './errors';

const nodeTypes = new Map(
  entities
    .filter((entity) => entity !== BaseEntity && entity.prototype instanceof BaseEntity)
    .map((entity) => [entity.name, entity]),
);

/**
 * Types whose own queries answer only some viewers: `node(id:)` answers them to the same viewers
 * and no one else (as if the row did not exist). The rest of the graph is what any reader reads;
 * personal fields guard themselves (`Person.email`/`phone`).
 */
const visibleTo: Partial<Record<string, (viewer: Viewer, row: never) => boolean>> = {
  [ApiKey.name]: (viewer) => hasRole(viewer, Role.ADMIN),
  [SavedQuery.name]: (viewer, query: SavedQuery) => !query.deletedAt && canSeeQuery(viewer, query),
  [ExportToken.name]: (viewer, token: ExportToken) =>
    canEditQuery(viewer, token.savedQuery.getEntity().stateUf),
};

@Resolver()
export class NodeResolver {
  @Query(() => Node, { nullable: true, description: 'Any object by its global id.' })
  async node(
    @Arg('id', () => ID) id: string,
    @Ctx() { em, viewer }: GraphQLContext,
  ): Promise<Node | null> {
    const { typeName, rowId } = fromGlobalId(id);
    const entity = nodeTypes.get(typeName);
    if (!entity) {
      throw new BadUserInputError(`"${id}" does not name a known type`, { argument: 'id' });
    }
    const row = await em.findOne(
      entity,
      { id: rowId },
      {
        populate: (entity === ExportToken ? ['savedQuery'] : []) as never[],
      },
    );
    const visible = visibleTo[typeName];
    return row && (!visible || visible(viewer, row as never)) ? (row as unknown as Node) : null;
  }
}
