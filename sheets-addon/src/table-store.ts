import { neutralizeFormula, type Cell } from '../../api/src/queries/query-paging';
import { rowBlocks } from './batching';
import { type EditableSpec } from './editable';
import { type SheetValue } from './row-diff';

/**
 * A table in a sheet bound to its query: kept as developer metadata on the sheet (survives
 * moving rows, invisible to users), one entry per table.
 */
export interface TableBinding {
  id: string;
  sheetId: number;
  /** Sheet row and column of the header row's first cell (1-based). */
  row: number;
  column: number;
  columns: string[];
  /** Data rows (below the header) currently in the table. */
  rows: number;
  queryName: string | null;
  /** The query text, kept only for queries written in the sidebar (saved ones are by name). */
  query: string | null;
  variables: Record<string, unknown>;
  typeName: string | null;
  editable: EditableSpec | null;
  lastRun: { at: string; ok: boolean; outcome: string } | null;
}

export const BINDING_KEY = 'rede.table';
const HIDDEN_COLUMNS = ['version', 'id'];

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

function spreadsheet(): GoogleAppsScript.Spreadsheet.Spreadsheet {
  return SpreadsheetApp.getActiveSpreadsheet();
}

function metadataOf(sheet: GoogleAppsScript.Spreadsheet.Sheet) {
  return sheet.getDeveloperMetadata().filter((entry) => entry.getKey() === BINDING_KEY);
}

export function listBindings(): TableBinding[] {
  const bindings: TableBinding[] = [];
  for (const sheet of spreadsheet().getSheets()) {
    for (const entry of metadataOf(sheet)) {
      bindings.push(JSON.parse(entry.getValue() ?? '{}') as TableBinding);
    }
  }
  return bindings;
}

export function findBinding(id: string): TableBinding | null {
  return listBindings().find((binding) => binding.id === id) ?? null;
}

export function sheetOf(binding: TableBinding): GoogleAppsScript.Spreadsheet.Sheet {
  const sheet = spreadsheet()
    .getSheets()
    .find((candidate) => candidate.getSheetId() === binding.sheetId);
  if (!sheet) {
    throw new Error(`the sheet of table ${binding.id} was deleted`);
  }
  return sheet;
}

export function saveBinding(binding: TableBinding): void {
  const sheet = sheetOf(binding);
  const value = JSON.stringify(binding);
  const existing = metadataOf(sheet).find(
    (entry) => (JSON.parse(entry.getValue() ?? '{}') as TableBinding).id === binding.id,
  );
  if (existing) {
    existing.setValue(value);
  } else {
    sheet.addDeveloperMetadata(BINDING_KEY, value);
  }
}

/** The binding whose header or data area holds the active cell, if any. */
export function bindingAtActiveCell(): TableBinding | null {
  const range = spreadsheet().getActiveRange();
  if (!range) {
    return null;
  }
  const sheetId = range.getSheet().getSheetId();
  const row = range.getRow();
  const column = range.getColumn();
  return (
    listBindings().find(
      (binding) =>
        binding.sheetId === sheetId &&
        row >= binding.row &&
        row <= binding.row + Math.max(binding.rows, 1) &&
        column >= binding.column &&
        column < binding.column + binding.columns.length,
    ) ?? null
  );
}

function hiddenSheet(name: string, create: boolean): GoogleAppsScript.Spreadsheet.Sheet | null {
  const book = spreadsheet();
  const existing = book.getSheetByName(name);
  if (existing || !create) {
    return existing;
  }
  const sheet = book.insertSheet(name);
  sheet.hideSheet();
  return sheet;
}

export const snapshotSheetName = (id: string) => `_rede_${id}`;
export const stagingSheetName = (id: string) => `_rede_${id}_carga`;

/** Writes rows at (row, column) of `sheet` in blocks: never per cell, never one giant call. */
export function writeRows(
  sheet: GoogleAppsScript.Spreadsheet.Sheet,
  row: number,
  column: number,
  rows: readonly (readonly (Cell | SheetValue)[])[],
  width: number,
): void {
  for (const block of rowBlocks(rows as (Cell | SheetValue)[][], width)) {
    sheet
      .getRange(row + block.offset, column, block.rows.length, width)
      .setValues(block.rows.map((cells) => cells.map((cell) => neutralizeFormula(cell as Cell))));
  }
}

export function readRows(
  sheet: GoogleAppsScript.Spreadsheet.Sheet,
  row: number,
  column: number,
  count: number,
  width: number,
): SheetValue[][] {
  if (count <= 0) {
    return [];
  }
  return sheet.getRange(row, column, count, width).getValues() as SheetValue[][];
}

export function readTable(binding: TableBinding): SheetValue[][] {
  const sheet = sheetOf(binding);
  // Rows added under the table are part of it (new rows to create) until an empty row.
  const lastRow = sheet.getLastRow();
  const rows = readRows(
    sheet,
    binding.row + 1,
    binding.column,
    Math.max(binding.rows, lastRow - binding.row),
    binding.columns.length,
  );
  let end = rows.length;
  while (end > binding.rows && rows[end - 1]!.every((cell) => cell === '' || cell === null)) {
    end -= 1;
  }
  return rows.slice(0, end);
}

export function readSnapshot(binding: TableBinding): SheetValue[][] {
  const sheet = hiddenSheet(snapshotSheetName(binding.id), false);
  return sheet ? readRows(sheet, 1, 1, sheet.getLastRow(), binding.columns.length) : [];
}

export function writeSnapshot(
  binding: TableBinding,
  rows: readonly (readonly SheetValue[])[],
): void {
  const sheet = hiddenSheet(snapshotSheetName(binding.id), true)!;
  sheet.clearContents();
  writeRows(sheet, 1, 1, rows, binding.columns.length);
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

/** Header formatting, freezing and hidden bookkeeping columns: a handful of calls per table. */
export function formatHeader(binding: TableBinding): void {
  const sheet = sheetOf(binding);
  sheet
    .getRange(binding.row, binding.column, 1, binding.columns.length)
    .setValues([binding.columns])
    .setFontWeight('bold')
    .setBackground(colours.header)
    .setFontColor(colours.headerText);
  sheet.setFrozenRows(binding.row);
  binding.columns.forEach((column, index) => {
    if (HIDDEN_COLUMNS.includes(column)) {
      sheet.hideColumns(binding.column + index);
    }
  });
}

/** Backgrounds and notes of the data area, read and written as whole blocks. */
export function readMarks(binding: TableBinding, rows: number) {
  if (rows === 0) {
    return { backgrounds: [] as (string | null)[][], notes: [] as string[][] };
  }
  const range = sheetOf(binding).getRange(
    binding.row + 1,
    binding.column,
    rows,
    binding.columns.length,
  );
  return {
    backgrounds: range.getBackgrounds() as (string | null)[][],
    notes: range.getNotes() as string[][],
  };
}

export function writeMarks(
  binding: TableBinding,
  marks: { backgrounds: (string | null)[][]; notes: string[][] },
): void {
  if (marks.backgrounds.length === 0) {
    return;
  }
  const range = sheetOf(binding).getRange(
    binding.row + 1,
    binding.column,
    marks.backgrounds.length,
    binding.columns.length,
  );
  range.setBackgrounds(marks.backgrounds as string[][]);
  range.setNotes(marks.notes);
}
