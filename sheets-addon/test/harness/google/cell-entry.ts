/**
 * What Sheets stores when a string is written with `Range.setValues`: the same as typing it into
 * the cell (Sheets API: values "parsed as if the user typed them into the UI" — USER_ENTERED).
 * A spreadsheet in pt_BR turns "0012" into 12, "3,5" into 3.5, "1.234" into 1234, "3-4" and
 * "2024-01-05" into dates, "verdadeiro" into TRUE, "1E5" into 100000, "10%" into 0.1, and a
 * leading "=" (or "+"/"-" before something that is not a number) into a formula. A leading
 * apostrophe forces text and is not stored. Cells formatted as plain text (`@`) keep strings as
 * typed — except that this fake, being strict where Google's documentation is silent, still
 * reads "=…" as a formula and still drops a leading apostrophe in them.
 */
import { GoogleException } from './host';

export type CellValue = string | number | boolean | Date;

export interface Entered {
  value: CellValue | null;
  formula: string | null;
}

interface NumberStyle {
  decimal: string;
  group: string;
  dayFirst: boolean;
}

const styles: Record<string, NumberStyle> = {
  pt_BR: { decimal: ',', group: '.', dayFirst: true },
  en_US: { decimal: '.', group: ',', dayFirst: false },
};

const escape = (char: string) => char.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function isDate(value: unknown): value is Date {
  return Object.prototype.toString.call(value) === '[object Date]';
}

function parseNumber(text: string, style: NumberStyle): number | null {
  const d = escape(style.decimal);
  const g = escape(style.group);
  const plain = new RegExp(`^[+-]?\\d+(${d}\\d+)?$`);
  const grouped = new RegExp(`^[+-]?\\d{1,3}(${g}\\d{3})+(${d}\\d+)?$`);
  const fraction = new RegExp(`^[+-]?${d}\\d+$`);
  const scientific = new RegExp(`^[+-]?\\d+(${d}\\d+)?[eE][+-]?\\d+$`);
  if (![plain, grouped, fraction, scientific].some((pattern) => pattern.test(text))) {
    return null;
  }
  const normal = text.split(style.group).join('').replace(style.decimal, '.');
  const number = Number(normal);
  return Number.isFinite(number) ? number : null;
}

function validDate(year: number, month: number, day: number): Date | null {
  const date = new Date(year, month - 1, day);
  return date.getFullYear() === year && date.getMonth() === month - 1 && date.getDate() === day
    ? date
    : null;
}

function parseDate(text: string, style: NumberStyle, today: Date): Date | null {
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(text);
  if (iso) {
    return validDate(Number(iso[1]), Number(iso[2]), Number(iso[3]));
  }
  const short = /^(\d{1,2})[/-](\d{1,2})(?:[/-](\d{4}|\d{2}))?$/.exec(text);
  if (short) {
    const [first, second] = [Number(short[1]), Number(short[2])];
    const [day, month] = style.dayFirst ? [first, second] : [second, first];
    const rawYear = short[3];
    const year =
      rawYear === undefined
        ? today.getFullYear()
        : rawYear.length === 2
          ? 2000 + Number(rawYear)
          : Number(rawYear);
    return validDate(year, month, day);
  }
  return null;
}

/** The cell a typed `input` becomes, in a cell of `numberFormat`, in a spreadsheet of `locale`. */
export function enterValue(
  input: unknown,
  numberFormat: string | null,
  locale: string,
  today: Date,
): Entered {
  if (input === null || input === undefined || input === '') {
    return { value: null, formula: null };
  }
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) {
      throw new GoogleException(`The number ${String(input)} cannot be written to a cell.`);
    }
    return { value: input, formula: null };
  }
  if (typeof input === 'boolean') {
    return { value: input, formula: null };
  }
  if (isDate(input)) {
    return { value: new Date(input.getTime()), formula: null };
  }
  if (typeof input !== 'string') {
    throw new GoogleException(
      `The parameters (${Array.isArray(input) ? 'Array' : typeof input}) don't match the method signature for Range.setValues.`,
    );
  }
  if (input.startsWith("'")) {
    return { value: input.slice(1), formula: null };
  }
  if (input.startsWith('=')) {
    return { value: '#ERROR!', formula: input };
  }
  if (numberFormat === '@') {
    return { value: input, formula: null };
  }
  const style = styles[locale] ?? styles.en_US!;
  const text = input.trim();
  const number = parseNumber(text, style);
  if (number !== null) {
    return { value: number, formula: null };
  }
  if (/^[+-]/.test(text)) {
    return { value: '#ERROR!', formula: `=${text}` };
  }
  const percent = /^(.+)%$/.exec(text);
  const share = percent ? parseNumber(percent[1]!, style) : null;
  if (share !== null) {
    return { value: share / 100, formula: null };
  }
  if (/^(true|verdadeiro)$/i.test(text)) {
    return { value: true, formula: null };
  }
  if (/^(false|falso)$/i.test(text)) {
    return { value: false, formula: null };
  }
  const date = parseDate(text, style, today);
  if (date) {
    return { value: date, formula: null };
  }
  return { value: input, formula: null };
}
