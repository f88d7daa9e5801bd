import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GraphQLSchema } from 'graphql';
import type { Logger } from 'pino';
import { AuditVia } from './audit/audit.enums';
import { requestViewer } from './auth/authenticate';
import { createLogger } from './common/logger';
import type { AppConfig } from './config';
import { initOrm, migrate, withStartupLock, type Orm } from './db/orm';
import { createReadRouting, type ReadRouting } from './db/replicas';
import { type CompiledReads, compiledReads } from './graphql/compiled/compiled-reads';
import type { GraphQLContext } from './graphql/context';
import { formatError } from './graphql/format-error';
import { buildAppSchema } from './graphql/schema';
import { graphiqlPage } from './http/graphiql';
import { mountRoutes } from './http/routes';
import { ImportRun } from './imports/import-run.entity';
import {
  metricsRoute,
  metricsServer,
  operationOf,
  reachedResolvers,
  recordErrorCode,
  recordOperation,
  reportImports,
  reportPool,
  requestMetrics,
  type PoolState,
} from './observability/metrics';
import { tracedRequests } from './observability/tracing';
import { databaseUnavailable } from './security/database-errors';
import { rateLimitIdentity } from './security/rate-limit';
import { createHardening, type Hardening } from './security/harden';
import { type QueryRules, queryRules } from './security/query-rules';
import { commitWithinDeadline } from './security/request-deadline';
import { startupTasks } from './startup';

export interface BootstrapOptions {
  config: AppConfig;
  logger?: Logger;
  /** Receives every SQL statement (tests count them). */
  onQuery?: (sql: string) => void;
  /** Skip loading the shipped territory (tests that bring their own data). */
  seed?: boolean;
}

export interface App {
  server: http.Server;
  url: string;
  /** `/metrics` on its own port, when `METRICS_PORT` is set. */
  metricsUrl?: string;
  orm: Orm;
  logger: Logger;
  close(): Promise<void>;
}

/** The viewer of a request (see `authenticateRequest`); a database failure reads as 503. */
function viewerOrUnavailable(res: express.Response) {
  try {
    return requestViewer(res);
  } catch (error) {
    throw databaseUnavailable(error) ?? error;
  }
}

/** Builds the whole service: ORM (migrated and seeded), GraphQL, HTTP. `main` and tests share it. */
export async function bootstrap(options: BootstrapOptions): Promise<App> {
  const { config } = options;
  const logger = options.logger ?? createLogger(config);
  const orm = await openDatabase(options, logger);

  const app = express();
  app.disable('x-powered-by');
  const server = http.createServer(tracedRequests(app));
  const stopReportingPool = reportPool('primary', () => poolState(orm));
  const stopReportingImports = reportImports(() => importTallies(orm));
  let shuttingDown = false;
  // While draining (SHUTDOWN_DELAY_MS), no kept-alive connection outlives its response.
  app.use((_req, res, next) => {
    if (shuttingDown) {
      res.setHeader('Connection', 'close');
    }
    next();
  });
  // Before the Host check and the access log: scrapers reach instances by address.
  app.get('/metrics', metricsRoute(config.metrics.token));
  // Slow clients (slowloris) get the same budget as slow queries, plus a little to answer.
  server.requestTimeout = config.limits.requestTimeoutMs + 5_000;
  server.headersTimeout = Math.min(60_000, server.requestTimeout);
  const hardening = createHardening(config, logger, orm);
  app.use(hardening.everyRequest);
  const reads = await createReadRouting(config, logger, poolState, rateLimitIdentity);
  /** The database a request reads from: its replica while healthy, else the primary. */
  const ormFor = (res: express.Response): Orm => reads?.replicaOf(res)?.orm ?? orm;
  const rules = queryRules(config);
  const schema = await buildAppSchema();
  const compiled = config.compiledReads
    ? compiledReads(orm, config, logger, schema, ormFor, (res, error) =>
        reads?.toPrimary(res, error),
      )
    : null;
  const apollo = apolloServer({ schema, config, logger, server, rules, hardening, compiled });
  await apollo.start();

  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/ready', async (_req, res) => {
    const ready = !shuttingDown && (await orm.isConnected().catch(() => false));
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unavailable' });
  });
  mountRoutes(app, { orm, config, logger, hardening, apollo, schema });
  app.get('/graphql', graphiqlForBrowsers);
  app.use(
    '/graphql',
    requestMetrics(),
    ...hardening.beforeGraphql,
    express.json({ limit: config.limits.maxBodyBytes }),
    ...hardening.beforeApollo,
    ...(reads ? [routeReads(reads)] : []),
    ...(compiled ? [compiled.middleware] : []),
    reachedResolvers,
    expressMiddleware(apollo, {
      context: async ({ req, res }) => requestContext(req, res, ormFor(res), config, logger),
    }),
  );

  app.use(hardening.errorHandlers);

  const url = await listen(server, config);
  const metrics =
    config.metrics.port === undefined
      ? null
      : await metricsServer(config.metrics.host, config.metrics.port);

  let closing: Promise<void> | undefined;
  return {
    server,
    url,
    ...(metrics ? { metricsUrl: metrics.url } : {}),
    orm,
    logger,
    close() {
      closing ??= (async () => {
        shuttingDown = true;
        if (config.shutdownDelayMs > 0) {
          logger.info({ ms: config.shutdownDelayMs }, 'draining: /ready answers 503');
          await new Promise((resolve) => setTimeout(resolve, config.shutdownDelayMs));
        }
        await apollo.stop();
        await metrics?.close();
        stopReportingPool();
        stopReportingImports();
        await reads?.close();
        await hardening.close();
        await orm.close(true);
      })();
      return closing;
    },
  };
}

