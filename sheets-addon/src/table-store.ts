import { neutralizeFormula, type Cell } from '../../api/src/saved-queries/query-paging';
import { rowBlocks } from './batching';
import { type TableColumn } from './columns';
import { type EditableSpec } from './editable';
import { AddonError, translate, type Locale } from './i18n';
import { type SheetValue } from './row-diff';
import { spreadsheet } from './services';

/**
 * A table in a sheet, bound to its query, anchored to the range itself so that it survives what
 * people do to sheets: a named range (`rede_<id>`) covers its header and rows — Sheets moves it
 * when rows or columns are inserted above or to the left, and grows it when rows are inserted
 * inside — and each of its columns carries developer metadata `rede.field` = `<id>|<path>`, so a
 * column is found by the field it holds, wherever it went. The binding itself (query, columns,
 * editable spec, last run) is developer metadata on the sheet.
 */
export interface RunRecord {
  at: string;
  ok: boolean;
  outcome: string;
  /** Consecutive failed attempts (0 after a success). */
  attempts: number;
}

export interface TableBinding {
  id: string;
  sheetId: number;
  title: string;
  columns: TableColumn[];
  queryName: string | null;
  /** The query text, kept only for queries written in the sidebar (saved ones are by name). */
  query: string | null;
  variables: Record<string, unknown>;
  typeName: string | null;
  editable: EditableSpec | null;
  lastRun: RunRecord | null;
}

/** Where a table is now: read from its named range and its columns' metadata, never stored. */
export interface Placement {
  sheet: GoogleAppsScript.Spreadsheet.Sheet;
  headerRow: number;
  firstColumn: number;
  lastColumn: number;
  /** Data rows inside the named range. */
  rows: number;
  /** Sheet column of each binding column, null when someone deleted that column. */
  positions: (number | null)[];
}

export const BINDING_KEY = 'rede.table';
export const FIELD_KEY = 'rede.field';
export const rangeName = (id: string) => `rede_${id}`;
const HIDDEN_SHEET_PREFIX = '_rede_';

export const colours = {
  header: '#0b5394',
  headerText: '#ffffff',
  created: '#d9ead3',
  updated: '#d9ead3',
  unchanged: null,
  conflict: '#f4cccc',
  invalid: '#fce5cd',
  forbidden: '#d9d2e9',
  pending: '#fff2cc',
} as const;

/**
 * A value as it must be written so the sheet stores exactly it: a leading `=`, `+`, `-`, `@`
 * (formula injection) or `'` (which Sheets would swallow) gets a protective apostrophe.
 */
export function sheetValue(cell: Cell | SheetValue): Cell | SheetValue {
  if (typeof cell === 'string' && cell.startsWith("'")) {
    return `'${cell}`;
  }
  return typeof cell === 'string' ? neutralizeFormula(cell) : cell;
}

function bindingEntries(sheet: GoogleAppsScript.Spreadsheet.Sheet) {
  return sheet.getDeveloperMetadata().filter((entry) => entry.getKey() === BINDING_KEY);
}

export function listBindings(): TableBinding[] {
  const bindings: TableBinding[] = [];
  for (const sheet of spreadsheet().getSheets()) {
    if (sheet.getName().startsWith(HIDDEN_SHEET_PREFIX)) {
      continue;
    }
    for (const entry of bindingEntries(sheet)) {
      bindings.push(JSON.parse(entry.getValue() ?? '{}') as TableBinding);
    }
  }
  return bindings;
}

export function findBinding(id: string): TableBinding | null {
  return listBindings().find((binding) => binding.id === id) ?? null;
}

function sheetById(id: number): GoogleAppsScript.Spreadsheet.Sheet | null {
  return (
    spreadsheet()
      .getSheets()
      .find((candidate) => candidate.getSheetId() === id) ?? null
  );
}

