import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../src/auth/auth.enums';
import { createTestApp, databaseAvailable, type TestApp } from '../helpers';
import {
  bearer,
  fictionalIbgeCode,
  seedWriteFixtures,
  stateCodes,
  upsert,
  type WriteFixtures,
} from './fixtures';

describe.skipIf(!databaseAvailable)('bulk upsert', () => {
  let t: TestApp;
  let f: WriteFixtures;
  let editorRS: Record<string, string>;
  let admin: Record<string, string>;

  const read = async (code: string) =>
    (
      await t.gql<{
        municipality: {
          name: string;
          population: number | null;
          managementType: string | null;
          version: number;
        };
      }>(
        `query($code: String!) { municipality(ibgeCode: $code) { name population managementType version } }`,
        { code },
      )
    ).data!.municipality;

  beforeAll(async () => {
    t = await createTestApp();
    f = await seedWriteFixtures(t);
    editorRS = bearer(await t.createKey(Role.EDITOR, 'RS', 'planilha-rs'));
    admin = bearer(await t.createKey(Role.ADMIN, null, 'admin'));
  });
  afterAll(async () => {
    await t?.close();
  });

  it('reports a status per row: created, updated, unchanged, conflict, invalid, forbidden', async () => {
    const [a, b, c] = f.municipalities.RS;
    const before = await read(c!);
    const result = await upsert(
      t,
      'Municipalities',
      'MunicipalityUpsertInput',
      [
        { ibgeCode: fictionalIbgeCode(stateCodes.RS, 500), name: 'Município Fictício' },
        { ibgeCode: a, expectedVersion: 1, population: 5000, managementType: 'FULL' },
        { ibgeCode: b, expectedVersion: 1, name: (await read(b!)).name },
        { ibgeCode: c, expectedVersion: 7, population: 1 },
        { ibgeCode: c, population: 1 },
        { ibgeCode: '4300001', name: '', population: -1, latitude: 120 },
        { ibgeCode: f.municipalities.MT[0], expectedVersion: 1, population: 1 },
      ],
      editorRS,
    );
    expect(result.rows.map((r) => r.status)).toEqual([
      'CREATED',
      'UPDATED',
      'UNCHANGED',
      'CONFLICT',
      'INVALID',
      'INVALID',
      'FORBIDDEN',
    ]);
    expect(result).toMatchObject({
      created: 1,
      updated: 1,
      unchanged: 1,
      conflicts: 1,
      invalid: 2,
      forbidden: 1,
    });
    expect(result.rows[1]).toMatchObject({ version: 2, errors: [] });
    expect(result.rows[3]!.current).toMatchObject({
      ibgeCode: c,
      population: before.population,
      version: 1,
    });
    expect(result.rows[3]!.errors[0]!.message).toContain('your version is 7, the current one is 1');
    expect(result.rows[4]!.errors).toEqual([{ field: 'key', message: 'Same row as row 3' }]);
    expect(result.rows[5]!.errors.map((e) => e.field).sort()).toEqual([
      'ibgeCode',
      'latitude',
      'name',
      'population',
    ]);
    expect(result.rows[6]!.errors[0]!.message).toContain('rows of RS');
    expect(await read(a!)).toMatchObject({ population: 5000, managementType: 'FULL', version: 2 });
    expect(await read(c!)).toEqual(before);
  });

  it('leaves omitted fields alone and clears fields sent as null', async () => {
    const code = f.municipalities.RS[10]!;
    await upsert(
      t,
      'Municipalities',
      'MunicipalityUpsertInput',
      [{ ibgeCode: code, expectedVersion: 1, population: 7, managementType: 'APS_ONLY' }],
      editorRS,
    );
    const result = await upsert(
      t,
      'Municipalities',
      'MunicipalityUpsertInput',
      [{ ibgeCode: code, expectedVersion: 2, managementType: null }],
      editorRS,
    );
    expect(result.rows[0]!.status).toBe('UPDATED');
    expect(await read(code)).toMatchObject({ population: 7, managementType: null, version: 3 });
  });

  it('asks for expectedVersion before changing an existing row', async () => {
    const code = f.municipalities.RS[11]!;
    const result = await upsert(
      t,
      'Municipalities',
      'MunicipalityUpsertInput',
      [{ ibgeCode: code, population: 3 }],
      editorRS,
    );
    expect(result.rows[0]).toMatchObject({
      status: 'CONFLICT',
      current: { ibgeCode: code, version: 1 },
    });
    expect((await read(code)).version).toBe(1);
  });

  it('finds rows by global id as well as by natural key', async () => {
    const code = f.municipalities.RS[12]!;
    const first = await upsert(
      t,
      'Municipalities',
      'MunicipalityUpsertInput',
      [{ ibgeCode: code, expectedVersion: 1, population: 1 }],
      editorRS,
    );
    const byId = await upsert(
      t,
      'Municipalities',
      'MunicipalityUpsertInput',
      [{ id: first.rows[0]!.id, ibgeCode: code, expectedVersion: 2, population: 2 }],
      editorRS,
    );
    expect(byId.rows[0]).toMatchObject({ status: 'UPDATED', id: first.rows[0]!.id, version: 3 });
    // The id a client reads is the id it sends back.
    const pulled = await t.gql<{ municipality: { id: string } }>(
      `query($code: String!) { municipality(ibgeCode: $code) { id } }`,
      { code },
    );
    expect(pulled.data!.municipality.id).toBe(first.rows[0]!.id);
  });

  it('atomic: one bad row and nothing is written', async () => {
    const [x, y] = [f.municipalities.RS[20]!, f.municipalities.RS[21]!];
    const newCode = fictionalIbgeCode(stateCodes.RS, 501);
    const result = await upsert(
      t,
      'Municipalities',
      'MunicipalityUpsertInput',
      [
        { ibgeCode: x, expectedVersion: 1, population: 11 },
        { ibgeCode: newCode, name: 'Município Fictício Atômico' },
        { ibgeCode: y, expectedVersion: 99, population: 12 },
      ],
      editorRS,
      { atomic: true },
    );
    expect(result.rows.map((r) => r.status)).toEqual(['UNCHANGED', 'UNCHANGED', 'CONFLICT']);
    expect(result.rows[0]!.errors[0]!.message).toContain('not written');
    expect(result.rows[1]!.id).toBeNull();
    expect((await read(x)).version).toBe(1);
    expect(await read(newCode)).toBeNull();
    const audit = await t.gql<{ auditLog: { totalCount: number } }>(
      `query($id: ID!) { auditLog(filter: { entityId: $id }, first: 0) { totalCount } }`,
      { id: result.rows[0]!.id },
      admin,
    );
    expect(audit.data!.auditLog.totalCount).toBe(0);
  });

  it('dryRun: reports what would happen and writes nothing, not even audit entries', async () => {
    const code = f.municipalities.RS[30]!;
    const newCode = fictionalIbgeCode(stateCodes.RS, 502);
    const auditBefore = (
      await t.gql<{ auditLog: { totalCount: number } }>(
        `{ auditLog(first: 0) { totalCount } }`,
        {},
        admin,
      )
    ).data!.auditLog.totalCount;
    const result = await upsert(
      t,
      'Municipalities',
      'MunicipalityUpsertInput',
      [
        { ibgeCode: code, expectedVersion: 1, population: 99 },
        { ibgeCode: newCode, name: 'Município Fictício Ensaio' },
        { ibgeCode: '4300002' },
      ],
      editorRS,
      { dryRun: true },
    );
    expect(result.rows.map((r) => r.status)).toEqual(['UPDATED', 'CREATED', 'INVALID']);
    expect(result.rows[1]!.id).toBeNull();
    expect((await read(code)).version).toBe(1);
    expect(await read(newCode)).toBeNull();
    const auditAfter = (
      await t.gql<{ auditLog: { totalCount: number } }>(
        `{ auditLog(first: 0) { totalCount } }`,
        {},
        admin,
      )
    ).data!.auditLog.totalCount;
    expect(auditAfter).toBe(auditBefore);
  });

  it('refuses more than 5,000 rows in one call', async () => {
    const rows = Array.from({ length: 5001 }, (_, i) => ({
      ibgeCode: fictionalIbgeCode(stateCodes.RS, i % 1000),
    }));
    const result = await t.gql(
      `mutation($rows: [MunicipalityUpsertInput!]!) { upsertMunicipalities(rows: $rows) { created } }`,
      { rows },
      editorRS,
    );
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.message).toContain('At most 5000 rows');
  });

  it('sends a number of statements that grows with batches, not rows (10 vs 1,000 rows)', async () => {
    const rowsFor = (from: number, count: number, expectedVersion?: number) =>
      Array.from({ length: count }, (_, i) => ({
        ibgeCode: fictionalIbgeCode(stateCodes.MT, from + i),
        name: `Município Fictício ${from + i}`,
        population: 100 + i,
        ...(expectedVersion ? { expectedVersion, population: 200 + i } : {}),
      }));
    const measure = async (rows: Record<string, unknown>[]) => {
      t.statements.reset();
      const result = await upsert(t, 'Municipalities', 'MunicipalityUpsertInput', rows, admin);
      return { count: t.statements.count, result };
    };
    const small = await measure(rowsFor(0, 10));
    const large = await measure(rowsFor(10, 1000));
    expect(small.result.created).toBe(10);
    expect(large.result.created).toBe(1000);
    const smallUpdate = await measure(rowsFor(0, 10, 1));
    const largeUpdate = await measure(rowsFor(10, 1000, 1));
    expect(largeUpdate.result.updated).toBe(1000);
    console.info(
      `statements (${t.config.database.driver}): create 10 rows → ${small.count}, 1,000 rows → ${large.count}; update 10 → ${smallUpdate.count}, 1,000 → ${largeUpdate.count}`,
    );
    // 1,000 rows are two batches of 500: at most twice the statements of one batch, plus the
    // chunking MikroORM does inside a flush (300 rows per INSERT/UPDATE).
    expect(large.count).toBeLessThanOrEqual(2 * small.count + 8);
    expect(largeUpdate.count).toBeLessThanOrEqual(2 * smallUpdate.count + 8);
    expect(large.count).toBeLessThan(60);
  }, 120_000);

  it('records the door a change came through: SHEETS for the add-on', async () => {
    const code = f.municipalities.RS[40]!;
    const result = await upsert(
      t,
      'Municipalities',
      'MunicipalityUpsertInput',
      [{ ibgeCode: code, expectedVersion: 1, population: 40 }],
      { ...editorRS, 'x-rede-client': 'sheets', 'x-request-id': 'req-sheets-1' },
    );
    const log = await t.gql<{
      auditLog: { nodes: { via: string; actor: string; requestId: string; action: string }[] };
    }>(
      `query($id: ID!) { auditLog(filter: { entityId: $id }) { nodes { via actor requestId action } } }`,
      { id: result.rows[0]!.id },
      admin,
    );
    expect(log.data!.auditLog.nodes).toEqual([
      { via: 'SHEETS', actor: 'planilha-rs', requestId: 'req-sheets-1', action: 'UPDATE' },
    ]);
  });
});
