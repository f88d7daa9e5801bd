import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { systemViewer } from '../auth/viewer';
import { today } from '../common/dates';
import { AuditEntry } from '../audit/audit-entry.entity';
import { type Orm, refreshPlannerStatistics } from '../db/orm';
import { mapColumns, RowReader } from './import.cells';
import { ImportFileError, IssueList } from './import.issues';
import type { ImportKind, KindContext, Located } from './import.kind';
import { applyPlans, type ChangeCounts, countsOf, type TargetPlan } from './import.plan';
import { ImportRun, ImportStatus } from './import-run.entity';
import { readSources, type SourceTable } from './import.source';
import { RefIndex } from './import.targets';

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
  onProgress?: (phase: ImportPhase, done: number, total: number) => void;
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

/** Read → decode → parse → map columns → validate every row; no database writes. */
async function validate(
  kind: ImportKind<unknown>,
  files: { name: string; bytes: Buffer }[],
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
  let tables: SourceTable[] = [];
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
  if (kind.combine) {
    // Tables of one publication are joined only when every one of them could be read.
    tables = issues.empty ? kind.combine(tables, context) : [];
  }
  for (const table of tables) {
    table.issues.forEach((issue) => issues.add(issue));
    const decoding = table.decoding;
    if (decoding?.latin1Cells) {
      notes.push(
        `${table.file}: ${decoding.latin1Cells} field(s) on ${decoding.latin1Lines} of ${decoding.lines} lines read as Latin-1/Windows-1252${decoding.utf8Cells ? `, ${decoding.utf8Cells} as UTF-8 (each field decoded on its own)` : ''}`,
      );
    }
    if (table.rows.length === 0) {
      issues.add({
        file: table.file,
        line: table.headerLine,
        column: null,
        message: 'the file has a header but no data rows',
      });
      continue;
    }
    const before = issues.total;
    const columns = mapColumns(table, kind.columns(table), issues);
    if (issues.total > before) {
      continue;
    }
    const total = table.rows.length;
    table.rows.forEach((row, index) => {
      const reader = new RowReader(table, row, columns, issues);
      const skip = kind.skip?.(reader);
      if (skip) {
        skipped.set(skip, (skipped.get(skip) ?? 0) + 1);
      } else {
        const value = kind.readRow(reader, context);
        if (reader.valid && value !== null) {
          located.push({ file: table.file, line: row.line, row: value });
        }
      }
      if (index % 5000 === 4999 || index === total - 1) {
        options.onProgress?.('validate', index + 1, total);
      }
    });
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

/**
 * The import engine: one flow for every kind and for both the dry run and the apply.
 * Nothing is written unless every row is valid; the apply is one transaction, so a failure or
 * a killed process leaves the database as it was.
 */
export async function runImport(orm: Orm, options: ImportOptions): Promise<ImportOutcome> {
  const { kind } = options;
  const files = options.files.map((file) => {
    try {
      return { name: path.basename(file), path: file, bytes: fs.readFileSync(file) };
    } catch (error) {
      throw new Error(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`);
    }
  });
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(file.bytes);
  }
  const sha256 = hash.digest('hex');
  const notes: string[] = [];
  const asOf = options.asOf ?? today();
  const prune = options.prune ?? false;
  const settings = { prune, asOf: options.asOf ?? null };

  if (!options.dryRun && !options.force) {
    const last = await orm.em
      .fork()
      .findOne(
        ImportRun,
        { kind: kind.name, status: ImportStatus.SUCCEEDED },
        { orderBy: { id: 'desc' } },
      );
    const lastSettings = last?.counts.settings as typeof settings | undefined;
    if (
      last &&
      last.sha256 === sha256 &&
      lastSettings?.prune === settings.prune &&
      (lastSettings?.asOf ?? null) === settings.asOf
    ) {
      return { status: 'skipped', previousRunId: last.id, sha256, notes };
    }
  }

  const em = orm.em.fork();
  const refs = new RefIndex(em);
  const issues = new IssueList();
  const context: KindContext = {
    refs,
    asOf,
    asOfGiven: options.asOf !== undefined,
    issues,
    notes,
  };
  const located = await validate(kind, files, context, options, notes);
  const fileNames = files.map((file) => file.name);
  const viewer = systemViewer(options.actor);

  /** Records a refused run (nothing of the file is written) and says why. */
  const refused = async (rowCount: number): Promise<ImportOutcome> => {
    const failed = orm.em.fork();
    const run = failed.create(ImportRun, {
      kind: kind.name,
      fileNames,
      sha256,
      status: ImportStatus.FAILED,
      actor: options.actor,
      startedAt: new Date(),
      finishedAt: new Date(),
      counts: { rows: rowCount, problems: issues.total, settings },
      errors: issues.lines(),
      asOf: options.asOf ?? null,
      source: `import:${kind.name}`,
    });
    if (!options.dryRun) {
      await failed.persistAndFlush(run);
    }
    return { status: 'invalid', issues, runId: run.id ?? 0, sha256, notes };
  };
  if (!issues.empty) {
    return refused(located.length);
  }

  const rows = located.map((item) => item.row);
  // The file/line wrappers are only for messages: drop them before the diff holds its own copy.
  located.length = 0;
  const planContext = { ...context, prune };
  if (options.dryRun) {
    const plans = await kind.plan(em, rows, planContext);
    if (!issues.empty) {
      return refused(rows.length);
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
    const total = plans.reduce((sum, plan) => sum + plan.changes.length, 0);
    if (total === 0) {
      return { status: 'unchanged' as const, plans, rows: rows.length, sha256, notes };
    }
    const run = tx.create(ImportRun, {
      kind: kind.name,
      fileNames,
      sha256,
      status: ImportStatus.RUNNING,
      actor: options.actor,
      startedAt,
      counts: {},
      errors: [],
      asOf: options.asOf ?? null,
      source: `import:${kind.name}`,
    });
    await tx.flush();
    const runId = run.id;
    options.onProgress?.('apply', 0, total);
    await applyPlans(plans, {
      em: tx,
      refs,
      viewer,
      importRunId: runId,
      source: `import:${kind.name}`,
      onProgress: (done) => options.onProgress?.('apply', done, total),
    });
    const finished = await tx.findOneOrFail(ImportRun, runId);
    finished.status = ImportStatus.SUCCEEDED;
    finished.finishedAt = new Date();
    finished.counts = { rows: rows.length, ...countsByEntity(plans), settings, notes };
    await tx.flush();
    return { status: 'applied' as const, plans, rows: rows.length, runId, sha256, notes };
  });
  if (outcome.status === 'refused') {
    return refused(rows.length);
  }
  if (outcome.status === 'applied') {
    await refreshStatisticsAfter(orm, outcome.plans);
  }
  return outcome;
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
  const changed = plans.filter((plan) => plan.changes.length > 0);
  const total = changed.reduce((sum, plan) => sum + plan.changes.length, 0);
  if (total <= ANALYZE_AFTER_CHANGES) {
    return;
  }
  const metadata = orm.getMetadata();
  const tables = [
    ...changed.map((plan) => metadata.get(plan.target.entity.name).tableName),
    metadata.get(AuditEntry.name).tableName,
  ];
  await refreshPlannerStatistics(orm.em.fork(), tables);
}
