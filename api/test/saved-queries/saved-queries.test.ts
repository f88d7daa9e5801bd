import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditEntry } from '../../src/audit/audit-entry.entity';
import { Role } from '../../src/auth/auth.enums';
import { createTestApp, databaseAvailable, type TestApp } from '../helpers';

const allMunicipalities = `query Todos($uf: [String!]) {
  municipalities(filter: { uf: $uf }) {
    nodes { ibgeCode name population state { uf } healthRegion { code macroregion { name } } }
  }
}`;

const create = `mutation ($input: CreateSavedQueryInput!) {
  createSavedQuery(input: $input) { id name stateUf version createdBy }
}`;

describe.skipIf(!databaseAvailable)('saved queries', () => {
  let t: TestApp;
  let editorRs: string;
  let readerRs: string;
  let readerSc: string;
  let admin: string;
  const as = (key: string) => ({ authorization: `Bearer ${key}` });

  beforeAll(async () => {
    t = await createTestApp();
    [editorRs, readerRs, readerSc, admin] = await Promise.all([
      t.createKey(Role.EDITOR, 'RS'),
      t.createKey(Role.READER, 'RS'),
      t.createKey(Role.READER, 'SC'),
      t.createKey(Role.ADMIN),
    ]);
    const national = await t.gql(
      create,
      { input: { name: 'Todos os municípios', query: allMunicipalities, stateUf: null } },
      as(admin),
    );
    expect(national.errors).toBeUndefined();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('shares a query with the creator’s state and keeps it from other states', async () => {
    const created = await t.gql<{ createSavedQuery: { stateUf: string; createdBy: string } }>(
      create,
      {
        input: {
          name: 'Municípios RS',
          description: 'Para a planilha da COSEMS/RS',
          query: allMunicipalities,
          variables: { uf: ['RS'] },
        },
      },
      as(editorRs),
    );
    expect(created.errors).toBeUndefined();
    expect(created.data?.createSavedQuery).toMatchObject({
      stateUf: 'RS',
      createdBy: 'test-editor-RS',
    });

    const list = `{ savedQueries { totalCount nodes { name stateUf variables } } }`;
    const rs = await t.gql<{ savedQueries: { nodes: { name: string }[] } }>(list, {}, as(readerRs));
    expect(rs.data?.savedQueries.nodes.map((node) => node.name)).toEqual([
      'Municípios RS',
      'Todos os municípios',
    ]);
    const sc = await t.gql<{ savedQueries: { nodes: { name: string }[] } }>(list, {}, as(readerSc));
    expect(sc.data?.savedQueries.nodes.map((node) => node.name)).toEqual(['Todos os municípios']);
    const anonymous = await t.gql<{ savedQueries: { totalCount: number } }>(list);
    expect(anonymous.data?.savedQueries.totalCount).toBe(1);

    const one = await t.gql(`{ savedQuery(name: "Municípios RS") { name } }`, {}, as(readerSc));
    expect(one.data).toEqual({ savedQuery: null });
    const search = await t.gql<{ savedQueries: { nodes: { name: string }[] } }>(
      `{ savedQueries(filter: { search: "cosems" }) { nodes { name } } }`,
      {},
      as(readerRs),
    );
    expect(search.errors).toBeUndefined();
    expect(search.data?.savedQueries.nodes.map((node) => node.name)).toEqual(['Municípios RS']);
  });

  it('lets only editors save, and only in their own state', async () => {
    const reader = await t.gql(
      create,
      { input: { name: 'x', query: allMunicipalities } },
      as(readerRs),
    );
    expect(reader.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const national = await t.gql(
      create,
      { input: { name: 'x', query: allMunicipalities, stateUf: null } },
      as(editorRs),
    );
    expect(national.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const otherState = await t.gql(
      create,
      { input: { name: 'x', query: allMunicipalities, stateUf: 'SC' } },
      as(editorRs),
    );
    expect(otherState.errors?.[0]?.message).toContain('SC');
  });

  it('rejects a query that is not a table, saying where and why', async () => {
    const cases: [string, string][] = [
      [
        '{ municipalities { nodes { ibgeCode nome } } }',
        'line 1, column 37: Cannot query field "nome"',
      ],
      ['{ municipalities { nodes { ibgeCode } ', 'line 1, column 39: Syntax Error'],
      ['{ state(uf: "RS") { name } }', 'no connection'],
      ['mutation { deleteSavedQuery(name: "x") }', 'must be a `query`'],
    ];
    for (const [query, message] of cases) {
      const result = await t.gql(create, { input: { name: 'bad', query } }, as(editorRs));
      expect(result.errors?.[0]?.extensions?.code, query).toBe('BAD_USER_INPUT');
      expect(result.errors?.[0]?.message, query).toContain(message);
    }
    const none = await t.gql(`{ savedQuery(name: "bad") { name } }`, {}, as(admin));
    expect(none.data).toEqual({ savedQuery: null });
  });

  it('updates with optimistic concurrency and deletes softly', async () => {
    await t.gql(create, { input: { name: 'Rascunho', query: allMunicipalities } }, as(editorRs));
    const update = `mutation ($input: UpdateSavedQueryInput!) {
      updateSavedQuery(input: $input) { name description version }
    }`;
    const first = await t.gql<{ updateSavedQuery: { version: number } }>(
      update,
      { input: { name: 'Rascunho', expectedVersion: 1, description: 'v2', newName: 'Rascunho 2' } },
      as(editorRs),
    );
    expect(first.data?.updateSavedQuery).toEqual({
      name: 'Rascunho 2',
      description: 'v2',
      version: 2,
    });
    const stale = await t.gql(
      update,
      { input: { name: 'Rascunho 2', expectedVersion: 1, description: 'v3' } },
      as(editorRs),
    );
    expect(stale.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect(stale.errors?.[0]?.extensions?.current).toMatchObject({ description: 'v2' });

    const deleted = await t.gql(
      `mutation { deleteSavedQuery(name: "Rascunho 2") }`,
      {},
      as(editorRs),
    );
    expect(deleted.data).toEqual({ deleteSavedQuery: true });
    const gone = await t.gql(`{ savedQuery(name: "Rascunho 2") { name } }`, {}, as(editorRs));
    expect(gone.data).toEqual({ savedQuery: null });

    const audit = await t.app.orm.em
      .fork()
      .find(AuditEntry, { entityType: 'SavedQuery' }, { orderBy: { id: 'asc' } });
    expect(audit.map((entry) => entry.action).slice(-3)).toEqual(['CREATE', 'UPDATE', 'DELETE']);
  });

  describe('CSV links', () => {
    const createToken = `mutation ($name: String!) {
      createExportToken(savedQueryName: $name) { token url exportToken { id prefix revokedAt } }
    }`;

    it('publishes all pages of the first connection, for =IMPORTDATA()', async () => {
      const result = await t.gql<{ createExportToken: { token: string; url: string } }>(
        createToken,
        { name: 'Todos os municípios' },
        as(admin),
      );
      expect(result.errors).toBeUndefined();
      const { url, token } = result.data!.createExportToken;
      expect(url.startsWith(`${t.url}/export/`)).toBe(true);
      expect(token).toMatch(/^rx_[a-z0-9]{10}_/);

      const response = await fetch(url);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/csv');
      const rows = parseCsv(await response.text()) as string[][];
      expect(rows[0]).toEqual([
        'ibgeCode',
        'name',
        'population',
        'state.uf',
        'healthRegion.code',
        'healthRegion.macroregion.name',
      ]);
      expect(rows).toHaveLength(1 + 5571);
      const poa = rows.find((row) => row[0] === '4314902');
      expect(poa?.slice(0, 4)).toEqual(['4314902', 'Porto Alegre', poa?.[2], 'RS']);
      expect(poa).toHaveLength(6);
    });

    it('applies the saved variables, and refuses bad, foreign and revoked tokens', async () => {
      const rsToken = await t.gql<{
        createExportToken: { url: string; exportToken: { id: string } };
      }>(createToken, { name: 'Municípios RS' }, as(editorRs));
      const { url, exportToken } = rsToken.data!.createExportToken;
      const rows = parseCsv(await (await fetch(url)).text()) as string[][];
      expect(rows).toHaveLength(1 + 497);
      expect(new Set(rows.slice(1).map((row) => row[3]))).toEqual(new Set(['RS']));

      const wrong = url.replace(/token=rx_[a-z0-9]{10}_/, 'token=rx_0000000000_');
      expect((await fetch(wrong)).status).toBe(403);
      expect((await fetch(url.replace(/\?.*$/, ''))).status).toBe(401);
      const otherQuery = await t.gql<{ savedQuery: { id: string } }>(
        `{ savedQuery(name: "Todos os municípios") { id } }`,
        {},
        as(admin),
      );
      expect(otherQuery.errors).toBeUndefined();
      const foreign = url.replace(
        /export\/[^.]+\.csv/,
        `export/${otherQuery.data!.savedQuery.id}.csv`,
      );
      const foreignResponse = await fetch(foreign);
      expect(foreignResponse.status, `${foreign}: ${await foreignResponse.text()}`).toBe(403);

      const byReader = await t.gql(
        `mutation ($id: ID!) { revokeExportToken(id: $id) { revokedAt } }`,
        { id: exportToken.id },
        as(readerRs),
      );
      expect(byReader.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      const revoked = await t.gql<{ revokeExportToken: { revokedAt: string | null } }>(
        `mutation ($id: ID!) { revokeExportToken(id: $id) { revokedAt } }`,
        { id: exportToken.id },
        as(editorRs),
      );
      expect(revoked.data?.revokeExportToken.revokedAt).not.toBeNull();
      expect((await fetch(url)).status).toBe(403);

      const audit = await t.app.orm.em
        .fork()
        .find(AuditEntry, { entityType: 'ExportToken' }, { orderBy: { id: 'asc' } });
      expect(audit.map((entry) => [entry.action, entry.actor])).toContainEqual([
        'UPDATE',
        'test-editor-RS',
      ]);
      expect(audit.filter((entry) => entry.action === 'CREATE')).toHaveLength(2);
    });

    it('neutralises cells a spreadsheet would run as formulas', async () => {
      await t.gql(
        create,
        {
          input: {
            name: 'Consultas publicadas',
            description: '=HYPERLINK("http://evil.example","clique")',
            query: '{ savedQueries { nodes { name description } } }',
            stateUf: null,
          },
        },
        as(admin),
      );
      const token = await t.gql<{ createExportToken: { url: string } }>(
        createToken,
        { name: 'Consultas publicadas' },
        as(admin),
      );
      const rows = parseCsv(
        await (await fetch(token.data!.createExportToken.url)).text(),
      ) as string[][];
      const row = rows.find((cells) => cells[0] === 'Consultas publicadas');
      expect(row?.[1]).toBe(`'=HYPERLINK("http://evil.example","clique")`);
    });
  });
});

describe.skipIf(!databaseAvailable)('CSV links behind a proxy', () => {
  it('are built on PUBLIC_URL when it is set', async () => {
    const t = await createTestApp({ env: { PUBLIC_URL: 'https://rede.example.org/' } });
    try {
      const admin = await t.createKey(Role.ADMIN);
      const headers = { authorization: `Bearer ${admin}` };
      await t.gql(
        create,
        { input: { name: 'Todos', query: allMunicipalities, stateUf: null } },
        headers,
      );
      const result = await t.gql<{ createExportToken: { url: string } }>(
        `mutation { createExportToken(savedQueryName: "Todos") { url } }`,
        {},
        headers,
      );
      expect(result.data?.createExportToken.url).toMatch(
        /^https:\/\/rede\.example\.org\/export\/[A-Za-z0-9_-]+\.csv\?token=rx_/,
      );
    } finally {
      await t.close();
    }
  });
});
