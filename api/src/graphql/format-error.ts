import { OptimisticLockError, ValidationError as OrmValidationError } from '@mikro-orm/core';
import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import type { Logger } from 'pino';
import { databaseUnavailable } from '../security/database-errors';
import { ErrorCode } from './errors';

/**
 * The one place errors leave the server: every error gets an `extensions.code`, and none carries
 * a stack trace, in any mode; anything we did not raise on purpose is logged with its stack and
 * reported without its message (which may hold paths or SQL).
 */
export function formatError(
  response: GraphQLFormattedError,
  error: unknown,
  logger: Logger,
): GraphQLFormattedError {
  const formatted = withoutStacktrace(response);
  const original = unwrapResolverError(error);
  // Apollo re-labels every validation error GRAPHQL_VALIDATION_FAILED; our own rules keep theirs.
  const causeCode = (error as { originalError?: { extensions?: { code?: unknown } } }).originalError
    ?.extensions?.code;
  if (formatted.extensions?.code === 'GRAPHQL_VALIDATION_FAILED' && typeof causeCode === 'string') {
    // Raised on purpose (a rule, a scalar that explains its format): no stack trace.
    return {
      ...formatted,
      extensions: { ...formatted.extensions, code: causeCode, stacktrace: undefined },
    };
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
  const unavailable = databaseUnavailable(original);
  if (unavailable) {
    logger.warn({ err: original, path: formatted.path }, 'database unavailable');
    return {
      message: unavailable.message,
      path: formatted.path,
      extensions: {
        code: unavailable.extensions.code,
        retryable: unavailable.extensions.retryable,
      },
    };
  }
  if (code === ErrorCode.BadUserInput) {
    // A client's own mistake: the message keeps the reason, never the rejected value.
    return {
      message: withoutEchoedValues(formatted.message),
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: formatted.extensions,
    };
  }
  if (code && code !== ErrorCode.InternalServerError) {
    return formatted;
  }
  logger.error({ err: original, path: formatted.path }, 'unexpected error');
  return {
    message: 'Internal server error; the server log has the details',
    path: formatted.path,
    extensions: { code: ErrorCode.InternalServerError },
  };
}

/** Apollo adds `extensions.stacktrace` when asked to; it never leaves this server. */
function withoutStacktrace(formatted: GraphQLFormattedError): GraphQLFormattedError {
  if (!formatted.extensions || !('stacktrace' in formatted.extensions)) {
    return formatted;
  }
  const { stacktrace: _stacktrace, ...extensions } = formatted.extensions;
  return { ...formatted, extensions };
}

/**
 * graphql-js repeats a rejected variable's value in its message (`Variable "$input" got invalid
 * value { email: "…" }`). The value may be personal data or a megabyte of junk, so the message
 * keeps the variable, the path and the reason, never the value.
 */
export function withoutEchoedValues(message: string): string {
  if (!/^Variable "\$[^"]+" got invalid value /.test(message)) {
    return message;
  }
  // Quoted text that is not a GraphQL name could be anything a client sent: blank it first, so
  // no `; ` inside a value can confuse the split below.
  const blanked = message.replace(/"(?:[^"\\]|\\.)*"/g, (quoted) =>
    /^"\$?[_A-Za-z][_0-9A-Za-z.[\]]*"$/.test(quoted) ? quoted : '"…"',
  );
  const match =
    /^(Variable "\$[^"]+" got invalid value) [\s\S]*?((?: at "[^"]*")?); ([\s\S]*)$/.exec(blanked);
  if (!match) {
    return message.slice(0, message.indexOf(' got invalid value') + 18);
  }
  const reason = match[3]!.replace(/\b(value|values): [\s\S]*$/, '$1.');
  return `${match[1]}${match[2]}; ${reason}`;
}
