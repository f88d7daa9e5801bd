/**
 * The balancer in front of the instances, as a proxy (nginx, a cloud load balancer) would be:
 * one port, requests handed round robin to the upstreams in BALANCER_UPSTREAMS (comma-separated
 * URLs), over kept-alive
 * connections. Every configuration of `bench:scale` goes through one, a single instance too, so
 * the proxy's own cost is on both sides of each ratio. Reports `ready` over IPC.
 */
import http from 'node:http';

const upstreams = (process.env.BALANCER_UPSTREAMS ?? '')
  .split(',')
  .filter(Boolean)
  .map((raw) => new URL(raw));
if (upstreams.length === 0) {
  process.stderr.write('balancer: set BALANCER_UPSTREAMS to the upstream URLs\n');
  process.exit(2);
}
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
let turn = 0;

const server = http.createServer((request, response) => {
  const upstream = upstreams[turn++ % upstreams.length]!;
  const forward = http.request(
    {
      agent,
      host: upstream.hostname,
      port: upstream.port,
      method: request.method,
      path: request.url,
      headers: request.headers,
    },
    (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    },
  );
  forward.on('error', (error) => {
    if (!response.headersSent) {
      response.writeHead(502, { 'content-type': 'text/plain' });
    }
    response.end(`balancer: ${error.message}`);
  });
  request.pipe(forward);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  process.send?.({ type: 'ready', url: `http://127.0.0.1:${port}` });
});
process.once('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
