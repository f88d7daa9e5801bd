import { GraphQLError } from 'graphql';

/** Every error the API returns carries one of these in `extensions.code`. */
export enum ErrorCode {
  BadUserInput = 'BAD_USER_INPUT',
  BadRequest = 'BAD_REQUEST',
  PayloadTooLarge = 'PAYLOAD_TOO_LARGE',
  NotFound = 'NOT_FOUND',
  Unauthenticated = 'UNAUTHENTICATED',
  Forbidden = 'FORBIDDEN',
  Conflict = 'CONFLICT',
  QueryTooComplex = 'QUERY_TOO_COMPLEX',
  RateLimited = 'RATE_LIMITED',
  Timeout = 'TIMEOUT',
  ServiceUnavailable = 'SERVICE_UNAVAILABLE',
  InternalServerError = 'INTERNAL_SERVER_ERROR',
}

const httpStatusOf: Record<ErrorCode, number> = {
  [ErrorCode.BadUserInput]: 400,
  [ErrorCode.BadRequest]: 400,
  [ErrorCode.PayloadTooLarge]: 413,
  [ErrorCode.NotFound]: 404,
  [ErrorCode.Unauthenticated]: 401,
  [ErrorCode.Forbidden]: 403,
  [ErrorCode.Conflict]: 409,
  [ErrorCode.QueryTooComplex]: 400,
  [ErrorCode.RateLimited]: 429,
  [ErrorCode.Timeout]: 503,
  [ErrorCode.ServiceUnavailable]: 503,
  [ErrorCode.InternalServerError]: 500,
};

/**
 * Base of the API's own errors: the code and the HTTP status are set together, in one place.
 * Only errors that make a whole request invalid (authentication) change the HTTP status of a
 * GraphQL response; the others travel inside a 200 response as GraphQL errors.
 */
export class AppError extends GraphQLError {
  constructor(
    code: ErrorCode,
    message: string,
    extensions: Record<string, unknown> = {},
    options: { httpStatus?: boolean } = {},
  ) {
    super(message, {
      extensions: {
        ...extensions,
        code,
        ...(options.httpStatus ? { http: { status: httpStatusOf[code] } } : {}),
      },
    });
  }
}

export class BadUserInputError extends AppError {
  constructor(message: string, extensions: Record<string, unknown> = {}) {
    super(ErrorCode.BadUserInput, message, extensions);
  }
}

export class NotFoundError extends AppError {
  constructor(message: string, extensions: Record<string, unknown> = {}) {
    super(ErrorCode.NotFound, message, extensions);
  }
}

export class UnauthenticatedError extends AppError {
  constructor(message: string) {
    super(ErrorCode.Unauthenticated, message, {}, { httpStatus: true });
  }
}

export class ForbiddenError extends AppError {
  constructor(message: string, extensions: Record<string, unknown> = {}) {
    super(ErrorCode.Forbidden, message, extensions);
  }
}

export class ConflictError extends AppError {
  constructor(message: string, current: unknown) {
    super(ErrorCode.Conflict, message, { current });
  }
}

/** Ends a `switch` over a union so the compiler reports the case that was forgotten. */
export class UnreachableCaseError extends Error {
  constructor(value: never) {
    super(`Unreachable case: ${JSON.stringify(value)}`);
  }
}
