import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/auth/api-key.service';
import { Role } from '../../src/auth/auth.enums';
import { initOrm } from '../../src/db/orm';
import { startServerProcess, type ServerProcess } from '../child-process';
import { scratchDatabase, type ScratchDatabase } from '../database';
import { databaseAvailable, testDatabase } from '../helpers';

describe.skipIf(!databaseAvailable)('secrets in logs', () => {
  let scratch: ScratchDatabase;
  let server: ServerProcess;
  let adminKey: string;
  let readerKey: string;
  beforeAll(async () => {
    scratch = await scratchDatabase(testDatabase);
    const orm = await initOrm({ database: scratch.target });
    try {
      adminKey = (await createApiKey(orm.em.fork(), { name: 'admin', role: Role.ADMIN })).key;
      readerKey = (await createApiKey(orm.em.fork(), { name: 'reader', role: Role.READER })).key;
    } finally {
      await orm.close(true);
    }
    server = await startServerProcess({
      DATABASE_URL:
        scratch.target.driver === 'sqlite' ? `sqlite:${scratch.target.file}` : scratch.target.url,
      LOG_LEVEL: 'trace',
      RATE_LIMIT_PER_MINUTE: '3',
    });
  });
  afterAll(async () => {
    await server?.stop();
    await scratch?.drop();
  });

  it('never writes an API key, a bad key or an export token to the logs of a run', async () => {
    const post = (headers: Record<string, string>, query = '{ state(uf: "RS") { name } }') =>
      fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query }),
      });
    const forgedKey = 'rh_abcdefghij_ThisIsNotARealSecretButLooksLikeOne0123';
    const exportToken = 'exp-token-7f3a9c1e5b2d4a6f8e0c';
    const statuses = [
      (await post({ authorization: `Bearer ${adminKey}` })).status,
      (await post({ 'x-api-key': readerKey })).status,
      (await post({ authorization: `Bearer ${forgedKey}` })).status,
      (await post({ authorization: 'Bearer not-even-a-key-format-SECRETISH' })).status,
      (await post({ authorization: `Bearer ${adminKey}` }, '{ nope }')).status,
      (await post({ authorization: `Bearer ${adminKey}` })).status,
      (await post({ authorization: `Bearer ${adminKey}` })).status, // over the limit of 3
      (await fetch(`${server.url}/export/1.csv?token=${exportToken}`)).status,
    ];
    expect(statuses, server.logs().slice(-3000)).toEqual([200, 200, 401, 401, 400, 200, 429, 404]);
    await server.stop();

    const logs = server.logs();
    const explain = logs.slice(-3000);
    // The run did log each request (so the absence below means something)…
    expect(logs.match(/"msg":"request"/g)?.length, explain).toBeGreaterThanOrEqual(statuses.length);
    expect(logs).toMatch(/"client":"key:[a-z0-9]{10}"/);
    expect(logs).toMatch(/"path":"\/export\/1.csv"/);
    // …and none of the secrets.
    for (const secret of [adminKey, readerKey, forgedKey, exportToken, 'SECRETISH']) {
      expect(logs).not.toContain(secret);
    }
    for (const key of [adminKey, readerKey]) {
      // The secret is everything after `rh_<prefix>_`; it may itself contain `_`.
      expect(logs).not.toContain(key.slice(key.indexOf('_', 3) + 1));
    }
  });
});