export function saveBinding(binding: TableBinding): void {
  const sheet = sheetById(binding.sheetId);
  if (!sheet) {
    throw new AddonError('errTableGone', { table: binding.title });
  }
  const value = JSON.stringify(binding);
  const existing = bindingEntries(sheet).find(
    (entry) => (JSON.parse(entry.getValue() ?? '{}') as TableBinding).id === binding.id,
  );
  if (existing) {
    existing.setValue(value);
  } else {
    sheet.addDeveloperMetadata(BINDING_KEY, value);
  }
}

/** The table's place now; throws when its range is gone (tab or rows deleted). */
export function locate(binding: TableBinding): Placement {
  const range = spreadsheet().getRangeByName(rangeName(binding.id));
  if (!range) {
    throw new AddonError('errTableGone', { table: binding.title });
  }
  const sheet = range.getSheet();
  const columnOf = new Map<string, number>();
  for (const entry of sheet.createDeveloperMetadataFinder().withKey(FIELD_KEY).find()) {
    const [id, path] = splitField(entry.getValue());
    const column = entry.getLocation().getColumn();
    if (id === binding.id && column) {
      columnOf.set(path, column.getColumn());
    }
  }
  return {
    sheet,
    headerRow: range.getRow(),
    firstColumn: range.getColumn(),
    lastColumn: range.getLastColumn(),
    rows: range.getNumRows() - 1,
    positions: binding.columns.map((column) => columnOf.get(column.path) ?? null),
  };
}

function splitField(value: string | null): [string, string] {
  const text = value ?? '';
  const bar = text.indexOf('|');
  return [text.slice(0, bar), text.slice(bar + 1)];
}

/** Runs of adjacent sheet columns: one `setValues` per run, not per column. */
interface Run {
  column: number;
  /** Binding column indexes, left to right. */
  indexes: number[];
}

export function columnRuns(positions: readonly (number | null)[]): Run[] {
  const placed = positions
    .map((column, index) => ({ column, index }))
    .filter((entry): entry is { column: number; index: number } => entry.column !== null)
    .sort((a, b) => a.column - b.column);
  const runs: Run[] = [];
  for (const entry of placed) {
    const last = runs[runs.length - 1];
    if (last && last.column + last.indexes.length === entry.column) {
      last.indexes.push(entry.index);
    } else {
      runs.push({ column: entry.column, indexes: [entry.index] });
    }
  }
  return runs;
}

/** Sheets have dimensions: a range past the last row or column is refused, so grow first. */
export function ensureSize(
  sheet: GoogleAppsScript.Spreadsheet.Sheet,
  rows: number,
  columns: number,
) {
  const maxRows = sheet.getMaxRows();
  if (maxRows < rows) {
    sheet.insertRowsAfter(maxRows, rows - maxRows);
  }
  const maxColumns = sheet.getMaxColumns();
  if (maxColumns < columns) {
    sheet.insertColumnsAfter(maxColumns, columns - maxColumns);
  }
}

const isText = (column: TableColumn) => column.kind === 'text' || column.kind === 'enum';

/**
 * Writes `rows` (binding column order) at sheet row `row`, at `positions`: text columns are
 * formatted as plain text first, so Sheets keeps "0012", "3-4" or "1,5" as the server sent
 * them; values go in blocks (never per cell, never one giant call).
 */
export function writeRows(
  sheet: GoogleAppsScript.Spreadsheet.Sheet,
  row: number,
  positions: readonly (number | null)[],
  columns: readonly TableColumn[],
  rows: readonly (readonly (Cell | SheetValue)[])[],
): void {
  if (rows.length === 0) {
    return;
  }
  const runs = columnRuns(positions);
  const lastColumn = Math.max(...runs.map((run) => run.column + run.indexes.length - 1));
  ensureSize(sheet, row + rows.length - 1, lastColumn);
  for (const run of runs) {
    for (const block of rowBlocks(rows as (Cell | SheetValue)[][], run.indexes.length)) {
      const top = row + block.offset;
      textSpans(run, columns).forEach(([start, width]) =>
        sheet.getRange(top, run.column + start, block.rows.length, width).setNumberFormat('@'),
      );
      sheet
        .getRange(top, run.column, block.rows.length, run.indexes.length)
        .setValues(
          block.rows.map((cells) => run.indexes.map((index) => sheetValue(cells[index] ?? null))),
        );
    }
  }
}

