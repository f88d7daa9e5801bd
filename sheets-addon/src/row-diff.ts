import { type Cell } from '../../api/src/saved-queries/query-paging';
import { type EditableSpec, VERSION_FIELD } from './editable';
import { AddonError, type Locale } from './i18n';
import { enumChoices, enumValue, hasEnumLabels } from './labels';

/** What a sheet cell can hold when read back (`getValues`). */
export type SheetValue = string | number | boolean | Date | null;

export interface RowChange {
  /** 0-based row inside the table's data area. */
  row: number;
  kind: 'update' | 'create';
  input: Record<string, unknown>;
}

export interface RowProblem {
  row: number;
  message: string;
}

export interface PushPlan {
  changes: RowChange[];
  problems: RowProblem[];
}

/** Sheets hands back numbers, booleans and Dates; compare them as the hub would store them. */
export function normalizeCell(value: SheetValue | undefined): Cell {
  if (value === null || value === undefined || value === '') {
    return null;
  }
  if (value instanceof Date) {
    const pad = (n: number) => String(n).padStart(2, '0');
    return `${value.getFullYear()}-${pad(value.getMonth() + 1)}-${pad(value.getDate())}`;
  }
  if (typeof value === 'string') {
    const trimmed = value.trim();
    return trimmed === '' ? null : trimmed;
  }
  return value;
}

export function sameCell(a: SheetValue | undefined, b: SheetValue | undefined): boolean {
  const left = normalizeCell(a);
  const right = normalizeCell(b);
  if (left === null || right === null) {
    return left === right;
  }
  if (typeof left === 'number' || typeof right === 'number') {
    return Number(left) === Number(right);
  }
  return String(left) === String(right);
}

/** The row key: the key columns' values joined; empty when any key cell is empty. */
export function rowKey(row: readonly SheetValue[], keyIndexes: readonly number[]): string {
  const parts = keyIndexes.map((index) => normalizeCell(row[index]));
  return parts.some((part) => part === null) ? '' : parts.map(String).join('\u0001');
}

function coerce(value: SheetValue, type: string, row: number, column: string): unknown {
  const cell = normalizeCell(value);
  if (cell === null) {
    return null;
  }
  switch (type) {
    case 'Int':
    case 'Float': {
      const number = typeof cell === 'number' ? cell : Number(String(cell).replace(',', '.'));
      if (!Number.isFinite(number) || (type === 'Int' && !Number.isInteger(number))) {
        throw new AddonError('errBadNumber', { row, column, value: String(cell) });
      }
      return number;
    }
    case 'Boolean': {
      if (typeof cell === 'boolean') {
        return cell;
      }
      const lowered = String(cell).toLowerCase();
      if (['true', 'verdadeiro', 'sim'].includes(lowered)) {
        return true;
      }
      if (['false', 'falso', 'não', 'nao'].includes(lowered)) {
        return false;
      }
      throw new AddonError('errBadBoolean', { row, column, value: String(cell) });
    }
    default: {
      if (!hasEnumLabels(type)) {
        return String(cell);
      }
      const value = enumValue(type, String(cell));
      if (value === null) {
        throw new AddonError('errBadEnum', {
          row,
          column,
          value: String(cell),
          options: enumChoices(type)
            .map((choice) => choice.label)
            .join(', '),
        });
      }
      return value;
    }
  }
}

/**
 * Compares the table as it is now with the snapshot taken when it was pulled, by natural key:
 * rows whose editable cells differ become updates carrying their `version` (so a stale row is a
 * conflict on the server, never an overwrite); rows whose key the snapshot lacks become creates.
 * Only changed fields are sent. `firstSheetRow` turns table rows into sheet row numbers.
 */
