import { Arg, Ctx, ID, Query, Resolver } from 'type-graphql';
import { BaseEntity, Node } from '../common/base.entity';
import { fromGlobalId } from '../common/global-id';
import { entities } from '../db/entities';
import type { GraphQLContext } from './context';
import { BadUserInputError } from './errors';

const nodeTypes = new Map(
  entities
    .filter((entity) => entity !== BaseEntity && entity.prototype instanceof BaseEntity)
    .map((entity) => [entity.name, entity]),
);

@Resolver()
export class NodeResolver {
  @Query(() => Node, { nullable: true, description: 'Any object by its global id.' })
  async node(@Arg('id', () => ID) id: string, @Ctx() { em }: GraphQLContext): Promise<Node | null> {
    const { typeName, rowId } = fromGlobalId(id);
    const entity = nodeTypes.get(typeName);
    if (!entity) {
      throw new BadUserInputError(`"${id}" does not name a known type`, { argument: 'id' });
    }
    return (await em.findOne(entity, { id: rowId })) as Node | null;
  }
}
