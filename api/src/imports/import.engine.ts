import fs from 'node:fs';
import path from 'node:path';
import { systemViewer } from '../auth/viewer';
import { today } from '../common/dates';
import { AuditEntry } from '../audit/audit-entry.entity';
import { type Em, type Orm, refreshPlannerStatistics } from '../db/orm';
import { Rollback } from '../db/rollback';
import { mapColumns, RowReader, type TableHead } from './import.cells';
import { ImportFileError, IssueList } from './import.issues';
import type { ImportKind, KindContext, Located } from './import.kind';
import {
  type ApplyContext,
  applyPlans,
  type Change,
  type ChangeCounts,
  countsOf,
  type TargetPlan,
  totalChanges,
} from './import.plan';
import { ImportRun, ImportStatus } from './import-run.entity';
import { isZip, readSources, type SourceRow, type SourceTable } from './import.source';
import { hashBytes, hashFiles, openCsvStream } from './import.stream';
import { Stage } from './import.stage';
import { RefIndex, type Target } from './import.targets';
import type { Flat } from '../writes/write.batch';

export type ImportPhase = 'validate' | 'apply';

export interface ImportOptions {
  kind: ImportKind<unknown>;
  files: string[];
  dryRun?: boolean;
  prune?: boolean;
  /** ISO date the data is true on; default today. */
  asOf?: string;
  /** Who runs it (the OS user, or `--as`). */
  actor: string;
  /** Apply even when the same file was applied last time. */
  force?: boolean;
  /**
   * Progress of a phase. Validating a streamed file counts bytes (`done`/`total`) and gives the
   * rows read so far as `rows`; applying counts rows.
   */
  onProgress?: (phase: ImportPhase, done: number, total: number, rows?: number) => void;
  /** Example changes the outcome keeps per entity and action (default 3; a staged import's plans hold only these). */
  examples?: number;
  /** Informational lines (decoding notes, skipped rows). */
  onNote?: (line: string) => void;
}

interface Common {
  sha256: string;
  notes: string[];
}

export type ImportOutcome = Common &
  (
    | { status: 'invalid'; issues: IssueList; runId: number }
    | { status: 'skipped'; previousRunId: number }
    | { status: 'dry-run'; plans: TargetPlan[]; rows: number }
    | { status: 'unchanged'; plans: TargetPlan[]; rows: number }
    | { status: 'applied'; plans: TargetPlan[]; rows: number; runId: number }
  );

export function countsByEntity(plans: TargetPlan[]): Record<string, ChangeCounts> {
  return Object.fromEntries(plans.map((plan) => [plan.target.name, countsOf(plan)]));
}

/** A table whose rows are an array (read whole) or streamed. */
type ReadableTable =
  | SourceTable
  | (TableHead & { rows: AsyncIterable<SourceRow>; bytesRead(): number; totalBytes: number });

/** A file read whole, under the name messages give it. */
interface WholeFile {
  name: string;
  bytes: Buffer;
}

function readWholeFile(file: string): WholeFile {
  return { name: path.basename(file), bytes: fs.readFileSync(file) };
}

/** Reads each file as tables; a file that cannot be read at all becomes one issue. */
async function readTables(files: WholeFile[], issues: IssueList): Promise<SourceTable[]> {
  const tables: SourceTable[] = [];
  for (const file of files) {
    try {
      tables.push(...(await readSources(file.name, file.bytes)));
    } catch (error) {
      if (error instanceof ImportFileError) {
        issues.add(error.issue);
        continue;
      }
      throw error;
    }
  }
  return tables;
}

/**
 * Map columns → check every row of one table; each valid row goes to `onRow` with its line,
 * and `onRead` hears every 5,000 rows read. Returns the data rows read. The rows may be
 * streamed: nothing here holds more than one row.
 */
