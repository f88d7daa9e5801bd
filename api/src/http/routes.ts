import type { ApolloServer } from '@apollo/server';
import type { Express } from 'express';
import type { GraphQLSchema } from 'graphql';
import type { Logger } from 'pino';
import type { AppConfig } from '../config';
import type { Orm } from '../db/orm';
import type { GraphQLContext } from '../graphql/context';
import type { Hardening } from '../security/harden';
import { mountExportRoute } from '../saved-queries/export.route';
import { graphiqlAssets } from './graphiql';

export interface RouteContext {
  orm: Orm;
  config: AppConfig;
  logger: Logger;
  hardening: Hardening;
  /** Routes that run GraphQL run it here, under the same rules and plugins as `/graphql`. */
  apollo: ApolloServer<GraphQLContext>;
  schema: GraphQLSchema;
}

/** Plain HTTP routes beside `/graphql` (GraphiQL assets, exports…); features add theirs here. */
export function mountRoutes(app: Express, context: RouteContext): void {
  app.use(graphiqlAssets());
  mountExportRoute(app, context);
}
