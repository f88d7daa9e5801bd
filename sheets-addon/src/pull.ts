import {
  AFTER_VARIABLE,
  FIRST_VARIABLE,
  QueryShapeError,
  flattenNode,
  preparePagedQuery,
  readPage,
  type PagedQuery,
} from '../../api/src/queries/query-paging';
import { editableSpec, inputTypeQuery, type IntrospectedInputField } from './editable';
import { AddonError } from './i18n';
import { mergeRefresh, type SheetValue } from './row-diff';
import { checkedPropertyValue } from './batching';
import { client, documentProperties } from './services';
import {
  colours,
  dropStaging,
  findBinding,
  formatHeader,
  readRows,
  readSnapshot,
  readTable,
  saveBinding,
  sheetOf,
  stagingSheet,
  writeMarks,
  writeRows,
  writeSnapshot,
  type TableBinding,
} from './table-store';
import { translate, type Locale } from './i18n';

/** A pull in progress, kept in document properties between executions (well under 9 KB). */
export interface PullJob {
  tableId: string;
  mode: 'insert' | 'refresh';
  after: string | null;
  staged: number;
  pages: number;
}

export type PullOutcome =
  | { status: 'done'; binding: TableBinding; rows: number; kept: number; pages: number }
  | { status: 'continuing'; binding: TableBinding; rows: number; pages: number };

const JOB_PREFIX = 'rede.job.';
export const CONTINUE_HANDLER = 'continuePulls';
/** Apps Script stops an execution at 6 minutes; a pull hands over well before. */
const DEFAULT_MAX_RUN_MS = 4.5 * 60 * 1000;
const DEFAULT_PAGE_SIZE = 1000;