async function readRows(
  kind: ImportKind<unknown>,
  table: ReadableTable,
  context: KindContext,
  skipped: Map<string, number>,
  onRow: (line: number, value: unknown, header: (field: string) => string) => void | Promise<void>,
  onRead: (rows: number) => void = () => {},
): Promise<number> {
  const { issues } = context;
  table.issues.forEach((issue) => issues.add(issue));
  const rows =
    Symbol.asyncIterator in table.rows
      ? table.rows[Symbol.asyncIterator]()
      : table.rows[Symbol.iterator]();
  let next = await rows.next();
  if (next.done) {
    issues.add({
      file: table.file,
      line: table.headerLine,
      column: null,
      message: 'the file has a header but no data rows',
    });
    return 0;
  }
  const before = issues.total;
  const columns = mapColumns(table, kind.columns(table), issues);
  if (issues.total > before) {
    return 0;
  }
  const header = (field: string) => columns.get(field)?.header ?? field;
  let read = 0;
  for (; !next.done; next = await rows.next()) {
    const row = next.value;
    const reader = new RowReader(table, row, columns, issues);
    const skip = kind.skip?.(reader);
    if (skip) {
      skipped.set(skip, (skipped.get(skip) ?? 0) + 1);
    } else {
      const value = kind.readRow(reader, context);
      if (reader.valid && value !== null) {
        await onRow(row.line, value, header);
      }
    }
    read += 1;
    if (read % 5000 === 0) {
      onRead(read);
    }
  }
  onRead(read);
  return read;
}

/** The summary line of a CSV decoded field by field, when some fields were Latin-1. */
function decodingNote(table: TableHead): string | null {
  const decoding = table.decoding;
  return decoding?.latin1Cells
    ? `${table.file}: ${decoding.latin1Cells} field(s) on ${decoding.latin1Lines} of ${decoding.lines} lines read as Latin-1/Windows-1252${decoding.utf8Cells ? `, ${decoding.utf8Cells} as UTF-8 (each field decoded on its own)` : ''}`
    : null;
}

/** Read → decode → parse → map columns → validate every row, in memory; no database writes. */
async function validate(
  kind: ImportKind<unknown>,
  files: WholeFile[],
  context: KindContext,
  options: ImportOptions,
  notes: string[],
): Promise<Located<unknown>[]> {
  const { issues } = context;
  for (const namespace of kind.refs) {
    await context.refs.load(namespace);
  }
  const located: Located<unknown>[] = [];
  const skipped = new Map<string, number>();
  let tables = await readTables(files, issues);
  if (kind.combine) {
    // Tables of one publication are joined only when every one of them could be read.
    tables = issues.empty ? kind.combine(tables, context) : [];
  }
  for (const table of tables) {
    const note = decodingNote(table);
    if (note) {
      notes.push(note);
    }
    const total = table.rows.length;
    await readRows(
      kind,
      table,
      context,
      skipped,
      (line, row, header) => {
        located.push({ file: table.file, line, row, header });
      },
      (read) => options.onProgress?.('validate', read, total),
    );
  }
  for (const [reason, count] of skipped) {
    notes.push(`skipped ${count} row(s): ${reason}`);
  }
  const seen = new Map<string, Located<unknown>>();
  for (const item of located) {
    const identity = kind.identity(item.row);
    const first = seen.get(identity);
    if (first) {
      issues.add({
        file: item.file,
        line: item.line,
        column: null,
        message: `duplicate of ${first.file === item.file ? 'line ' : `${first.file}:`}${first.line} (same ${identity})`,
      });
    } else {
      seen.set(identity, item);
    }
  }
  kind.checkAll?.(located, context);
  return located;
}

/** What both flows share: the files, their digest, the settings and the run's bookkeeping. */
interface Prepared {
  files: string[];
  fileNames: string[];
  sha256: string;
  notes: string[];
  asOf: string;
  settings: { prune: boolean; asOf: string | null };
}

/**
 * The import engine: one flow for every kind and for both the dry run and the apply.
 * Nothing is written unless every row is valid; the apply is one transaction, so a failure or
 * a killed process leaves the database as it was. Kinds that map rows onto one entity field for
 * field (`kind.staged`) stream their files through a staging table (`stagedImport`); the others
 * (official territory, whose rows feed several entities and each other) diff in memory.
 */
