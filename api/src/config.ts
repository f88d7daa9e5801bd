import path from 'node:path';
import { z } from 'zod';

/** Which database the URL points at; the rest of the code branches on this, never on the URL. */
export type DatabaseTarget =
  { driver: 'sqlite'; file: string } | { driver: 'postgresql'; url: string };

const booleanString = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce
    .number({ error: 'PORT must be a number' })
    .int('PORT must be an integer')
    .min(0, 'PORT must be between 0 and 65535')
    .max(65535, 'PORT must be between 0 and 65535')
    .default(4000),
  DATABASE_URL: z.string().min(1).default('sqlite:data/rede-hub.sqlite'),
  DATABASE_READ_URLS: z.string().default(''),
  READ_YOUR_WRITES_MS: z.coerce.number().int().min(0).default(10_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  MAX_PAGE_SIZE: z.coerce.number().int().min(1).max(100_000).default(10_000),
  DEFAULT_PAGE_SIZE: z.coerce.number().int().min(1).default(100),
  MAX_DEPTH: z.coerce.number().int().min(1).default(12),
  MAX_COST: z.coerce.number().int().min(1).default(5_000_000),
  MAX_ALIASES: z.coerce.number().int().min(1).default(50),
  MAX_TOKENS: z.coerce.number().int().min(1).default(5_000),
  MAX_DIRECTIVES: z.coerce.number().int().min(1).default(50),
  MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(2 * 1024 * 1024),
  MAX_STRING_LENGTH: z.coerce.number().int().min(1).default(100_000),
  REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
  STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).optional(),
  IDLE_IN_TRANSACTION_TIMEOUT_MS: z.coerce.number().int().min(0).default(60_000),
  INTROSPECTION: booleanString.default(true),
  COMPILED_READS: booleanString.default(true),
  ANONYMOUS_ACCESS: z.enum(['none', 'reader']).optional(),
  CORS_ORIGINS: z.string().default(''),
  REDIS_URL: z.string().url().optional(),
  PUBLIC_URL: z.string().url().optional(),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).default(600),
  EXPORT_TOKEN_IDLE_DAYS: z.coerce.number().int().min(0).default(90),
  METRICS_TOKEN: z
    .string()
    .min(16, 'METRICS_TOKEN must be at least 16 characters (e.g. openssl rand -hex 24)')
    .optional(),
  METRICS_PORT: z.coerce
    .number({ error: 'METRICS_PORT must be a number' })
    .int('METRICS_PORT must be an integer')
    .min(0, 'METRICS_PORT must be between 0 and 65535')
    .max(65535, 'METRICS_PORT must be between 0 and 65535')
    .optional(),
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  SHUTDOWN_DELAY_MS: z.coerce.number().int().min(0).max(120_000).default(0),
  SEED_ON_START: booleanString.default(true),
  DEMO_ON_START: booleanString.default(true),
});

export interface AppConfig {
  env: 'development' | 'production' | 'test';
  host: string;
  port: number;
  database: DatabaseTarget;
  /** PostgreSQL streaming replicas that serve reads (`db/replicas.ts` says which). */
  readUrls: string[];
  /** After a caller's write, its reads stay on the primary this long. */
  readYourWritesMs: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  limits: {
    maxPageSize: number;
    defaultPageSize: number;
    maxDepth: number;
    maxCost: number;
    maxAliases: number;
    maxTokens: number;
    maxDirectives: number;
    maxBodyBytes: number;
    /** Longest string accepted in a document or a variable (a 1 MB search pattern is refused). */
    maxStringLength: number;
    requestTimeoutMs: number;
    /**
     * PostgreSQL `statement_timeout` of the API's connections (0: none): a statement still running
     * after the request was abandoned is cancelled instead of holding a connection and locks.
     */
    statementTimeoutMs: number;
    /** PostgreSQL `idle_in_transaction_session_timeout` of the API's connections (0: none). */
    idleInTransactionTimeoutMs: number;
    rateLimitPerMinute: number;
  };
  introspection: boolean;
  /**
   * Answer read documents of catalogued fields with one SQL statement that builds the JSON
   * (`graphql/compiled/`); off, every request runs through the resolvers.
   */
  compiledReads: boolean;
  /** What a request without an API key may do: nothing, or read non-personal fields. */
  anonymousAccess: 'none' | 'reader';
  corsOrigins: string[];
  redisUrl?: string;
  /**
   * Where clients reach the server; absolute links (CSV exports) are built on it. Required for
   * those links in production, where requests for any other host are refused.
   */
  publicUrl?: string;
  /** A CSV link unused for this many days stops working (0: never). */
  exportTokenIdleDays: number;
  /**
   * Prometheus `/metrics`: on the API's port for a bearer of `token`, and/or on a port of its own
   * (`port`, on `host`) without one. Neither set: no metrics endpoint at all.
   */
  metrics: { token?: string; port?: number; host: string };
  /**
   * On SIGTERM, keep serving this long with `/ready` answering 503 and every response closing its
   * connection, so a load balancer stops sending requests before the listener closes.
   */
  shutdownDelayMs: number;
  seedOnStart: boolean;
  demoOnStart: boolean;
}

