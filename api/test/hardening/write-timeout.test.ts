import express from 'express';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditEntry } from '../../src/audit/audit-entry.entity';
import { ApiKey } from '../../src/auth/api-key.entity';
import { Role } from '../../src/auth/auth.enums';
import { AppError } from '../../src/graphql/errors';
import { Organization } from '../../src/people/organization.entity';
import { bindDeadline, requestTimeout } from '../../src/security/http-guards';
import { currentDeadline, RequestDeadline } from '../../src/security/request-deadline';
import { createTestApp, databaseAvailable, driver, type TestApp } from '../helpers';
import { bearer, upsertFields } from '../writes/fixtures';
import { holdWriteLock } from './database-lock';

/** Log lines as objects, and a way to wait for one: how a test knows the server is done. */
function capturedLogs() {
  const lines: Record<string, unknown>[] = [];
  const waiting: { match: (line: Record<string, unknown>) => boolean; resolve: () => void }[] = [];
  const logger = pino(
    { level: 'info' },
    {
      write(text: string) {
        const line = JSON.parse(text) as Record<string, unknown>;
        lines.push(line);
        for (const waiter of waiting.filter((w) => w.match(line))) {
          waiting.splice(waiting.indexOf(waiter), 1);
          waiter.resolve();
        }
      },
    },
  );
  const logged = (msg: string, requestId: string) => {
    const match = (line: Record<string, unknown>) =>
      line.msg === msg && line.requestId === requestId;
    if (lines.some(match)) {
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => waiting.push({ match, resolve }));
  };
  return { logger, lines, logged };
}

describe('request deadline phases', () => {
  it('lets a write begin while running, and then never abandons the request', () => {
    const deadline = new RequestDeadline(300);
    expect(deadline.state.phase).toBe('running');
    deadline.beginWrite();
    expect(deadline.state.phase).toBe('writing');
    expect(deadline.abandon()).toBe(false);
    expect(deadline.state.phase).toBe('writing');
    // Later transactions of the same request (partial-success batches) go on committing.
    expect(() => deadline.beginWrite()).not.toThrow();
  });

  it('refuses every write once the request is abandoned', () => {
    const deadline = new RequestDeadline(300);
    expect(deadline.abandon()).toBe(true);
    expect(deadline.state.phase).toBe('abandoned');
    for (let attempt = 0; attempt < 2; attempt += 1) {
      let refusal: unknown;
      try {
        deadline.beginWrite();
      } catch (error) {
        refusal = error;
      }
      expect(refusal).toBeInstanceOf(AppError);
      expect((refusal as AppError).extensions.code).toBe('TIMEOUT');
      expect((refusal as AppError).message).toMatch(/rolled back; nothing was written/);
    }
    expect(deadline.state.phase).toBe('abandoned');
  });

  it('refuses to start a transaction once abandoned, without claiming the request before', () => {
    const running = new RequestDeadline(300);
    running.refuseIfAbandoned();
    expect(running.state.phase).toBe('running');
    expect(running.abandon()).toBe(true);
    expect(() => running.refuseIfAbandoned()).toThrow(AppError);
  });
});

