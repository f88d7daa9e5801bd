import { Kind, parse, print, visit, type FieldNode } from 'graphql';
import {
  AFTER_VARIABLE,
  FIRST_VARIABLE,
  PAGE_INFO_KEY,
  QueryShapeError,
  flattenNode,
  preparePagedQuery,
  readPage,
  type Cell,
  type PagedQuery,
} from '../../api/src/saved-queries/query-paging';
import { checkedPropertyValue } from './batching';
import { describeColumns, displayCell, type TableColumn } from './columns';
import { editableSpec, inputTypeQuery, type IntrospectedInputField } from './editable';
import { type Deadline } from './execution';
import { type GraphQLClient } from './graphql-client';
import { AddonError, describeError, translate, type Locale } from './i18n';
import { pathLabel } from './labels';
import { mergeRefresh, type SheetValue } from './row-diff';
import { client, documentProperties, spreadsheet } from './services';
import {
  clearRows,
  colours,
  dropStaging,
  filledCells,
  findBinding,
  locate,
  packed,
  placeTable,
  readRows,
  readSnapshot,
  readTable,
  rowMarks,
  saveBinding,
  setExtent,
  stagingSheet,
  writeHeader,
  writeMarks,
  writeRows,
  writeSnapshot,
  type TableBinding,
} from './table-store';

/**
 * Pulling a query into a table, within Apps Script's 6-minute executions and without extra
 * triggers (an add-on gets one time trigger per user per document, and the schedule uses it).
 * A pull is a job kept in document properties: pages are staged in a hidden sheet, then the
 * merge of staged rows with the table is written to the staging sheet ("merge"), then copied
 * into place ("write"). Each phase starts only when the execution's deadline leaves time for
 * it; otherwise the job stays where it is and the next execution — the sidebar's next call, the
 * next scheduled run, the next "Atualizar" — carries on. Writing is idempotent, so even an
 * execution stopped in the middle of "write" leaves nothing half-done that a rerun would not fix.
 */
export interface PullJob {
  tableId: string;
  mode: 'insert' | 'refresh';
  phase: 'pull' | 'merge' | 'write';
  after: string | null;
  staged: number;
  pages: number;
  /** Rows the query has (null when the connection has no `totalCount`). */
  total: number | null;
  /** Rows the table had when merged (and a hash of them), and rows it will have. */
  tableRows: number;
  tableHash: string;
  merged: number;
  /** Set when the write phase began: a rerun finishes it rather than merging again. */
  writing: boolean;
  /** Measured costs (ms) for the estimates of later executions. */
  msPerPage: number;
  msPerCell: number;
}

export type PullOutcome =
  | { status: 'done'; binding: TableBinding; rows: number; kept: number; mode: PullJob['mode'] }
  | { status: 'continuing'; binding: TableBinding; job: PullJob };

const JOB_PREFIX = 'rede.job.';
const DEFAULT_PAGE_SIZE = 1000;
const KEPT_FLAG: TableColumn = {
  path: '',
  header: '',
  kind: 'number',
  enumType: null,
  hidden: true,
};

/** The page size can be lowered per project (script property) to exercise long pulls. */
function pageSize(): number {
  const raw = PropertiesService.getScriptProperties().getProperty('REDE_PAGE_SIZE');
  const value = raw === null ? NaN : Number(raw);
  return Number.isFinite(value) && value > 0 ? value : DEFAULT_PAGE_SIZE;
}

export function savedQueryByName(
  graphql: GraphQLClient,
  name: string,
): { query: string; variables: Record<string, unknown> | null } {
  const data = graphql.request<{
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
      throw new AddonError('errInvalidQuery', { detail: error.message });
    }
    throw error;
  }
}

export interface ResolvedQuery {
  variables: Record<string, unknown>;
  paged: PagedQuery;
}

function resolveQuery(graphql: GraphQLClient, binding: TableBinding): ResolvedQuery {
  if (binding.query) {
    return { variables: binding.variables, paged: pagedOrError(binding.query) };
  }
  const saved = savedQueryByName(graphql, binding.queryName!);
  return {
    variables: { ...(saved.variables ?? {}), ...binding.variables },
    paged: pagedOrError(saved.query),
  };
}

/**
 * The same document asking only `totalCount` of the table's connection (one cheap request that
 * gives the progress line its "of N").
 */
