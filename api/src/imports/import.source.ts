import { parse as parseCsv } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import JSZip from 'jszip';
import path from 'node:path';
import { ImportFileError, type ImportIssue } from './import.issues';

/** One data row of a file, with the line (or sheet row) it started on. */
export interface SourceRow {
  line: number;
  cells: string[];
}

/** A file read as a table: decoded, parsed, not yet interpreted. */
export interface SourceTable {
  file: string;
  format: 'csv' | 'xlsx' | 'json';
  headers: string[];
  /** Line of the header (1 for CSV and sheets). */
  headerLine: number;
  rows: SourceRow[];
  /**
   * How the text was decoded (CSV), field by field: fields with non-ASCII bytes read as UTF-8
   * and as Windows-1252, and the records holding any of the latter.
   */
  decoding?: {
    bom: boolean;
    delimiter: string;
    lines: number;
    utf8Cells: number;
    latin1Cells: number;
    latin1Lines: number;
  };
  /** Problems found while reading cells (formulas in sheets), reported with the row problems. */
  issues: ImportIssue[];
  /** The zip archive the table was a member of (its `file` is then `archive/member`). */
  archive?: string;
}

/** Longest record a CSV may hold: a sane row is a few hundred bytes; this catches runaway quotes. */
export const MAX_RECORD_CHARS = 100_000;

function fail(file: string, line: number, message: string): never {
  throw new ImportFileError({ file, line, column: null, message });
}

/** Refuses an empty file (`readCsv`, `openCsvStream`). */
export function refuseEmpty(file: string, size: number): void {
  if (size === 0) {
    fail(file, 0, 'the file is empty; expected a header line and data rows');
  }
}

/** Refuses a UTF-16 file by its byte order mark (the file's first two bytes are enough). */
export function refuseUtf16(file: string, bytes: Buffer): void {
  if (
    bytes.length >= 2 &&
    ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))
  ) {
    fail(file, 0, 'the file is UTF-16; save it as UTF-8 (or Latin-1) CSV');
  }
}

/**
 * Refuses text (bytes as a `latin1` string) holding a NUL byte, on the line of the first one.
 * `linesBefore` is the line breaks (`\n`) before `text` when a file is read piece by piece.
 */
export function refuseNul(file: string, text: string, linesBefore = 0): void {
  const nul = text.indexOf('\0');
  if (nul !== -1) {
    fail(
      file,
      1 + linesBefore + countChar(text.slice(0, nul), '\n'),
      'the line holds NUL bytes: this is not a text file (UTF-16 or a binary spreadsheet?); save it as CSV',
    );
  }
}

function countChar(text: string, char: string): number {
  let count = 0;
  for (let index = text.indexOf(char); index !== -1; index = text.indexOf(char, index + 1)) {
    count += 1;
  }
  return count;
}

/** The UTF-8 byte order mark, as a `latin1` string. */
export const UTF8_BOM_LATIN1 = '\xef\xbb\xbf';

