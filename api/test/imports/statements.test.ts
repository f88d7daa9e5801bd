import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventWrites } from '../../src/activity/event.write';
import { Event } from '../../src/activity/event.entity';
import { AuditEntry } from '../../src/audit/audit-entry.entity';
import { AuditAction, AuditVia } from '../../src/audit/audit.enums';
import { EventKind, Modality } from '../../src/activity/activity.enums';
import { insertRows, rowsPerStatement } from '../../src/db/insert-rows';
import { ANALYZE_AFTER_CHANGES } from '../../src/imports/import.engine';
import { countsOf } from '../../src/imports/import.plan';
import { CREATE_CHUNK_ROWS, STAGE_CHUNK_ROWS } from '../../src/imports/import.stage';
import { State } from '../../src/territory/state.entity';
import { createTestApp, databaseAvailable, driver, type TestApp } from '../helpers';
import { fixtureDir, importFiles, writeFixture } from './import-helpers';

/**
 * The apply writes in chunks of 1,000 changes: new rows and their audit entries as multi-row
 * INSERTs, updates with one load and one flush per chunk. So the SQL statements an import sends
 * grow with the number of chunks, never with the number of rows.
 */
describe.skipIf(!databaseAvailable)(`import statements per chunk (${driver})`, () => {
  let test: TestApp;
  let dir: string;

  beforeAll(async () => {
    test = await createTestApp();
    dir = fixtureDir();
  });
  afterAll(async () => {
    await test?.close();
  });

  function eventsFile(prefix: string, count: number, title = 'Reunião'): string {
    const lines = ['code,kind,title,start,uf,participants,topics'];
    for (let i = 1; i <= count; i += 1) {
      lines.push(`${prefix}-${i},CIR_MEETING,${title} ${i},2025-03-15,RS,${i % 40},PMS;RAG`);
    }
    return writeFixture(dir, `${prefix}-${title}.csv`, `${lines.join('\n')}\n`);
  }

  async function statementsToImport(
    file: string,
  ): Promise<{ count: number; created: number; updated: number }> {
    test.statements.reset();
    const outcome = await importFiles(test.app.orm, 'events', [file]);
    const count = test.statements.count;
    expect(outcome.status === 'invalid' ? outcome.issues.lines() : outcome.status).toBe('applied');
    if (outcome.status !== 'applied') {
      return { count, created: 0, updated: 0 };
    }
    const counts = countsOf(outcome.plans[0]!);
    return { count, created: counts.created, updated: counts.updated };
  }

  it('creates 100 and 1,000 events with the same statements, and 9,000 with only more staging chunks', async () => {
    const hundred = await statementsToImport(eventsFile('H', 100));
    const thousand = await statementsToImport(eventsFile('T', 1000));
    const more = await statementsToImport(eventsFile('M', 9000));
    expect([hundred.created, thousand.created, more.created]).toEqual([100, 1000, 9000]);
    expect(thousand.count).toBe(hundred.count);
    // The rows are staged a chunk of 5,000 at a time (one INSERT each); the diff is one UPDATE of
    // the staging table; new rows, their ids and their audit entries are three statements per
    // CREATE_CHUNK_ROWS. So 9,000 rows cost only the extra staging INSERT (and stay under
    // ANALYZE_AFTER_CHANGES, which adds PostgreSQL's ANALYZE).
    const chunk = STAGE_CHUNK_ROWS;
    expect(chunk).toBe(5000);
    expect(CREATE_CHUNK_ROWS).toBeGreaterThan(9000);
    expect(ANALYZE_AFTER_CHANGES).toBeGreaterThan(9000);
    expect(more.count - thousand.count).toBe(Math.ceil(9000 / chunk) - 1);
    expect(thousand.count).toBeLessThan(25);
    const em = test.app.orm.em.fork();
    expect(await em.count(Event, { code: { $like: 'M-%' } })).toBe(9000);
  });

  it('updates 1,000 events with a few statements per batch of 300, not per row', async () => {
    await statementsToImport(eventsFile('U', 100));
    await statementsToImport(eventsFile('V', 1000));
    const hundred = await statementsToImport(eventsFile('U', 100, 'Oficina'));
    const thousand = await statementsToImport(eventsFile('V', 1000, 'Oficina'));
    expect([hundred.updated, thousand.updated]).toEqual([100, 1000]);
    // The chunk's rows are loaded in one SELECT; the flush then checks versions and updates in
    // batches of MikroORM's batchSize (300): one version SELECT and one CASE UPDATE per batch.
    const batches = (rows: number) => Math.ceil(rows / 300);
    expect(thousand.count - hundred.count).toBe(2 * (batches(1000) - batches(100)));
    const em = test.app.orm.em.fork();
    const event = await em.findOneOrFail(Event, { code: 'V-1000' });
    expect([event.title, event.version]).toEqual(['Oficina 1000', 2]);
  });

  it.runIf(driver === 'postgresql')(
    'refreshes PostgreSQL statistics of the touched tables after more than 10,000 changes',
    async () => {
      const lastAnalyze = async (table: string) => {
        const [row] = await test.app.orm.em
          .getConnection()
          .execute<{ at: string | null }[]>(
            'select last_analyze as at from pg_stat_user_tables where relname = ?',
            [table],
          );
        return row?.at ? new Date(row.at).getTime() : 0;
      };
      const before = await Promise.all(['events', 'audit_entries'].map(lastAnalyze));
      await statementsToImport(eventsFile('S', 2500, 'Small'));
      expect(await Promise.all(['events', 'audit_entries'].map(lastAnalyze))).toEqual(before);
      const started = Date.now();
      const large = await statementsToImport(eventsFile('L', ANALYZE_AFTER_CHANGES + 1));
      expect(large.created).toBe(ANALYZE_AFTER_CHANGES + 1);
      const after = await Promise.all(['events', 'audit_entries'].map(lastAnalyze));
      expect(after.every((at) => at >= started - 1000)).toBe(true);
    },
  );

  it('gives a staged row the same columns, and the same audit entry, as the unit of work and the in-memory plan', async () => {
    const em = test.app.orm.em.fork();
    const rs = await em.findOneOrFail(State, { uf: 'RS' });
    em.create(Event, {
      code: 'ORM-2',
      kind: EventKind.WEB_OFICINA,
      title: 'Oficina "PMS"; ção',
      startDate: '2025-05-02',
      endDate: '2025-05-03',
      modality: Modality.ONLINE,
      participantCount: 12,
      accessCount: 40,
      topics: ['PMS', 'RAG'],
      notes: 'linha',
      state: rs,
      demo: false,
      source: 'import:events',
    });
    await em.flush();
    const file = writeFixture(
      dir,
      'one-staged.csv',
      'code,kind,title,start,end,modality,uf,participants,accesses,topics,notes\n' +
        'STAGED-2,WEB_OFICINA,"Oficina ""PMS""; ção",2025-05-02,2025-05-03,ONLINE,RS,12,40,PMS;RAG,linha\n',
    );
    const outcome = await importFiles(test.app.orm, 'events', [file]);
    expect(outcome.status).toBe('applied');
    const rows = await em
      .getConnection()
      .execute<Record<string, unknown>[]>(
        "select * from events where code in ('ORM-2', 'STAGED-2') order by code",
      );
    const [orm, staged] = rows.map((row: Record<string, unknown>) => {
      const { id, code, created_at: createdAt, updated_at: updatedAt, ...rest } = row;
      return { id, code, rest, stamps: [typeof createdAt, typeof updatedAt] };
    });
    expect(staged!.code).toBe('STAGED-2');
    expect(staged!.rest).toEqual(orm!.rest);
    expect(staged!.stamps).toEqual(orm!.stamps);
    const loaded = await em.fork().findOneOrFail(Event, { code: 'STAGED-2' });
    expect(loaded.createdAt.getTime()).toBeGreaterThan(Date.now() - 60_000);
    const [entry] = await em.fork().find(AuditEntry, {
      entityType: 'Event',
      entityId: loaded.id,
    });
    expect(entry).toMatchObject({
      action: AuditAction.CREATE,
      via: AuditVia.IMPORT,
      actor: 'test-steward',
      before: null,
      stateUf: 'RS',
      importRunId: outcome.status === 'applied' ? outcome.runId : -1,
      after: {
        code: 'STAGED-2',
        kind: 'WEB_OFICINA',
        title: 'Oficina "PMS"; ção',
        startDate: '2025-05-02',
        endDate: '2025-05-03',
        modality: 'ONLINE',
        organizationCode: null,
        stateUf: 'RS',
        healthRegionCode: null,
        municipalityIbgeCode: null,
        topics: ['PMS', 'RAG'],
        participantCount: 12,
        accessCount: 40,
        notes: 'linha',
      },
    });
    expect(entry!.at.getTime()).toBeGreaterThan(Date.now() - 60_000);
    // One audit format: an imported event is audited under the names a mutation uses.
    expect(Object.keys(entry!.after!).sort()).toEqual([...eventWrites.fields].sort());
  });

  it('gives a bulk-inserted row the same columns as one created through the unit of work', async () => {
    const em = test.app.orm.em.fork();
    const rs = await em.findOneOrFail(State, { uf: 'RS' });
    const data = {
      kind: EventKind.WEB_OFICINA,
      title: 'Oficina PMS',
      startDate: '2025-05-02',
      modality: Modality.ONLINE,
      participantCount: 12,
      topics: ['PMS', 'RAG'],
      demo: false,
      source: 'test',
    };
    const viaOrm = em.create(Event, { ...data, code: 'ORM-1', state: rs });
    await em.flush();
    const [bulkId] = await insertRows(em, Event, [{ ...data, code: 'BULK-1', state: rs.id }]);
    const rows = await em
      .getConnection()
      .execute<Record<string, unknown>[]>('select * from events where id in (?, ?) order by code', [
        viaOrm.id,
        bulkId,
      ]);
    const [bulk, orm] = (rows as Record<string, unknown>[]).map((row) => {
      const { id, code, created_at: createdAt, updated_at: updatedAt, ...rest } = row;
      return { id, code, rest, stamps: [typeof createdAt, typeof updatedAt] };
    });
    expect(bulk!.code).toBe('BULK-1');
    expect(bulk!.rest).toEqual(orm!.rest);
    expect(bulk!.stamps).toEqual(orm!.stamps);
    const loaded = await em.fork().findOneOrFail(Event, bulkId!);
    expect([loaded.version, loaded.demo, loaded.topics, loaded.deletedAt ?? null]).toEqual([
      1,
      false,
      ['PMS', 'RAG'],
      null,
    ]);
    expect(loaded.createdAt.getTime()).toBeGreaterThan(Date.now() - 60_000);
  });

  it('splits a statement by bound parameters as well as rows, and rejects unknown properties', async () => {
    const em = test.app.orm.em.fork();
    expect(rowsPerStatement(em, 10)).toBe(2000);
    expect(rowsPerStatement(em, 40)).toBe(driver === 'sqlite' ? 819 : 1638);
    await expect(
      insertRows(em, Event, [{ code: 'X' }, { code: 'Y', startingDay: '2025-01-01' }]),
    ).rejects.toThrow('insertRows(Event): "startingDay" is not a column property');
  });
});