export function countDocument(paged: PagedQuery): string {
  const document = visit(parse(paged.text), {
    Field(node: FieldNode) {
      const selections = node.selectionSet?.selections ?? [];
      const isConnection = selections.some(
        (selection) => selection.kind === Kind.FIELD && selection.alias?.value === PAGE_INFO_KEY,
      );
      if (!isConnection) {
        return undefined;
      }
      return {
        ...node,
        selectionSet: {
          kind: Kind.SELECTION_SET,
          selections: [
            {
              kind: Kind.FIELD,
              alias: { kind: Kind.NAME, value: 'rhTotal' },
              name: { kind: Kind.NAME, value: 'totalCount' },
            },
          ],
        },
      };
    },
  });
  const used = new Set<string>();
  visit(document, {
    FragmentSpread(node) {
      used.add(node.name.value);
    },
  });
  return print({
    ...document,
    definitions: document.definitions.filter(
      (definition) =>
        definition.kind !== Kind.FRAGMENT_DEFINITION || used.has(definition.name.value),
    ),
  });
}

export function countRows(graphql: GraphQLClient, query: ResolvedQuery): number | null {
  try {
    const data = graphql.request<Record<string, unknown>>(countDocument(query.paged), {
      ...query.variables,
      [AFTER_VARIABLE]: null,
      [FIRST_VARIABLE]: 1,
    });
    let value: unknown = data;
    for (const key of query.paged.connectionPath) {
      value = (value as Record<string, unknown> | null)?.[key];
    }
    const total = (value as { rhTotal?: unknown } | null)?.rhTotal;
    return typeof total === 'number' ? total : null;
  } catch {
    return null; // a connection without totalCount: the progress line shows rows only
  }
}

function jobKey(tableId: string): string {
  return `${JOB_PREFIX}${tableId}`;
}

function saveJob(job: PullJob): void {
  const name = jobKey(job.tableId);
  documentProperties().setProperty(name, checkedPropertyValue(name, JSON.stringify(job)));
}

export function dropJob(tableId: string): void {
  documentProperties().deleteProperty(jobKey(tableId));
}

export function pendingJob(tableId: string): PullJob | null {
  const raw = documentProperties().getProperty(jobKey(tableId));
  return raw ? (JSON.parse(raw) as PullJob) : null;
}

export function pendingJobs(): PullJob[] {
  const all = documentProperties().getProperties();
  return Object.keys(all)
    .filter((key) => key.startsWith(JOB_PREFIX))
    .map((key) => JSON.parse(all[key]!) as PullJob);
}

function newJob(tableId: string, mode: PullJob['mode'], total: number | null): PullJob {
  return {
    tableId,
    mode,
    phase: 'pull',
    after: null,
    staged: 0,
    pages: 0,
    total,
    tableRows: 0,
    tableHash: '',
    merged: 0,
    writing: false,
    msPerPage: 0,
    msPerCell: 0,
  };
}

function describeEditable(graphql: GraphQLClient, binding: TableBinding): void {
  if (!binding.typeName) {
    return;
  }
  const data = graphql.request<{
    type: { inputFields: IntrospectedInputField[] | null } | null;
  }>(inputTypeQuery(`${binding.typeName}UpsertInput`));
  binding.editable = editableSpec(
    binding.typeName,
    binding.columns.map((column) => column.path),
    data.type?.inputFields ?? null,
  );
}

/** An execution this young gains nothing by waiting for the next one: it goes ahead. */
const FRESH_MS = 10 * 1000;

/**
 * Cells a phase writes per row, for a table of `width` columns of which `text` are plain text
 * (formatted, then written): merge writes the merged table, its snapshot and a flag to the
 * staging sheet; write puts the table and its snapshot in place and marks every row.
 */
function phaseCells(binding: TableBinding, phase: 'merge' | 'write'): number {
  const width = binding.columns.length;
  const text = binding.columns.filter(
    (column) => column.kind === 'text' || column.kind === 'enum',
  ).length;
  return phase === 'merge' ? 2 * (width + text) + 1 : 4 * width + 2 * text;
}

/** Whether a phase over `rows` rows fits what is left of this execution. */
function phaseFits(
  deadline: Deadline,
  job: PullJob,
  binding: TableBinding,
  phase: 'merge' | 'write',
  rows: number,
) {
  const estimate = rows * phaseCells(binding, phase) * job.msPerCell * 1.2 + 2000;
  return deadline.allows(estimate) || deadline.elapsed() < FRESH_MS;
}