/** Raised when the environment cannot describe a working server; `main` prints its message and exits. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function parseDatabaseUrl(raw: string, cwd = process.cwd()): DatabaseTarget {
  if (/^postgres(ql)?:\/\//.test(raw)) {
    try {
      const url = new URL(raw);
      if (!url.hostname || url.pathname.length <= 1) {
        throw new Error('missing host or database name');
      }
    } catch (error) {
      throw new ConfigError(
        `DATABASE_URL is not a valid PostgreSQL URL (${(error as Error).message}); expected postgres://user@host:5432/database`,
      );
    }
    return { driver: 'postgresql', url: raw };
  }
  const sqliteMatch = /^(?:sqlite|file):(.+)$/.exec(raw);
  if (sqliteMatch) {
    const file = sqliteMatch[1]!.replace(/^\/\//, '');
    return { driver: 'sqlite', file: file === ':memory:' ? file : path.resolve(cwd, file) };
  }
  throw new ConfigError(
    `DATABASE_URL "${raw}" is not supported; use sqlite:path/to/file.sqlite or postgres://user@host:5432/database`,
  );
}

/** The only reader of `process.env`: validates once and returns a typed, frozen config. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = issue.path.join('.');
    throw new ConfigError(`Invalid ${name}=${JSON.stringify(env[name] ?? '')}: ${issue.message}`);
  }
  const e = parsed.data;
  const database = parseDatabaseUrl(e.DATABASE_URL);
  const readUrls = e.DATABASE_READ_URLS.split(',')
    .map((url) => url.trim())
    .filter(Boolean);
  for (const url of readUrls) {
    const target = parseDatabaseUrl(url);
    if (target.driver !== 'postgresql' || database.driver !== 'postgresql') {
      throw new ConfigError(
        'DATABASE_READ_URLS lists PostgreSQL streaming replicas of a PostgreSQL DATABASE_URL (postgres://user@replica:5432/database, comma-separated)',
      );
    }
  }
  return Object.freeze({
    env: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    database,
    readUrls,
    readYourWritesMs: e.READ_YOUR_WRITES_MS,
    logLevel: e.LOG_LEVEL,
    limits: {
      maxPageSize: e.MAX_PAGE_SIZE,
      defaultPageSize: Math.min(e.DEFAULT_PAGE_SIZE, e.MAX_PAGE_SIZE),
      maxDepth: e.MAX_DEPTH,
      maxCost: e.MAX_COST,
      maxAliases: e.MAX_ALIASES,
      maxTokens: e.MAX_TOKENS,
      maxDirectives: e.MAX_DIRECTIVES,
      maxBodyBytes: e.MAX_BODY_BYTES,
      maxStringLength: e.MAX_STRING_LENGTH,
      requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
      // A little above the request timeout, so the client gets the request's clear 503 first.
      statementTimeoutMs: e.STATEMENT_TIMEOUT_MS ?? e.REQUEST_TIMEOUT_MS + 5_000,
      idleInTransactionTimeoutMs: e.IDLE_IN_TRANSACTION_TIMEOUT_MS,
      rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
    },
    introspection: e.INTROSPECTION,
    compiledReads: e.COMPILED_READS,
    anonymousAccess: e.ANONYMOUS_ACCESS ?? (e.NODE_ENV === 'production' ? 'none' : 'reader'),
    corsOrigins: e.CORS_ORIGINS.split(',')
      .map((origin) => origin.trim())
      .filter(Boolean),
    redisUrl: e.REDIS_URL,
    publicUrl: e.PUBLIC_URL?.replace(/\/+$/, ''),
    exportTokenIdleDays: e.EXPORT_TOKEN_IDLE_DAYS,
    metrics: { token: e.METRICS_TOKEN, port: e.METRICS_PORT, host: e.METRICS_HOST },
    shutdownDelayMs: e.SHUTDOWN_DELAY_MS,
    seedOnStart: e.SEED_ON_START,
    demoOnStart: e.DEMO_ON_START,
  });
}
