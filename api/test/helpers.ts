import type { Logger } from 'pino';
import { inject } from 'vitest';
import { bootstrap, type App } from '../src/app';
import { createApiKey } from '../src/auth/api-key.service';
import type { Role } from '../src/auth/auth.enums';
import { loadConfig, type AppConfig } from '../src/config';
import { StatementCounter } from '../src/db/orm';
import { scratchDatabase, type TestDatabase } from './database';

export const testDatabase: TestDatabase = inject('database');
export const driver = testDatabase.driver;
/** PostgreSQL suites skip only off CI when no server is reachable (global setup said so). */
export const databaseAvailable = testDatabase.template !== null;

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  data?: T;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

export interface TestApp {
  app: App;
  url: string;
  config: AppConfig;
  statements: StatementCounter;
  /** POSTs a GraphQL document to the real server over HTTP. */
  gql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<GraphQLResponse<T>>;
  /** Creates an API key directly in the database and returns the secret. */
  createKey(role: Role, stateUf?: string | null, name?: string): Promise<string>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  /** Start on an empty database (migrations only, no territory). */
  empty?: boolean;
  /** Log somewhere the test can read (default: the config's level to stdout, silent in tests). */
  logger?: Logger;
}

/** A real API on 127.0.0.1 over a private copy of the seeded database (SQLite or PostgreSQL). */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const scratch = await scratchDatabase(testDatabase, { empty: options.empty });
  const databaseUrl =
    scratch.target.driver === 'sqlite' ? `sqlite:${scratch.target.file}` : scratch.target.url;
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    DATABASE_URL: databaseUrl,
    DEMO_ON_START: 'false',
    // Suites fire many requests from one address; the hardening tests turn the limit back on.
    RATE_LIMIT_PER_MINUTE: '0',
    ...options.env,
  });
  const statements = new StatementCounter();
  const app = await bootstrap({
    config,
    logger: options.logger,
    seed: false,
    onQuery: (sql) => statements.record(sql),
  });
  return {
    app,
    url: app.url,
    config,
    statements,
    async gql(query, variables, headers) {
      const response = await fetch(`${app.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as Omit<GraphQLResponse, 'status'>;
      return { status: response.status, ...body } as GraphQLResponse<never>;
    },
    async createKey(
      role,
      stateUf = null,
      name = `test-${role.toLowerCase()}${stateUf ? `-${stateUf}` : ''}`,
    ) {
      const { key } = await createApiKey(app.orm.em.fork(), { name, role, stateUf });
      return key;
    },
    async close() {
      await app.close();
      await scratch.drop();
    },
  };
}