export function planPush(
  spec: EditableSpec,
  columns: readonly string[],
  current: readonly (readonly SheetValue[])[],
  snapshot: readonly (readonly SheetValue[])[],
  firstSheetRow: number,
  locale: Locale = 'pt-BR',
  headerOf: (path: string) => string = (path) => path,
): PushPlan {
  const index = (column: string) => columns.indexOf(column);
  const keyIndexes = spec.keyFields.map((field) => index(spec.columns[field]!));
  const versionIndex = index(spec.versionColumn);
  const before = new Map<string, readonly SheetValue[]>();
  for (const row of snapshot) {
    const key = rowKey(row, keyIndexes);
    if (key) {
      before.set(key, row);
    }
  }
  const plan: PushPlan = { changes: [], problems: [] };
  current.forEach((row, position) => {
    const sheetRow = firstSheetRow + position;
    if (row.every((cell) => normalizeCell(cell) === null)) {
      return;
    }
    const key = rowKey(row, keyIndexes);
    if (!key) {
      plan.problems.push({
        row: position,
        message: new AddonError('errEmptyKey', {
          row: sheetRow,
          columns: spec.keyFields.map((field) => headerOf(spec.columns[field]!)).join(', '),
        }).render(locale),
      });
      return;
    }
    const original = before.get(key);
    try {
      const input: Record<string, unknown> = {};
      for (const field of spec.keyFields) {
        input[field] = coerce(
          row[index(spec.columns[field]!)]!,
          spec.types[field]!,
          sheetRow,
          headerOf(spec.columns[field]!),
        );
      }
      let changed = false;
      for (const [field, column] of Object.entries(spec.columns)) {
        if (spec.keyFields.includes(field)) {
          continue;
        }
        const at = index(column);
        if (original && sameCell(row[at], original[at])) {
          continue;
        }
        if (!original && normalizeCell(row[at]) === null) {
          continue;
        }
        input[field] = coerce(row[at]!, spec.types[field]!, sheetRow, headerOf(column));
        changed = true;
      }
      if (original && !changed) {
        return;
      }
      if (original) {
        const version = normalizeCell(original[versionIndex]);
        if (typeof version === 'number' || (typeof version === 'string' && /^\d+$/.test(version))) {
          input[VERSION_FIELD] = Number(version);
        }
      }
      plan.changes.push({ row: position, kind: original ? 'update' : 'create', input });
    } catch (error) {
      if (error instanceof AddonError) {
        plan.problems.push({ row: position, message: error.render(locale) });
        return;
      }
      throw error;
    }
  });
  return plan;
}

export interface MergedTable {
  visible: SheetValue[][];
  snapshot: SheetValue[][];
  /** Rows of `visible` that hold local edits kept over the server's values. */
  kept: number[];
}

/**
 * A refresh that never loses an edit: rows the user changed since the last pull (any cell differs
 * from the snapshot) keep the user's values and their old snapshot, so a later push still sends
 * them with the old version (and meets a conflict if the server moved on). Everything else takes
 * the server's new values. Local rows the server does not have stay at the bottom.
 */
export function mergeRefresh(
  keyIndexes: readonly number[] | null,
  current: readonly (readonly SheetValue[])[],
  oldSnapshot: readonly (readonly SheetValue[])[],
  fresh: readonly (readonly SheetValue[])[],
): MergedTable {
  if (!keyIndexes || keyIndexes.length === 0) {
    return {
      visible: fresh.map((row) => [...row]),
      snapshot: fresh.map((row) => [...row]),
      kept: [],
    };
  }
  const oldByKey = new Map<string, readonly SheetValue[]>();
  for (const row of oldSnapshot) {
    oldByKey.set(rowKey(row, keyIndexes), row);
  }
  const pending = new Map<
    string,
    { row: readonly SheetValue[]; original?: readonly SheetValue[] }
  >();
  for (const row of current) {
    if (row.every((cell) => normalizeCell(cell) === null)) {
      continue;
    }
    const key = rowKey(row, keyIndexes);
    const original = oldByKey.get(key);
    if (!original || row.some((cell, index) => !sameCell(cell, original[index]))) {
      pending.set(key, { row, original });
    }
  }
  const merged: MergedTable = { visible: [], snapshot: [], kept: [] };
  const placed = new Set<string>();
  for (const row of fresh) {
    const key = rowKey(row, keyIndexes);
    const local = pending.get(key);
    if (local) {
      merged.kept.push(merged.visible.length);
      merged.visible.push([...local.row]);
      merged.snapshot.push([...(local.original ?? row)]);
      placed.add(key);
    } else {
      merged.visible.push([...row]);
      merged.snapshot.push([...row]);
    }
  }
  for (const [key, local] of pending) {
    if (!placed.has(key)) {
      merged.kept.push(merged.visible.length);
      merged.visible.push([...local.row]);
      merged.snapshot.push(local.original ? [...local.original] : local.row.map(() => null));
    }
  }
  return merged;
}