/** The bytes after a UTF-8 byte order mark, if any. */
function withoutBom(bytes: Buffer): { body: Buffer; bom: boolean } {
  const bom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  return { body: bom ? bytes.subarray(3) : bytes, bom };
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * One field's bytes (carried as a `latin1` string, one character per byte) as text: UTF-8 when
 * they are valid UTF-8, else Windows-1252 (a superset of Latin-1). Null for plain ASCII.
 */
export function decodeField(raw: string): { text: string; utf8: boolean } | null {
  // eslint-disable-next-line no-control-regex
  if (!/[^\x00-\x7f]/.test(raw)) {
    return null;
  }
  const bytes = Buffer.from(raw, 'latin1');
  try {
    return { text: strictUtf8.decode(bytes), utf8: true };
  } catch {
    return { text: iconv.decode(bytes, 'win1252'), utf8: false };
  }
}

/**
 * Decodes line by line for formats read whole (JSON): each line that is valid UTF-8 is read as
 * UTF-8, any other as Windows-1252. CSV is decoded field by field instead (`readCsv`).
 */
export function decodeText(file: string, bytes: Buffer): { text: string; bom: boolean } {
  refuseUtf16(file, bytes);
  const { body, bom } = withoutBom(bytes);
  refuseNul(file, body.toString('latin1'));
  const parts: string[] = [];
  for (let start = 0; start < body.length;) {
    const newline = body.indexOf(0x0a, start);
    const end = newline === -1 ? body.length : newline + 1;
    const chunk = body.subarray(start, end);
    parts.push(decodeField(chunk.toString('latin1'))?.text ?? chunk.toString('latin1'));
    start = end;
  }
  return { text: parts.join(''), bom };
}

/** The delimiter of the header line: the most frequent of `;`, `,` and tab outside quotes. */
export function detectDelimiter(headerLine: string): string {
  const counts: Record<string, number> = { ',': 0, ';': 0, '\t': 0 };
  let quoted = false;
  for (const char of headerLine) {
    if (char === '"') {
      quoted = !quoted;
    } else if (!quoted && char in counts) {
      counts[char]! += 1;
    }
  }
  const [best] = Object.entries(counts).sort((a, b) => b[1] - a[1])[0]!;
  return best;
}

/**
 * Where the first line of the text ends (its first CRLF, LF or lone CR), or -1 when the text
 * holds no line break (yet, for a file read piece by piece).
 */
export function firstLineEnd(text: string): number {
  return text.search(/\r|\n/);
}

/**
 * The delimiter of a CSV file from its first line (up to its first line break, or the whole
 * text when it holds none); refuses an empty first line.
 */
export function csvDelimiter(file: string, text: string): string {
  const end = firstLineEnd(text);
  const firstLine = end === -1 ? text : text.slice(0, end);
  if (firstLine.trim() === '') {
    fail(file, 1, 'the first line is empty; expected the header line');
  }
  return detectDelimiter(firstLine);
}

/** The csv-parse options of every CSV read: records with their raw text, as `CsvRecord`. */
export function csvParseOptions(delimiter: string) {
  return {
    delimiter,
    info: false,
    raw: true,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    max_record_size: MAX_RECORD_CHARS,
  } as const;
}

/** One record as csv-parse gives it with `raw: true`: its fields and its text. */
export interface CsvRecord {
  record: string[];
  raw: string;
}

/**
 * The line where the last quote that is never closed opened (`""` escapes toggle twice), fed
 * the text whole or piece by piece.
 */
export class QuoteTracker {
  /** The line being read (1 + the `\n` seen so far). */
  line = 1;
  openedAt = 0;
  private quoted = false;

  feed(text: string): void {
    for (let index = 0; index < text.length; index += 1) {
      const char = text.charCodeAt(index);
      if (char === 0x0a) {
        this.line += 1;
      } else if (char === 0x22) {
        this.quoted = !this.quoted;
        if (this.quoted) {
          this.openedAt = this.line;
        }
      }
    }
  }
}

/**
 * A csv-parse error as the steward's problem, at its line. `quoteOpenedAt` is asked only for a
 * quote never closed (the parser reports the end of the file, not where the quote opened).
 */
export function csvFailure(file: string, error: unknown, quoteOpenedAt: () => number): never {
  if (error instanceof ImportFileError) {
    throw error;
  }
  const csvError = error as Error & { code?: string; lines?: number };
  const line = csvError.lines ?? 0;
  if (csvError.code === 'CSV_MAX_RECORD_SIZE') {
    fail(
      file,
      line,
      `a record is longer than ${MAX_RECORD_CHARS.toLocaleString('en')} characters (an unclosed quote, or not a CSV file)`,
    );
  }
  if (csvError.code === 'CSV_QUOTE_NOT_CLOSED') {
    fail(file, quoteOpenedAt(), 'a quoted cell is never closed (missing `"`)');
  }
  fail(file, line, `not a valid CSV file: ${csvError.message.replace(/^Invalid [^:]*: /, '')}`);
}

/**
 * Line breaks in a record's raw text. CRLF, LF and a lone CR each count once: csv-parse leaves
 * the `\n` of a CRLF record delimiter out of `raw`, so only counting `\n` would number every
 * line of a Windows file 1.
 */
function countNewlines(text: string): number {
  return text.match(/\r\n|\r|\n/g)?.length ?? 0;
}

export type CsvDecoding = NonNullable<SourceTable['decoding']>;

/**
 * Turns the records of one CSV file, in order, into rows: the line each starts on (counted from
 * the raw text, skipped blank lines included) and its fields decoded one by one, tallied in
 * `decoding`.
 */
export class CsvRecordReader {
  readonly decoding: CsvDecoding;
  private consumed = 0;

  constructor(bom: boolean, delimiter: string) {
    this.decoding = { bom, delimiter, lines: 0, utf8Cells: 0, latin1Cells: 0, latin1Lines: 0 };
  }

  row({ record, raw: text }: CsvRecord): SourceRow {
    const leading = text.length - text.replace(/^[\r\n]+/, '').length;
    const leadingNewlines = countNewlines(text.slice(0, leading));
    const line = 1 + this.consumed + leadingNewlines;
    this.consumed += countNewlines(text);
    let latin1 = false;
    const cells = record.map((cell) => {
      const decoded = decodeField(cell);
      if (!decoded) {
        return cell;
      }
      if (decoded.utf8) {
        this.decoding.utf8Cells += 1;
      } else {
        this.decoding.latin1Cells += 1;
        latin1 = true;
      }
      return decoded.text;
    });
    this.decoding.lines += 1;
    this.decoding.latin1Lines += latin1 ? 1 : 0;
    return { line, cells };
  }
}

/** The headers of a CSV from its first record; refuses a file without one. */
export function csvHeaders(file: string, header: SourceRow | undefined): string[] {
  if (!header) {
    fail(file, 0, 'the file holds no lines; expected a header line and data rows');
  }
  return header.cells.map((cell) => cell.trim());
}

/** A row of empty (or blank) cells: left out of the rows. */
export function isBlankRow(row: SourceRow): boolean {
  return row.cells.every((cell) => cell.trim() === '');
}

/**
 * A CSV file as a table. The text is split into records over its raw bytes (delimiters, quotes
 * and line breaks are ASCII in UTF-8 and in Latin-1 alike), then each field is decoded on its
 * own: DATASUS exports hold lines that are UTF-8 but for one Latin-1 field, which a decoder that
 * picks one encoding per line turns into "JaraguÃ¡ do Sul". `openCsvStream` reads the same way,
 * piece by piece, with the same functions.
 */
export function readCsv(file: string, bytes: Buffer): SourceTable {
  refuseEmpty(file, bytes.length);
  refuseUtf16(file, bytes);
  const { body, bom } = withoutBom(bytes);
  const raw = body.toString('latin1');
  refuseNul(file, raw);
  const delimiter = csvDelimiter(file, raw);
  let records: CsvRecord[];
  try {
    records = parseCsv(raw, csvParseOptions(delimiter)) as unknown as CsvRecord[];
  } catch (error) {
    csvFailure(file, error, () => {
      const quotes = new QuoteTracker();
      quotes.feed(raw);
      return quotes.openedAt;
    });
  }
  const reader = new CsvRecordReader(bom, delimiter);
  const [header, ...rows] = records.map((record) => reader.row(record));
  return {
    file,
    format: 'csv',
    headers: csvHeaders(file, header),
    headerLine: header!.line,
    rows: rows.filter((row) => !isBlankRow(row)),
    decoding: reader.decoding,
    issues: [],
  };
}

function cellText(value: ExcelJS.CellValue): string | { formula: string } {
  if (value === null || value === undefined) {
    return '';
  }
  if (value instanceof Date) {
    return value.toISOString().slice(0, 10);
  }
  if (typeof value === 'object') {
    if ('formula' in value || 'sharedFormula' in value) {
      const formula = (value as { formula?: string; sharedFormula?: string }).formula;
      return { formula: formula ?? '(shared formula)' };
    }
    if ('richText' in value) {
      return value.richText.map((part) => part.text).join('');
    }
    if ('text' in value) {
      return String(value.text);
    }
    if ('error' in value) {
      return String(value.error);
    }
    return JSON.stringify(value);
  }
  return String(value);
}

/** First worksheet of an .xlsx: row 1 is the header. Formulas are refused, never evaluated. */
export async function readXlsx(file: string, bytes: Buffer): Promise<SourceTable> {
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch (error) {
    fail(file, 0, `not a readable .xlsx workbook (${(error as Error).message})`);
  }
  const sheet = workbook.worksheets[0];
  if (!sheet || sheet.rowCount === 0) {
    fail(file, 0, 'the workbook has no rows; expected a header row and data rows');
  }
  const issues: ImportIssue[] = [];
  const width = sheet.columnCount;
  const headers: string[] = [];
  const rows: SourceRow[] = [];
  sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const cells: string[] = [];
    for (let column = 1; column <= width; column += 1) {
      const text = cellText(row.getCell(column).value);
      if (typeof text === 'object') {
        issues.push({
          file,
          line: rowNumber,
          column: headers[column - 1] ?? row.getCell(column).address,
          message: `cell ${row.getCell(column).address} holds a formula (=${text.formula}); imports take values only: paste as values`,
        });
        cells.push('');
      } else {
        cells.push(text);
      }
    }
    if (headers.length === 0) {
      headers.push(...cells.map((cell) => cell.trim()));
    } else if (cells.some((cell) => cell.trim() !== '')) {
      rows.push({ line: rowNumber, cells });
    }
  });
  return { file, format: 'xlsx', headers, headerLine: 1, rows, issues };
}

