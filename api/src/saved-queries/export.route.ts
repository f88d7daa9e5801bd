import { stringify } from 'csv-stringify/sync';
import { type Express, type Request, type RequestHandler, type Response } from 'express';
import { GraphQLError } from 'graphql';
import { randomUUID } from 'node:crypto';
import { anonymousViewer } from '../auth/viewer';
import { fromGlobalId } from '../common/global-id';
import { type GraphQLContext } from '../graphql/context';
import { type RouteContext } from '../http/routes';
import { chargeTo } from '../security/rate-limit';
import { neutralizeFormula } from './query-paging';
import { type SavedQuery } from './saved-query.entity';
import { checkExportToken, runQueryTable, type PageExecutor } from './saved-query.service';

/** What `exportCredential` found: the saved query to run, or why the request is refused. */
type ExportRequest = { savedQuery: SavedQuery } | { status: number; message: string };

/**
 * Reads the link's saved query id and token and verifies the token. A verified token's requests
 * spend that token's rate-limit budget; every other request (no token, a wrong one, an expired
 * one) spends its address's, and is refused after the rate limit has counted it.
 */
function exportCredential({ orm, config }: RouteContext): RequestHandler {
  const refuse = (res: Response, status: number, message: string) => {
    res.locals.exportRequest = { status, message } satisfies ExportRequest;
  };
  return (req, res, next) => {
    const match = /^(.+)\.csv$/.exec(String(req.params.file));
    const token = typeof req.query.token === 'string' ? req.query.token : '';
    let rowId: number | null = null;
    try {
      const id = match ? fromGlobalId(match[1]!) : null;
      rowId = id?.typeName === 'SavedQuery' ? id.rowId : null;
    } catch {
      rowId = null;
    }
    if (!match) {
      refuse(res, 404, 'Export links end in .csv: /export/<savedQueryId>.csv?token=…');
    } else if (rowId === null) {
      refuse(res, 404, `"${match[1]}" is not a saved query id`);
    } else if (!token) {
      refuse(res, 401, 'Missing ?token=… : create one with the createExportToken mutation');
    }
    if (rowId === null || !token) {
      next();
      return;
    }
    checkExportToken(orm.em.fork(), rowId, token, config.exportTokenIdleDays).then((checked) => {
      const savedQuery = checked.status === 'invalid' ? null : checked.token.savedQuery.getEntity();
      if (checked.status === 'invalid' || !savedQuery || savedQuery.deletedAt) {
        refuse(res, 403, 'The token is unknown, revoked, or belongs to another saved query');
      } else if (checked.status === 'expired') {
        refuse(
          res,
          403,
          `The token expired: it was not used for ${config.exportTokenIdleDays} days (EXPORT_TOKEN_IDLE_DAYS); create a new link with createExportToken`,
        );
      } else {
        chargeTo(res, `export:${checked.token.prefix}`);
        res.locals.exportRequest = { savedQuery } satisfies ExportRequest;
      }
      next();
    }, next);
  };
}

/**
 * `GET /export/<savedQueryId>.csv?token=…`: a saved query's whole first connection as CSV, for
 * `=IMPORTDATA()`. The token is the only credential (spreadsheets cannot send headers); it runs
 * the query as an anonymous reader, so a published link never carries contact data. It answers to
 * the same rules as `/graphql`: the rate limit (per token, or per address for a failed token),
 * the request deadline, and, for every page, the document guard, graphql-armor's limits, the page
 * size and the cost limit — each page runs through Apollo itself.
 */
export function mountExportRoute(app: Express, context: RouteContext): void {
  const { orm, config, logger, hardening, apollo, schema } = context;
  app.get(
    '/export/:file',
    exportCredential(context),
    ...hardening.beforeWork,
    async (_req: Request, res: Response) => {
      const fail = (status: number, message: string) => {
        res.status(status).type('text/plain; charset=utf-8').send(`${message}\n`);
      };
      const found = res.locals.exportRequest as ExportRequest;
      if ('status' in found) {
        fail(found.status, found.message);
        return;
      }
      const { savedQuery } = found;
      const requestId = randomUUID();
      const pageContext = (): GraphQLContext => ({
        em: orm.em.fork(),
        config,
        viewer: anonymousViewer,
        requestId,
        logger: logger.child({ requestId }),
      });
      const execute: PageExecutor = async (query, variables) => {
        const response = await apollo.executeOperation(
          { query, variables },
          { contextValue: pageContext() },
        );
        if (response.body.kind !== 'single') {
          throw new Error('A saved query answered in increments');
        }
        return response.body.singleResult;
      };
      try {
        const table = await runQueryTable(
          schema,
          config,
          execute,
          savedQuery.query,
          savedQuery.variables ?? {},
        );
        const csv = stringify(
          [table.columns, ...table.rows.map((row) => row.map(neutralizeFormula))],
          {
            cast: { boolean: (value) => (value ? 'true' : 'false') },
          },
        );
        res
          .status(200)
          .type('text/csv; charset=utf-8')
          .set('cache-control', 'no-store')
          .set('content-disposition', `inline; filename="${savedQuery.globalId}.csv"`)
          .send(csv);
      } catch (error) {
        if (error instanceof GraphQLError) {
          fail(error.extensions.code === 'TIMEOUT' ? 503 : 422, error.message);
          return;
        }
        logger.error({ err: error, requestId }, 'CSV export failed');
        fail(500, `The export failed (request ${requestId})`);
      }
    },
  );
}
