import type { ApolloServerPlugin } from '@apollo/server';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { AppConfig } from '../config';
import type { GraphQLContext } from '../graphql/context';
import { documentGuard } from './document-guard';
import { variableStringPlugin } from './graphql-guards';
import { accessLog, bindDeadline, bodyErrors, corsPolicy, requestTimeout } from './http-guards';
import { createRateLimit } from './rate-limit';

/** The guard rails around `/graphql`, in the order `bootstrap` mounts them. */
export interface Hardening {
  /** Before every route: access log and CORS (preflights must be answered before routing). */
  everyRequest: RequestHandler[];
  /** Before the body is parsed on `/graphql`: rate limit, then the clock starts. */
  beforeGraphql: RequestHandler[];
  /**
   * After the body is parsed, before Apollo: batches and hostile documents (depth, aliases,
   * directives, long or NUL strings) are refused without a full parse and validation; then the
   * rest runs under the request's deadline.
   */
  beforeApollo: RequestHandler[];
  /** After the routes: body-parser failures as GraphQL-shaped errors. */
  errorHandlers: ErrorRequestHandler[];
  plugins: ApolloServerPlugin<GraphQLContext>[];
  close(): Promise<void>;
}

export function createHardening(config: AppConfig, logger: Logger): Hardening {
  const rateLimit = createRateLimit(config, logger);
  return {
    everyRequest: [accessLog(logger), corsPolicy(config)],
    beforeGraphql: [rateLimit.middleware, requestTimeout(config.limits.requestTimeoutMs, logger)],
    beforeApollo: [documentGuard(config.limits), bindDeadline()],
    errorHandlers: [bodyErrors(config)],
    plugins: [variableStringPlugin<GraphQLContext>(config.limits.maxStringLength)],
    close: () => rateLimit.close(),
  };
}
