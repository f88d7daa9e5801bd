import { garbledTextProblem, searchText } from '../common/text';
import { describeIbgeCodeProblem, ibgeCodeProblem, toIbgeCode } from '../territory/ibge-code';
import type { IssueList } from './import.issues';
import type { SourceRow, SourceTable } from './import.source';

/** A cell that cannot be read as what its column holds; the message says why. */
export class CellError extends Error {}

/** Parses one non-empty, trimmed cell into a value, or throws `CellError`. */
export type CellParser<T> = (text: string) => T;

/** Header text reduced for matching: "Código do Município" → "codigodomunicipio". */
export function headerKey(header: string): string {
  return searchText(header).replace(/[^a-z0-9]/g, '');
}

export interface ColumnSpec {
  field: string;
  /** Header keys (see `headerKey`) or patterns that name this column, English and Portuguese. */
  aliases: (string | RegExp)[];
  required?: boolean;
}

export interface MappedColumn {
  index: number;
  header: string;
}

/** Whether a header key (see `headerKey`) is named by an alias: equal, or matched by the pattern. */
export function aliasMatches(alias: string | RegExp, key: string): boolean {
  return typeof alias === 'string' ? alias === key : alias.test(key);
}

/** A table without its rows: what column mapping and row reading need (rows may be streamed). */
export type TableHead = Omit<SourceTable, 'rows'>;

/** Matches the file's headers to fields; reports missing required and ambiguous columns. */
export function mapColumns(
  table: TableHead,
  specs: readonly ColumnSpec[],
  issues: IssueList,
): Map<string, MappedColumn> {
  const mapped = new Map<string, MappedColumn>();
  const keys = table.headers.map(headerKey);
  for (const spec of specs) {
    const matches = keys
      .map((key, index) => ({ key, index }))
      .filter(({ key }) => spec.aliases.some((alias) => aliasMatches(alias, key)));
    // An exact alias wins over a pattern, so `uf` does not also grab `co_uf`.
    const exact = matches.filter(({ key }) => spec.aliases.includes(key));
    const chosen = exact.length > 0 ? exact : matches;
    if (chosen.length > 1) {
      issues.add({
        file: table.file,
        line: table.headerLine,
        column: table.headers[chosen[1]!.index]!,
        message: `two columns mean ${spec.field}: "${table.headers[chosen[0]!.index]}" and "${table.headers[chosen[1]!.index]}"; keep one`,
      });
      continue;
    }
    if (chosen.length === 1) {
      mapped.set(spec.field, { index: chosen[0]!.index, header: table.headers[chosen[0]!.index]! });
    } else if (spec.required) {
      const accepted = spec.aliases.filter((alias) => typeof alias === 'string').slice(0, 6);
      issues.add({
        file: table.file,
        line: table.headerLine,
        column: spec.field,
        message: `required column is missing (accepted headers: ${accepted.join(', ')}); found: ${table.headers.join(', ')}`,
      });
    }
  }
  return mapped;
}

/** Reads the cells of one row by field, collecting every problem instead of stopping at the first. */
export class RowReader {
  valid = true;

  constructor(
    readonly table: TableHead,
    readonly row: SourceRow,
    readonly columns: Map<string, MappedColumn>,
    readonly issues: IssueList,
  ) {
    if (table.format === 'csv' && row.cells.length !== table.headers.length) {
      this.fail(
        null,
        `the row has ${row.cells.length} cells but the header has ${table.headers.length} (a stray delimiter or an unquoted cell?)`,
      );
    }
  }

  fail(column: string | null, message: string): void {
    this.valid = false;
    this.issues.add({ file: this.table.file, line: this.row.line, column, message });
  }

  has(field: string): boolean {
    return this.columns.has(field);
  }

  raw(field: string): string {
    const column = this.columns.get(field);
    const value = column ? (this.row.cells[column.index] ?? '').trim() : '';
    // R and spreadsheet exports write these for "no value".
    return value === 'NA' || value === '#N/A' ? '' : value;
  }

  header(field: string): string {
    return this.columns.get(field)?.header ?? field;
  }

  optional<T>(field: string, parser: CellParser<T>): T | null {
    const text = this.raw(field);
    if (text === '') {
      return null;
    }
    try {
      return parser(text);
    } catch (error) {
      if (error instanceof CellError) {
        this.fail(this.header(field), error.message);
        return null;
      }
      throw error;
    }
  }

  required<T>(field: string, parser: CellParser<T>): T | null {
    if (this.raw(field) === '') {
      this.fail(this.header(field), 'is empty; a value is required');
      return null;
    }
    return this.optional(field, parser);
  }
}

/**
 * Text as a file gives it, refused only when garbled by a wrong decoding ("JaraguÃ¡"): for a
 * cell whose length and form the write spec rules (`ruled`).
 */
export const decoded: CellParser<string> = (value) => {
  const garbled = garbledTextProblem(value);
  if (garbled) {
    throw new CellError(garbled);
  }
  return value;
};

/**
 * Free text up to `max` characters. Formula-like text (`=`, `+`, `-`, `@`) is kept verbatim;
 * text garbled by a wrong decoding ("JaraguÃ¡") is refused, never stored.
 */
