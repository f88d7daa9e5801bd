import { displayCell, type TableColumn } from './columns';
import { VERSION_FIELD, type EditableSpec } from './editable';
import { AddonError, translate, type Locale } from './i18n';
import {
  normalizeCell,
  planPush,
  rowKey,
  sameCell,
  type RowChange,
  type SheetValue,
} from './row-diff';
import { fieldError, serverMessage } from './server-messages';
import { client } from './services';
import {
  bindingAtActiveCell,
  colours,
  listBindings,
  locate,
  readMarks,
  readSnapshot,
  readTable,
  saveBinding,
  setExtent,
  writeMarks,
  writeRows,
  writeSnapshot,
  type Placement,
  type TableBinding,
} from './table-store';

export type UpsertStatus =
  'CREATED' | 'UPDATED' | 'UNCHANGED' | 'CONFLICT' | 'INVALID' | 'FORBIDDEN';

export interface UpsertRowResult {
  rowIndex: number;
  status: UpsertStatus;
  id: string | null;
  version: number | null;
  errors: { field: string; message: string }[];
  current: Record<string, unknown> | null;
}

/** One field of a conflicting row that differs between the sheet and the server. */
export interface FieldDifference {
  field: string;
  label: string;
  mine: string;
  theirs: string;
}

/** A conflicting row as the sidebar shows it: only what differs, and a choice to make. */
export interface ConflictRow {
  key: string;
  row: number;
  title: string;
  serverVersion: number | null;
  fields: FieldDifference[];
}

export interface PushSummary {
  tableId: string;
  dryRun: boolean;
  sent: number;
  created: number;
  updated: number;
  unchanged: number;
  conflicts: number;
  invalid: number;
  forbidden: number;
  /** Rows the add-on itself refused (bad numbers, empty keys), with the reason. */
  problems: { row: number; message: string }[];
  rows: { row: number; status: UpsertStatus; message: string }[];
  conflictRows: ConflictRow[];
  message: string;
  requests: number;
}

/** Rows per upsert request: small enough for the server's body limit and one transaction. */
export const PUSH_BATCH = 250;

function upsertDocument(spec: EditableSpec): string {
  return `mutation RedePush($rows: [${spec.inputType}!]!, $dryRun: Boolean) {
  result: ${spec.mutation}(rows: $rows, dryRun: $dryRun) {
    created updated unchanged conflicts invalid forbidden
    rows { rowIndex status id version errors { field message } current }
  }
}`;
}

/** The table to push: the one under the cursor, else the only editable one. */
export function tableToPush(tableId?: string | null): TableBinding {
  const binding = tableId
    ? listBindings().find((candidate) => candidate.id === tableId)
    : (bindingAtActiveCell() ?? listBindings().filter((candidate) => candidate.editable)[0]);
  if (!binding) {
    throw new AddonError('errNoTableHere');
  }
  if (!binding.editable) {
    throw new AddonError('errNotEditable', { type: binding.typeName ?? '?' });
  }
  return binding;
}

/** Everything a push or a resolution works on, read once. */
interface PushContext {
  binding: TableBinding;
  spec: EditableSpec;
  placement: Placement;
  paths: string[];
  current: SheetValue[][];
  snapshot: SheetValue[][];
  keyIndexes: number[];
  versionIndex: number;
  columnOfField: Map<string, TableColumn>;
}

/**
 * The spec minus columns someone deleted from the sheet: a missing column must read as "not
 * part of this push", never as "emptied" (which would clear the field on the server).
 */
function context(binding: TableBinding): PushContext {
  const placement = locate(binding);
  const paths = binding.columns.map((column) => column.path);
  const present = (path: string) => placement.positions[paths.indexOf(path)] !== null;
  const full = binding.editable!;
  for (const path of [...full.keyFields.map((field) => full.columns[field]!), full.versionColumn]) {
    if (!present(path)) {
      throw new AddonError('errMissingColumn', {
        column: binding.columns.find((column) => column.path === path)?.header ?? path,
      });
    }
  }
  const columns = Object.fromEntries(
    Object.entries(full.columns).filter(([, path]) => present(path)),
  );
  const spec = { ...full, columns };
  const columnOfField = new Map(
    Object.entries(columns).map(([field, path]) => [
      field,
      binding.columns.find((column) => column.path === path)!,
    ]),
  );
  return {
    binding,
    spec,
    placement,
    paths,
    current: readTable(binding, placement),
    snapshot: readSnapshot(binding),
    keyIndexes: spec.keyFields.map((field) => paths.indexOf(columns[field]!)),
    versionIndex: paths.indexOf(spec.versionColumn),
    columnOfField,
  };
}

