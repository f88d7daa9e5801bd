import { OptimisticLockError, ValidationError as OrmValidationError } from '@mikro-orm/core';
import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import type { Logger } from 'pino';
import type { AppConfig } from '../config';
import { ErrorCode } from './errors';

/**
 * The one place errors leave the server: every error gets an `extensions.code`; anything we did
 * not raise on purpose is logged and, in production, reported without its message or stack.
 */
export function formatError(
  formatted: GraphQLFormattedError,
  error: unknown,
  config: AppConfig,
  logger: Logger,
): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  // Apollo re-labels every validation error GRAPHQL_VALIDATION_FAILED; our own rules keep theirs.
  const causeCode = (error as { originalError?: { extensions?: { code?: unknown } } }).originalError
    ?.extensions?.code;
  if (formatted.extensions?.code === 'GRAPHQL_VALIDATION_FAILED' && typeof causeCode === 'string') {
    return { ...formatted, extensions: { ...formatted.extensions, code: causeCode } };
  }
  const code = formatted.extensions?.code;
  if (original instanceof OptimisticLockError) {
    return {
      ...formatted,
      message: 'The row was changed by someone else; reload it and retry',
      extensions: { code: ErrorCode.Conflict },
    };
  }
  if (original instanceof OrmValidationError) {
    return { ...formatted, extensions: { ...formatted.extensions, code: ErrorCode.BadUserInput } };
  }
  if (code && code !== ErrorCode.InternalServerError) {
    return formatted;
  }
  logger.error({ err: original, path: formatted.path }, 'unexpected error');
  if (config.env === 'production') {
    return {
      message: 'Internal server error',
      path: formatted.path,
      extensions: { code: ErrorCode.InternalServerError },
    };
  }
  return {
    ...formatted,
    extensions: { ...formatted.extensions, code: ErrorCode.InternalServerError },
  };
}
