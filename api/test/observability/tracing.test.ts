import { SpanKind } from '@opentelemetry/api';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTracing, tracingWanted, type Tracing } from '../../src/observability/tracing';
import { startServerProcess } from '../child-process';
import { scratchDatabase } from '../database';
import { createTestApp, databaseAvailable, driver, testDatabase, type TestApp } from '../helpers';

describe('tracing is switched on by the standard OTEL_* variables', () => {
  it.each([
    [{}, false],
    [{ OTEL_SERVICE_NAME: 'rede-hub' }, false],
    [{ OTEL_TRACES_EXPORTER: 'otlp' }, true],
    [{ OTEL_TRACES_EXPORTER: 'console' }, true],
    [{ OTEL_TRACES_EXPORTER: 'none' }, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }, true],
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:4318/v1/traces' }, true],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_SDK_DISABLED: 'true' }, false],
  ])('%j → %s', async (env, wanted) => {
    expect(tracingWanted(env)).toBe(wanted);
    if (!wanted) {
      expect(await startTracing(env)).toBeNull();
    }
  });
});

describe.skipIf(!databaseAvailable)('a request span with its SQL statements as children', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing | null;
  let t: TestApp;
  beforeAll(async () => {
    // The environment switches tracing on; the in-memory exporter replaces the OTLP one.
    tracing = await startTracing(
      { OTEL_TRACES_EXPORTER: 'otlp', OTEL_SERVICE_NAME: 'rede-hub-test' },
      { spanProcessors: [new SimpleSpanProcessor(exporter)] },
    );
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
    await tracing?.shutdown();
  });

  const requestSpans = () =>
    exporter.getFinishedSpans().filter((span) => span.kind === SpanKind.SERVER);
  const childrenOf = (parent: ReadableSpan) =>
    exporter
      .getFinishedSpans()
      .filter((span) => span.parentSpanContext?.spanId === parent.spanContext().spanId);

  it('names the request span after the operation and hangs each SQL statement under it', async () => {
    expect(tracing).not.toBeNull();
    const query =
      'query Lookup($code: String!) { municipality(ibgeCode: $code) { name state { name } } }';
    // Twice: answered by the resolvers, then by the compiled statement.
    for (const code of ['4314902', '3550308']) {
      exporter.reset();
      const statementsBefore = t.statements.count;
      const answer = await t.gql(query, { code });
      expect(answer.errors).toBeUndefined();
      const statements = t.statements.count - statementsBefore;
      // The span ends when the response is closed, just after the client read it.
      for (let waited = 0; requestSpans().length === 0 && waited < 2000; waited += 20) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const [request, ...others] = requestSpans();
      expect(others).toEqual([]);
      expect(request!.name).toBe('query Lookup');
      expect(request!.attributes).toMatchObject({
        'http.request.method': 'POST',
        'url.path': '/graphql',
        'http.response.status_code': 200,
        'graphql.operation.type': 'query',
        'graphql.operation.name': 'Lookup',
      });
      expect(request!.resource.attributes['service.name']).toBe('rede-hub-test');
      const sql = childrenOf(request!).filter((span) => span.attributes['db.system']);
      expect(sql.length).toBeGreaterThan(0);
      // Every statement the request ran, and only those, is a child span.
      expect(sql.length).toBe(statements);
      for (const span of sql) {
        expect(span.kind).toBe(SpanKind.CLIENT);
        expect(span.attributes['db.system']).toBe(driver);
        expect(span.attributes['db.query.text']).toMatch(/select/i);
        expect(span.attributes['db.query.text']).not.toContain(code);
        expect(span.spanContext().traceId).toBe(request!.spanContext().traceId);
      }
    }
  });

  it('gives two concurrent requests two traces, each with its own statements', async () => {
    exporter.reset();
    await Promise.all([
      t.gql('query A { state(uf: "RS") { name } }'),
      t.gql('query B { state(uf: "MT") { name } }'),
    ]);
    for (let waited = 0; requestSpans().length < 2 && waited < 2000; waited += 20) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const spans = requestSpans();
    expect(spans.map((span) => span.name).sort()).toEqual(['query A', 'query B']);
    expect(spans[0]!.spanContext().traceId).not.toBe(spans[1]!.spanContext().traceId);
    for (const span of spans) {
      expect(childrenOf(span).length).toBeGreaterThan(0);
    }
  });
});

describe.skipIf(!databaseAvailable)('the server process traces when OTEL_* says so', () => {
  it('exports the request span and its SQL spans (console exporter), flushed on SIGTERM', async () => {
    const scratch = await scratchDatabase(testDatabase);
    try {
      const databaseUrl =
        scratch.target.driver === 'sqlite' ? `sqlite:${scratch.target.file}` : scratch.target.url;
      const server = await startServerProcess({
        DATABASE_URL: databaseUrl,
        LOG_LEVEL: 'warn',
        OTEL_TRACES_EXPORTER: 'console',
        OTEL_SERVICE_NAME: 'rede-hub-traced',
      });
      const response = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'query Traced { state(uf: "RS") { name } }' }),
      });
      expect(await response.json()).toEqual({ data: { state: { name: 'Rio Grande do Sul' } } });
      await server.stop();
      const logs = server.logs();
      expect(logs).toContain("name: 'query Traced'");
      expect(logs).toContain("'service.name': 'rede-hub-traced'");
      expect(logs).toContain(`'db.system': '${driver}'`);
    } finally {
      await scratch.drop();
    }
  });

  it('traces nothing without OTEL_* variables', async () => {
    const scratch = await scratchDatabase(testDatabase);
    try {
      const databaseUrl =
        scratch.target.driver === 'sqlite' ? `sqlite:${scratch.target.file}` : scratch.target.url;
      const server = await startServerProcess({ DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' });
      await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'query Traced { state(uf: "RS") { name } }' }),
      });
      await server.stop();
      expect(server.logs()).not.toContain('Traced');
    } finally {
      await scratch.drop();
    }
  });
});
