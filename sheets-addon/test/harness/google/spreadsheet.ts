/**
 * SpreadsheetApp for one spreadsheet, as strict as the documentation: sheets have dimensions
 * (a new sheet is 1000 × 26 and a range outside them is refused), `setValues` parses strings as
 * typed (see `cell-entry.ts`), developer metadata sits on the spreadsheet, a sheet, or a whole
 * row or column (never an arbitrary range) and moves with its row or column, named ranges shift
 * and grow when rows and columns are inserted, custom functions only read.
 */
import { enterValue, isDate, type CellValue } from './cell-entry';
import { GoogleException, type GoogleHost } from './host';

interface CellState {
  value: CellValue | null;
  formula: string | null;
  note: string;
  background: string | null;
  fontWeight: string | null;
  fontColor: string | null;
  numberFormat: string | null;
}

const blankCell = (): CellState => ({
  value: null,
  formula: null,
  note: '',
  background: null,
  fontWeight: null,
  fontColor: null,
  numberFormat: null,
});

export const LocationType = {
  SPREADSHEET: 'SPREADSHEET',
  SHEET: 'SHEET',
  ROW: 'ROW',
  COLUMN: 'COLUMN',
} as const;
type LocationTypeName = keyof typeof LocationType;

/** Developer metadata: the sum of keys and values per sheet (and per spreadsheet). */
export const METADATA_CHARACTERS = 30_000;

function columnLetters(column: number): string {
  let letters = '';
  for (let n = column; n > 0; n = Math.floor((n - 1) / 26)) {
    letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  }
  return letters;
}

function columnNumber(letters: string): number {
  return [...letters].reduce((n, letter) => n * 26 + letter.charCodeAt(0) - 64, 0);
}

export class FakeMetadata {
  constructor(
    readonly book: FakeSpreadsheet,
    readonly id: number,
    public key: string,
    public value: string | null,
    public sheet: FakeSheet | null,
    public locationType: LocationTypeName,
    /** Row or column number for ROW and COLUMN locations. */
    public index: number,
  ) {}
  getId() {
    return this.id;
  }
  getKey() {
    return this.key;
  }
  getValue() {
    return this.value;
  }
  setValue(value: string) {
    this.book.host.require('document-write', 'DeveloperMetadata.setValue');
    const previous = this.value;
    this.value = value;
    try {
      this.book.checkMetadataSize(this.sheet);
    } catch (error) {
      this.value = previous;
      throw error;
    }
    return this;
  }
  remove() {
    this.book.host.require('document-write', 'DeveloperMetadata.remove');
    this.book.metadata = this.book.metadata.filter((entry) => entry !== this);
  }
  getVisibility() {
    return 'DOCUMENT';
  }
  getLocation() {
    return {
      getLocationType: () => this.locationType,
      getSheet: () => this.sheet,
      getSpreadsheet: () => this.book,
      getRow: () =>
        this.locationType === 'ROW' && this.sheet
          ? new FakeRange(this.sheet, this.index, 1, 1, this.sheet.maxColumns)
          : null,
      getColumn: () =>
        this.locationType === 'COLUMN' && this.sheet
          ? new FakeRange(this.sheet, 1, this.index, this.sheet.maxRows, 1)
          : null,
    };
  }
}

class MetadataFinder {
  private filters: ((entry: FakeMetadata) => boolean)[] = [];
  constructor(
    private readonly book: FakeSpreadsheet,
    scope: (entry: FakeMetadata) => boolean,
  ) {
    this.filters.push(scope);
  }
  withKey(key: string) {
    this.filters.push((entry) => entry.key === key);
    return this;
  }
  withValue(value: string) {
    this.filters.push((entry) => entry.value === value);
    return this;
  }
  withId(id: number) {
    this.filters.push((entry) => entry.id === id);
    return this;
  }
  withLocationType(type: LocationTypeName) {
    this.filters.push((entry) => entry.locationType === type);
    return this;
  }
  find() {
    this.book.host.require('document-read', 'DeveloperMetadataFinder.find');
    return this.book.metadata.filter((entry) => this.filters.every((filter) => filter(entry)));
  }
}