/**
 * Carries `job` as far as the deadline allows: pages, then the merge, then the write. Returns
 * `continuing` (the job saved where it stopped) or `done`.
 */
export function runJob(
  job: PullJob,
  deadline: Deadline,
  locale: Locale,
  resolved: ResolvedQuery | null = null,
): PullOutcome {
  const binding = findBinding(job.tableId);
  if (!binding) {
    dropJob(job.tableId);
    throw new AddonError('errTableGone', { table: job.tableId });
  }
  const handOver = (): PullOutcome => {
    saveJob(job);
    return { status: 'continuing', binding, job };
  };
  const width = binding.columns.length;
  if (job.phase === 'pull') {
    const graphql = client(locale);
    const query = resolved ?? resolveQuery(graphql, binding);
    const staging = stagingSheet(binding.id, false);
    const size = pageSize();
    for (;;) {
      if (job.pages > 0 && !deadline.allows(job.msPerPage * 1.5)) {
        return handOver();
      }
      const started = Date.now();
      const data = graphql.request<Record<string, unknown>>(query.paged.text, {
        ...query.variables,
        [AFTER_VARIABLE]: job.after,
        [FIRST_VARIABLE]: size,
      });
      const fetchedMs = Date.now() - started;
      const page = readPage(data, query.paged.connectionPath);
      const paths = binding.columns.map((column) => column.path);
      const cells = page.nodes.map((node) => flattenNode(node, paths));
      if (job.mode === 'insert' && job.pages === 0) {
        learnColumns(graphql, binding, page.typeName, cells, locale);
      }
      const written = Date.now();
      writeRows(
        staging,
        job.staged + 1,
        packed(width),
        binding.columns,
        cells.map((row) => row.map((cell, index) => displayCell(binding.columns[index]!, cell))),
      );
      const now = Date.now();
      const stagedCells = (cells.length * (phaseCells(binding, 'merge') - 1)) / 2;
      job.msPerCell = Math.max(job.msPerCell, stagedCells > 0 ? (now - written) / stagedCells : 0);
      job.msPerPage = Math.max(job.msPerPage, fetchedMs + now - written);
      job.staged += cells.length;
      job.pages += 1;
      if (!page.hasNextPage || !page.endCursor) {
        job.phase = 'merge';
        break;
      }
      job.after = page.endCursor;
    }
  }
  if (job.phase === 'write' && !job.writing && tableHash(binding, job) !== job.tableHash) {
    // Someone edited the table between the merge and now: merge again, so the edit is kept.
    job.phase = 'merge';
  }
  if (job.phase === 'merge') {
    if (!phaseFits(deadline, job, binding, 'merge', job.staged)) {
      return handOver();
    }
    mergePhase(binding, job);
    saveJob(job);
  }
  if (!phaseFits(deadline, job, binding, 'write', job.merged)) {
    return handOver();
  }
  // From here on the table is ours: a write stopped half-way is finished as merged, not re-merged
  // (its half-written rows would look like local edits).
  job.writing = true;
  saveJob(job);
  const kept = writePhase(binding, job, locale);
  return { status: 'done', binding, rows: job.merged, kept, mode: job.mode };
}

/** First page of an insert: the node type gives Portuguese headers, kinds and editability. */
function learnColumns(
  graphql: GraphQLClient,
  binding: TableBinding,
  typeName: string | null,
  sample: Cell[][],
  locale: Locale,
): void {
  binding.typeName = typeName;
  binding.columns = describeColumns(
    graphql,
    typeName,
    binding.columns.map((column) => column.path),
    sample,
  );
  describeEditable(graphql, binding);
  saveBinding(binding);
  writeHeader(binding, locate(binding), locale);
}

/** FNV-1a over the rows: enough to notice that someone typed in the table. */
function hashRows(rows: readonly (readonly SheetValue[])[]): string {
  const text = JSON.stringify(rows);
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `${rows.length}:${hash.toString(16)}`;
}

function tableHash(binding: TableBinding, job: PullJob): string {
  return job.mode === 'refresh' ? hashRows(readTable(binding)) : hashRows([]);
}

