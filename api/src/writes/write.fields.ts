import { addBusinessDays } from '@brazilian-utils/brazilian-utils';
import { z } from 'zod';
import { today } from '../common/dates';
import { garbledTextProblem } from '../common/text';
import { describeIbgeCodeProblem, ibgeCodeProblem } from '../territory/ibge-code';

/** `YYYY-MM-DD`, a real calendar day. */
export const localDate = z
  .string()
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'Expected a date as YYYY-MM-DD')
  .refine((value) => {
    const date = new Date(`${value}T00:00:00Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
  }, 'Not a calendar day');

/** The earliest day a mandate may name: older records are typing mistakes, not history. */
export const EARLIEST_MANDATE_DAY = '1900-01-01';
/** How far ahead a mandate may be planned (a term begins after an election, ends years later). */
export const MANDATE_YEARS_AHEAD = 10;

/** A calendar day from 1900-01-01 to ten years from today (year 1 or 9999 is refused). */
export const mandateDate = localDate.superRefine((value, context) => {
  const now = today();
  const latest = `${Number(now.slice(0, 4)) + MANDATE_YEARS_AHEAD}${now.slice(4)}`;
  if (value < EARLIEST_MANDATE_DAY || value > latest) {
    context.addIssue({
      code: 'custom',
      message: `Must be between ${EARLIEST_MANDATE_DAY} and ${latest} (${MANDATE_YEARS_AHEAD} years from today)`,
    });
  }
});

/** A 7-digit IBGE municipality code with a valid check digit. */
export const ibgeCode = z
  .string()
  .trim()
  .superRefine((value, context) => {
    const problem = ibgeCodeProblem(value);
    if (problem) {
      context.addIssue({ code: 'custom', message: describeIbgeCodeProblem(value, problem) });
    }
  });

/**
 * A health region's code: the state's two-digit IBGE code and a number (43001). The demo
 * network's regions carry a `D` before it (D43001), a code no official file can have; their rows
 * must stay editable, so the rule takes both.
 */
export const regionCode = z
  .string()
  .trim()
  .regex(/^D?\d{5}$/, 'Expected a 5-digit region code (state code + number), e.g. 43001');

/** A health macroregion's code: the state's IBGE code and a number (4301; demo: D4301). */
export const macroregionCode = z
  .string()
  .trim()
  .regex(/^D?\d{4}$/, 'Expected a 4-digit macroregion code (state code + number), e.g. 4301');

export const naturalKey = (max: number) => z.string().trim().min(1, 'Must not be empty').max(max);
/** Non-empty text up to `max`; text garbled by a wrong decoding ("JaraguÃ¡") is refused. */
export const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'Must not be empty')
    .max(max, {
      error: (issue) => `Is ${String(issue.input).length} characters long; at most ${max} fit`,
    })
    .superRefine((value, context) => {
      const garbled = garbledTextProblem(value);
      if (garbled) {
        context.addIssue({ code: 'custom', message: garbled });
      }
    });
export const uf = z
  .string()
  .trim()
  .regex(/^[A-Za-z]{2}$/, 'Expected a two-letter UF, e.g. RS')
  .transform((value) => value.toUpperCase());

/** Fields every upsert input carries besides its own. */
export const rowIdentity = {
  id: z.string().nullish(),
  expectedVersion: z.number().int().min(1, 'Versions start at 1').nullish(),
};

function parseIso(value: string): Date {
  const [year, month, day] = value.split('-').map(Number) as [number, number, number];
  return new Date(year, month - 1, day, 12);
}

function formatIso(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** `days` Brazilian business days after `isoDate` (weekends and national holidays skipped). */
export function addBusinessDaysIso(isoDate: string, days: number): string {
  const result = addBusinessDays(parseIso(isoDate), days);
  if (!result) {
    throw new Error(`Cannot add business days to ${isoDate}`);
  }
  return formatIso(result);
}

/** The same day `months` later (clamped to the month's end: 2024-01-31 + 1 → 2024-02-29). */
export function addMonthsIso(isoDate: string, months: number): string {
  const date = parseIso(isoDate);
  const day = date.getDate();
  date.setDate(1);
  date.setMonth(date.getMonth() + months);
  const lastDay = new Date(date.getFullYear(), date.getMonth() + 1, 0).getDate();
  date.setDate(Math.min(day, lastDay));
  return formatIso(date);
}
