import {
  context,
  SpanKind,
  SpanStatusCode,
  trace,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type http from 'node:http';

/**
 * OpenTelemetry tracing, switched on by the standard variables and off otherwise:
 *
 * - `OTEL_TRACES_EXPORTER` (`otlp`, `console`, `zipkin`; `none` is off), or
 * - `OTEL_EXPORTER_OTLP_ENDPOINT` / `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` (implies `otlp`);
 * - `OTEL_SDK_DISABLED=true` turns it off whatever else is set.
 *
 * The SDK (`@opentelemetry/sdk-node`) reads every other `OTEL_*` variable itself: service name
 * (default `rede-hub`), resource attributes, sampler, OTLP protocol and headers. It is loaded only
 * when tracing is on. Spans: one per HTTP request (server kind, named after the GraphQL operation
 * when there is one) with a child per SQL statement (`db.query.text`, never its parameters).
 */
export function tracingWanted(env: NodeJS.ProcessEnv): boolean {
  if (/^(true|1)$/i.test(env.OTEL_SDK_DISABLED ?? '')) {
    return false;
  }
  const exporter = (env.OTEL_TRACES_EXPORTER ?? '').trim();
  if (exporter) {
    return exporter !== 'none';
  }
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

export interface Tracing {
  /** Flushes the spans still buffered and stops the SDK. */
  shutdown(): Promise<void>;
}

/**
 * Starts the SDK when the environment asks for it (`null` otherwise). `spanProcessors` replace
 * the exporters the environment names (tests pass an in-memory exporter).
 */
export async function startTracing(
  env: NodeJS.ProcessEnv = process.env,
  options: { spanProcessors?: SpanProcessor[] } = {},
): Promise<Tracing | null> {
  if (!tracingWanted(env)) {
    return null;
  }
  const { NodeSDK } = await import('@opentelemetry/sdk-node');
  const sdk = new NodeSDK({
    serviceName: env.OTEL_SERVICE_NAME ?? 'rede-hub',
    // Spans are made by this code (below), not by patching modules at load time.
    instrumentations: [],
    ...(options.spanProcessors ? { spanProcessors: options.spanProcessors } : {}),
  });
  sdk.start();
  active = true;
  return {
    async shutdown() {
      active = false;
      await sdk.shutdown();
    },
  };
}

let active = false;
const tracer = (): Tracer => trace.getTracer('rede-hub');

/**
 * Runs the server's request handler inside a span of its own, with the request and response
 * bound to its context, so everything the request does (body parsing, resolvers, SQL) is a child.
 */
export function tracedRequests(
  handler: (req: http.IncomingMessage, res: http.ServerResponse) => void,
): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  return (req, res) => {
    if (!active) {
      handler(req, res);
      return;
    }
    const path = (req.url ?? '/').split('?')[0]!;
    const span = tracer().startSpan(`${req.method} ${path}`, {
      kind: SpanKind.SERVER,
      attributes: {
        'http.request.method': req.method ?? '',
        'url.path': path,
        'network.peer.address': req.socket.remoteAddress ?? '',
        ...(typeof req.headers['x-request-id'] === 'string'
          ? { 'http.request.header.x-request-id': req.headers['x-request-id'] }
          : {}),
      },
    });
    const spanContext = trace.setSpan(context.active(), span);
    context.bind(spanContext, req);
    context.bind(spanContext, res);
    res.once('close', () => {
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) {
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
    });
    context.with(spanContext, () => handler(req, res));
  };
}

/** Names the request's span after its GraphQL operation (`query Municipalities`). */
export function nameRequestSpan(operation: { type?: string; name?: string | null }): void {
  const span: Span | undefined = active ? trace.getActiveSpan() : undefined;
  if (!span) {
    return;
  }
  if (operation.type) {
    span.setAttribute('graphql.operation.type', operation.type);
  }
  if (operation.name) {
    span.setAttribute('graphql.operation.name', operation.name);
  }
  span.updateName(`${operation.type ?? 'graphql'} ${operation.name ?? '/graphql'}`.trim());
}

/**
 * A finished SQL statement as a child of the active span: MikroORM reports statements after they
 * ran, with their duration, so the span starts `tookMs` before now.
 */
export function traceStatement(
  system: 'postgresql' | 'sqlite',
  sql: string,
  tookMs: number | undefined,
  connection: string,
): void {
  if (!active || !trace.getActiveSpan()) {
    return;
  }
  const end = Date.now();
  const span = tracer().startSpan(
    sql.trimStart().split(/\s/, 1)[0]!.toLowerCase() || 'sql',
    {
      kind: SpanKind.CLIENT,
      startTime: end - (tookMs ?? 0),
      attributes: {
        'db.system': system,
        'db.query.text': sql.length > 4000 ? `${sql.slice(0, 4000)}…` : sql,
        'rede_hub.db.connection': connection,
      },
    },
    context.active(),
  );
  span.end(end);
}