/** Start line of each top-level element of a JSON array, found by scanning the text once. */
function arrayElementLines(text: string): number[] {
  const lines: number[] = [];
  let line = 1;
  let depth = 0;
  let inString = false;
  let expectElement = false;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index]!;
    if (char === '\n') {
      line += 1;
    }
    if (inString) {
      if (char === '\\') {
        index += 1;
      } else if (char === '"') {
        inString = false;
      }
      continue;
    }
    if (expectElement && !/\s/.test(char)) {
      lines.push(line);
      expectElement = false;
    }
    if (char === '"') {
      inString = true;
    } else if (char === '[' || char === '{') {
      depth += 1;
      if (depth === 1 && char === '[') {
        expectElement = true;
      }
    } else if (char === ']' || char === '}') {
      depth -= 1;
    } else if (char === ',' && depth === 1) {
      expectElement = true;
    }
  }
  return lines;
}

/** A JSON array of objects (or `{ "rows": [...] }`); keys are the headers. */
export function readJson(file: string, bytes: Buffer): SourceTable {
  const { text } = decodeText(file, bytes);
  if (text.trim() === '') {
    fail(file, 0, 'the file is empty; expected a JSON array of objects');
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    fail(file, 0, `not valid JSON: ${(error as Error).message}`);
  }
  const items = Array.isArray(data)
    ? data
    : data && typeof data === 'object' && Array.isArray((data as { rows?: unknown }).rows)
      ? (data as { rows: unknown[] }).rows
      : null;
  if (!items) {
    fail(file, 1, 'expected a JSON array of objects (or an object with a "rows" array)');
  }
  const lines = Array.isArray(data) ? arrayElementLines(text) : [];
  const headers: string[] = [];
  const seen = new Set<string>();
  items.forEach((item, index) => {
    if (!item || typeof item !== 'object' || Array.isArray(item)) {
      fail(file, lines[index] ?? 0, `item ${index + 1} is not an object`);
    }
    for (const key of Object.keys(item)) {
      if (!seen.has(key)) {
        seen.add(key);
        headers.push(key);
      }
    }
  });
  const rows = items.map((item, index) => ({
    line: lines[index] ?? index + 1,
    cells: headers.map((header) => {
      const value = (item as Record<string, unknown>)[header];
      if (value === null || value === undefined) {
        return '';
      }
      return Array.isArray(value)
        ? value.join('|')
        : typeof value === 'object'
          ? JSON.stringify(value)
          : String(value);
    }),
  }));
  return { file, format: 'json', headers, headerLine: 1, rows, issues: [] };
}