function headerOf(binding: TableBinding) {
  return (path: string) => binding.columns.find((column) => column.path === path)?.header ?? path;
}

/** A server value as the sheet would show it (enum labels, '' for nothing). */
function shown(column: TableColumn, value: unknown): SheetValue {
  if (value === null || value === undefined) {
    return null;
  }
  if (typeof value === 'object') {
    return JSON.stringify(value);
  }
  return displayCell(column, value as string | number | boolean) as SheetValue;
}

const text = (value: SheetValue | undefined) => {
  const cell = normalizeCell(value);
  return cell === null ? '—' : String(cell);
};

/** The fields of a conflicting row where the sheet and the server disagree. */
function differences(
  ctx: PushContext,
  row: readonly SheetValue[],
  server: Record<string, unknown>,
): FieldDifference[] {
  const found: FieldDifference[] = [];
  for (const [field, column] of ctx.columnOfField) {
    if (ctx.spec.keyFields.includes(field) || !(field in server)) {
      continue;
    }
    const mine = row[ctx.paths.indexOf(column.path)];
    const theirs = shown(column, server[field]);
    if (!sameCell(mine, theirs)) {
      found.push({ field, label: column.header, mine: text(mine), theirs: text(theirs) });
    }
  }
  return found;
}

function conflictRow(
  ctx: PushContext,
  change: RowChange,
  server: Record<string, unknown>,
): ConflictRow {
  const row = ctx.current[change.row]!;
  const key = rowKey(row, ctx.keyIndexes);
  const nameIndex = ctx.paths.indexOf('name');
  return {
    key,
    row: ctx.placement.headerRow + 1 + change.row,
    title: [key.split('\u0001').join(' · '), nameIndex >= 0 ? text(row[nameIndex]) : null]
      .filter(Boolean)
      .join(' — '),
    serverVersion: typeof server.version === 'number' ? server.version : null,
    fields: differences(ctx, row, server),
  };
}

function rowMessage(
  locale: Locale,
  binding: TableBinding,
  result: UpsertRowResult,
  conflict: ConflictRow | null,
): string {
  switch (result.status) {
    case 'CREATED':
      return translate(locale, 'statusCreated', { version: result.version ?? 1 });
    case 'UPDATED':
      return translate(locale, 'statusUpdated', { version: result.version ?? '?' });
    case 'UNCHANGED':
      return translate(locale, 'statusUnchanged');
    case 'CONFLICT':
      return translate(locale, 'statusConflict', {
        version: conflict?.serverVersion ?? result.version ?? '?',
        differences: (conflict?.fields ?? [])
          .map((field) => `${field.label}: ${field.mine} → ${field.theirs}`)
          .join('\n'),
      });
    case 'INVALID':
      return translate(locale, 'statusInvalid', {
        errors: result.errors
          .map((error) => fieldError(locale, binding.typeName, error))
          .join('\n'),
      });
    case 'FORBIDDEN':
      return translate(locale, 'statusForbidden', {
        detail: result.errors.map((error) => serverMessage(locale, error.message)).join('; '),
      });
  }
}

const statusColour: Record<UpsertStatus, string | null> = {
  CREATED: colours.created,
  UPDATED: colours.updated,
  UNCHANGED: colours.unchanged,
  CONFLICT: colours.conflict,
  INVALID: colours.invalid,
  FORBIDDEN: colours.forbidden,
};

interface Sent {
  change: RowChange;
  result: UpsertRowResult;
}