function scriptNumber(name: string, fallback: number): number {
  const raw = PropertiesService.getScriptProperties().getProperty(name);
  const value = raw === null ? NaN : Number(raw);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

export interface ResolvedQuery {
  text: string;
  variables: Record<string, unknown>;
  paged: PagedQuery;
}

export function savedQueryByName(name: string): {
  query: string;
  variables: Record<string, unknown> | null;
} {
  const data = client().request<{
    savedQuery: { query: string; variables: Record<string, unknown> | null } | null;
  }>(`query RedeSavedQuery($name: String!) { savedQuery(name: $name) { query variables } }`, {
    name,
  });
  if (!data.savedQuery) {
    throw new AddonError('errNotFound', { what: name });
  }
  return data.savedQuery;
}

export function pagedOrError(text: string): PagedQuery {
  try {
    return preparePagedQuery(text);
  } catch (error) {
    if (error instanceof QueryShapeError) {
      throw new AddonError('errServer', { detail: error.message });
    }
    throw error;
  }
}

function resolveQuery(binding: TableBinding): ResolvedQuery {
  if (binding.query) {
    return {
      text: binding.query,
      variables: binding.variables,
      paged: pagedOrError(binding.query),
    };
  }
  const saved = savedQueryByName(binding.queryName!);
  return {
    text: saved.query,
    variables: { ...(saved.variables ?? {}), ...binding.variables },
    paged: pagedOrError(saved.query),
  };
}

function saveJob(job: PullJob): void {
  const name = `${JOB_PREFIX}${job.tableId}`;
  documentProperties().setProperty(name, checkedPropertyValue(name, JSON.stringify(job)));
}

function dropJob(tableId: string): void {
  documentProperties().deleteProperty(`${JOB_PREFIX}${tableId}`);
}

export function pendingJobs(): PullJob[] {
  const all = documentProperties().getProperties();
  return Object.keys(all)
    .filter((key) => key.startsWith(JOB_PREFIX))
    .map((key) => JSON.parse(all[key]!) as PullJob);
}

function scheduleContinuation(): void {
  const exists = ScriptApp.getProjectTriggers().some(
    (trigger) => trigger.getHandlerFunction() === CONTINUE_HANDLER,
  );
  if (!exists) {
    ScriptApp.newTrigger(CONTINUE_HANDLER)
      .timeBased()
      .after(60 * 1000)
      .create();
  }
}

export function clearContinuation(): void {
  for (const trigger of ScriptApp.getProjectTriggers()) {
    if (trigger.getHandlerFunction() === CONTINUE_HANDLER) {
      ScriptApp.deleteTrigger(trigger);
    }
  }
}

function describeEditable(binding: TableBinding): void {
  if (!binding.typeName) {
    return;
  }
  const inputType = `${binding.typeName}UpsertInput`;
  const data = client().request<{ type: { inputFields: IntrospectedInputField[] | null } | null }>(
    inputTypeQuery(inputType),
  );
  binding.editable = editableSpec(
    binding.typeName,
    binding.columns,
    data.type?.inputFields ?? null,
  );
}

/** Starts pulling a table's query into its staging sheet; finishes now or in a later run. */
export function startPull(binding: TableBinding, mode: PullJob['mode']): PullOutcome {
  stagingSheet(binding.id, true);
  const job: PullJob = { tableId: binding.id, mode, after: null, staged: 0, pages: 0 };
  return runJob(job);
}

/**
 * Pages through the query, staging each page with one batched write, until the end or until the
 * time budget is spent — then the job is saved and a trigger resumes it in a new execution.
 */
export function runJob(job: PullJob, startedAt = Date.now()): PullOutcome {
  const binding = findBinding(job.tableId);
  if (!binding) {
    dropJob(job.tableId);
    throw new AddonError('errNoTableHere');
  }
  const maxRunMs = scriptNumber('REDE_MAX_RUN_MS', DEFAULT_MAX_RUN_MS);
  const pageSize = scriptNumber('REDE_PAGE_SIZE', DEFAULT_PAGE_SIZE);
  const query = resolveQuery(binding);
  const staging = stagingSheet(binding.id, false);
  const graphql = client();
  for (;;) {
    const data = graphql.request<Record<string, unknown>>(query.paged.text, {
      ...query.variables,
      [AFTER_VARIABLE]: job.after,
      [FIRST_VARIABLE]: pageSize,
    });
    const page = readPage(data, query.paged.connectionPath);
    const rows = page.nodes.map((node) => flattenNode(node, binding.columns));
    writeRows(staging, job.staged + 1, 1, rows, binding.columns.length);
    job.staged += rows.length;
    job.pages += 1;
    if (job.mode === 'insert' && !binding.typeName && page.typeName) {
      binding.typeName = page.typeName;
      describeEditable(binding);
      saveBinding(binding);
    }
    if (!page.hasNextPage || !page.endCursor) {
      break;
    }
    job.after = page.endCursor;
    if (Date.now() - startedAt >= maxRunMs) {
      saveJob(job);
      scheduleContinuation();
      return { status: 'continuing', binding, rows: job.staged, pages: job.pages };
    }
  }
  const kept = finishPull(binding, job);
  dropJob(job.tableId);
  return { status: 'done', binding, rows: job.staged, kept, pages: job.pages };
}

/** Merges the staged rows into the visible table (keeping local edits) and re-snapshots. */
function finishPull(binding: TableBinding, job: PullJob): number {
  const width = binding.columns.length;
  const fresh = readRows(stagingSheet(binding.id, false), 1, 1, job.staged, width);
  const current = job.mode === 'refresh' ? readTable(binding) : [];
  const keyIndexes = binding.editable
    ? binding.editable.keyFields.map((field) =>
        binding.columns.indexOf(binding.editable!.columns[field]!),
      )
    : null;
  const merged = mergeRefresh(keyIndexes, current, readSnapshot(binding), fresh);
  const sheet = sheetOf(binding);
  const previousRows = Math.max(binding.rows, current.length);
  writeRows(sheet, binding.row + 1, binding.column, merged.visible, width);
  if (previousRows > merged.visible.length) {
    sheet
      .getRange(
        binding.row + 1 + merged.visible.length,
        binding.column,
        previousRows - merged.visible.length,
        width,
      )
      .clear({ contentsOnly: false });
  }
  writeSnapshot(binding, merged.snapshot);
  const kept = new Set(merged.kept);
  const note = translate(localeOf(), 'pendingLocal');
  writeMarks(binding, {
    backgrounds: merged.visible.map((_, index) =>
      new Array<string | null>(width).fill(kept.has(index) ? colours.pending : null),
    ),
    notes: merged.visible.map((_, index) =>
      Array.from({ length: width }, (__, column) => (column === 0 && kept.has(index) ? note : '')),
    ),
  });
  dropStaging(binding.id);
  binding.rows = merged.visible.length;
  formatHeader(binding);
  binding.lastRun = {
    at: new Date().toISOString(),
    ok: true,
    outcome: translate(localeOf(), 'refreshed', { rows: binding.rows, kept: kept.size }),
  };
  saveBinding(binding);
  return kept.size;
}

let localeProvider: () => Locale = () => 'pt-BR';
export function useLocale(provider: () => Locale): void {
  localeProvider = provider;
}
function localeOf(): Locale {
  return localeProvider();
}

export function newTableId(): string {
  return `t${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;
}

export interface InsertRequest {
  queryName?: string | null;
  query?: string | null;
  variables?: Record<string, unknown>;
}

/** Binds a new table at the active cell and pulls it. */
export function insertTable(request: InsertRequest): PullOutcome {
  const text = request.queryName ? savedQueryByName(request.queryName).query : request.query;
  if (!text) {
    throw new AddonError('errServer', { detail: 'escolha uma consulta' });
  }
  const paged = pagedOrError(text);
  const book = SpreadsheetApp.getActiveSpreadsheet();
  const cell = book.getActiveRange() ?? book.getActiveSheet().getRange(1, 1);
  const binding: TableBinding = {
    id: newTableId(),
    sheetId: cell.getSheet().getSheetId(),
    row: cell.getRow(),
    column: cell.getColumn(),
    columns: paged.columns,
    rows: 0,
    queryName: request.queryName ?? null,
    query: request.queryName ? null : text,
    variables: request.variables ?? {},
    typeName: null,
    editable: null,
    lastRun: null,
  };
  saveBinding(binding);
  formatHeader(binding);
  return startPull(binding, 'insert');
}

export function refreshTable(id: string): PullOutcome {
  const binding = findBinding(id);
  if (!binding) {
    throw new AddonError('errNoTableHere');
  }
  try {
    return startPull(binding, 'refresh');
  } catch (error) {
    binding.lastRun = {
      at: new Date().toISOString(),
      ok: false,
      outcome: error instanceof AddonError ? error.render(localeOf()) : String(error),
    };
    saveBinding(binding);
    throw error;
  }
}

/** Trigger handler: resumes every pull left half-way by an earlier execution. */
export function continueJobs(): PullOutcome[] {
  clearContinuation();
  return pendingJobs().map((job) => runJob(job));
}

export type { SheetValue };