/** Merges staged rows with the table (keeping local edits); the result goes to the staging sheet. */
function mergePhase(binding: TableBinding, job: PullJob): void {
  const width = binding.columns.length;
  const staging = stagingSheet(binding.id, false);
  const fresh = readRows(staging, 1, packed(width), job.staged);
  const current = job.mode === 'refresh' ? readTable(binding) : [];
  const keyIndexes = binding.editable
    ? binding.editable.keyFields.map((field) =>
        binding.columns.findIndex((column) => column.path === binding.editable!.columns[field]),
      )
    : null;
  const merged = mergeRefresh(keyIndexes, current, readSnapshot(binding), fresh);
  const kept = new Set(merged.kept);
  writeRows(staging, 1, packed(width, width), binding.columns, merged.visible);
  writeRows(staging, 1, packed(width, 2 * width), binding.columns, merged.snapshot);
  writeRows(
    staging,
    1,
    [3 * width + 1],
    [KEPT_FLAG],
    merged.visible.map((_, index) => [kept.has(index) ? 1 : 0]),
  );
  job.tableRows = current.length;
  job.tableHash = hashRows(current);
  job.merged = merged.visible.length;
  job.phase = 'write';
}

/** Copies the merged table into place; safe to run again if an execution stops half-way. */
function writePhase(binding: TableBinding, job: PullJob, locale: Locale): number {
  const width = binding.columns.length;
  const staging = stagingSheet(binding.id, false);
  const visible = readRows(staging, 1, packed(width, width), job.merged);
  const snapshot = readRows(staging, 1, packed(width, 2 * width), job.merged);
  const flags = readRows(staging, 1, [3 * width + 1], job.merged);
  let placement = locate(binding);
  const existing = Math.max(job.tableRows, placement.rows);
  if (job.merged > existing) {
    const { sheet, headerRow, firstColumn, lastColumn } = placement;
    const below = filledCells(
      sheet,
      headerRow + 1 + existing,
      firstColumn,
      job.merged - existing,
      lastColumn - firstColumn + 1,
    );
    if (below > 0) {
      // Someone's cells sit where the table grows: move them down, never overwrite them.
      sheet.insertRowsAfter(headerRow + existing, job.merged - existing);
      placement = locate(binding);
    }
  }
  writeRows(
    placement.sheet,
    placement.headerRow + 1,
    placement.positions,
    binding.columns,
    visible,
  );
  clearRows(placement, job.merged, existing - job.merged);
  setExtent(binding, placement, job.merged);
  writeSnapshot(binding, snapshot as SheetValue[][]);
  const note = translate(locale, 'pendingLocal');
  const keptRows = flags.filter((row) => row[0] === 1).length;
  writeMarks(
    locate(binding),
    rowMarks(width, job.merged, (row) =>
      flags[row]![0] === 1 ? { colour: colours.pending, note } : null,
    ),
  );
  binding.lastRun = {
    at: new Date().toISOString(),
    ok: true,
    outcome: translate(locale, 'refreshed', { rows: job.merged, kept: keptRows }),
    attempts: 0,
  };
  saveBinding(binding);
  dropStaging(binding.id);
  dropJob(binding.id);
  return keptRows;
}