/** Spans `[offset in run, width]` of adjacent text columns inside a run. */
function textSpans(run: Run, columns: readonly TableColumn[]): [number, number][] {
  const spans: [number, number][] = [];
  run.indexes.forEach((index, offset) => {
    if (!isText(columns[index]!)) {
      return;
    }
    const last = spans[spans.length - 1];
    if (last && last[0] + last[1] === offset) {
      last[1] += 1;
    } else {
      spans.push([offset, 1]);
    }
  });
  return spans;
}

/** Reads `count` rows at sheet row `row` in binding column order (a deleted column reads null). */
export function readRows(
  sheet: GoogleAppsScript.Spreadsheet.Sheet,
  row: number,
  positions: readonly (number | null)[],
  count: number,
): SheetValue[][] {
  const placed = positions.filter((column): column is number => column !== null);
  if (count <= 0 || placed.length === 0) {
    return Array.from({ length: Math.max(count, 0) }, () => positions.map(() => null));
  }
  const first = Math.min(...placed);
  const last = Math.max(...placed);
  const block = sheet.getRange(row, first, count, last - first + 1).getValues() as SheetValue[][];
  return block.map((cells) =>
    positions.map((column) => (column === null ? null : (cells[column - first] ?? null))),
  );
}

const emptyRow = (row: readonly SheetValue[]) => row.every((cell) => cell === '' || cell === null);

/** The first row of another table below `placement` over the same columns (a hard stop). */
function nextTableRow(binding: TableBinding, placement: Placement): number {
  let stop = placement.sheet.getMaxRows() + 1;
  for (const named of spreadsheet().getNamedRanges()) {
    const range = named.getRange();
    if (
      named.getName() !== rangeName(binding.id) &&
      named.getName().startsWith('rede_') &&
      range.getSheet().getSheetId() === placement.sheet.getSheetId() &&
      range.getRow() > placement.headerRow &&
      range.getColumn() <= placement.lastColumn &&
      range.getLastColumn() >= placement.firstColumn
    ) {
      stop = Math.min(stop, range.getRow());
    }
  }
  return stop;
}

const LOOK_BELOW = 200;

/**
 * The table's rows as they are now: the named range's rows, plus rows someone typed right
 * under it (new records to create) until an empty row or another table.
 */
export function readTable(binding: TableBinding, placement = locate(binding)): SheetValue[][] {
  const first = placement.headerRow + 1;
  const stop = nextTableRow(binding, placement);
  const rows = readRows(placement.sheet, first, placement.positions, placement.rows);
  let next = first + placement.rows;
  while (next < stop) {
    const count = Math.min(LOOK_BELOW, stop - next);
    const more = readRows(placement.sheet, next, placement.positions, count);
    const end = more.findIndex(emptyRow);
    rows.push(...(end < 0 ? more : more.slice(0, end)));
    if (end >= 0) {
      break;
    }
    next += count;
  }
  return rows;
}

function hiddenSheet(name: string, create: boolean): GoogleAppsScript.Spreadsheet.Sheet | null {
  const book = spreadsheet();
  const existing = book.getSheetByName(name);
  if (existing || !create) {
    return existing;
  }
  const active = book.getActiveSheet();
  const sheet = book.insertSheet(name);
  sheet.hideSheet();
  book.setActiveSheet(active);
  return sheet;
}

export const snapshotSheetName = (id: string) => `${HIDDEN_SHEET_PREFIX}${id}`;
export const stagingSheetName = (id: string) => `${HIDDEN_SHEET_PREFIX}${id}_carga`;