export class FakeRange {
  constructor(
    readonly sheet: FakeSheet,
    readonly row: number,
    readonly column: number,
    readonly numRows: number,
    readonly numColumns: number,
  ) {
    if (row < 1 || column < 1 || numRows < 1 || numColumns < 1) {
      throw new GoogleException(
        `The coordinates or dimensions of the range are invalid (${row}, ${column}, ${numRows}, ${numColumns}).`,
      );
    }
    if (row + numRows - 1 > sheet.maxRows || column + numColumns - 1 > sheet.maxColumns) {
      throw new GoogleException(
        'The coordinates of the range are outside the dimensions of the sheet.',
      );
    }
  }
  private get host() {
    return this.sheet.book.host;
  }
  private read(method: string) {
    this.host.require('document-read', `Range.${method}`);
    this.host.charge(this.numRows * this.numColumns * this.host.costs.cellReadMs);
  }
  private write(method: string) {
    this.host.require('document-write', `Range.${method}`);
    this.host.charge(this.numRows * this.numColumns * this.host.costs.cellWriteMs);
  }
  private each<T>(read: (cell: CellState) => T): T[][] {
    return Array.from({ length: this.numRows }, (_, r) =>
      Array.from({ length: this.numColumns }, (__, c) =>
        read(this.sheet.cell(this.row + r, this.column + c)),
      ),
    );
  }
  private assign<T>(values: T[][], method: string, write: (cell: CellState, value: T) => void) {
    if (
      !Array.isArray(values) ||
      values.length !== this.numRows ||
      values.some((row) => !Array.isArray(row) || row.length !== this.numColumns)
    ) {
      throw new GoogleException(
        `The number of rows or columns in the data does not match the range (${method}: the data has ${values?.length ?? 0}x${values?.[0]?.length ?? 0}, the range is ${this.numRows}x${this.numColumns}).`,
      );
    }
    values.forEach((row, r) =>
      row.forEach((value, c) => write(this.sheet.cell(this.row + r, this.column + c, true), value)),
    );
    this.sheet.book.counters.cellsWritten += this.numRows * this.numColumns;
    return this;
  }
  /** True for a range covering whole rows or whole columns (developer metadata's locations). */
  private get wholeRows() {
    return this.column === 1 && this.numColumns === this.sheet.maxColumns;
  }
  private get wholeColumns() {
    return this.row === 1 && this.numRows === this.sheet.maxRows;
  }
  getSheet() {
    return this.sheet;
  }
  getRow() {
    return this.row;
  }
  getColumn() {
    return this.column;
  }
  getLastRow() {
    return this.row + this.numRows - 1;
  }
  getLastColumn() {
    return this.column + this.numColumns - 1;
  }
  getNumRows() {
    return this.numRows;
  }
  getNumColumns() {
    return this.numColumns;
  }
  getA1Notation() {
    const start = `${columnLetters(this.column)}${this.row}`;
    return this.numRows === 1 && this.numColumns === 1
      ? start
      : `${start}:${columnLetters(this.getLastColumn())}${this.getLastRow()}`;
  }
  getValues() {
    this.read('getValues');
    this.sheet.book.counters.getValuesCalls += 1;
    return this.each((cell) =>
      cell.value === null ? '' : isDate(cell.value) ? new Date(cell.value.getTime()) : cell.value,
    );
  }
  getDisplayValues() {
    this.read('getDisplayValues');
    return this.each((cell) => (cell.value === null ? '' : String(cell.value)));
  }
  getFormulas() {
    this.read('getFormulas');
    return this.each((cell) => cell.formula ?? '');
  }
  setValues(values: unknown[][]) {
    this.write('setValues');
    this.sheet.book.counters.setValuesCalls += 1;
    const locale = this.sheet.book.locale;
    const today = new Date(this.host.clock.now);
    return this.assign(values, 'setValues', (cell, value) => {
      const entered = enterValue(value, cell.numberFormat, locale, today);
      cell.value = entered.value;
      cell.formula = entered.formula;
    });
  }
  setValue(): never {
    throw new Error('the add-on writes blocks with setValues, never one cell at a time');
  }
  getNumberFormats() {
    this.read('getNumberFormats');
    return this.each((cell) => cell.numberFormat ?? 'General');
  }
  setNumberFormat(format: string) {
    this.write('setNumberFormat');
    return this.assign(
      this.each(() => format),
      'setNumberFormat',
      (cell, value) => (cell.numberFormat = value === 'General' ? null : value),
    );
  }
  setNumberFormats(formats: string[][]) {
    this.write('setNumberFormats');
    return this.assign(
      formats,
      'setNumberFormats',
      (cell, value) => (cell.numberFormat = !value || value === 'General' ? null : value),
    );
  }
  getNotes() {
    this.read('getNotes');
    return this.each((cell) => cell.note);
  }
  setNotes(notes: (string | null)[][]) {
    this.write('setNotes');
    return this.assign(notes, 'setNotes', (cell, note) => (cell.note = note ?? ''));
  }
  setNote(note: string | null) {
    this.write('setNote');
    return this.assign(
      this.each(() => note),
      'setNote',
      (cell, value) => (cell.note = value ?? ''),
    );
  }
  getBackgrounds() {
    this.read('getBackgrounds');
    return this.each((cell) => cell.background ?? '#ffffff');
  }
  setBackgrounds(colours: (string | null)[][]) {
    this.write('setBackgrounds');
    return this.assign(colours, 'setBackgrounds', (cell, colour) => {
      cell.background = colour === '#ffffff' ? null : colour;
    });
  }
  setBackground(colour: string | null) {
    this.write('setBackground');
    return this.assign(
      this.each(() => colour),
      'setBackground',
      (cell, value) => (cell.background = value === '#ffffff' ? null : value),
    );
  }
  setFontWeight(weight: string) {
    this.write('setFontWeight');
    return this.assign(
      this.each(() => weight),
      'setFontWeight',
      (cell, value) => (cell.fontWeight = value),
    );
  }
  setFontColor(colour: string) {
    this.write('setFontColor');
    return this.assign(
      this.each(() => colour),
      'setFontColor',
      (cell, value) => (cell.fontColor = value),
    );
  }
  clear(options?: { contentsOnly?: boolean; formatOnly?: boolean }) {
    this.write('clear');
    for (let r = 0; r < this.numRows; r += 1) {
      for (let c = 0; c < this.numColumns; c += 1) {
        const cell = this.sheet.cell(this.row + r, this.column + c, true);
        const { value, formula } = cell;
        if (!options?.contentsOnly) {
          Object.assign(cell, blankCell(), { value, formula });
        }
        if (!options?.formatOnly) {
          cell.value = null;
          cell.formula = null;
        }
      }
    }
    return this;
  }
  clearContent() {
    return this.clear({ contentsOnly: true });
  }
  isBlank() {
    this.read('isBlank');
    return this.each((cell) => cell.value === null && cell.formula === null).every((row) =>
      row.every(Boolean),
    );
  }
  addDeveloperMetadata(key: string, value?: string) {
    this.host.require('document-write', 'Range.addDeveloperMetadata');
    if (this.wholeRows && this.numRows === 1) {
      return this.sheet.book.addMetadata(key, value ?? null, this.sheet, 'ROW', this.row);
    }
    if (this.wholeColumns && this.numColumns === 1) {
      return this.sheet.book.addMetadata(key, value ?? null, this.sheet, 'COLUMN', this.column);
    }
    throw new GoogleException(
      'Adding developer metadata to arbitrary ranges is not currently supported. Developer metadata may only be added to the top-level spreadsheet, an individual sheet, or an entire row or column.',
    );
  }
  getDeveloperMetadata() {
    this.host.require('document-read', 'Range.getDeveloperMetadata');
    return this.sheet.book.metadata.filter(
      (entry) =>
        entry.sheet === this.sheet &&
        ((entry.locationType === 'ROW' &&
          this.wholeRows &&
          entry.index >= this.row &&
          entry.index <= this.getLastRow()) ||
          (entry.locationType === 'COLUMN' &&
            this.wholeColumns &&
            entry.index >= this.column &&
            entry.index <= this.getLastColumn())),
    );
  }
}

