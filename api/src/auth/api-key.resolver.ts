import {
  Arg,
  Authorized,
  Ctx,
  Field,
  ID,
  Mutation,
  ObjectType,
  Query,
  Resolver,
} from 'type-graphql';
import { fromGlobalId } from '../common/global-id';
import type { GraphQLContext } from '../graphql/context';
import { BadUserInputError, NotFoundError } from '../graphql/errors';
import { validUf } from '../territory/territory.validation';
import { ApiKey } from './api-key.entity';
import { createApiKey, revokeApiKey } from './api-key.service';
import { Role } from './auth.enums';

@ObjectType({ description: 'A new key: `key` is shown this once and cannot be read back.' })
export class CreatedApiKey {
  @Field(() => ApiKey)
  apiKey!: ApiKey;

  @Field(() => String)
  key!: string;
}

@Resolver()
export class ApiKeyResolver {
  @Authorized(Role.ADMIN)
  @Query(() => [ApiKey], { description: 'Every API key (admins).' })
  apiKeys(@Ctx() { em }: GraphQLContext): Promise<ApiKey[]> {
    return em.find(ApiKey, {}, { orderBy: { id: 'asc' } });
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => CreatedApiKey)
  async createApiKey(
    @Arg('name', () => String) name: string,
    @Arg('role', () => Role) role: Role,
    @Arg('stateUf', () => String, { nullable: true }) stateUf: string | null,
    @Ctx() { em }: GraphQLContext,
  ): Promise<CreatedApiKey> {
    if (!name.trim()) {
      throw new BadUserInputError('`name` must not be empty', { argument: 'name' });
    }
    return createApiKey(em, {
      name: name.trim(),
      role,
      stateUf: stateUf ? validUf(stateUf, 'stateUf') : null,
    });
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => ApiKey)
  async revokeApiKey(
    @Arg('id', () => ID) id: string,
    @Ctx() { em }: GraphQLContext,
  ): Promise<ApiKey> {
    const { typeName, rowId } = fromGlobalId(id);
    const apiKey = typeName === 'ApiKey' ? await revokeApiKey(em, rowId) : null;
    if (!apiKey) {
      throw new NotFoundError(`No API key has id ${id}`, { argument: 'id' });
    }
    return apiKey;
  }
}
