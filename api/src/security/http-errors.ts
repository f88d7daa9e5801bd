import type { Response } from 'express';
import type { ErrorCode } from '../graphql/errors';
import { recordErrorCode } from '../observability/metrics';

/**
 * Errors raised before GraphQL runs (size, rate, time, malformed JSON) still answer in the
 * GraphQL response shape, so clients read `errors[0].extensions.code` in one way everywhere.
 */
export function sendHttpError(
  res: Response,
  status: number,
  code: ErrorCode,
  message: string,
  extensions: Record<string, unknown> = {},
): void {
  if (res.headersSent) {
    return;
  }
  recordErrorCode(res, code);
  res
    .status(status)
    .type('application/json')
    .send(JSON.stringify({ errors: [{ message, extensions: { ...extensions, code } }] }));
}