/** Reads one file by its extension (and its first bytes): CSV/TSV/TXT, XLSX or JSON. */
export async function readSource(file: string, bytes: Buffer): Promise<SourceTable> {
  const extension = path.extname(file).toLowerCase();
  if (extension === '.xls' || extension === '.dbf') {
    fail(
      file,
      0,
      extension === '.xls'
        ? 'old binary .xls workbooks are not read; save it as .xlsx or .csv'
        : 'DBF tables are not read; export it as CSV',
    );
  }
  if (extension === '.xlsx' || isZip(bytes)) {
    if (extension !== '.xlsx') {
      fail(file, 0, 'this is a zip archive, not a text file; give the .xlsx or the CSV inside');
    }
    return readXlsx(file, bytes);
  }
  if (extension === '.json') {
    return readJson(file, bytes);
  }
  return readCsv(file, bytes);
}

export function isZip(bytes: Buffer): boolean {
  return bytes.length >= 2 && bytes[0] === 0x50 && bytes[1] === 0x4b;
}

/** Extensions a zip member may have: the tables `readSource` reads. */
const tableExtensions = new Set(['.csv', '.tsv', '.txt', '.xlsx', '.json']);

/** Largest member a zip may inflate to: the whole DATASUS Base Territorial is a few MB. */
export const MAX_MEMBER_BYTES = 200 * 1024 * 1024;

