import type { Express } from 'express';
import type { Logger } from 'pino';
import type { AppConfig } from '../config';
import type { Orm } from '../db/orm';
import { mountExportRoute } from '../queries/export.route';
import { graphiqlAssets } from './graphiql';

export interface RouteContext {
  orm: Orm;
  config: AppConfig;
  logger: Logger;
}

/** Plain HTTP routes beside `/graphql` (GraphiQL assets, exports…); features add theirs here. */
export function mountRoutes(app: Express, context: RouteContext): void {
  app.use(graphiqlAssets());
  mountExportRoute(app, context);
}