function send(
  ctx: PushContext,
  changes: readonly RowChange[],
  dryRun: boolean,
  locale: Locale,
): { sent: Sent[]; totals: Record<string, number>; requests: number } {
  const graphql = client(locale);
  const sent: Sent[] = [];
  const totals: Record<string, number> = {};
  for (let offset = 0; offset < changes.length; offset += PUSH_BATCH) {
    const batch = changes.slice(offset, offset + PUSH_BATCH);
    const data = graphql.request<{ result: Record<string, number> & { rows: UpsertRowResult[] } }>(
      upsertDocument(ctx.spec),
      { rows: batch.map((change) => change.input), dryRun },
    );
    for (const name of ['created', 'updated', 'unchanged', 'conflicts', 'invalid', 'forbidden']) {
      totals[name] = (totals[name] ?? 0) + (data.result[name] as number);
    }
    for (const result of data.result.rows) {
      sent.push({ change: batch[result.rowIndex]!, result });
    }
  }
  return { sent, totals, requests: graphql.requests };
}

/**
 * Sends the rows changed since the pull with the bulk upsert (`dryRun` for the preview). After a
 * real push, every sent row is marked (colour + note on its first cell); rows the server took get
 * their new version and enter the snapshot; conflicts keep the user's values in the cells and
 * list, per row, only the fields where the sheet and the server differ — nothing is overwritten.
 */
export function pushTable(binding: TableBinding, dryRun: boolean, locale: Locale): PushSummary {
  const ctx = context(binding);
  const plan = planPush(
    ctx.spec,
    ctx.paths,
    ctx.current,
    ctx.snapshot,
    ctx.placement.headerRow + 1,
    locale,
    headerOf(binding),
  );
  const { sent, totals, requests } = send(ctx, plan.changes, dryRun, locale);
  const conflicts = new Map<number, ConflictRow>();
  for (const { change, result } of sent) {
    if (result.status === 'CONFLICT' && result.current) {
      conflicts.set(change.row, conflictRow(ctx, change, result.current));
    }
  }
  const summary: PushSummary = {
    tableId: binding.id,
    dryRun,
    sent: plan.changes.length,
    created: totals.created ?? 0,
    updated: totals.updated ?? 0,
    unchanged: totals.unchanged ?? 0,
    conflicts: totals.conflicts ?? 0,
    invalid: totals.invalid ?? 0,
    forbidden: totals.forbidden ?? 0,
    problems: plan.problems,
    rows: sent.map(({ change, result }) => ({
      row: ctx.placement.headerRow + 1 + change.row,
      status: result.status,
      message: rowMessage(locale, binding, result, conflicts.get(change.row) ?? null),
    })),
    conflictRows: [...conflicts.values()],
    message: '',
    requests,
  };
  const counts = translate(locale, 'pushSummary', {
    created: summary.created,
    updated: summary.updated,
    unchanged: summary.unchanged,
    conflicts: summary.conflicts,
    invalid: summary.invalid + summary.problems.length,
    forbidden: summary.forbidden,
  });
  summary.message =
    plan.changes.length === 0 && plan.problems.length === 0
      ? translate(locale, 'noChanges')
      : dryRun
        ? translate(locale, 'previewSummary', { summary: counts })
        : counts;
  if (!dryRun && (sent.length > 0 || plan.problems.length > 0)) {
    applyResults(ctx, sent, summary);
  }
  return summary;
}

/** The snapshot aligned with `ctx.current`: `replace` rows from `override`, others as before. */
function alignedSnapshot(ctx: PushContext, override: Map<number, SheetValue[]>): SheetValue[][] {
  const width = ctx.paths.length;
  const before = new Map(ctx.snapshot.map((row) => [rowKey(row, ctx.keyIndexes), row]));
  return ctx.current.map((row, index) => [
    ...(override.get(index) ??
      before.get(rowKey(row, ctx.keyIndexes)) ??
      new Array<SheetValue>(width).fill(null)),
  ]);
}

/** Only the version column of the table, for `writeRows`. */
function versionOnly(ctx: PushContext): (number | null)[] {
  return ctx.placement.positions.map((column, index) =>
    index === ctx.versionIndex ? column : null,
  );
}