interface NamedRangeState {
  name: string;
  sheet: FakeSheet;
  row: number;
  column: number;
  lastRow: number;
  lastColumn: number;
}

export class FakeSheet {
  cells = new Map<string, CellState>();
  maxRows = 1000;
  maxColumns = 26;
  frozenRows = 0;
  hidden = false;
  hiddenColumns = new Set<number>();
  /** The cell selected on this sheet (Sheets remembers one per sheet). */
  selection: FakeRange | null = null;

  constructor(
    readonly book: FakeSpreadsheet,
    readonly id: number,
    public name: string,
  ) {}

  private key(row: number, column: number) {
    return `${row}:${column}`;
  }
  cell(row: number, column: number, create = false): CellState {
    const key = this.key(row, column);
    let cell = this.cells.get(key);
    if (!cell) {
      cell = blankCell();
      if (create) {
        this.cells.set(key, cell);
      }
    }
    return cell;
  }
  getSheetId() {
    return this.id;
  }
  getName() {
    return this.name;
  }
  getParent() {
    return this.book;
  }
  getMaxRows() {
    return this.maxRows;
  }
  getMaxColumns() {
    return this.maxColumns;
  }
  getRange(row: number | string, column?: number, numRows = 1, numColumns = 1) {
    this.book.host.require('document-read', 'Sheet.getRange');
    if (typeof row === 'string') {
      return this.rangeOfA1(row);
    }
    return new FakeRange(this, row, column ?? 1, numRows, numColumns);
  }
  private rangeOfA1(a1: string): FakeRange {
    const cell = /^([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?$/.exec(a1);
    if (cell) {
      const [column, row] = [columnNumber(cell[1]!), Number(cell[2])];
      const [lastColumn, lastRow] = cell[3]
        ? [columnNumber(cell[3]), Number(cell[4])]
        : [column, row];
      return new FakeRange(this, row, column, lastRow - row + 1, lastColumn - column + 1);
    }
    const columns = /^([A-Z]+):([A-Z]+)$/.exec(a1);
    if (columns) {
      const [first, last] = [columnNumber(columns[1]!), columnNumber(columns[2]!)];
      return new FakeRange(this, 1, first, this.maxRows, last - first + 1);
    }
    const rows = /^(\d+):(\d+)$/.exec(a1);
    if (rows) {
      const [first, last] = [Number(rows[1]), Number(rows[2])];
      return new FakeRange(this, first, 1, last - first + 1, this.maxColumns);
    }
    throw new GoogleException(`Range not found: ${a1}`);
  }
  getLastRow() {
    this.book.host.require('document-read', 'Sheet.getLastRow');
    let last = 0;
    for (const [key, cell] of this.cells) {
      if (cell.value !== null || cell.formula !== null) {
        last = Math.max(last, Number(key.split(':')[0]));
      }
    }
    return last;
  }
  getLastColumn() {
    this.book.host.require('document-read', 'Sheet.getLastColumn');
    let last = 0;
    for (const [key, cell] of this.cells) {
      if (cell.value !== null || cell.formula !== null) {
        last = Math.max(last, Number(key.split(':')[1]));
      }
    }
    return last;
  }
  clearContents() {
    this.book.host.require('document-write', 'Sheet.clearContents');
    for (const cell of this.cells.values()) {
      cell.value = null;
      cell.formula = null;
    }
    return this;
  }
  clear() {
    this.book.host.require('document-write', 'Sheet.clear');
    this.cells.clear();
    return this;
  }
  hideSheet() {
    this.book.host.require('document-write', 'Sheet.hideSheet');
    this.hidden = true;
    return this;
  }
  isSheetHidden() {
    return this.hidden;
  }
  hideColumns(column: number, count = 1) {
    this.book.host.require('document-write', 'Sheet.hideColumns');
    for (let c = column; c < column + count; c += 1) {
      this.hiddenColumns.add(c);
    }
  }
  isColumnHiddenByUser(column: number) {
    return this.hiddenColumns.has(column);
  }
  setFrozenRows(rows: number) {
    this.book.host.require('document-write', 'Sheet.setFrozenRows');
    this.frozenRows = rows;
  }
  getFrozenRows() {
    return this.frozenRows;
  }
  /** Sheet-level metadata only, as the documentation says (rows and columns need a finder). */
  getDeveloperMetadata() {
    this.book.host.require('document-read', 'Sheet.getDeveloperMetadata');
    return this.book.metadata.filter(
      (entry) => entry.sheet === this && entry.locationType === 'SHEET',
    );
  }
  addDeveloperMetadata(key: string, value?: string) {
    this.book.host.require('document-write', 'Sheet.addDeveloperMetadata');
    return this.book.addMetadata(key, value ?? null, this, 'SHEET', 0);
  }
  createDeveloperMetadataFinder() {
    return new MetadataFinder(this.book, (entry) => entry.sheet === this);
  }

  insertRowsBefore(before: number, count: number) {
    this.book.host.require('document-write', 'Sheet.insertRowsBefore');
    this.book.shift(this, 'row', before, count);
    return this;
  }
  insertRowsAfter(after: number, count: number) {
    this.book.host.require('document-write', 'Sheet.insertRowsAfter');
    this.book.shift(this, 'row', after + 1, count);
    return this;
  }
  insertColumnsBefore(before: number, count: number) {
    this.book.host.require('document-write', 'Sheet.insertColumnsBefore');
    this.book.shift(this, 'column', before, count);
    return this;
  }
  insertColumnsAfter(after: number, count: number) {
    this.book.host.require('document-write', 'Sheet.insertColumnsAfter');
    this.book.shift(this, 'column', after + 1, count);
    return this;
  }
  deleteRows(row: number, count: number) {
    this.book.host.require('document-write', 'Sheet.deleteRows');
    this.book.remove(this, 'row', row, count);
  }
  deleteColumns(column: number, count: number) {
    this.book.host.require('document-write', 'Sheet.deleteColumns');
    this.book.remove(this, 'column', column, count);
  }

  /** Moves cells, formats and hidden columns: `position(row or column)` → new position or null. */
  remap(axis: 'row' | 'column', position: (index: number) => number | null) {
    const moved = new Map<string, CellState>();
    for (const [key, cell] of this.cells) {
      const [row, column] = key.split(':').map(Number) as [number, number];
      const next = position(axis === 'row' ? row : column);
      if (next !== null) {
        moved.set(axis === 'row' ? this.key(next, column) : this.key(row, next), cell);
      }
    }
    this.cells = moved;
    if (axis === 'column') {
      this.hiddenColumns = new Set(
        [...this.hiddenColumns].map(position).filter((c): c is number => c !== null),
      );
    }
  }

  /** Test helper: the values of a block, '' for empty (as `getValues`, without an execution). */
  values(row: number, column: number, numRows: number, numColumns: number) {
    return new FakeRange(this, row, column, numRows, numColumns).getValues();
  }
}

export class FakeSpreadsheet {
  sheets: FakeSheet[] = [];
  metadata: FakeMetadata[] = [];
  namedRanges: NamedRangeState[] = [];
  active: FakeSheet;
  toasts: string[] = [];
  locale = 'pt_BR';
  timeZone = 'America/Sao_Paulo';
  readonly counters = { setValuesCalls: 0, cellsWritten: 0, getValuesCalls: 0 };
  private nextSheetId = 1;
  private nextMetadataId = 1;

  constructor(
    readonly host: GoogleHost,
    readonly id = 'planilha-cosems-rs',
  ) {
    this.active = this.newSheet('Página1');
  }

  private newSheet(name: string) {
    if (this.sheets.some((sheet) => sheet.name === name)) {
      throw new GoogleException(
        `A sheet with the name "${name}" already exists. Please enter another name.`,
      );
    }
    const sheet = new FakeSheet(this, this.nextSheetId++ * 1000, name);
    this.sheets.push(sheet);
    return sheet;
  }
  getId() {
    return this.id;
  }
  getName() {
    return 'Municípios COSEMS-RS';
  }
  getSpreadsheetTimeZone() {
    this.host.require('document-read', 'Spreadsheet.getSpreadsheetTimeZone');
    return this.timeZone;
  }
  getSpreadsheetLocale() {
    this.host.require('document-read', 'Spreadsheet.getSpreadsheetLocale');
    return this.locale;
  }
  getSheets() {
    this.host.require('document-read', 'Spreadsheet.getSheets');
    return [...this.sheets];
  }
  getSheetByName(name: string) {
    this.host.require('document-read', 'Spreadsheet.getSheetByName');
    return this.sheets.find((sheet) => sheet.name === name) ?? null;
  }
  getSheetById(id: number) {
    this.host.require('document-read', 'Spreadsheet.getSheetById');
    return this.sheets.find((sheet) => sheet.id === id) ?? null;
  }
  insertSheet(name: string) {
    this.host.require('document-write', 'Spreadsheet.insertSheet');
    const sheet = this.newSheet(name);
    this.active = sheet; // as in Sheets: the new sheet becomes the active one
    return sheet;
  }
  deleteSheet(sheet: FakeSheet) {
    this.host.require('document-write', 'Spreadsheet.deleteSheet');
    this.sheets = this.sheets.filter((candidate) => candidate !== sheet);
    this.metadata = this.metadata.filter((entry) => entry.sheet !== sheet);
    this.namedRanges = this.namedRanges.filter((named) => named.sheet !== sheet);
    if (this.active === sheet) {
      this.active = this.sheets[0]!;
    }
  }
  getActiveSheet() {
    this.host.require('document-read', 'Spreadsheet.getActiveSheet');
    return this.active;
  }
  setActiveSheet(sheet: FakeSheet) {
    this.active = sheet;
    return sheet;
  }
  getActiveRange() {
    this.host.require('document-read', 'Spreadsheet.getActiveRange');
    return this.active.selection ?? new FakeRange(this.active, 1, 1, 1, 1);
  }
  toast(message: string) {
    this.host.require('ui', 'Spreadsheet.toast');
    this.toasts.push(message);
  }
  /** Test helper: what the user clicked. */
  select(sheet: FakeSheet, a1: string) {
    this.active = sheet;
    sheet.selection = sheet.getRange(a1);
  }

  createDeveloperMetadataFinder() {
    return new MetadataFinder(this, () => true);
  }
  getDeveloperMetadata() {
    this.host.require('document-read', 'Spreadsheet.getDeveloperMetadata');
    return this.metadata.filter((entry) => entry.locationType === 'SPREADSHEET');
  }
  addMetadata(
    key: string,
    value: string | null,
    sheet: FakeSheet | null,
    type: LocationTypeName,
    index: number,
  ) {
    if (!key) {
      throw new GoogleException('Developer metadata keys must not be empty.');
    }
    const entry = new FakeMetadata(this, this.nextMetadataId++, key, value, sheet, type, index);
    this.metadata.push(entry);
    try {
      this.checkMetadataSize(sheet);
    } catch (error) {
      this.metadata.pop();
      throw error;
    }
    return sheet ?? this;
  }
  checkMetadataSize(sheet: FakeSheet | null) {
    const size = (entries: FakeMetadata[]) =>
      entries.reduce((sum, entry) => sum + entry.key.length + (entry.value?.length ?? 0), 0);
    if (size(this.metadata) > METADATA_CHARACTERS * (this.sheets.length + 1)) {
      throw new GoogleException('Developer metadata of this spreadsheet is over its size limit.');
    }
    if (
      sheet &&
      size(this.metadata.filter((entry) => entry.sheet === sheet)) > METADATA_CHARACTERS
    ) {
      throw new GoogleException(
        `Developer metadata on sheet "${sheet.name}" would exceed ${METADATA_CHARACTERS} characters.`,
      );
    }
  }

  setNamedRange(name: string, range: FakeRange) {
    this.host.require('document-write', 'Spreadsheet.setNamedRange');
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,249}$/.test(name) || /^[A-Za-z]{1,3}\d+$/.test(name)) {
      throw new GoogleException(`Invalid named range name: ${name}`);
    }
    this.namedRanges = this.namedRanges.filter((named) => named.name !== name);
    this.namedRanges.push({
      name,
      sheet: range.sheet,
      row: range.row,
      column: range.column,
      lastRow: range.getLastRow(),
      lastColumn: range.getLastColumn(),
    });
  }
  getRangeByName(name: string) {
    this.host.require('document-read', 'Spreadsheet.getRangeByName');
    const named = this.namedRanges.find((candidate) => candidate.name === name);
    return named ? this.rangeOf(named) : null;
  }
  private rangeOf(named: NamedRangeState) {
    return new FakeRange(
      named.sheet,
      named.row,
      named.column,
      named.lastRow - named.row + 1,
      named.lastColumn - named.column + 1,
    );
  }
  getNamedRanges() {
    this.host.require('document-read', 'Spreadsheet.getNamedRanges');
    return this.namedRanges.map((named) => ({
      getName: () => named.name,
      getRange: () => this.rangeOf(named),
      setRange: (range: FakeRange) => this.setNamedRange(named.name, range),
      remove: () => this.removeNamedRange(named.name),
    }));
  }
  removeNamedRange(name: string) {
    this.host.require('document-write', 'Spreadsheet.removeNamedRange');
    this.namedRanges = this.namedRanges.filter((named) => named.name !== name);
  }