/** Positions 1..n (binding order) from `offset`, for the hidden sheets. */
export const packed = (count: number, offset = 0) =>
  Array.from({ length: count }, (_, index) => offset + index + 1);

export function readSnapshot(binding: TableBinding): SheetValue[][] {
  const sheet = hiddenSheet(snapshotSheetName(binding.id), false);
  return sheet ? readRows(sheet, 1, packed(binding.columns.length), sheet.getLastRow()) : [];
}

export function writeSnapshot(
  binding: TableBinding,
  rows: readonly (readonly SheetValue[])[],
): void {
  const sheet = hiddenSheet(snapshotSheetName(binding.id), true)!;
  sheet.clearContents();
  writeRows(sheet, 1, packed(binding.columns.length), binding.columns, rows);
}

export function stagingSheet(id: string, reset: boolean): GoogleAppsScript.Spreadsheet.Sheet {
  const sheet = hiddenSheet(stagingSheetName(id), true)!;
  if (reset) {
    sheet.clearContents();
  }
  return sheet;
}

export function dropStaging(id: string): void {
  const sheet = hiddenSheet(stagingSheetName(id), false);
  if (sheet) {
    spreadsheet().deleteSheet(sheet);
  }
}

/**
 * Binds a new table at (`row`, `column`) of `sheet`: the header, its named range and the
 * metadata of every column. Rows come later, with `writeData`.
 */
export function placeTable(
  binding: TableBinding,
  sheet: GoogleAppsScript.Spreadsheet.Sheet,
  row: number,
  column: number,
  locale: Locale,
): Placement {
  const width = binding.columns.length;
  ensureSize(sheet, row + 1, column + width - 1);
  spreadsheet().setNamedRange(rangeName(binding.id), sheet.getRange(row, column, 1, width));
  binding.columns.forEach((spec, index) => {
    sheet
      .getRange(1, column + index, sheet.getMaxRows(), 1)
      .addDeveloperMetadata(FIELD_KEY, `${binding.id}|${spec.path}`);
  });
  binding.sheetId = sheet.getSheetId();
  saveBinding(binding);
  const placement = locate(binding);
  writeHeader(binding, placement, locale);
  return placement;
}

/** Portuguese headers (field path in each header's note), formatted; bookkeeping columns hidden. */
export function writeHeader(binding: TableBinding, placement: Placement, locale: Locale): void {
  const { sheet, headerRow } = placement;
  for (const run of columnRuns(placement.positions)) {
    const specs = run.indexes.map((index) => binding.columns[index]!);
    sheet
      .getRange(headerRow, run.column, 1, specs.length)
      .setNumberFormat('@')
      .setValues([specs.map((spec) => sheetValue(spec.header))])
      .setNotes([specs.map((spec) => translate(locale, 'headerNote', { path: spec.path }))])
      .setFontWeight('bold')
      .setBackground(colours.header)
      .setFontColor(colours.headerText);
    specs.forEach((spec, offset) => {
      if (spec.hidden) {
        sheet.hideColumns(run.column + offset);
      }
    });
  }
  if (headerRow === 1 && sheet.getFrozenRows() === 0) {
    sheet.setFrozenRows(1);
  }
}

/** Makes the named range cover the header and `rows` data rows. */
export function setExtent(binding: TableBinding, placement: Placement, rows: number): void {
  spreadsheet().setNamedRange(
    rangeName(binding.id),
    placement.sheet.getRange(
      placement.headerRow,
      placement.firstColumn,
      rows + 1,
      placement.lastColumn - placement.firstColumn + 1,
    ),
  );
}

