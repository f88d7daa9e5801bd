import { sql, type Sql } from '../db/sql/sql';

/**
 * "In force on a day", the one rule for every dated span: mandates `[startDate, endDate)` and
 * region memberships `[validFrom, validTo)`. A span starts on its first day and ends on the day
 * after its last (exclusive end), so a handover day belongs to the newcomer; a null end is still
 * open, and a null start (memberships only) goes back to before the history. The ORM filter and
 * the SQL fragment below are both made from one `Span`, so reads through the ORM, compiled reads
 * and analytics agree on every day.
 */
export interface Span {
  start: { property: string; column: string; nullable: boolean };
  end: { property: string; column: string };
}

export const mandateSpan: Span = {
  start: { property: 'startDate', column: 'start_date', nullable: false },
  end: { property: 'endDate', column: 'end_date' },
};

export const membershipSpan: Span = {
  start: { property: 'validFrom', column: 'valid_from', nullable: true },
  end: { property: 'validTo', column: 'valid_to' },
};

/** The span in force on `on`, as a MikroORM filter. */
export function inForceWhere(span: Span, on: string): Record<string, unknown> {
  const started = { [span.start.property]: { $lte: on } };
  const notEnded = [{ [span.end.property]: null }, { [span.end.property]: { $gt: on } }];
  return span.start.nullable
    ? { $and: [{ $or: [{ [span.start.property]: null }, started] }, { $or: notEnded }] }
    : { ...started, $or: notEnded };
}

/** The span of the row aliased `alias` in force on `on`, as an SQL condition. */
export function inForceSql(span: Span, alias: string, on: string): Sql {
  const start = sql.ident(alias, span.start.column);
  const end = sql.ident(alias, span.end.column);
  const started = span.start.nullable
    ? sql`(${start} is null or ${start} <= ${on})`
    : sql`${start} <= ${on}`;
  return sql`${started} and (${end} is null or ${end} > ${on})`;
}