  /**
   * `count` rows or columns inserted before `at` on `sheet`: cells, metadata, named ranges and
   * frozen rows follow. A named range grows when the insertion falls inside it (after its first
   * row or column), and moves when it falls at or before its start — as in Sheets.
   */
  shift(sheet: FakeSheet, axis: 'row' | 'column', at: number, count: number) {
    if (count < 1) {
      throw new GoogleException('The number of rows or columns to insert must be at least 1.');
    }
    sheet.remap(axis, (index) => (index >= at ? index + count : index));
    for (const entry of this.metadata) {
      if (entry.sheet === sheet && entry.locationType === (axis === 'row' ? 'ROW' : 'COLUMN')) {
        entry.index = entry.index >= at ? entry.index + count : entry.index;
      }
    }
    for (const named of this.namedRanges.filter((candidate) => candidate.sheet === sheet)) {
      const [first, last] = axis === 'row' ? ['row', 'lastRow'] : ['column', 'lastColumn'];
      const start = named[first as 'row'];
      const end = named[last as 'lastRow'];
      if (start >= at) {
        named[first as 'row'] = start + count;
        named[last as 'lastRow'] = end + count;
      } else if (end >= at) {
        named[last as 'lastRow'] = end + count;
      }
    }
    if (axis === 'row') {
      sheet.maxRows += count;
      if (at <= sheet.frozenRows) {
        sheet.frozenRows += count;
      }
    } else {
      sheet.maxColumns += count;
    }
  }