export async function runImport(orm: Orm, options: ImportOptions): Promise<ImportOutcome> {
  const { kind } = options;
  for (const file of options.files) {
    try {
      fs.accessSync(file, fs.constants.R_OK);
    } catch (error) {
      throw new Error(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`);
    }
  }
  // A kind diffed in memory parses each file whole: read once, hashed from the bytes it parses.
  // A staged kind streams its files (for the hash, then for the rows), never holding one whole.
  const input: { staged: Target } | { whole: WholeFile[] } = kind.staged
    ? { staged: kind.staged }
    : { whole: options.files.map((file) => readWholeFile(file)) };
  const prepared: Prepared = {
    files: options.files,
    fileNames: options.files.map((file) => path.basename(file)),
    sha256:
      'whole' in input
        ? hashBytes(input.whole.map((file) => file.bytes))
        : await hashFiles(options.files),
    notes: [],
    asOf: options.asOf ?? today(),
    settings: { prune: options.prune ?? false, asOf: options.asOf ?? null },
  };
  const { sha256, notes, settings } = prepared;
  if (!options.dryRun && !options.force) {
    const last = await orm.em
      .fork()
      .findOne(
        ImportRun,
        { kind: kind.name, status: ImportStatus.SUCCEEDED },
        { orderBy: { id: 'desc' } },
      );
    const lastSettings = last?.counts.settings as Prepared['settings'] | undefined;
    if (
      last &&
      last.sha256 === sha256 &&
      lastSettings?.prune === settings.prune &&
      (lastSettings?.asOf ?? null) === settings.asOf
    ) {
      return { status: 'skipped', previousRunId: last.id, sha256, notes };
    }
  }
  const outcome =
    'staged' in input
      ? await stagedImport(orm, options, prepared, input.staged)
      : await plannedImport(orm, options, prepared, input.whole);
  if (outcome.status === 'applied') {
    await refreshStatisticsAfter(orm, outcome.plans);
  }
  return outcome;
}

/** Records a refused run (nothing of the file is written) and says why. */
async function refusedRun(
  orm: Orm,
  options: ImportOptions,
  prepared: Prepared,
  issues: IssueList,
  rowCount: number,
): Promise<ImportOutcome> {
  const failed = orm.em.fork();
  const run = failed.create(ImportRun, {
    ...fileRun(options, prepared),
    status: ImportStatus.FAILED,
    startedAt: new Date(),
    finishedAt: new Date(),
    counts: { rows: rowCount, problems: issues.total, settings: prepared.settings },
    errors: issues.lines(),
  });
  if (!options.dryRun) {
    await failed.persistAndFlush(run);
  }
  return {
    status: 'invalid',
    issues,
    runId: run.id ?? 0,
    sha256: prepared.sha256,
    notes: prepared.notes,
  };
}

/** What a kind reads rows with: the refs, the day, and where problems and notes go. */
function kindContext(em: Em, options: ImportOptions, prepared: Prepared): KindContext {
  return {
    refs: new RefIndex(em),
    asOf: prepared.asOf,
    asOfGiven: options.asOf !== undefined,
    issues: new IssueList(),
    notes: prepared.notes,
  };
}

/** What an import run records of where its rows came from (a file import's, or the demo seed's). */
export type RunOrigin = Pick<
  ImportRun,
  'kind' | 'fileNames' | 'sha256' | 'actor' | 'asOf' | 'source'
>;

/** Opens the run an apply writes under (its id goes on every audit entry). */
export async function openRun(tx: Em, origin: RunOrigin, startedAt: Date): Promise<number> {
  const run = tx.create(ImportRun, {
    ...origin,
    status: ImportStatus.RUNNING,
    startedAt,
    counts: {},
    errors: [],
  });
  await tx.flush();
  return run.id;
}

/** Marks the run done with what it did. */
export async function closeRun(
  tx: Em,
  runId: number,
  counts: Record<string, unknown>,
): Promise<void> {
  const finished = await tx.findOneOrFail(ImportRun, runId);
  finished.status = ImportStatus.SUCCEEDED;
  finished.finishedAt = new Date();
  finished.counts = counts;
  await tx.flush();
}

/** A file import's run: its kind, its files, who ran it. */
function fileRun(options: ImportOptions, prepared: Prepared): RunOrigin {
  return {
    kind: options.kind.name,
    fileNames: prepared.fileNames,
    sha256: prepared.sha256,
    actor: options.actor,
    asOf: options.asOf ?? null,
    source: `import:${options.kind.name}`,
  };
}

/** A file import's counts: rows, changes per entity, the settings and notes it ran with. */
function runCounts(prepared: Prepared, rows: number, plans: TargetPlan[]) {
  return { rows, ...countsByEntity(plans), settings: prepared.settings, notes: prepared.notes };
}

/** The in-memory flow: every row of the files, read whole, diffed at once (territory kinds). */
async function plannedImport(
  orm: Orm,
  options: ImportOptions,
  prepared: Prepared,
  files: WholeFile[],
): Promise<ImportOutcome> {
  const { kind } = options;
  const { sha256, notes } = prepared;
  const em = orm.em.fork();
  const context = kindContext(em, options, prepared);
  const { refs, issues } = context;
  const located = await validate(kind, files, context, options, notes);
  if (issues.empty) {
    await kind.checkStored?.(located, em, context);
  }
  const viewer = systemViewer(options.actor);
  if (!issues.empty) {
    return refusedRun(orm, options, prepared, issues, located.length);
  }

  const rows = located.map((item) => item.row);
  // The file/line wrappers are only for messages: drop them before the diff holds its own copy.
  located.length = 0;
  const planContext = { ...context, prune: prepared.settings.prune };
  if (options.dryRun) {
    const plans = await kind.plan(em, rows, planContext);
    if (!issues.empty) {
      return refusedRun(orm, options, prepared, issues, rows.length);
    }
    return { status: 'dry-run', plans, rows: rows.length, sha256, notes };
  }

  const startedAt = new Date();
  const outcome = await orm.em.fork().transactional(async (tx) => {
    refs.use(tx);
    const plans = await kind.plan(tx, rows, planContext);
    if (!issues.empty) {
      // Problems only the database can show (e.g. a region history the file contradicts).
      return { status: 'refused' as const };
    }
    const total = totalChanges(plans);
    if (total === 0) {
      return { status: 'unchanged' as const, plans, rows: rows.length, sha256, notes };
    }
    const runId = await openRun(tx, fileRun(options, prepared), startedAt);
    options.onProgress?.('apply', 0, total);
    await applyPlans(plans, {
      em: tx,
      refs,
      viewer,
      importRunId: runId,
      source: `import:${kind.name}`,
      onProgress: (done) => options.onProgress?.('apply', done, total),
    });
    await closeRun(tx, runId, runCounts(prepared, rows.length, plans));
    return { status: 'applied' as const, plans, rows: rows.length, runId, sha256, notes };
  });
  if (outcome.status === 'refused') {
    return refusedRun(orm, options, prepared, issues, rows.length);
  }
  return outcome;
}

/** What rolls a staged import's transaction back: a dry run's outcome, or a refused file. */
type StagedRollback = ImportOutcome | 'refused';

/** Formats read whole: workbooks, JSON and zip archives (their members are small tables). */
const readWhole = new Set(['.xlsx', '.xls', '.dbf', '.json', '.zip']);

/** The tables of one file: a CSV streamed row by row, other formats read whole. */
async function openTables(file: string, issues: IssueList): Promise<ReadableTable[]> {
  const name = path.basename(file);
  const head = Buffer.alloc(4);
  const handle = fs.openSync(file, 'r');
  try {
    fs.readSync(handle, head, 0, 4, 0);
  } finally {
    fs.closeSync(handle);
  }
  if (readWhole.has(path.extname(file).toLowerCase()) || isZip(head)) {
    return readTables([readWholeFile(file)], issues);
  }
  try {
    return [await openCsvStream(file, name)];
  } catch (error) {
    if (error instanceof ImportFileError) {
      issues.add(error.issue);
      return [];
    }
    throw error;
  }
}

/**
 * The streamed flow of a kind that writes one entity field for field: each file is read, checked
 * and staged row by row (memory holds one chunk, whatever the size of the file); duplicates are
 * found in the staging table; then one statement diffs the whole file against the table and new
 * rows go in with their audit entries as `INSERT … SELECT` per chunk. All in one transaction:
 * a refused file or a killed process leaves the database as it was.
 */
async function stagedImport(
  orm: Orm,
  options: ImportOptions,
  prepared: Prepared,
  target: Target,
): Promise<ImportOutcome> {
  const { kind } = options;
  const { sha256, notes } = prepared;
  const context = kindContext(orm.em, options, prepared);
  const { refs, issues } = context;
  const source = `import:${kind.name}`;
  const examples = options.examples ?? 3;
  const startedAt = new Date();
  let rows = 0;
  try {
    return await orm.em.fork().transactional(async (tx) => {
      refs.use(tx);
      // What rows point at, and what a stored row's snapshot names; not the kind's own rows.
      const namespaces = new Set(kind.refs.filter((namespace) => namespace !== target.namespace));
      for (const definition of target.fields) {
        if (definition.type === 'ref') {
          namespaces.add(definition.namespace);
        }
      }
      for (const namespace of namespaces) {
        await refs.load(namespace);
      }
      const stage = await Stage.open(tx, target, refs);
      await stageFiles(stage, options, prepared, context);
      rows = stage.size;
      if (!issues.empty) {
        throw new Rollback<StagedRollback>('refused');
      }
      await stage.match();
      const counts = await stage.counts();
      const prunable = prepared.settings.prune ? await stage.pruneCount(source) : 0;
      const plan: TargetPlan = {
        target,
        changes: await stage.createExamples(examples),
        unchanged: counts.unchanged,
        counts: {
          created: counts.create,
          updated: counts.update,
          unchanged: counts.unchanged,
          deleted: prunable,
        },
      };
      if (options.dryRun) {
        plan.changes.push(...(await firstChanges(stage.updates(), examples)));
        if (prunable > 0) {
          plan.changes.push(...(await firstChanges(stage.prunes(source), examples)));
        }
        throw new Rollback<StagedRollback>({
          status: 'dry-run',
          plans: [plan],
          rows,
          sha256,
          notes,
        });
      }
      if (totalChanges([plan]) === 0) {
        await stage.drop();
        return { status: 'unchanged' as const, plans: [plan], rows, sha256, notes };
      }
      const runId = await openRun(tx, fileRun(options, prepared), startedAt);
      await applyStaged(stage, plan, {
        em: tx,
        refs,
        viewer: systemViewer(options.actor),
        importRunId: runId,
        source,
        options,
      });
      await stage.drop();
      await closeRun(tx, runId, runCounts(prepared, rows, [plan]));
      return { status: 'applied' as const, plans: [plan], rows, runId, sha256, notes };
    });
  } catch (error) {
    if (!(error instanceof Rollback)) {
      throw error;
    }
    const { outcome } = error as Rollback<StagedRollback>;
    return outcome === 'refused' ? refusedRun(orm, options, prepared, issues, rows) : outcome;
  }
}

/**
 * Reads, checks and stages every row of the files (streamed), then reports the rows that repeat
 * a natural key. Problems go to `context.issues`, summary lines to `prepared.notes`.
 */
async function stageFiles(
  stage: Stage,
  options: ImportOptions,
  prepared: Prepared,
  context: KindContext,
): Promise<void> {
  const { kind } = options;
  const { issues } = context;
  const tableFiles: string[] = [];
  const skipped = new Map<string, number>();
  for (const file of prepared.files) {
    for (const table of await openTables(file, issues)) {
      const index = tableFiles.push(table.file) - 1;
      // A streamed file's progress is its bytes read; a table read whole, its rows.
      const progress = (read: number) =>
        'bytesRead' in table
          ? options.onProgress?.('validate', table.bytesRead(), table.totalBytes, read)
          : options.onProgress?.('validate', read, table.rows.length, read);
      try {
        await readRows(
          kind,
          table,
          context,
          skipped,
          (line, value) => stage.add(index, line, kind.identity(value), value as Flat),
          progress,
        );
      } catch (error) {
        // A streamed CSV can turn out unreadable further down (an unclosed quote, a NUL).
        if (!(error instanceof ImportFileError)) {
          throw error;
        }
        issues.add(error.issue);
      }
      const note = decodingNote(table);
      if (note) {
        prepared.notes.push(note);
      }
    }
  }
  for (const [reason, count] of skipped) {
    prepared.notes.push(`skipped ${count} row(s): ${reason}`);
  }
  await stage.flush();
  await stage.reportDuplicates(tableFiles, issues);
}

/**
 * Writes a matched stage under an open run: new rows set-based, then changed and pruned rows
 * field by field (as the in-memory flow writes them); `plan` ends with the counts and examples.
 */
async function applyStaged(
  stage: Stage,
  plan: TargetPlan,
  context: ApplyContext & { options: ImportOptions },
): Promise<void> {
  const { options, source } = context;
  const { target } = plan;
  const counts = countsOf(plan);
  const examples = options.examples ?? 3;
  const total = totalChanges([plan]);
  options.onProgress?.('apply', 0, total);
  await stage.applyCreates(
    { viewer: context.viewer, importRunId: context.importRunId, source, at: new Date() },
    counts.created,
    (done) => options.onProgress?.('apply', done, total),
  );
  let updated = 0;
  let alike = 0;
  for await (const chunk of stage.updates()) {
    await applyPlans([{ target, changes: chunk.changes, unchanged: 0 }], context);
    keepExamples(plan, chunk.changes, examples);
    updated += chunk.changes.length;
    alike += chunk.unchanged;
    options.onProgress?.('apply', counts.created + updated + alike, total);
  }
  let deleted = 0;
  if (counts.deleted > 0) {
    for await (const changes of stage.prunes(source)) {
      await applyPlans([{ target, changes, unchanged: 0 }], context);
      keepExamples(plan, changes, examples);
      deleted += changes.length;
    }
  }
  plan.counts = {
    created: counts.created,
    updated,
    unchanged: counts.unchanged + alike,
    deleted,
  };
  plan.unchanged = plan.counts.unchanged;
}

/** The first `limit` changes a generator of chunks yields. */
async function firstChanges(
  chunks: AsyncGenerator<Change[] | { changes: Change[] }>,
  limit: number,
): Promise<Change[]> {
  const found: Change[] = [];
  for await (const chunk of chunks) {
    found.push(...(Array.isArray(chunk) ? chunk : chunk.changes).slice(0, limit - found.length));
    if (found.length >= limit) {
      await chunks.return(undefined);
      break;
    }
  }
  return found;
}

/** Keeps the first `limit` changes of each action in the plan, for the summary. */
function keepExamples(plan: TargetPlan, changes: Change[], limit: number): void {
  for (const change of changes) {
    if (plan.changes.filter((kept) => kept.action === change.action).length < limit) {
      plan.changes.push(change);
    }
  }
}

/** Changed rows above which an import refreshes the planner's statistics of what it touched. */
export const ANALYZE_AFTER_CHANGES = 10_000;

/**
 * A large import changes the tables' row counts and value distributions faster than
 * PostgreSQL's autovacuum re-samples them, and stale statistics turn analytics into nested
 * loops; so after the commit the touched tables (and the audit log) are analysed. No-op on
 * SQLite.
 */
async function refreshStatisticsAfter(orm: Orm, plans: TargetPlan[]): Promise<void> {
  const changed = plans.filter((plan) => totalChanges([plan]) > 0);
  if (totalChanges(changed) <= ANALYZE_AFTER_CHANGES) {
    return;
  }
  const metadata = orm.getMetadata();
  const tables = [
    ...changed.map((plan) => metadata.get(plan.target.entity.name).tableName),
    metadata.get(AuditEntry.name).tableName,
  ];
  await refreshPlannerStatistics(orm.em.fork(), tables);
}
