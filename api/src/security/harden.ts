import type { ApolloServerPlugin } from '@apollo/server';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { verifyApiKey } from '../auth/api-key.service';
import { authenticateRequest } from '../auth/authenticate';
import type { AppConfig } from '../config';
import type { Orm } from '../db/orm';
import type { GraphQLContext } from '../graphql/context';
import { documentGuard } from './document-guard';
import { variableStringPlugin } from './graphql-guards';
import {
  accessLog,
  bindDeadline,
  bodyErrors,
  corsPolicy,
  lastResort,
  publicHostOnly,
  requestTimeout,
} from './http-guards';
import { createRateLimit } from './rate-limit';

/** The guard rails around `/graphql`, in the order `bootstrap` mounts them. */
export interface Hardening {
  /** Before every route: access log and CORS (preflights must be answered before routing). */
  everyRequest: RequestHandler[];
  /**
   * Before the body is parsed on `/graphql`: who the caller is (a failed key is charged to its
   * address), the rate limit, then the clock starts.
   */
  beforeGraphql: RequestHandler[];
  /**
   * For plain routes that run queries (CSV exports), once they have charged the request to its
   * verified credential or left it to its address: the same rate limit and deadline as `/graphql`.
   */
  beforeWork: RequestHandler[];
  /**
   * After the body is parsed, before Apollo: batches and hostile documents (depth, aliases,
   * directives, long or NUL strings) are refused without a full parse and validation; then the
   * rest runs under the request's deadline.
   */
  beforeApollo: RequestHandler[];
  /** After the routes: body-parser failures as GraphQL-shaped errors, then anything else as a 500. */
  errorHandlers: ErrorRequestHandler[];
  plugins: ApolloServerPlugin<GraphQLContext>[];
  close(): Promise<void>;
}

export function createHardening(config: AppConfig, logger: Logger, orm: Orm): Hardening {
  const rateLimit = createRateLimit(config, logger);
  const timeout = requestTimeout(config.limits.requestTimeoutMs, logger);
  return {
    everyRequest: [accessLog(logger), corsPolicy(config), publicHostOnly(config)],
    beforeGraphql: [
      authenticateRequest(() => orm.em.fork(), config, verifyApiKey),
      rateLimit.middleware,
      timeout,
    ],
    beforeWork: [rateLimit.middleware, timeout, bindDeadline()],
    beforeApollo: [documentGuard(config.limits), bindDeadline()],
    errorHandlers: [bodyErrors(config), lastResort(logger)],
    plugins: [variableStringPlugin<GraphQLContext>(config.limits.maxStringLength)],
    close: () => rateLimit.close(),
  };
}
