import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditVia } from '../../src/audit/audit.enums';
import { Role } from '../../src/auth/auth.enums';
import { systemViewer } from '../../src/auth/viewer';
import { ImportRun, ImportStatus } from '../../src/imports/import-run.entity';
import { Municipality } from '../../src/territory/municipality.entity';
import { municipalityWrites } from '../../src/territory/municipality.write';
import { writeRows } from '../../src/writes/write.service';
import { type WriteSpec } from '../../src/writes/write.spec';
import { organizationWrites } from '../../src/people/organization.write';
import { personWrites } from '../../src/people/person.write';
import { Organization } from '../../src/people/organization.entity';
import { Person } from '../../src/people/person.entity';
import { searchText } from '../../src/common/text';
import { createTestApp, databaseAvailable, type TestApp } from '../helpers';
import {
  bearer,
  fictionalIbgeCode,
  seedWriteFixtures,
  stateCodes,
  upsert,
  type WriteFixtures,
} from './fixtures';

describe.skipIf(!databaseAvailable)('audit log and revertImport', () => {
  let t: TestApp;
  let f: WriteFixtures;
  let admin: Record<string, string>;
  let editorRS: Record<string, string>;
  let editorMT: Record<string, string>;

  const read = async (code: string) =>
    (
      await t.gql<{ municipality: { population: number | null; version: number } | null }>(
        `query($code: String!) { municipality(ibgeCode: $code) { population version } }`,
        { code },
      )
    ).data!.municipality;

  /** A sheet pushed as an import: writes through the service, via IMPORT, tagged with its run. */
  async function importRows(
    rows: Record<string, unknown>[],
    spec: WriteSpec = municipalityWrites as unknown as WriteSpec,
  ): Promise<number> {
    const em = t.app.orm.em.fork();
    const run = em.create(ImportRun, {
      kind: 'municipalities',
      sha256: 'f'.repeat(64),
      status: ImportStatus.SUCCEEDED,
      actor: 'steward',
      fileNames: ['municipios.csv'],
      startedAt: new Date(),
      errors: [],
    });
    await em.flush();
    const result = await writeRows(
      {
        em,
        viewer: systemViewer('import:steward'),
        via: AuditVia.IMPORT,
        importRunId: run.id,
        lockRows: t.config.database.driver === 'postgresql',
      },
      spec,
      'upsert',
      rows,
      { atomic: true },
    );
    expect(result.invalid + result.conflicts + result.forbidden).toBe(0);
    return run.id;
  }

  beforeAll(async () => {
    t = await createTestApp();
    f = await seedWriteFixtures(t);
    admin = bearer(await t.createKey(Role.ADMIN, null, 'auditoria-admin'));
    editorRS = bearer(await t.createKey(Role.EDITOR, 'RS', 'auditoria-rs'));
    editorMT = bearer(await t.createKey(Role.EDITOR, 'MT', 'auditoria-mt'));
  });
  afterAll(async () => {
    await t?.close();
  });

  it('is scoped like the data: a state key sees its state, an admin everything', async () => {
    await upsert(
      t,
      'Municipalities',
      'MunicipalityUpsertInput',
      [{ ibgeCode: f.municipalities.RS[60], expectedVersion: 1, population: 1 }],
      editorRS,
    );
    await upsert(
      t,
      'Municipalities',
      'MunicipalityUpsertInput',
      [{ ibgeCode: f.municipalities.MT[60], expectedVersion: 1, population: 1 }],
      editorMT,
    );
    const ufsSeenBy = async (headers: Record<string, string>) =>
      new Set(
        (
          await t.gql<{ auditLog: { nodes: { stateUf: string }[] } }>(
            `{ auditLog(first: 100) { nodes { stateUf } } }`,
            {},
            headers,
          )
        ).data!.auditLog.nodes.map((n) => n.stateUf),
      );
    expect(await ufsSeenBy(editorRS)).toEqual(new Set(['RS']));
    expect(await ufsSeenBy(editorMT)).toEqual(new Set(['MT']));
    expect(await ufsSeenBy(admin)).toEqual(new Set(['RS', 'MT']));
  });

  it('reverts an import as a whole, and audits the revert', async () => {
    const [a, b] = [f.municipalities.RS[70]!, f.municipalities.RS[71]!];
    const created = fictionalIbgeCode(stateCodes.RS, 700);
    const before = await read(a);
    const runId = await importRows([
      { ibgeCode: a, expectedVersion: 1, population: 70_000 },
      { ibgeCode: b, expectedVersion: 1, population: 71_000 },
      { ibgeCode: created, name: 'Município Fictício Importado' },
    ]);
    expect((await read(a))!.population).toBe(70_000);
    const fromEditor = await t.gql(
      `mutation($id: ID!) { revertImport(id: $id) { reverted } }`,
      { id: String(runId) },
      editorRS,
    );
    expect(fromEditor.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const reverted = await t.gql<{
      revertImport: {
        reverted: number;
        entries: { action: string; importRunId: number; actor: string }[];
      };
    }>(
      `mutation($id: ID!) { revertImport(id: $id) { reverted entries { action importRunId actor } } }`,
      { id: String(runId) },
      admin,
    );
    expect(reverted.errors).toBeUndefined();
    expect(reverted.data!.revertImport.reverted).toBe(3);
    expect(
      reverted.data!.revertImport.entries.every(
        (e) => e.action === 'REVERT' && e.importRunId === runId && e.actor === 'auditoria-admin',
      ),
    ).toBe(true);
    expect((await read(a))!.population).toBe(before!.population);
    expect((await read(a))!.version).toBe(3);
    expect((await read(b))!.population).toBe(null);
    const gone = await t.app.orm.em.fork().findOneOrFail(Municipality, { ibgeCode: created });
    expect(gone.deletedAt).toBeInstanceOf(Date);
    const run = await t.app.orm.em.fork().findOneOrFail(ImportRun, { id: runId });
    expect(run.status).toBe(ImportStatus.REVERTED);

    const again = await t.gql(
      `mutation($id: ID!) { revertImport(id: $id) { reverted } }`,
      { id: String(runId) },
      admin,
    );
    expect(again.errors?.[0]?.message).toContain('already reverted');
  });

  it('refuses to revert (and changes nothing) when a row changed after the import', async () => {
    const [c, d] = [f.municipalities.RS[80]!, f.municipalities.RS[81]!];
    const runId = await importRows([
      { ibgeCode: c, expectedVersion: 1, population: 80_000 },
      { ibgeCode: d, expectedVersion: 1, population: 81_000 },
    ]);
    await upsert(
      t,
      'Municipalities',
      'MunicipalityUpsertInput',
      [{ ibgeCode: d, expectedVersion: 2, population: 81_001 }],
      editorRS,
    );
    const result = await t.gql(
      `mutation($id: ID!) { revertImport(id: $id) { reverted } }`,
      { id: String(runId) },
      admin,
    );
    expect(result.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect(JSON.stringify(result.errors?.[0]?.extensions?.current)).toContain(
      'changed after the import',
    );
    expect(await read(c)).toEqual({ population: 80_000, version: 2 });
    expect(await read(d)).toEqual({ population: 81_001, version: 3 });
  });

  it('reverts a push by the same path as an import file: what the spec derives comes back, and types no import writes', async () => {
    const em = t.app.orm.em.fork();
    em.create(Person, {
      code: 'PUSH-1',
      name: 'Ana Antes',
      nameSearch: searchText('Ana Antes'),
      demo: false,
    });
    await em.flush();
    const person = personWrites as unknown as WriteSpec;
    const organization = organizationWrites as unknown as WriteSpec;
    const pushed = [
      await importRows([{ code: 'PUSH-1', expectedVersion: 1, name: 'Ana Depois' }], person),
      await importRows(
        [{ code: 'COSEMS-TESTE', expectedVersion: 1, name: 'COSEMS renomeado' }],
        organization,
      ),
    ];
    const stored = async () => {
      const fresh = t.app.orm.em.fork();
      return {
        person: await fresh.findOneOrFail(Person, { code: 'PUSH-1' }),
        organization: await fresh.findOneOrFail(Organization, { code: 'COSEMS-TESTE' }),
      };
    };
    expect((await stored()).person.nameSearch).toBe(searchText('Ana Depois'));
    for (const runId of pushed) {
      const result = await t.gql<{ revertImport: { reverted: number } }>(
        `mutation($id: ID!) { revertImport(id: $id) { reverted } }`,
        { id: String(runId) },
        admin,
      );
      expect(result.errors).toBeUndefined();
      expect(result.data!.revertImport.reverted).toBe(1);
    }
    const after = await stored();
    expect([after.person.name, after.person.nameSearch, after.person.version]).toEqual([
      'Ana Antes',
      searchText('Ana Antes'),
      3,
    ]);
    expect([after.organization.name, after.organization.version]).toEqual(['COSEMS de teste', 3]);
  });
});
