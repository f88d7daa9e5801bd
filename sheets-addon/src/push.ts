import { VERSION_FIELD, type EditableSpec } from './editable';
import { AddonError, translate, type Locale } from './i18n';
import { planPush, rowKey, type RowChange, type SheetValue } from './row-diff';
import { client } from './services';
import {
  bindingAtActiveCell,
  colours,
  listBindings,
  readMarks,
  readSnapshot,
  readTable,
  saveBinding,
  sheetOf,
  writeMarks,
  writeRows,
  writeSnapshot,
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

function describeCurrent(current: Record<string, unknown> | null): string {
  if (!current) {
    return '';
  }
  return Object.entries(current)
    .map(
      ([field, value]) =>
        `${field}: ${value === null ? '—' : typeof value === 'object' ? JSON.stringify(value) : String(value)}`,
    )
    .join('\n');
}

function rowMessage(locale: Locale, result: UpsertRowResult): string {
  switch (result.status) {
    case 'CREATED':
      return translate(locale, 'statusCreated', { version: result.version ?? 1 });
    case 'UPDATED':
      return translate(locale, 'statusUpdated', { version: result.version ?? '?' });
    case 'UNCHANGED':
      return translate(locale, 'statusUnchanged');
    case 'CONFLICT':
      return translate(locale, 'statusConflict', {
        version: (result.current?.version as number | undefined) ?? result.version ?? '?',
        current: describeCurrent(result.current),
      });
    case 'INVALID':
      return translate(locale, 'statusInvalid', {
        errors: result.errors.map((error) => `${error.field}: ${error.message}`).join('\n'),
      });
    case 'FORBIDDEN':
      return translate(locale, 'statusForbidden');
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

/**
 * Sends the rows changed since the pull with the bulk upsert (`dryRun` for the preview). After a
 * real push, every sent row is marked (colour + note on its first cell); rows the server took get
 * their new version and enter the snapshot; conflicts keep the user's values in the cells and the
 * server's in the note — nothing is overwritten either way.
 */
export function pushTable(binding: TableBinding, dryRun: boolean, locale: Locale): PushSummary {
  const spec = binding.editable!;
  const current = readTable(binding);
  const snapshot = readSnapshot(binding);
  const plan = planPush(spec, binding.columns, current, snapshot, binding.row + 1);
  const graphql = client();
  const summary: PushSummary = {
    tableId: binding.id,
    dryRun,
    sent: plan.changes.length,
    created: 0,
    updated: 0,
    unchanged: 0,
    conflicts: 0,
    invalid: 0,
    forbidden: 0,
    problems: plan.problems,
    rows: [],
    message: '',
    requests: 0,
  };
  const results: { change: RowChange; result: UpsertRowResult }[] = [];
  for (let offset = 0; offset < plan.changes.length; offset += PUSH_BATCH) {
    const batch = plan.changes.slice(offset, offset + PUSH_BATCH);
    const data = graphql.request<{
      result: {
        created: number;
        updated: number;
        unchanged: number;
        conflicts: number;
        invalid: number;
        forbidden: number;
        rows: UpsertRowResult[];
      };
    }>(upsertDocument(spec), { rows: batch.map((change) => change.input), dryRun });
    summary.created += data.result.created;
    summary.updated += data.result.updated;
    summary.unchanged += data.result.unchanged;
    summary.conflicts += data.result.conflicts;
    summary.invalid += data.result.invalid;
    summary.forbidden += data.result.forbidden;
    for (const result of data.result.rows) {
      results.push({ change: batch[result.rowIndex]!, result });
    }
  }
  summary.requests = graphql.requests;
  summary.rows = results.map(({ change, result }) => ({
    row: binding.row + 1 + change.row,
    status: result.status,
    message: rowMessage(locale, result),
  }));
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
  if (!dryRun && (results.length > 0 || plan.problems.length > 0)) {
    applyResults(binding, current, snapshot, results, plan.problems, locale);
  }
  return summary;
}

function applyResults(
  binding: TableBinding,
  current: SheetValue[][],
  snapshot: SheetValue[][],
  results: { change: RowChange; result: UpsertRowResult }[],
  problems: { row: number; message: string }[],
  locale: Locale,
): void {
  const spec = binding.editable!;
  const width = binding.columns.length;
  const versionIndex = binding.columns.indexOf(spec.versionColumn);
  const keyIndexes = spec.keyFields.map((field) => binding.columns.indexOf(spec.columns[field]!));
  const marks = readMarks(binding, current.length);
  const taken = new Map<number, UpsertRowResult>();
  for (const { change, result } of results) {
    const colour = statusColour[result.status];
    marks.backgrounds[change.row] = new Array<string | null>(width).fill(colour);
    marks.notes[change.row] = Array.from({ length: width }, (_, column) =>
      column === 0 ? rowMessage(locale, result) : '',
    );
    if ((result.status === 'CREATED' || result.status === 'UPDATED') && result.version !== null) {
      current[change.row]![versionIndex] = result.version;
      taken.set(change.row, result);
    }
  }
  for (const problem of problems) {
    marks.backgrounds[problem.row] = new Array<string | null>(width).fill(colours.invalid);
    marks.notes[problem.row] = Array.from({ length: width }, (_, column) =>
      column === 0 ? problem.message : '',
    );
  }
  // The new versions go into the hidden version column: one batched write of that column.
  if (taken.size > 0) {
    sheetOf(binding)
      .getRange(binding.row + 1, binding.column + versionIndex, current.length, 1)
      .setValues(current.map((row) => [row[versionIndex] ?? null]));
  }
  const before = new Map(snapshot.map((row) => [rowKey(row, keyIndexes), row]));
  const nextSnapshot = current.map((row, index) =>
    taken.has(index)
      ? [...row]
      : [...(before.get(rowKey(row, keyIndexes)) ?? new Array<SheetValue>(width).fill(null))],
  );
  writeSnapshot(binding, nextSnapshot);
  writeMarks(binding, marks);
  binding.rows = current.length;
  saveBinding(binding);
}

export interface ResolveSummary {
  resolved: number;
  message: string;
}

/**
 * Settles conflicts deliberately, row by row, with the server's current values (read with a dry
 * run): `theirs` writes them into the sheet; `mine` keeps the user's cells and moves the row's
 * version and snapshot to the server's, so the next push sends the user's values as a normal
 * update — a choice the user made, not a silent overwrite.
 */
export function resolveConflicts(
  binding: TableBinding,
  choice: 'mine' | 'theirs',
  locale: Locale,
): ResolveSummary {
  const spec = binding.editable!;
  const width = binding.columns.length;
  const current = readTable(binding);
  const snapshot = readSnapshot(binding);
  const plan = planPush(spec, binding.columns, current, snapshot, binding.row + 1);
  const updates = plan.changes.filter((change) => change.kind === 'update');
  const graphql = client();
  const conflicts: { change: RowChange; current: Record<string, unknown> }[] = [];
  for (let offset = 0; offset < updates.length; offset += PUSH_BATCH) {
    const batch = updates.slice(offset, offset + PUSH_BATCH);
    const data = graphql.request<{ result: { rows: UpsertRowResult[] } }>(upsertDocument(spec), {
      rows: batch.map((change) => change.input),
      dryRun: true,
    });
    for (const result of data.result.rows) {
      if (result.status === 'CONFLICT' && result.current) {
        conflicts.push({ change: batch[result.rowIndex]!, current: result.current });
      }
    }
  }
  const keyIndexes = spec.keyFields.map((field) => binding.columns.indexOf(spec.columns[field]!));
  const versionIndex = binding.columns.indexOf(spec.versionColumn);
  const fieldOfColumn = new Map(
    Object.entries(spec.columns).map(([field, column]) => [column, field]),
  );
  const before = new Map(snapshot.map((row) => [rowKey(row, keyIndexes), row]));
  const serverRows = new Map<number, SheetValue[]>();
  for (const conflict of conflicts) {
    const row = current[conflict.change.row]!;
    const old = before.get(rowKey(row, keyIndexes)) ?? row;
    serverRows.set(
      conflict.change.row,
      binding.columns.map((column, index) => {
        if (index === versionIndex) {
          return (conflict.current.version as number | undefined) ?? null;
        }
        const field = fieldOfColumn.get(column);
        return field && field in conflict.current
          ? (conflict.current[field] as SheetValue)
          : (old[index] ?? null);
      }),
    );
  }
  if (serverRows.size === 0) {
    return { resolved: 0, message: translate(locale, 'resolved', { count: 0 }) };
  }
  const marks = readMarks(binding, current.length);
  for (const [index, serverRow] of serverRows) {
    if (choice === 'theirs') {
      current[index] = [...serverRow];
      marks.backgrounds[index] = new Array<string | null>(width).fill(null);
      marks.notes[index] = new Array<string>(width).fill('');
    } else {
      current[index]![versionIndex] = serverRow[versionIndex]!;
      marks.backgrounds[index] = new Array<string | null>(width).fill(colours.pending);
      marks.notes[index] = Array.from({ length: width }, (_, column) =>
        column === 0
          ? translate(locale, 'keptMine', { version: String(serverRow[versionIndex]) })
          : '',
      );
    }
  }
  writeRows(sheetOf(binding), binding.row + 1, binding.column, current, width);
  writeSnapshot(
    binding,
    current.map((row, index) =>
      serverRows.has(index)
        ? [...serverRows.get(index)!]
        : [...(before.get(rowKey(row, keyIndexes)) ?? new Array<SheetValue>(width).fill(null))],
    ),
  );
  writeMarks(binding, marks);
  saveBinding(binding);
  return {
    resolved: serverRows.size,
    message: translate(locale, 'resolved', { count: serverRows.size }),
  };
}

export { VERSION_FIELD };
