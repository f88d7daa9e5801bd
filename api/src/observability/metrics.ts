import type { Request, RequestHandler, Response } from 'express';
import { timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  collectDefaultMetrics,
  Counter,
  Gauge,
  Histogram,
  Registry,
  type LabelValues,
} from 'prom-client';
import { nameRequestSpan } from './tracing';

/**
 * The process's Prometheus metrics (`prom-client`), one registry per process. Every instance
 * serves its own figures on `/metrics` (see `metricsEndpoint`); Prometheus scrapes each instance
 * and sums across them. Names follow Prometheus' conventions (`_total` counters, `_seconds`).
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'rede_hub_' });

const requests = new Counter({
  name: 'rede_hub_graphql_requests_total',
  help: 'GraphQL requests (/graphql and CSV export pages) by operation name, type and outcome: the HTTP status and the first error code (OK when none)',
  labelNames: ['operation', 'type', 'status', 'code'] as const,
  registers: [registry],
});

const latency = new Histogram({
  name: 'rede_hub_graphql_request_duration_seconds',
  help: 'Time from the request reaching the server to the last byte of its answer, by operation name and type',
  labelNames: ['operation', 'type'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [registry],
});

const reads = new Counter({
  name: 'rede_hub_reads_total',
  help: 'Read (query) requests by how they were answered: compiled (one JSON-building SQL statement) or resolved (graphql-js and the resolvers)',
  labelNames: ['path'] as const,
  registers: [registry],
});

const statements = new Counter({
  name: 'rede_hub_sql_statements_total',
  help: 'SQL statements sent to the database, by connection (primary, or a read replica by name)',
  labelNames: ['connection'] as const,
  registers: [registry],
});

const statementSeconds = new Histogram({
  name: 'rede_hub_sql_statement_duration_seconds',
  help: 'Duration of the SQL statements the ORM ran, as the driver measured it',
  buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
  registers: [registry],
});

const rateLimited = new Counter({
  name: 'rede_hub_rate_limit_refusals_total',
  help: 'Requests refused with 429 RATE_LIMITED, by what was charged (key, export link, or client address)',
  labelNames: ['identity'] as const,
  registers: [registry],
});

/**
 * Imports run in the API and, mostly, in CLI processes that nobody scrapes, so their figures come
 * from the database's `import_runs`: the same on every instance (aggregate them with `max`, not
 * `sum`). Read at most every 15 s.
 */
export interface ImportTally {
  kind: string;
  status: string;
  runs: number;
  rows: number;
}
const importSources = new Set<() => Promise<ImportTally[]>>();
let importCache: { at: number; tallies: ImportTally[] } | undefined;
async function importTallies(): Promise<ImportTally[]> {
  if (!importCache || Date.now() - importCache.at > 15_000) {
    const read = await Promise.all(
      [...importSources].map((source) => source().catch(() => [] as ImportTally[])),
    );
    const merged = new Map<string, ImportTally>();
    for (const tally of read.flat()) {
      const key = `${tally.kind}\u0000${tally.status}`;
      const seen = merged.get(key);
      merged.set(
        key,
        seen ? { ...seen, runs: seen.runs + tally.runs, rows: seen.rows + tally.rows } : tally,
      );
    }
    importCache = { at: Date.now(), tallies: [...merged.values()] };
  }
  return importCache.tallies;
}

new Gauge({
  name: 'rede_hub_import_runs',
  help: 'Imports recorded in the database (API and CLI, every instance), by kind and status',
  labelNames: ['kind', 'status'] as const,
  registers: [registry],
  async collect() {
    this.reset();
    for (const tally of await importTallies()) {
      this.set({ kind: tally.kind, status: tally.status }, tally.runs);
    }
  },
});

new Gauge({
  name: 'rede_hub_import_rows',
  help: 'Rows the recorded imports created, updated or deleted, by kind and status',
  labelNames: ['kind', 'status'] as const,
  registers: [registry],
  async collect() {
    this.reset();
    for (const tally of await importTallies()) {
      this.set({ kind: tally.kind, status: tally.status }, tally.rows);
    }
  },
});

/** Adds a database to read import figures from (one per process in production); returns its removal. */
export function reportImports(source: () => Promise<ImportTally[]>): () => void {
  importSources.add(source);
  importCache = undefined;
  return () => {
    importSources.delete(source);
    importCache = undefined;
  };
}

/** Connection pools to report: name → a reader of the pool's current state (knex/tarn). */
const pools = new Map<string, () => PoolState | null>();

export interface PoolState {
  used: number;
  free: number;
  pending: number;
  max: number;
}

new Gauge({
  name: 'rede_hub_db_pool_connections',
  help: 'Database connections of each pool by state: used (lent to a statement or transaction), free (idle, open), pending (requests waiting for a connection), max (pool size)',
  labelNames: ['pool', 'state'] as const,
  registers: [registry],
  collect() {
    this.reset();
    for (const [name, read] of pools) {
      const state = read();
      if (state) {
        for (const [key, value] of Object.entries(state)) {
          this.set({ pool: name, state: key }, value);
        }
      }
    }
  },
});