/** Whether any cell of the block holds something (a value or a formula). */
export function filledCells(
  sheet: GoogleAppsScript.Spreadsheet.Sheet,
  row: number,
  column: number,
  rows: number,
  columns: number,
): number {
  const lastRow = Math.min(row + rows - 1, sheet.getMaxRows());
  const lastColumn = Math.min(column + columns - 1, sheet.getMaxColumns());
  if (lastRow < row || lastColumn < column) {
    return 0;
  }
  const range = sheet.getRange(row, column, lastRow - row + 1, lastColumn - column + 1);
  const values = range.getValues();
  const formulas = range.getFormulas();
  let filled = 0;
  values.forEach((cells, r) =>
    cells.forEach((cell, c) => {
      if (cell !== '' || formulas[r]![c] !== '') {
        filled += 1;
      }
    }),
  );
  return filled;
}

/** Clears `count` data rows from `offset` in the table's own columns (contents and marks). */
export function clearRows(placement: Placement, offset: number, count: number): void {
  if (count <= 0) {
    return;
  }
  for (const run of columnRuns(placement.positions)) {
    placement.sheet
      .getRange(placement.headerRow + 1 + offset, run.column, count, run.indexes.length)
      .clear();
  }
}

export interface Marks {
  backgrounds: (string | null)[][];
  notes: string[][];
}

/** Backgrounds and notes of the data area (binding column order), read as whole blocks. */
export function readMarks(placement: Placement, rows: number): Marks {
  const marks: Marks = {
    backgrounds: Array.from({ length: rows }, () => placement.positions.map(() => null)),
    notes: Array.from({ length: rows }, () => placement.positions.map(() => '')),
  };
  if (rows === 0) {
    return marks;
  }
  for (const run of columnRuns(placement.positions)) {
    const range = placement.sheet.getRange(
      placement.headerRow + 1,
      run.column,
      rows,
      run.indexes.length,
    );
    const backgrounds = range.getBackgrounds();
    const notes = range.getNotes();
    run.indexes.forEach((index, offset) => {
      for (let r = 0; r < rows; r += 1) {
        const colour = backgrounds[r]![offset]!;
        marks.backgrounds[r]![index] = colour === '#ffffff' ? null : colour;
        marks.notes[r]![index] = notes[r]![offset]!;
      }
    });
  }
  return marks;
}

export function writeMarks(placement: Placement, marks: Marks): void {
  if (marks.backgrounds.length === 0) {
    return;
  }
  for (const run of columnRuns(placement.positions)) {
    const range = placement.sheet.getRange(
      placement.headerRow + 1,
      run.column,
      marks.backgrounds.length,
      run.indexes.length,
    );
    range.setBackgrounds(
      marks.backgrounds.map((row) => run.indexes.map((index) => row[index] ?? '#ffffff')),
    );
    range.setNotes(marks.notes.map((row) => run.indexes.map((index) => row[index] ?? '')));
  }
}

/** Marks for `rows` rows: one colour and a note on the first column for each marked row. */
export function rowMarks(
  width: number,
  rows: number,
  mark: (row: number) => { colour: string | null; note: string } | null,
): Marks {
  const marks: Marks = { backgrounds: [], notes: [] };
  for (let row = 0; row < rows; row += 1) {
    const found = mark(row);
    marks.backgrounds.push(new Array<string | null>(width).fill(found?.colour ?? null));
    marks.notes.push(Array.from({ length: width }, (_, c) => (c === 0 && found ? found.note : '')));
  }
  return marks;
}

/** The binding whose header or data area holds the active cell, if any. */
export function bindingAtActiveCell(): TableBinding | null {
  const range = spreadsheet().getActiveRange();
  if (!range) {
    return null;
  }
  const sheetId = range.getSheet().getSheetId();
  for (const binding of listBindings()) {
    if (binding.sheetId !== sheetId) {
      continue;
    }
    const named = spreadsheet().getRangeByName(rangeName(binding.id));
    if (
      named &&
      range.getRow() >= named.getRow() &&
      range.getRow() <= named.getLastRow() &&
      range.getColumn() >= named.getColumn() &&
      range.getColumn() <= named.getLastColumn()
    ) {
      return binding;
    }
  }
  return null;
}
