import { ConnectionException, DriverException, ReadOnlyException } from '@mikro-orm/core';
import { AppError, ErrorCode } from '../graphql/errors';

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  '57P01', // admin_shutdown: the server was stopped under the connection
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up or shutting down
]);

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * A database failure the client cannot fix and should retry or report, with a message that says
 * which: unreachable (restarting), a statement cancelled at its time limit, read-only, or out of
 * disk. Anything else returns null and is treated as a bug.
 */
export function databaseUnavailable(error: unknown): AppError | null {
  const cause = (error as { cause?: unknown } | null)?.cause;
  const code = codeOf(error) ?? codeOf(cause);
  const message = error instanceof Error ? error.message : '';
  if (
    error instanceof ConnectionException ||
    (code !== undefined && (UNREACHABLE_CODES.has(code) || code.startsWith('08'))) ||
    /Connection terminated|Knex: Timeout acquiring a connection|connect ECONNREFUSED/.test(message)
  ) {
    return new AppError(
      ErrorCode.ServiceUnavailable,
      'The database is unreachable (restarting or overloaded); retry in a few seconds',
      { retryable: true },
      { httpStatus: true },
    );
  }
  if (code === '57014') {
    // query_canceled: PostgreSQL stopped the statement at STATEMENT_TIMEOUT_MS.
    return new AppError(
      ErrorCode.Timeout,
      'The database cancelled a statement that ran longer than its time limit (STATEMENT_TIMEOUT_MS), so nothing was written; narrow the request (filters, smaller pages) or retry later',
      { retryable: true },
      { httpStatus: true },
    );
  }
  if (
    error instanceof ReadOnlyException ||
    code === 'SQLITE_READONLY' ||
    /readonly database/.test(message)
  ) {
    return new AppError(
      ErrorCode.ServiceUnavailable,
      'The database is read-only, so nothing was written; an operator must make it writable',
      { retryable: false },
      { httpStatus: true },
    );
  }
  if (code === 'SQLITE_FULL' || code === '53100' || /disk is full|No space left/.test(message)) {
    return new AppError(
      ErrorCode.ServiceUnavailable,
      'The database disk is full, so nothing was written; an operator must free space',
      { retryable: false },
      { httpStatus: true },
    );
  }
  if (error instanceof DriverException && code === 'SQLITE_BUSY') {
    return new AppError(
      ErrorCode.ServiceUnavailable,
      'The database stayed busy longer than its timeout; retry shortly',
      { retryable: true },
      { httpStatus: true },
    );
  }
  return null;
}