describe('request timeout middleware and the deadline', () => {
  const { logger, logged } = capturedLogs();
  const handlerOutcome = new Map<string, string>();
  let server: http.Server;
  let url: string;
  let releaseHandler: () => void = () => undefined;

  beforeAll(async () => {
    const app = express();
    app.use(requestTimeout(200, logger), bindDeadline());
    // Stands for a resolver: waits (as a locked row would make it), then commits.
    app.post('/write/:id', async (req, res) => {
      const id = req.params.id;
      if (id.startsWith('early')) {
        currentDeadline()!.beginWrite();
      }
      await new Promise<void>((resolve) => (releaseHandler = resolve));
      try {
        currentDeadline()!.beginWrite();
        handlerOutcome.set(id, 'committed');
        res.json({ written: id });
      } catch (error) {
        handlerOutcome.set(id, (error as AppError).extensions.code as string);
        res.status(500).json({ refused: id });
      }
    });
    server = http.createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('answers 503 TIMEOUT while nothing is being written, then refuses the late commit', async () => {
    const response = await fetch(`${url}/write/late`, {
      method: 'POST',
      headers: { 'x-request-id': 'late' },
    });
    expect(response.status).toBe(503);
    expect(
      ((await response.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!
        .extensions.code,
    ).toBe('TIMEOUT');
    releaseHandler();
    await logged('abandoned request finished', 'late');
    expect(handlerOutcome.get('late')).toBe('TIMEOUT');
  });

  it('lets a request whose write began before the deadline answer what it wrote', async () => {
    const answer = fetch(`${url}/write/early`, {
      method: 'POST',
      headers: { 'x-request-id': 'early' },
    });
    await logged(
      'request overran its timeout while writing; it runs to completion and answers what it wrote',
      'early',
    );
    releaseHandler();
    const response = await answer;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ written: 'early' });
    expect(handlerOutcome.get('early')).toBe('committed');
  });
});

const upsertOrganizations = `mutation($rows: [OrganizationUpsertInput!]!) {
  result: upsertOrganizations(rows: $rows) { ${upsertFields} }
}`;

async function post(
  t: TestApp,
  query: string,
  variables: Record<string, unknown>,
  headers: Record<string, string>,
) {
  return fetch(`${t.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
}

describe.skipIf(!databaseAvailable)('request timeout during a write', () => {
  const { logger, logged } = capturedLogs();
  let t: TestApp;
  let admin: Record<string, string>;
  beforeAll(async () => {
    t = await createTestApp({ env: { REQUEST_TIMEOUT_MS: '300' }, logger });
    admin = bearer(await t.createKey(Role.ADMIN, null, 'admin'));
  });
  afterAll(async () => {
    await t?.close();
  });

  const written = async (code: string, requestId: string) => {
    const em = t.app.orm.em.fork();
    return {
      rows: await em.count(Organization, { code }),
      audits: await em.count(AuditEntry, { entityType: 'Organization', requestId }),
    };
  };

  it('rolls back an upsert that waited past the timeout: 503 TIMEOUT, no row, no audit entry', async () => {
    const row = { code: 'ABANDONED-1', name: 'Escrita abandonada', kind: 'COSEMS' };
    const release = await holdWriteLock(t.config.database, 'organizations');
    let response: Response;
    try {
      response = await post(
        t,
        upsertOrganizations,
        { rows: [row] },
        { ...admin, 'x-request-id': 'abandoned-write' },
      );
    } finally {
      await release();
    }
    expect(response.status).toBe(503);
    const body = (await response.json()) as {
      errors: { message: string; extensions: { code: string } }[];
    };
    expect(body.errors[0]!.extensions.code).toBe('TIMEOUT');
    expect(body.errors[0]!.message).toMatch(/abandoned \(nothing was written\)/);
    // The handler went on once the lock was released; wait until it is done, then look.
    await logged('abandoned request finished', 'abandoned-write');
    expect(await written(row.code, 'abandoned-write')).toEqual({ rows: 0, audits: 0 });

    // The same upsert, unhindered, writes the row: what was refused above was the commit.
    const retry = await post(
      t,
      upsertOrganizations,
      { rows: [row] },
      { ...admin, 'x-request-id': 'retried-write' },
    );
    expect(retry.status).toBe(200);
    const result = (await retry.json()) as { data: { result: { created: number } } };
    expect(result.data.result.created).toBe(1);
    expect(await written(row.code, 'retried-write')).toEqual({ rows: 1, audits: 1 });
  });

  it('refuses the implicit transaction of a bare flush too (createApiKey)', async () => {
    const release = await holdWriteLock(t.config.database, 'api_keys');
    let response: Response;
    try {
      response = await post(
        t,
        'mutation { createApiKey(name: "abandoned-key", role: READER) { key } }',
        {},
        { ...admin, 'x-request-id': 'abandoned-key' },
      );
    } finally {
      await release();
    }
    expect(response.status).toBe(503);
    await logged('abandoned request finished', 'abandoned-key');
    expect(await t.app.orm.em.fork().count(ApiKey, { name: 'abandoned-key' })).toBe(0);
  });

  it('answers a write that waited only briefly with its real result', async () => {
    const row = { code: 'BRIEF-WAIT-1', name: 'Espera curta', kind: 'SES' };
    const release = await holdWriteLock(t.config.database, 'organizations');
    const answer = post(
      t,
      upsertOrganizations,
      { rows: [row] },
      { ...admin, 'x-request-id': 'brief' },
    );
    await release();
    const response = await answer;
    expect(response.status).toBe(200);
    const result = (await response.json()) as { data: { result: { created: number } } };
    expect(result.data.result.created).toBe(1);
    expect(await written(row.code, 'brief')).toEqual({ rows: 1, audits: 1 });
  });
});

/**
 * A partial-success upsert commits in batches of 500 rows. Once its first batch has committed,
 * the request owns its outcome: a later batch that waits past the deadline (a row locked by
 * another transaction, which only PostgreSQL can hold while other rows are written) is still
 * answered with every row's status.
 */
describe.skipIf(!databaseAvailable || driver !== 'postgresql')(
  'request timeout after a batch committed',
  () => {
    const { logger, logged } = capturedLogs();
    let t: TestApp;
    let admin: Record<string, string>;
    beforeAll(async () => {
      t = await createTestApp({ env: { REQUEST_TIMEOUT_MS: '1500' }, logger });
      admin = bearer(await t.createKey(Role.ADMIN, null, 'admin'));
    });
    afterAll(async () => {
      await t?.close();
    });

    it('answers every row once its first batch committed, even past the timeout', async () => {
      const seeded = await post(
        t,
        upsertOrganizations,
        { rows: [{ code: 'LOCKED-ROW', name: 'Linha travada', kind: 'OTHER' }] },
        admin,
      );
      expect(seeded.status).toBe(200);
      const rows = [
        ...Array.from({ length: 500 }, (_, n) => ({
          code: `BATCH-${n}`,
          name: `Organização ${n}`,
          kind: 'OTHER',
        })),
        { code: 'LOCKED-ROW', name: 'Linha travada, renomeada', kind: 'OTHER', expectedVersion: 1 },
      ];
      const pg = await import('pg');
      const holder = new pg.default.Client({
        connectionString: (t.config.database as { url: string }).url,
      });
      await holder.connect();
      await holder.query('BEGIN');
      await holder.query(`SELECT id FROM organizations WHERE code = 'LOCKED-ROW' FOR UPDATE`);
      let response: Response;
      try {
        const answer = post(
          t,
          upsertOrganizations,
          { rows },
          { ...admin, 'x-request-id': 'owned' },
        );
        await logged(
          'request overran its timeout while writing; it runs to completion and answers what it wrote',
          'owned',
        );
        await holder.query('ROLLBACK');
        response = await answer;
      } finally {
        await holder.end();
      }
      expect(response.status).toBe(200);
      const result = (await response.json()) as {
        data: { result: { created: number; updated: number } };
      };
      expect(result.data.result).toMatchObject({ created: 500, updated: 1 });
      const em = t.app.orm.em.fork();
      expect(await em.count(Organization, { code: { $like: 'BATCH-%' } })).toBe(500);
      expect(await em.count(AuditEntry, { entityType: 'Organization', requestId: 'owned' })).toBe(
        501,
      );
    });
  },
);
