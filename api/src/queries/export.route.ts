import { stringify } from 'csv-stringify/sync';
import { type Express, type Request, type Response } from 'express';
import { GraphQLError } from 'graphql';
import { randomUUID } from 'node:crypto';
import { anonymousViewer } from '../auth/viewer';
import { fromGlobalId } from '../common/global-id';
import { buildAppSchema } from '../graphql/schema';
import { type RouteContext } from '../http/routes';
import { neutralizeFormula } from './query-paging';
import { runQueryTable, verifyExportToken } from './saved-query.service';

/**
 * `GET /export/<savedQueryId>.csv?token=…`: a saved query's whole first connection as CSV, for
 * `=IMPORTDATA()`. The token is the only credential (spreadsheets cannot send headers); it runs
 * the query as an anonymous reader, so a published link never carries contact data.
 */
export function mountExportRoute(app: Express, { orm, config, logger }: RouteContext): void {
  app.get('/export/:file', async (req: Request, res: Response) => {
    const fail = (status: number, message: string) => {
      res.status(status).type('text/plain; charset=utf-8').send(`${message}\n`);
    };
    const file = String(req.params.file);
    const match = /^(.+)\.csv$/.exec(file);
    if (!match) {
      fail(404, 'Export links end in .csv: /export/<savedQueryId>.csv?token=…');
      return;
    }
    const token = typeof req.query.token === 'string' ? req.query.token : '';
    if (!token) {
      fail(401, 'Missing ?token=… : create one with the createExportToken mutation');
      return;
    }
    let rowId: number;
    try {
      const id = fromGlobalId(match[1]!);
      if (id.typeName !== 'SavedQuery') {
        throw new Error('not a saved query');
      }
      rowId = id.rowId;
    } catch {
      fail(404, `"${match[1]}" is not a saved query id`);
      return;
    }
    const em = orm.em.fork();
    const exportToken = await verifyExportToken(em, rowId, token);
    const savedQuery = exportToken?.savedQuery.getEntity();
    if (!exportToken || !savedQuery || savedQuery.deletedAt) {
      fail(403, 'The token is unknown, revoked, or belongs to another saved query');
      return;
    }
    const requestId = randomUUID();
    try {
      const table = await runQueryTable(
        await buildAppSchema(),
        { em, config, viewer: anonymousViewer, requestId, logger: logger.child({ requestId }) },
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
        fail(422, error.message);
        return;
      }
      logger.error({ err: error, requestId }, 'CSV export failed');
      fail(500, `The export failed (request ${requestId})`);
    }
  });
}
