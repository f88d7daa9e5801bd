import { type AuthCheckerFn } from 'type-graphql';
import type { GraphQLContext } from '../graphql/context';
import { ForbiddenError, UnauthenticatedError } from '../graphql/errors';
import { Role } from './auth.enums';
import { hasRole } from './policy';
import { viewerName } from './viewer';

/**
 * The role half of authorisation, for every `@Authorized(role)` field of the schema; the state
 * half lives in the write service, which knows which states a row belongs to.
 */
export const authChecker: AuthCheckerFn<GraphQLContext, Role> = ({ context, info }, roles) => {
  const needed = roles[0] ?? Role.READER;
  const { viewer } = context;
  if (hasRole(viewer, needed)) {
    return true;
  }
  if (viewer.kind === 'anonymous') {
    throw new UnauthenticatedError(
      `\`${info.fieldName}\` needs an API key with role ${needed}: send \`Authorization: Bearer <key>\``,
    );
  }
  throw new ForbiddenError(
    `\`${info.fieldName}\` needs role ${needed}; the key "${viewerName(viewer)}" has role ${viewer.role}`,
    { needed },
  );
};
