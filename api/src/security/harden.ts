import type { ApolloServerPlugin } from '@apollo/server';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { ValidationRule } from 'graphql';
import type { Logger } from 'pino';
import type { AppConfig } from '../config';
import type { GraphQLContext } from '../graphql/context';
import { stringLiteralRule, variableStringPlugin } from './graphql-guards';
import { accessLog, bodyErrors, corsPolicy, requestTimeout } from './http-guards';
import { createRateLimit } from './rate-limit';

/** The guard rails around `/graphql`, in the order `bootstrap` mounts them. */
export interface Hardening {
  /** Before every route: access log and CORS (preflights must be answered before routing). */
  everyRequest: RequestHandler[];
  /** Before the body is parsed on `/graphql`: rate limit, then the clock starts. */
  beforeGraphql: RequestHandler[];
  /** After the routes: body-parser failures as GraphQL-shaped errors. */
  errorHandlers: ErrorRequestHandler[];
  validationRules: ValidationRule[];
  plugins: ApolloServerPlugin<GraphQLContext>[];
  close(): Promise<void>;
}

export function createHardening(config: AppConfig, logger: Logger): Hardening {
  const rateLimit = createRateLimit(config, logger);
  return {
    everyRequest: [accessLog(logger), corsPolicy(config)],
    beforeGraphql: [rateLimit.middleware, requestTimeout(config.limits.requestTimeoutMs)],
    errorHandlers: [bodyErrors(config)],
    validationRules: [stringLiteralRule(config.limits.maxStringLength)],
    plugins: [variableStringPlugin<GraphQLContext>(config.limits.maxStringLength)],
    close: () => rateLimit.close(),
  };
}
