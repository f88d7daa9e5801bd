/**
 * In-memory stand-ins for the Google services the add-on touches. They keep what a test needs to
 * check (values, notes, colours, metadata, frozen rows, hidden sheets/columns, triggers) and
 * enforce the limits that shape the design: no per-cell writes, property values under 9 KB,
 * cache values under 100 KB.
 */
import fs from 'node:fs';
import path from 'node:path';

type Value = string | number | boolean | Date | null;

interface CellState {
  value: Value;
  note: string;
  background: string | null;
  fontWeight: string | null;
  fontColor: string | null;
}

export interface Counters {
  setValuesCalls: number;
  cellsWritten: number;
  getValuesCalls: number;
  urlFetches: number;
}

export const counters: Counters = {
  setValuesCalls: 0,
  cellsWritten: 0,
  getValuesCalls: 0,
  urlFetches: 0,
};

function columnLetters(column: number): string {
  let letters = '';
  for (let n = column; n > 0; n = Math.floor((n - 1) / 26)) {
    letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  }
  return letters;
}

export class FakeMetadata {
  constructor(
    private readonly owner: FakeSheet,
    private readonly key: string,
    private value: string,
  ) {}
  getKey() {
    return this.key;
  }
  getValue() {
    return this.value;
  }
  setValue(value: string) {
    this.value = value;
    return this;
  }
  remove() {
    this.owner.metadata = this.owner.metadata.filter((entry) => entry !== this);
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
      throw new Error(`Invalid range (${row}, ${column}, ${numRows}, ${numColumns})`);
    }
  }
  private each<T>(read: (cell: CellState) => T): T[][] {
    return Array.from({ length: this.numRows }, (_, r) =>
      Array.from({ length: this.numColumns }, (__, c) =>
        read(this.sheet.cell(this.row + r, this.column + c)),
      ),
    );
  }
  private assign<T>(values: T[][], write: (cell: CellState, value: T) => void, what: string) {
    if (values.length !== this.numRows || values.some((row) => row.length !== this.numColumns)) {
      throw new Error(
        `${what}: the data has ${values.length}x${values[0]?.length ?? 0} cells but the range is ${this.numRows}x${this.numColumns}`,
      );
    }
    values.forEach((row, r) =>
      row.forEach((value, c) => write(this.sheet.cell(this.row + r, this.column + c, true), value)),
    );
    return this;
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
      : `${start}:${columnLetters(this.column + this.numColumns - 1)}${this.row + this.numRows - 1}`;
  }
  getValues() {
    counters.getValuesCalls += 1;
    return this.each((cell) => (cell.value === null ? '' : cell.value));
  }
  setValues(values: Value[][]) {
    counters.setValuesCalls += 1;
    counters.cellsWritten += this.numRows * this.numColumns;
    // Like Sheets: a leading apostrophe forces text and is not part of the value.
    return this.assign(
      values,
      (cell, value) => {
        cell.value =
          value === '' || value === undefined
            ? null
            : typeof value === 'string' && value.startsWith("'")
              ? value.slice(1)
              : value;
      },
      'setValues',
    );
  }
  setValue(): never {
    throw new Error('per-cell write: use setValues on a block');
  }
  getNotes() {
    return this.each((cell) => cell.note);
  }
  setNotes(notes: string[][]) {
    return this.assign(notes, (cell, note) => (cell.note = note ?? ''), 'setNotes');
  }
  getBackgrounds() {
    return this.each((cell) => cell.background ?? '#ffffff');
  }
  setBackgrounds(colours: (string | null)[][]) {
    return this.assign(
      colours,
      (cell, colour) => (cell.background = colour === '#ffffff' ? null : colour),
      'setBackgrounds',
    );
  }
  setBackground(colour: string | null) {
    this.each((cell) => cell);
    for (let r = 0; r < this.numRows; r += 1) {
      for (let c = 0; c < this.numColumns; c += 1) {
        this.sheet.cell(this.row + r, this.column + c, true).background = colour;
      }
    }
    return this;
  }
  setFontWeight(weight: string) {
    for (let c = 0; c < this.numColumns; c += 1) {
      for (let r = 0; r < this.numRows; r += 1) {
        this.sheet.cell(this.row + r, this.column + c, true).fontWeight = weight;
      }
    }
    return this;
  }
  setFontColor(colour: string) {
    for (let c = 0; c < this.numColumns; c += 1) {
      for (let r = 0; r < this.numRows; r += 1) {
        this.sheet.cell(this.row + r, this.column + c, true).fontColor = colour;
      }
    }
    return this;
  }
  clear(options?: { contentsOnly?: boolean }) {
    for (let r = 0; r < this.numRows; r += 1) {
      for (let c = 0; c < this.numColumns; c += 1) {
        if (options?.contentsOnly) {
          this.sheet.cell(this.row + r, this.column + c, true).value = null;
        } else {
          this.sheet.cells.delete(this.sheet.keyOf(this.row + r, this.column + c));
        }
      }
    }
    return this;
  }
  clearContent() {
    return this.clear({ contentsOnly: true });
  }
}