export function reportPool(name: string, read: () => PoolState | null): () => void {
  pools.set(name, read);
  return () => {
    if (pools.get(name) === read) {
      pools.delete(name);
    }
  };
}

/**
 * Operation names are chosen by clients: they are kept as labels only while they look like
 * GraphQL names and while fewer than `MAX_OPERATIONS` distinct ones were seen, so a client
 * sending random names cannot grow the registry without bound (the rest count as `other`).
 */
const MAX_OPERATIONS = 200;
const knownOperations = new Set<string>();
function operationLabel(name: string | undefined): string {
  if (!name) {
    return 'anonymous';
  }
  if (knownOperations.has(name)) {
    return name;
  }
  if (!/^[_A-Za-z][_0-9A-Za-z]{0,63}$/.test(name) || knownOperations.size >= MAX_OPERATIONS) {
    return 'other';
  }
  knownOperations.add(name);
  return name;
}

/** What one request tells the metrics; written by the layers it passes through. */
interface RequestFacts {
  operation?: string;
  type?: string;
  code?: string;
  /** Set when the request went past the compiled reads to Apollo. */
  resolved?: boolean;
  compilable?: boolean;
}

const factsKey = Symbol('rede-hub-metrics');
function factsOf(res: Response): RequestFacts {
  const locals = res.locals as { [factsKey]?: RequestFacts };
  return (locals[factsKey] ??= {});
}

/** The first operation's type and name, read cheaply from the text (no parse: compiled reads skip it). */
export function operationOf(query: unknown): { type: string; name?: string } {
  if (typeof query !== 'string') {
    return { type: 'unknown' };
  }
  const match = /(?:^|[\s,}])(query|mutation|subscription)\b\s*([_A-Za-z][_0-9A-Za-z]*)?|\{/.exec(
    query.replace(/#[^\n]*/g, ''),
  );
  if (!match || match[0] === '{') {
    return { type: 'query' };
  }
  return { type: match[1]!, name: match[2] };
}

/**
 * Counts and times every request to `/graphql` (or an export page) when its answer is sent. The
 * operation name is the request's `operationName`, else the first operation's own name.
 */
export function requestMetrics(): RequestHandler {
  return (req: Request, res: Response, next) => {
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const facts = factsOf(res);
      const body = req.body as { query?: unknown; operationName?: unknown } | undefined;
      const parsed = operationOf(body?.query ?? req.query.query);
      const named =
        facts.operation ??
        (typeof body?.operationName === 'string' ? body.operationName : undefined) ??
        parsed.name;
      const labels: LabelValues<'operation' | 'type'> = {
        operation: operationLabel(named),
        type: facts.type ?? parsed.type,
      };
      const code = facts.code ?? (res.statusCode < 400 ? 'OK' : `HTTP_${res.statusCode}`);
      requests.inc({ ...labels, status: String(res.statusCode), code });
      latency.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
      nameRequestSpan({ type: String(labels.type), name: named });
      if (labels.type === 'query' && res.statusCode === 200) {
        reads.inc({ path: facts.resolved ? 'resolved' : 'compiled' });
      }
    });
    next();
  };
}

/** Placed after the compiled reads: whatever gets here is answered by Apollo and the resolvers. */
export const reachedResolvers: RequestHandler = (_req, res, next) => {
  factsOf(res).resolved = true;
  next();
};

/** Apollo's view of a request: its parsed operation and the code of its first error. */
export function recordOperation(
  res: Response,
  operation: { type?: string; name?: string | null },
): void {
  const facts = factsOf(res);
  facts.type = operation.type ?? facts.type;
  facts.operation = operation.name ?? facts.operation;
}

export function recordErrorCode(res: Response, code: string): void {
  factsOf(res).code ??= code;
}

export function recordRateLimited(identity: string): void {
  rateLimited.inc({ identity: identity.split(':')[0] ?? 'unknown' });
}

export function recordStatement(connection: string, tookMs: number | undefined): void {
  statements.inc({ connection });
  if (tookMs !== undefined) {
    statementSeconds.observe(tookMs / 1000);
  }
}

/** The exposition text, e.g. for a test or a one-off dump. */
export function metricsText(): Promise<string> {
  return registry.metrics();
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * `GET /metrics` on the API's own port, for a scraper holding `METRICS_TOKEN`
 * (`Authorization: Bearer <token>`); without a token configured the route does not exist.
 */
export function metricsRoute(token: string | undefined): RequestHandler {
  return (req, res, next) => {
    if (!token || req.method !== 'GET') {
      next();
      return;
    }
    const given = /^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1] ?? '';
    if (!sameSecret(given, token)) {
      res
        .status(401)
        .setHeader('WWW-Authenticate', 'Bearer realm="metrics"')
        .type('text/plain')
        .send('metrics need the METRICS_TOKEN as a bearer token\n');
      return;
    }
    registry.metrics().then(
      (text) => res.type(registry.contentType).send(text),
      (error: unknown) => next(error),
    );
  };
}

/** `/metrics` on a port of its own (`METRICS_PORT`), for a scraper on a private network. */
export async function metricsServer(
  host: string,
  port: number,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: GET /metrics\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      () => res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics failed\n'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${address.port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
