/**
 * The peer: PostGraphile v5 (Amber preset, library mode, grafserv on Node's http server) over
 * the same PostgreSQL database. It runs on the Node 22 binary installed into `bench/peers/`
 * (PostGraphile 5 needs Node ≥ 22) and loads its packages from there, never from the project.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import path from 'node:path';

/* eslint-disable @typescript-eslint/no-explicit-any -- the peer's packages are not typed here */
async function main(): Promise<void> {
  const connectionString = process.env.DATABASE_URL;
  const peers = process.env.BENCH_PEERS_DIR;
  if (!connectionString || !peers) {
    throw new Error('DATABASE_URL and BENCH_PEERS_DIR are required');
  }
  const load = createRequire(path.join(peers, 'package.json'));
  const { postgraphile } = load('postgraphile') as any;
  const { PostGraphileAmberPreset } = load('postgraphile/presets/amber') as any;
  const { makePgService } = load('postgraphile/adaptors/pg') as any;
  const { grafserv } = load('postgraphile/grafserv/node') as any;

  const preset = {
    extends: [PostGraphileAmberPreset],
    pgServices: [makePgService({ connectionString, schemas: ['public'], poolConfig: { max: 10 } })],
    grafserv: { graphqlPath: '/graphql', watch: false, graphiql: false },
    grafast: { explain: false },
  };
  const pgl = postgraphile(preset);
  const serv = pgl.createServ(grafserv);
  const server = http.createServer();
  server.keepAliveTimeout = 60_000;
  serv.addTo(server);
  await pgl.getSchema();
  await new Promise<void>((resolve) =>
    server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', resolve),
  );
  const { port } = server.address() as AddressInfo;
  process.once('SIGTERM', () => {
    server.close();
    void Promise.resolve(pgl.release()).then(() => process.exit(0));
  });
  process.send?.({ type: 'ready', url: `http://127.0.0.1:${port}` });
}
/* eslint-enable @typescript-eslint/no-explicit-any */

main().catch((error: unknown) => {
  process.stderr.write(`postgraphile bench server: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