export function text(max: number): CellParser<string> {
  return (value) => {
    if (value.length > max) {
      throw new CellError(`is ${value.length} characters long; at most ${max} fit`);
    }
    const garbled = garbledTextProblem(value);
    if (garbled) {
      throw new CellError(garbled);
    }
    return value;
  };
}

/** A code of letters, digits and `-_./`: never a formula, never free text. */
export function code(max: number): CellParser<string> {
  return (value) => {
    if (!/^[\p{L}\p{N}][\p{L}\p{N}\-_./]*$/u.test(value) || value.length > max) {
      throw new CellError(
        `"${value.slice(0, 40)}" is not a code (letters, digits and - _ . / only, at most ${max})`,
      );
    }
    return value;
  };
}

/** A municipality code: 7-digit IBGE (check digit verified) or 6-digit SUS (check digit added). */
export const ibgeCode: CellParser<string> = (value) => {
  const digits = value.replace(/[\s.]/g, '');
  if (!/^\d{6,7}$/.test(digits)) {
    throw new CellError(
      `"${value}" is not a municipality code: expected 7 digits (IBGE) or 6 (SUS)`,
    );
  }
  const full = toIbgeCode(digits);
  const problem = ibgeCodeProblem(full);
  if (problem) {
    throw new CellError(describeIbgeCodeProblem(full, problem));
  }
  return full;
};

function isRealDate(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return (
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
  );
}

/** `dd/mm/yyyy`, `dd-mm-yyyy` or ISO `yyyy-mm-dd` → ISO. */
export const date: CellParser<string> = (value) => {
  let year: number;
  let month: number;
  let day: number;
  const iso = /^(\d{4})-(\d{2})-(\d{2})(?:T[\d:.]+Z?)?$/.exec(value);
  const br = /^(\d{1,2})[/-](\d{1,2})[/-](\d{4})$/.exec(value);
  if (iso) {
    [year, month, day] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  } else if (br) {
    [day, month, year] = [Number(br[1]), Number(br[2]), Number(br[3])];
  } else {
    throw new CellError(`"${value}" is not a date: use dd/mm/yyyy or yyyy-mm-dd`);
  }
  if (year < 1900 || year > 2100 || !isRealDate(year, month, day)) {
    throw new CellError(`"${value}" is not a real calendar date`);
  }
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
};

/** A whole number; `12.345` and `12 345` read as thousands separators, footnote marks like `(1)` drop. */
export function integer(min = 0, max = Number.MAX_SAFE_INTEGER): CellParser<number> {
  return (value) => {
    const cleaned = value.replace(/\(\d+\)$/, '').replace(/\s/g, '');
    const plain = /^-?\d+$/.test(cleaned)
      ? cleaned
      : /^-?\d{1,3}(\.\d{3})+$/.test(cleaned)
        ? cleaned.replace(/\./g, '')
        : null;
    if (plain === null) {
      throw new CellError(`"${value}" is not a whole number`);
    }
    const number = Number(plain);
    if (number < min || number > max) {
      throw new CellError(`${number} is out of range (${min}–${max})`);
    }
    return number;
  };
}

/** A decimal number with `.` or `,` as the decimal mark. */
export function decimal(min: number, max: number): CellParser<number> {
  return (value) => {
    const normalised = value.replace(',', '.');
    if (!/^-?\d+(\.\d+)?$/.test(normalised)) {
      throw new CellError(`"${value}" is not a number`);
    }
    const number = Number(normalised);
    if (number < min || number > max) {
      throw new CellError(`${number} is out of range (${min} to ${max})`);
    }
    return number;
  };
}

const truthy = new Set(['s', 'sim', 'y', 'yes', 'true', '1', 'x', 'verdadeiro']);
const falsy = new Set(['n', 'nao', 'no', 'false', '0', 'falso']);

export const boolean: CellParser<boolean> = (value) => {
  const key = searchText(value);
  if (truthy.has(key)) {
    return true;
  }
  if (falsy.has(key)) {
    return false;
  }
  throw new CellError(`"${value}" is not yes/no (S/N, sim/não, true/false, 1/0)`);
};

/**
 * One of an enum's values, by its own name or a Portuguese/English alias, compared without
 * accents, case or punctuation: "Reunião CIR" → CIR_MEETING.
 */
export function oneOf<T extends string>(
  values: Record<string, T>,
  aliases: Record<string, T> = {},
): CellParser<T> {
  const lookup = new Map<string, T>();
  for (const value of Object.values(values)) {
    lookup.set(headerKey(value), value);
  }
  for (const [alias, value] of Object.entries(aliases)) {
    lookup.set(headerKey(alias), value);
  }
  // A file spells its few values the same way on every row: each spelling is normalised once.
  const spelled = new Map<string, T>();
  return (value) => {
    const known = spelled.get(value);
    if (known !== undefined) {
      return known;
    }
    const found = lookup.get(headerKey(value));
    if (!found) {
      throw new CellError(
        `"${value.slice(0, 40)}" is not one of ${Object.values(values).join(', ')}`,
      );
    }
    if (spelled.size < 1000) {
      spelled.set(value, found);
    }
    return found;
  };
}

/** Several values in one cell, separated by `|` (or `;` in a comma file). */
export function listOf<T>(parser: CellParser<T>): CellParser<T[]> {
  return (value) =>
    value
      .split(/[|;]/)
      .map((part) => part.trim())
      .filter(Boolean)
      .map(parser);
}
