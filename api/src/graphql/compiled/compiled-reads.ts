import type { ApolloServerPlugin } from '@apollo/server';
import type { Request, RequestHandler, Response } from 'express';
import { getVariableValues, type GraphQLSchema } from 'graphql';
import type { Logger } from 'pino';
import { requestViewer } from '../../auth/authenticate';
import type { AppConfig } from '../../config';
import type { Orm } from '../../db/orm';
import { findBadString } from '../../security/graphql-guards';
import type { GraphQLContext } from '../context';
import { objectCatalogOf } from './catalog';
import { compileOperation, type CompileSource, type CompiledOperation } from './compile';
import { jsonDialect } from './json-dialect';
import { preparedRow } from './prepared';
import { compiledStatements } from './statement';

/** Apollo's answer types for a single result, in Apollo's order of preference. */
const mediaTypes = [
  'application/json; charset=utf-8',
  'application/graphql-response+json; charset=utf-8',
  'application/json; callbackSpec=1.0; charset=utf-8',
];

const maxDocuments = 1_000;

export interface CompiledReads {
  /** Answers a POSTed read of a known compiled document; passes everything else on to Apollo. */
  middleware: RequestHandler;
  /** Compiles each document once Apollo has parsed, validated and started executing it. */
  plugin: ApolloServerPlugin<GraphQLContext>;
}

/**
 * Compiled reads: the hot reads (the add-on's pull of every municipality with its state, region,
 * macroregion and gestor; point lookups; filtered pages) answered by one SQL statement that builds
 * the response's JSON, instead of a row of objects per municipality resolved field by field.
 *
 * A document is compiled the first time Apollo executes it — after Apollo's parser, validation
 * rules (depth, cost, aliases, page size) and plugins have accepted it — so the compiled path
 * never answers a document Apollo would refuse. Later requests with the same text and operation
 * name are answered here when every selected field is in the catalogue (`catalog.ts`). Whatever
 * this path does not handle exactly like the resolvers — an error of any kind (a bad argument, a
 * bad variable, an unknown key, a database failure), backward paging, another content type —
 * is passed on untouched, and Apollo answers it: reads have no side effects, so running them
 * there instead is always safe.
 */
export function compiledReads(
  orm: Orm,
  config: AppConfig,
  logger: Logger,
  schema: GraphQLSchema,
  /** Which database answers a request (a read replica, or `orm`'s primary). */
  ormFor: (res: Response) => Orm = () => orm,
  /** Told when a compiled read failed, before the resolvers answer it (a replica may be down). */
  onFailure: (res: Response, error: unknown) => void = () => undefined,
): CompiledReads {
  const documents = new Map<string, CompiledOperation | null>();
  const keyOf = (query: string, operationName: string | null | undefined) =>
    `${operationName ?? ''}\u0000${query}`;
  const options = {
    dialect: jsonDialect(config.database.driver),
    metadata: orm.getMetadata(),
    limits: config.limits,
    driver: config.database.driver,
  };
  const compiledStatement = compiledStatements(options);
  const source: CompileSource = {
    schema,
    metadata: orm.getMetadata(),
    catalog: objectCatalogOf(schema, orm.getMetadata()),
  };

  const plugin: ApolloServerPlugin<GraphQLContext> = {
    async requestDidStart() {
      return {
        async executionDidStart({ request, document, operation }) {
          if (!request.query || !operation) {
            return;
          }
          const key = keyOf(request.query, request.operationName);
          if (documents.has(key)) {
            return;
          }
          const compiled = compileOperation(source, document, operation);
          if ('notCompilable' in compiled) {
            logger.debug({ reason: compiled.notCompilable }, 'read not compiled');
          }
          if (documents.size >= maxDocuments) {
            documents.delete(documents.keys().next().value!);
          }
          documents.set(key, 'notCompilable' in compiled ? null : compiled);
        },
      };
    },
  };

  const answer = async (
    req: Request,
    res: Response,
    compiled: CompiledOperation,
  ): Promise<string | null> => {
    const body = req.body as { variables?: unknown };
    const inputs = body.variables ?? {};
    if (
      typeof inputs !== 'object' ||
      Array.isArray(inputs) ||
      findBadString(inputs, config.limits.maxStringLength)
    ) {
      return null;
    }
    // A caller the request failed to authenticate gets Apollo's answer (401 or 503).
    requestViewer(res);
    const coerced = getVariableValues(
      schema,
      compiled.operation.variableDefinitions ?? [],
      inputs as Record<string, unknown>,
      { maxErrors: 1 },
    );
    if (coerced.errors) {
      return null;
    }
    const statement = compiledStatement(compiled, coerced.coerced);
    const source = ormFor(res);
    const [row, ...loaded] = await Promise.all([
      statement.sql ? preparedRow(source, source.em, config.database.driver, statement.sql) : {},
      ...statement.loads.map((load) => load.run(source.em.fork())),
    ]);
    const data = Object.fromEntries(
      statement.loads.map((load, index) => [load.name, loaded[index]]),
    );
    return statement.body(row as Record<string, unknown>, data);
  };

  const middleware: RequestHandler = (req, res, next) => {
    const body = req.body as { query?: unknown; operationName?: unknown; extensions?: unknown };
    // Only well-formed bodies: Apollo answers malformed parameters with its own 400s.
    if (
      req.method !== 'POST' ||
      typeof body?.query !== 'string' ||
      body.extensions !== undefined ||
      (body.operationName != null && typeof body.operationName !== 'string')
    ) {
      next();
      return;
    }
    const compiled = documents.get(
      keyOf(body.query, body.operationName as string | null | undefined),
    );
    const contentType =
      compiled && (req.headers.accept === undefined ? mediaTypes[0] : req.accepts(mediaTypes));
    if (!compiled || (contentType !== mediaTypes[0] && contentType !== mediaTypes[1])) {
      next();
      return;
    }
    answer(req, res, compiled).then(
      (text) => {
        if (text === null || res.headersSent) {
          return text === null ? next() : undefined;
        }
        res.setHeader('content-type', contentType);
        res.status(200).send(text);
        logger.debug({ operationName: body.operationName }, 'answered by a compiled read');
      },
      (error: unknown) => {
        logger.debug({ err: error }, 'compiled read passed on to the resolvers');
        onFailure(res, error);
        if (!res.headersSent) {
          next();
        }
      },
    );
  };

  return { middleware, plugin };
}