function applyResults(ctx: PushContext, sent: Sent[], summary: PushSummary): void {
  const marks = readMarks(ctx.placement, ctx.current.length);
  const taken = new Map<number, SheetValue[]>();
  const messages = new Map(summary.rows.map((row) => [row.row, row.message]));
  const markRow = (row: number, colour: string | null, note: string) => {
    marks.backgrounds[row] = marks.backgrounds[row]!.map(() => colour);
    marks.notes[row] = marks.notes[row]!.map((_, column) => (column === 0 ? note : ''));
  };
  for (const { change, result } of sent) {
    markRow(
      change.row,
      statusColour[result.status],
      messages.get(ctx.placement.headerRow + 1 + change.row) ?? '',
    );
    if ((result.status === 'CREATED' || result.status === 'UPDATED') && result.version !== null) {
      ctx.current[change.row]![ctx.versionIndex] = result.version;
      taken.set(change.row, [...ctx.current[change.row]!]);
    }
  }
  for (const problem of summary.problems) {
    markRow(problem.row, colours.invalid, problem.message);
  }
  if (taken.size > 0) {
    writeRows(
      ctx.placement.sheet,
      ctx.placement.headerRow + 1,
      versionOnly(ctx),
      ctx.binding.columns,
      ctx.current,
    );
  }
  setExtent(ctx.binding, ctx.placement, ctx.current.length);
  writeSnapshot(ctx.binding, alignedSnapshot(ctx, taken));
  writeMarks(locate(ctx.binding), marks);
  saveBinding(ctx.binding);
}

export interface ResolveSummary {
  resolved: number;
  message: string;
}

/**
 * Settles conflicts deliberately, row by row (`choices`: row key → mine | theirs), with the
 * server's current values read by a dry run: `theirs` writes them into the row; `mine` keeps the
 * user's cells and moves the row's version and snapshot to the server's, so the next push sends
 * the user's values as a normal update — a choice the user made, never a silent overwrite.
 */
export function resolveConflicts(
  binding: TableBinding,
  choices: Record<string, 'mine' | 'theirs'>,
  locale: Locale,
): ResolveSummary {
  const ctx = context(binding);
  const plan = planPush(
    ctx.spec,
    ctx.paths,
    ctx.current,
    ctx.snapshot,
    ctx.placement.headerRow + 1,
    locale,
  );
  const updates = plan.changes.filter(
    (change) =>
      change.kind === 'update' && rowKey(ctx.current[change.row]!, ctx.keyIndexes) in choices,
  );
  const { sent } = send(ctx, updates, true, locale);
  const serverRows = new Map<number, SheetValue[]>();
  const chosen = new Map<number, 'mine' | 'theirs'>();
  for (const { change, result } of sent) {
    if (result.status !== 'CONFLICT' || !result.current) {
      continue;
    }
    const row = ctx.current[change.row]!;
    const server = result.current;
    serverRows.set(
      change.row,
      ctx.paths.map((path, index) => {
        if (index === ctx.versionIndex) {
          return typeof server.version === 'number' ? server.version : null;
        }
        const field = [...ctx.columnOfField].find(([, column]) => column.path === path);
        return field && field[0] in server
          ? shown(field[1], server[field[0]])
          : (row[index] ?? null);
      }),
    );
    chosen.set(change.row, choices[rowKey(row, ctx.keyIndexes)]!);
  }
  if (serverRows.size === 0) {
    return { resolved: 0, message: translate(locale, 'resolved', { count: 0 }) };
  }
  const marks = readMarks(ctx.placement, ctx.current.length);
  for (const [index, serverRow] of serverRows) {
    const width = serverRow.length;
    if (chosen.get(index) === 'theirs') {
      ctx.current[index] = [...serverRow];
      marks.backgrounds[index] = new Array<string | null>(width).fill(null);
      marks.notes[index] = new Array<string>(width).fill('');
    } else {
      ctx.current[index]![ctx.versionIndex] = serverRow[ctx.versionIndex]!;
      marks.backgrounds[index] = new Array<string | null>(width).fill(colours.pending);
      marks.notes[index] = Array.from({ length: width }, (_, column) =>
        column === 0
          ? translate(locale, 'keptMine', { version: String(serverRow[ctx.versionIndex]) })
          : '',
      );
    }
  }
  writeRows(
    ctx.placement.sheet,
    ctx.placement.headerRow + 1,
    ctx.placement.positions,
    binding.columns,
    ctx.current,
  );
  writeSnapshot(binding, alignedSnapshot(ctx, serverRows));
  writeMarks(ctx.placement, marks);
  saveBinding(binding);
  return {
    resolved: serverRows.size,
    message: translate(locale, 'resolved', { count: serverRows.size }),
  };
}

export { VERSION_FIELD };