export class FakeSheet {
  cells = new Map<string, CellState>();
  metadata: FakeMetadata[] = [];
  frozenRows = 0;
  hidden = false;
  hiddenColumns = new Set<number>();

  constructor(
    readonly id: number,
    public name: string,
  ) {}

  keyOf(row: number, column: number) {
    return `${row}:${column}`;
  }
  cell(row: number, column: number, create = false): CellState {
    const key = this.keyOf(row, column);
    let cell = this.cells.get(key);
    if (!cell) {
      cell = { value: null, note: '', background: null, fontWeight: null, fontColor: null };
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
  getRange(row: number | string, column = 1, numRows = 1, numColumns = 1) {
    if (typeof row === 'string') {
      const match = /^([A-Z]+)(\d+)$/.exec(row);
      if (!match) {
        throw new Error(`unsupported A1 notation ${row}`);
      }
      const col = [...match[1]!].reduce((n, letter) => n * 26 + letter.charCodeAt(0) - 64, 0);
      return new FakeRange(this, Number(match[2]), col, 1, 1);
    }
    return new FakeRange(this, row, column, numRows, numColumns);
  }
  getLastRow() {
    let last = 0;
    for (const [key, cell] of this.cells) {
      if (cell.value !== null && cell.value !== '') {
        last = Math.max(last, Number(key.split(':')[0]));
      }
    }
    return last;
  }
  clearContents() {
    for (const cell of this.cells.values()) {
      cell.value = null;
    }
    return this;
  }
  hideSheet() {
    this.hidden = true;
    return this;
  }
  hideColumns(column: number, count = 1) {
    for (let c = column; c < column + count; c += 1) {
      this.hiddenColumns.add(c);
    }
  }
  setFrozenRows(rows: number) {
    this.frozenRows = rows;
  }
  getFrozenRows() {
    return this.frozenRows;
  }
  getDeveloperMetadata() {
    return [...this.metadata];
  }
  addDeveloperMetadata(key: string, value: string) {
    this.metadata.push(new FakeMetadata(this, key, value));
    const total = this.metadata.reduce(
      (sum, entry) => sum + entry.getKey().length + (entry.getValue()?.length ?? 0),
      0,
    );
    if (total > 30_000) {
      throw new Error('developer metadata over 30,000 characters on one sheet');
    }
    return this;
  }
  /** Test helper: the values of a block, '' for empty. */
  values(row: number, column: number, numRows: number, numColumns: number): Value[][] {
    return new FakeRange(this, row, column, numRows, numColumns).getValues();
  }
}

export class FakeSpreadsheet {
  sheets: FakeSheet[] = [];
  active: FakeSheet;
  activeRange: FakeRange | null = null;
  toasts: string[] = [];
  private nextId = 1;

  constructor() {
    this.active = this.insertSheet('Página1');
  }
  getSheets() {
    return [...this.sheets];
  }
  getSheetByName(name: string) {
    return this.sheets.find((sheet) => sheet.name === name) ?? null;
  }
  insertSheet(name: string) {
    if (this.getSheetByName(name)) {
      throw new Error(`A sheet named "${name}" already exists`);
    }
    const sheet = new FakeSheet(this.nextId++ * 1000, name);
    this.sheets.push(sheet);
    return sheet;
  }
  deleteSheet(sheet: FakeSheet) {
    this.sheets = this.sheets.filter((candidate) => candidate !== sheet);
  }
  getActiveSheet() {
    return this.active;
  }
  getActiveRange() {
    return this.activeRange;
  }
  /** Test helper: what the user clicked. */
  select(sheet: FakeSheet, a1: string) {
    this.active = sheet;
    this.activeRange = sheet.getRange(a1);
  }
  toast(message: string) {
    this.toasts.push(message);
  }
}

class FakeProperties {
  private readonly values = new Map<string, string>();
  getProperty(key: string) {
    return this.values.get(key) ?? null;
  }
  setProperty(key: string, value: string) {
    if (Buffer.byteLength(value, 'utf8') >= 9 * 1024) {
      throw new Error(`Argument too large: ${key}`);
    }
    this.values.set(key, value);
    return this;
  }
  deleteProperty(key: string) {
    this.values.delete(key);
    return this;
  }
  getProperties() {
    return Object.fromEntries(this.values);
  }
}

class FakeCache {
  readonly values = new Map<string, string>();
  gets = 0;
  get(key: string) {
    this.gets += 1;
    return this.values.get(key) ?? null;
  }
  getAll(keys: string[]) {
    return Object.fromEntries(
      keys.filter((key) => this.values.has(key)).map((key) => [key, this.values.get(key)!]),
    );
  }
  put(key: string, value: string) {
    this.putAll({ [key]: value });
  }
  putAll(entries: Record<string, string>) {
    for (const [key, value] of Object.entries(entries)) {
      if (Buffer.byteLength(value, 'utf8') > 100 * 1024) {
        throw new Error(`Argument too large: cache value for ${key}`);
      }
      this.values.set(key, value);
    }
  }
  remove(key: string) {
    this.values.delete(key);
  }
}

export interface FakeTrigger {
  id: string;
  handler: string;
  schedule: string;
  getHandlerFunction(): string;
  getUniqueId(): string;
}

export function createServices(
  distDir: string,
  http: (url: string, request: Record<string, unknown>) => { status: number; body: string },
) {
  const book = new FakeSpreadsheet();
  const properties = {
    user: new FakeProperties(),
    document: new FakeProperties(),
    script: new FakeProperties(),
  };
  const cache = new FakeCache();
  const triggers: FakeTrigger[] = [];
  const ui = {
    menus: [] as { title: string; items: [string, string][] }[],
    sidebars: [] as { title: string; html: string }[],
  };
  let triggerIds = 0;

  const triggerBuilder = (handler: string) => {
    let schedule = '';
    const timeBased = {
      after(ms: number) {
        schedule = `after ${ms} ms`;
        return timeBased;
      },
      everyHours(n: number) {
        schedule = `every ${n} h`;
        return timeBased;
      },
      everyDays(n: number) {
        schedule = `every ${n} d`;
        return timeBased;
      },
      atHour(h: number) {
        schedule += ` at ${h}h`;
        return timeBased;
      },
      create() {
        const id = `trigger-${++triggerIds}`;
        const trigger: FakeTrigger = {
          id,
          handler,
          schedule,
          getHandlerFunction: () => handler,
          getUniqueId: () => id,
        };
        triggers.push(trigger);
        return trigger;
      },
    };
    return { timeBased: () => timeBased };
  };

  const globals = {
    SpreadsheetApp: {
      getActiveSpreadsheet: () => book,
      getUi: () => ({
        createAddonMenu: () => {
          const menu = { title: 'add-on', items: [] as [string, string][] };
          const builder = {
            addItem(label: string, handler: string) {
              menu.items.push([label, handler]);
              return builder;
            },
            addToUi() {
              ui.menus.push(menu);
            },
          };
          return builder;
        },
        showSidebar: (output: { title: string; html: string }) => ui.sidebars.push(output),
      }),
    },
    PropertiesService: {
      getUserProperties: () => properties.user,
      getDocumentProperties: () => properties.document,
      getScriptProperties: () => properties.script,
    },
    CacheService: { getUserCache: () => cache, getScriptCache: () => cache },
    ScriptApp: {
      newTrigger: triggerBuilder,
      getProjectTriggers: () => [...triggers],
      deleteTrigger: (trigger: FakeTrigger) => {
        const index = triggers.findIndex((candidate) => candidate.id === trigger.id);
        if (index >= 0) {
          triggers.splice(index, 1);
        }
      },
    },
    HtmlService: {
      createHtmlOutputFromFile: (name: string) => {
        const output = {
          title: '',
          html: fs.readFileSync(path.join(distDir, `${name}.html`), 'utf8'),
          setTitle(title: string) {
            output.title = title;
            return output;
          },
        };
        return output;
      },
    },
    Session: { getActiveUserLocale: () => 'pt_BR' },
    UrlFetchApp: {
      fetch: (url: string, request: Record<string, unknown>) => {
        counters.urlFetches += 1;
        const response = http(url, request);
        return { getResponseCode: () => response.status, getContentText: () => response.body };
      },
    },
  };
  return { globals, book, properties, cache, triggers, ui };
}