export function newTableId(): string {
  return `t${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;
}

export interface InsertRequest {
  queryName?: string | null;
  query?: string | null;
  variables?: Record<string, unknown>;
  /** `cursor`: at the selected cell; `newSheet`: A1 of a new tab named after the query. */
  target?: 'cursor' | 'newSheet';
  /** Write over filled cells (the user said so after seeing how many). */
  overwrite?: boolean;
}

export type InsertOutcome =
  PullOutcome | { status: 'occupied'; range: string; filled: number; rows: number | null };

function uniqueSheetName(base: string): string {
  const book = spreadsheet();
  const clean =
    base
      .replace(/[[\]*?:/\\]/g, ' ')
      .trim()
      .slice(0, 90) || 'Rede Hub';
  let name = clean;
  for (let n = 2; book.getSheetByName(name); n += 1) {
    name = `${clean} (${n})`;
  }
  return name;
}

/**
 * Binds a new table and starts pulling it. Before anything is written it counts the rows and
 * looks at the cells the table would cover: filled cells are never overwritten unless the user
 * says so (`overwrite`); a new tab is always free.
 */
export function insertTable(
  request: InsertRequest,
  deadline: Deadline,
  locale: Locale,
): InsertOutcome {
  const graphql = client(locale);
  const saved = request.queryName ? savedQueryByName(graphql, request.queryName) : null;
  const text = saved?.query ?? request.query;
  if (!text) {
    throw new AddonError('errServer', { detail: translate(locale, 'chooseQuery') });
  }
  const paged = pagedOrError(text);
  const variables = { ...(saved?.variables ?? {}), ...(request.variables ?? {}) };
  const total = countRows(graphql, { paged, variables });
  const title = request.queryName ?? text.replace(/\s+/g, ' ').slice(0, 40);
  const book = spreadsheet();
  let sheet: GoogleAppsScript.Spreadsheet.Sheet;
  let row = 1;
  let column = 1;
  if (request.target === 'newSheet') {
    sheet = book.insertSheet(uniqueSheetName(title));
  } else {
    const cell = book.getActiveRange() ?? book.getActiveSheet().getRange(1, 1);
    sheet = cell.getSheet();
    row = cell.getRow();
    column = cell.getColumn();
    const rows = 1 + (total ?? Math.max(sheet.getLastRow() - row, 0));
    const filled = filledCells(sheet, row, column, rows, paged.columns.length);
    if (filled > 0 && !request.overwrite) {
      const last = Math.min(row + rows - 1, sheet.getMaxRows());
      return {
        status: 'occupied',
        range: sheet.getRange(row, column, last - row + 1, paged.columns.length).getA1Notation(),
        filled,
        rows: total,
      };
    }
  }
  const binding: TableBinding = {
    id: newTableId(),
    sheetId: sheet.getSheetId(),
    title,
    columns: paged.columns.map((path) => ({
      path,
      header: pathLabel(path),
      kind: 'text',
      enumType: null,
      hidden: path === 'version' || path === 'id',
    })),
    queryName: request.queryName ?? null,
    query: request.queryName ? null : text,
    variables: request.variables ?? {},
    typeName: null,
    editable: null,
    lastRun: null,
  };
  placeTable(binding, sheet, row, column, locale);
  stagingSheet(binding.id, true);
  return runJob(newJob(binding.id, 'insert', total), deadline, locale, { paged, variables });
}

/** Refreshes one table: resumes its pending job, or starts one. Failures are recorded on it. */
export function refreshTable(id: string, deadline: Deadline, locale: Locale): PullOutcome {
  const binding = findBinding(id);
  if (!binding) {
    throw new AddonError('errTableGone', { table: id });
  }
  let job = pendingJob(id);
  try {
    let resolved: ResolvedQuery | null = null;
    if (!job) {
      const graphql = client(locale);
      resolved = resolveQuery(graphql, binding);
      job = newJob(id, 'refresh', countRows(graphql, resolved));
      stagingSheet(id, true);
    }
    return runJob(job, deadline, locale, resolved);
  } catch (error) {
    // Start afresh next time: a half-pulled job after an error is not worth resuming.
    dropJob(id);
    dropStaging(id);
    binding.lastRun = {
      at: new Date().toISOString(),
      ok: false,
      outcome: describeError(locale, error).slice(0, 500),
      attempts: (binding.lastRun?.ok === false ? binding.lastRun.attempts : 0) + 1,
    };
    saveBinding(binding);
    throw error;
  }
}

/** Continues a table's pending job (the sidebar's next call after "continuing"). */
export function continueTable(id: string, deadline: Deadline, locale: Locale): PullOutcome {
  const job = pendingJob(id);
  if (!job) {
    const binding = findBinding(id);
    if (!binding) {
      throw new AddonError('errTableGone', { table: id });
    }
    return { status: 'done', binding, rows: locate(binding).rows, kept: 0, mode: 'refresh' };
  }
  return refreshTable(id, deadline, locale);
}

/** What the progress line says about a job. */
export function progressOf(binding: TableBinding, job: PullJob, locale: Locale): string {
  if (job.phase !== 'pull') {
    return translate(locale, 'progressFinishing', { table: binding.title, rows: job.staged });
  }
  if (job.total === null || job.total === 0) {
    return translate(locale, 'progressNoTotal', { table: binding.title, rows: job.staged });
  }
  const number = locale === 'en' ? 'en-US' : 'pt-BR';
  return translate(locale, 'progress', {
    table: binding.title,
    rows: job.staged.toLocaleString(number),
    total: job.total.toLocaleString(number),
    percent: Math.min(99, Math.floor((job.staged / job.total) * 100)),
  });
}