  /** Rows or columns `[at, at + count)` deleted: what sat on them goes with them. */
  remove(sheet: FakeSheet, axis: 'row' | 'column', at: number, count: number) {
    const end = at + count;
    const position = (index: number) => (index < at ? index : index >= end ? index - count : null);
    sheet.remap(axis, position);
    this.metadata = this.metadata.filter((entry) => {
      if (entry.sheet !== sheet || entry.locationType !== (axis === 'row' ? 'ROW' : 'COLUMN')) {
        return true;
      }
      const next = position(entry.index);
      if (next === null) {
        return false;
      }
      entry.index = next;
      return true;
    });
    this.namedRanges = this.namedRanges.filter((named) => {
      if (named.sheet !== sheet) {
        return true;
      }
      const [first, last] = axis === 'row' ? ['row', 'lastRow'] : ['column', 'lastColumn'];
      const start = named[first as 'row'];
      const stop = named[last as 'lastRow'];
      const kept = Array.from({ length: stop - start + 1 }, (_, i) => position(start + i)).filter(
        (index): index is number => index !== null,
      );
      if (kept.length === 0) {
        return false;
      }
      named[first as 'row'] = kept[0]!;
      named[last as 'lastRow'] = kept[kept.length - 1]!;
      return true;
    });
    if (axis === 'row') {
      sheet.maxRows -= count;
    } else {
      sheet.maxColumns -= count;
    }
  }
}
