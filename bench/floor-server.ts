/**
 * The floor: what answering over HTTP costs when the database builds the whole JSON. It parses
 * the POSTed GraphQL body as any server must, runs the case's one hand-written statement
 * (`json_agg`) with the same variables, and writes `{"data": <text from PostgreSQL>}` without
 * parsing or re-serialising the rows.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { caseByOperation, type CaseVariables } from './cases';

async function main(): Promise<void> {
  const connectionString = process.env.DATABASE_URL;
  if (!connectionString) {
    throw new Error('DATABASE_URL is required');
  }
  const pool = new pg.Pool({ connectionString, max: 10 });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
            operationName?: string;
            variables?: Partial<CaseVariables> & { ibgeCode?: string };
          };
          const definition = caseByOperation(String(body.operationName));
          const variables = body.variables ?? {};
          const params = definition.floorParams(
            { asOf: variables.asOf ?? '', uf: variables.uf ?? '' },
            variables.ibgeCode ?? '',
          );
          const result = await pool.query<[string]>({
            text: definition.floorSql,
            values: params,
            rowMode: 'array',
          });
          const json = result.rows[0]![0];
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(`{"data":${json}}`);
        } catch (error) {
          res.writeHead(400, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ errors: [{ message: (error as Error).message }] }));
        }
      })();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) =>
    server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', resolve),
  );
  const { port } = server.address() as AddressInfo;
  process.once('SIGTERM', () => {
    server.close();
    void pool.end().then(() => process.exit(0));
  });
  process.send?.({ type: 'ready', url: `http://127.0.0.1:${port}` });
}

main().catch((error: unknown) => {
  process.stderr.write(`floor server: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