/**
 * The tables of a zip archive (as published by DATASUS): every CSV/TXT/XLSX/JSON member is read
 * like a file named `archive.zip/member`. Any other member is an error rather than silently
 * ignored, so a table in a format we cannot read (DBF) is never quietly left out.
 */
export async function readZip(file: string, bytes: Buffer): Promise<SourceTable[]> {
  let zip: JSZip;
  try {
    zip = await JSZip.loadAsync(bytes, { checkCRC32: true });
  } catch (error) {
    fail(file, 0, `not a readable zip archive (${(error as Error).message})`);
  }
  const members = Object.values(zip.files).filter(
    (entry) =>
      !entry.dir &&
      !entry.name.startsWith('__MACOSX/') &&
      !path.basename(entry.name).startsWith('.'),
  );
  if (members.length === 0) {
    fail(file, 0, 'the zip archive holds no files; expected the CSV tables');
  }
  const tables: SourceTable[] = [];
  for (const member of members) {
    const name = `${file}/${member.name}`;
    const extension = path.extname(member.name).toLowerCase();
    if (!tableExtensions.has(extension)) {
      fail(
        file,
        0,
        `unsupported member ${member.name}: export it as CSV (a zip may hold CSV, TXT, XLSX or JSON tables)`,
      );
    }
    // The size the member's header declares, checked before inflating it (a zip bomb).
    const declared = (member as unknown as { _data?: { uncompressedSize?: number } })._data
      ?.uncompressedSize;
    if ((declared ?? 0) > MAX_MEMBER_BYTES) {
      fail(file, 0, `member ${member.name} is larger than ${MAX_MEMBER_BYTES / 1024 / 1024} MB`);
    }
    let content: Buffer;
    try {
      content = await member.async('nodebuffer');
    } catch (error) {
      fail(file, 0, `member ${member.name} cannot be unpacked (${(error as Error).message})`);
    }
    if (content.length > MAX_MEMBER_BYTES) {
      fail(file, 0, `member ${member.name} is larger than ${MAX_MEMBER_BYTES / 1024 / 1024} MB`);
    }
    tables.push({ ...(await readSource(name, content)), archive: file });
  }
  return tables;
}

/** The tables of one file: a `.zip` (or a zip under another name, not `.xlsx`) gives several. */
export async function readSources(file: string, bytes: Buffer): Promise<SourceTable[]> {
  const extension = path.extname(file).toLowerCase();
  if (extension === '.zip' || (isZip(bytes) && extension !== '.xlsx')) {
    return readZip(file, bytes);
  }
  return [await readSource(file, bytes)];
}