/** Listens on the configured host and port (0: any free port); resolves to the base URL. */
async function listen(server: http.Server, config: AppConfig): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return `http://${config.host}:${address.port}`;
}

/** A browser opening /graphql without a query gets the local GraphiQL page. */
function graphiqlForBrowsers(
  req: express.Request,
  res: express.Response,
  next: express.NextFunction,
): void {
  const wantsPage =
    req.accepts(['application/json', 'application/graphql-response+json', 'text/html']) ===
    'text/html';
  if (wantsPage && req.query.query === undefined) {
    res.type('html').send(graphiqlPage('/graphql'));
    return;
  }
  next();
}

/** The primary's ORM, migrated and (first start) seeded; one instance at a time does either. */
async function openDatabase(options: BootstrapOptions, logger: Logger): Promise<Orm> {
  const { config } = options;
  const orm = await initOrm({
    database: config.database,
    onQuery: options.onQuery,
    timeouts: {
      statementMs: config.limits.statementTimeoutMs,
      idleInTransactionMs: config.limits.idleInTransactionTimeoutMs,
    },
  });
  // Every write transaction of a request asks its deadline before it commits (issue #9).
  orm.em.getEventManager().registerSubscriber(commitWithinDeadline);
  // Several instances may start at once on one database: one at a time migrates and seeds.
  await withStartupLock(
    config.database,
    async () => {
      const applied = await migrate(orm);
      if (applied.length > 0) {
        logger.info({ migrations: applied }, 'applied migrations');
      }
      for (const task of startupTasks) {
        await task({ orm, config, logger, seed: options.seed ?? config.seedOnStart });
      }
    },
    () => logger.info('another instance is migrating or seeding; waiting for it'),
  );
  return orm;
}

/** Apollo with the guard rails, the compiled-reads plugin and the per-operation metrics. */
function apolloServer({
  schema,
  config,
  logger,
  server,
  rules,
  hardening,
  compiled,
}: {
  schema: GraphQLSchema;
  config: AppConfig;
  logger: Logger;
  server: http.Server;
  rules: QueryRules;
  hardening: Hardening;
  compiled: CompiledReads | null;
}): ApolloServer<GraphQLContext> {
  return new ApolloServer<GraphQLContext>({
    schema,
    introspection: config.introspection,
    // Stack traces go to the log (`formatError`), never into a response, in any mode.
    includeStacktraceInErrorResponses: false,
    formatError: (formatted, error) => formatError(formatted, error, logger),
    parseOptions: { maxTokens: config.limits.maxTokens },
    validationRules: rules.validationRules,
    allowBatchedHttpRequests: false,
    plugins: [
      ...rules.plugins,
      ...hardening.plugins,
      ApolloServerPluginDrainHttpServer({ httpServer: server }),
      ApolloServerPluginLandingPageDisabled(),
      // No type sets cache hints, and the default plugin wraps every field of every row
      // (22,000 per nested pull) to compute a Cache-Control header nobody sends.
      ApolloServerPluginCacheControlDisabled(),
      ...(compiled ? [compiled.plugin] : []),
      {
        async requestDidStart() {
          return {
            async didResolveOperation({ contextValue, operation, operationName }) {
              const res = responseOf(contextValue);
              if (res) {
                recordOperation(res, { type: operation?.operation, name: operationName });
              }
            },
            async willSendResponse({ contextValue, response }) {
              const res = responseOf(contextValue);
              const code =
                response.body.kind === 'single'
                  ? response.body.singleResult.errors?.[0]?.extensions?.code
                  : undefined;
              if (res && typeof code === 'string') {
                recordErrorCode(res, code);
              }
            },
          };
        },
      },
    ],
  });
}

