import { Command } from 'commander';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bootstrap } from '../../src/app';
import { Role } from '../../src/auth/auth.enums';
import { registerKeysCommands } from '../../src/cli/keys.commands';
import { createTestApp, databaseAvailable, testDatabase, type TestApp } from '../helpers';
import { scratchDatabase } from '../database';
import { bearer, upsert } from './fixtures';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

const keyPattern = /rh_[a-z0-9]{10}_[A-Za-z0-9_-]{32,64}/g;

describe.skipIf(!databaseAvailable)('API keys', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  async function cli(...args: string[]): Promise<string> {
    const out = new Capture();
    const program = new Command('rede-hub').exitOverride();
    registerKeysCommands(program, {
      openOrm: async () => ({ orm: t.app.orm, close: async () => undefined }),
      out,
    });
    await program.parseAsync(['node', 'rede-hub', 'keys', ...args]);
    return out.text;
  }

  it('keys create prints the key once; keys list never shows it; keys revoke shuts it out', async () => {
    const created = await cli(
      'create',
      '--name',
      'COSEMS-RS planilha',
      '--role',
      'editor',
      '--state',
      'rs',
    );
    const [key] = created.match(keyPattern)!;
    expect(created).toContain('will not be shown again');
    const who = await t.gql<{ viewer: Record<string, unknown> }>(
      `{ viewer { kind name role stateUf } }`,
      {},
      { 'x-api-key': key! },
    );
    expect(who.data?.viewer).toEqual({
      kind: 'KEY',
      name: 'COSEMS-RS planilha',
      role: 'EDITOR',
      stateUf: 'RS',
    });

    const list = await cli('list');
    expect(list).toContain('COSEMS-RS planilha');
    expect(list).toContain(key!.slice(0, 14));
    expect(list).not.toContain(key!.slice(14));

    const id = /#(\d+)/.exec(created)![1]!;
    expect(await cli('revoke', id)).toContain('Revoked');
    const after = await t.gql(`{ viewer { kind } }`, {}, bearer(key!));
    expect(after.status).toBe(401);
    expect(after.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('refuses a bad role or state with a clear message', async () => {
    await expect(cli('create', '--name', 'x', '--role', 'owner')).rejects.toThrow(
      '--role must be reader, editor or admin',
    );
    await expect(cli('create', '--name', 'x', '--role', 'reader', '--state', 'XX')).rejects.toThrow(
      'Unknown UF "XX"',
    );
  });

  it('answers a missing key with 401 when anonymous access is off, and an unknown key always', async () => {
    const closed = await createTestApp({ env: { ANONYMOUS_ACCESS: 'none' } });
    try {
      const anonymous = await closed.gql(`{ viewer { kind } }`);
      expect(anonymous.status).toBe(401);
      expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    } finally {
      await closed.close();
    }
    const unknown = await t.gql(
      `{ viewer { kind } }`,
      {},
      bearer('rh_0000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'),
    );
    expect(unknown.status).toBe(401);
    const anonymous = await t.gql<{ viewer: unknown }>(`{ viewer { kind name role stateUf } }`);
    expect(anonymous.data?.viewer).toEqual({
      kind: 'ANONYMOUS',
      name: 'anonymous',
      role: 'READER',
      stateUf: null,
    });
  });

  it('admins manage keys over GraphQL too; others may not', async () => {
    const admin = bearer(await t.createKey(Role.ADMIN, null, 'chaves-admin'));
    const made = await t.gql<{
      createApiKey: { key: string; apiKey: { role: string; stateUf: string } };
    }>(
      `mutation { createApiKey(name: "leitura MT", role: READER, stateUf: "MT") { key apiKey { role stateUf } } }`,
      {},
      admin,
    );
    expect(made.data?.createApiKey.apiKey).toEqual({ role: 'READER', stateUf: 'MT' });
    const editor = bearer(await t.createKey(Role.EDITOR, null, 'chaves-editor'));
    const refused = await t.gql(`{ apiKeys { name } }`, {}, editor);
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(refused.errors?.[0]?.message).toContain('needs role ADMIN');
  });

  it('hides email and phone from readers and from editors of other states', async () => {
    const admin = bearer(await t.createKey(Role.ADMIN, null, 'contato-admin'));
    await upsert(
      t,
      'People',
      'PersonUpsertInput',
      [
        {
          code: 'CONTATO-1',
          name: 'Pessoa Fictícia Contato',
          email: 'ficticia@example.org',
          phone: '(51) 3333-4444',
        },
      ],
      admin,
    );
    await upsert(
      t,
      'Mandates',
      'MandateUpsertInput',
      [
        {
          code: 'CONTATO-M',
          personCode: 'CONTATO-1',
          role: 'STATE_COORDINATOR',
          stateUf: 'RS',
          startDate: '2025-01-01',
        },
      ],
      admin,
    );
    const see = async (headers: Record<string, string>) =>
      (
        await t.gql<{ person: { email: string | null; phone: string | null } }>(
          `{ person(code: "CONTATO-1") { email phone } }`,
          {},
          headers,
        )
      ).data!.person;
    const hidden = { email: null, phone: null };
    const shown = { email: 'ficticia@example.org', phone: '(51) 3333-4444' };
    expect(await see({})).toEqual(hidden);
    expect(await see(bearer(await t.createKey(Role.READER, null, 'contato-leitor')))).toEqual(
      hidden,
    );
    expect(await see(bearer(await t.createKey(Role.EDITOR, 'MT', 'contato-mt')))).toEqual(hidden);
    expect(await see(bearer(await t.createKey(Role.EDITOR, 'RS', 'contato-rs')))).toEqual(shown);
    expect(await see(admin)).toEqual(shown);
  });
});

describe.skipIf(!databaseAvailable)('first start', () => {
  it('creates an admin key, prints it once on stdout and never logs it', async () => {
    const scratch = await scratchDatabase(testDatabase, {});
    const databaseUrl =
      scratch.target.driver === 'sqlite' ? `sqlite:${scratch.target.file}` : scratch.target.url;
    const { loadConfig } = await import('../../src/config');
    const config = loadConfig({
      NODE_ENV: 'test',
      PORT: '0',
      DATABASE_URL: databaseUrl,
      DEMO_ON_START: 'false',
    });
    const logs = new Capture();
    const logger = pino({ level: 'trace' }, logs);
    const printed: string[] = [];
    const spy = vi
      .spyOn(process.stdout, 'write')
      .mockImplementation((chunk: string | Uint8Array) => {
        printed.push(String(chunk));
        return true;
      });
    try {
      const first = await bootstrap({ config, logger, seed: true });
      const keys = printed.join('').match(keyPattern) ?? [];
      expect(keys).toHaveLength(1);
      const response = await fetch(`${first.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${keys[0]}` },
        body: JSON.stringify({ query: '{ viewer { role name } }' }),
      });
      expect(((await response.json()) as { data: unknown }).data).toEqual({
        viewer: { role: 'ADMIN', name: 'first-admin' },
      });
      await first.close();
      const second = await bootstrap({ config, logger, seed: true });
      await second.close();
      expect(printed.join('').match(keyPattern) ?? []).toHaveLength(1);
      expect(logs.text).toContain('created the first admin key');
      expect(logs.text).not.toContain(keys[0]!.split('_')[2]);
    } finally {
      spy.mockRestore();
      await scratch.drop();
    }
  }, 120_000);
});