/** A request's GraphQL context; request id, child logger and base URL are made when first read. */
function requestContext(
  req: express.Request,
  res: express.Response,
  orm: Orm,
  config: AppConfig,
  logger: Logger,
): GraphQLContext {
  const viewer = viewerOrUnavailable(res);
  const em = orm.em.fork();
  const via = req.headers['x-rede-client'] === 'sheets' ? AuditVia.SHEETS : AuditVia.API;
  // Request id, child logger and base URL are made when first read (writes, errors,
  // links), not for every read request.
  let requestId: string | undefined;
  let requestLogger: Logger | undefined;
  let baseUrl: string | undefined;
  const context: GraphQLContext = {
    em,
    config,
    viewer,
    via,
    get requestId() {
      return (requestId ??=
        (typeof req.headers['x-request-id'] === 'string' && req.headers['x-request-id']) ||
        randomUUID());
    },
    get logger() {
      return (requestLogger ??= logger.child({ requestId: this.requestId }));
    },
    get baseUrl() {
      return (baseUrl ??= `${req.protocol}://${req.get('host') ?? `${config.host}:${config.port}`}`);
    },
  };
  // Apollo hands its plugins a shallow copy of the context: a symbol key travels with it.
  (context as unknown as Record<symbol, unknown>)[httpResponse] = res;
  return context;
}

/** Sends a request to its replica or the primary; after a write, the caller's reads stay on the primary. */
function routeReads(reads: ReadRouting) {
  return (req: express.Request, res: express.Response, next: express.NextFunction) => {
    const body = req.body as { query?: unknown } | undefined;
    const type = operationOf(body?.query ?? req.query.query).type;
    reads.route(req, res, type);
    if (type === 'mutation') {
      // Once it is answered, the caller's next reads go to the primary for a while.
      res.once('finish', () => {
        if (res.statusCode === 200) {
          reads.wrote(rateLimitIdentity(req, res));
        }
      });
    }
    next();
  };
}

const httpResponse = Symbol('http response');
/** The HTTP response of a GraphQL request, for the metrics plugin. */
function responseOf(context: GraphQLContext): express.Response | undefined {
  return (context as unknown as Record<symbol, express.Response | undefined>)[httpResponse];
}

interface TarnPool {
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
  max: number;
}

/** The knex pool's state (tarn), or null when the ORM has none open. */
export function poolState(orm: Orm): PoolState | null {
  const knex = (
    orm.em.getConnection() as unknown as { getKnex(): { client: { pool?: TarnPool } } }
  ).getKnex();
  const pool = knex.client.pool;
  if (!pool) {
    return null;
  }
  return {
    used: pool.numUsed(),
    free: pool.numFree(),
    pending: pool.numPendingAcquires(),
    max: pool.max,
  };
}

/** Runs and rows of the imports recorded in the database, by kind and status. */
async function importTallies(orm: Orm) {
  const runs = await orm.em
    .fork()
    .find(ImportRun, {}, { fields: ['kind', 'status', 'counts'], disableIdentityMap: true });
  const tallies = new Map<string, { kind: string; status: string; runs: number; rows: number }>();
  for (const run of runs) {
    const key = `${run.kind}\u0000${run.status}`;
    const tally = tallies.get(key) ?? { kind: run.kind, status: run.status, runs: 0, rows: 0 };
    tally.runs += 1;
    for (const perEntity of Object.values(run.counts ?? {})) {
      if (perEntity && typeof perEntity === 'object') {
        const { created = 0, updated = 0, deleted = 0 } = perEntity as Record<string, number>;
        tally.rows += Number(created) + Number(updated) + Number(deleted);
      }
    }
    tallies.set(key, tally);
  }
  return [...tallies.values()];
}
