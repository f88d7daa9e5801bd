import {
  parseQuery,
  singleQueryOperation,
  variableDefinitions,
} from '../../api/src/saved-queries/query-paging';
import { HUB_URL } from './build-info';
import { scriptDeadline, withDocumentLock } from './execution';
import { AddonError, catalog, isLocale, translate, type Locale, type MessageKey } from './i18n';
import {
  continueTable,
  insertTable,
  pagedOrError,
  pendingJob,
  progressOf,
  savedQueryByName,
  type InsertOutcome,
  type PullOutcome,
} from './pull';
import {
  pushTable,
  resolveConflicts,
  tableToPush,
  type PushSummary,
  type ResolveSummary,
} from './push';
import { refreshTables, reportText } from './refresh';
import { scheduleView, setSchedule, type Frequency, type ScheduleView } from './schedule';
import {
  client,
  currentLocale,
  currentUserLabel,
  forgetConnection,
  readerKey,
  requestCounter,
  saveConnection,
  saveLocale,
  saveReaderKey,
  savedConnection,
  savedViewer,
  sheetTime,
  viewerQuery,
  type ViewerInfo,
} from './services';
import { pathLabel } from './labels';
import { listBindings, locate, type TableBinding } from './table-store';
import {
  buildForm,
  describeTypesQuery,
  readForm,
  readTypeDescriptions,
  typesToDescribe,
  type FormField,
} from './variable-form';

/** Everything the sidebar shows on open: one call, so it renders at once. */
export interface SidebarState {
  locale: Locale;
  strings: Record<MessageKey, string>;
  hub: string;
  connection: { viewer: ViewerInfo | null; label: string } | null;
  formulas: { text: string; hasKey: boolean };
  tables: {
    id: string;
    title: string;
    place: string;
    rows: number;
    editable: boolean;
    lastRun: { at: string; ok: boolean; outcome: string } | null;
    progress: string | null;
  }[];
  schedule: ScheduleView;
  /** What the sidebar should do on opening (the menu's "Enviar alterações…" previews first). */
  next: 'preview' | null;
}

const NEXT_ACTION = 'rede.next';

/** Errors cross `google.script.run` as plain messages in the user's language. */
export function userFacing<T>(action: (locale: Locale) => T): T {
  const locale = currentLocale();
  try {
    return action(locale);
  } catch (error) {
    if (error instanceof AddonError) {
      throw new Error(error.render(locale));
    }
    throw error;
  }
}

function viewerLabel(locale: Locale, viewer: ViewerInfo | null): string {
  if (!viewer) {
    return translate(locale, 'notConnected');
  }
  const scope = viewer.stateUf
    ? translate(locale, 'scopeState', { uf: viewer.stateUf })
    : translate(locale, 'scopeNational');
  return translate(locale, 'connectedAs', {
    name: viewer.name ?? viewer.kind,
    role: viewer.role,
    scope,
  });
}

function tableView(locale: Locale, binding: TableBinding): SidebarState['tables'][number] {
  let place = '—';
  let rows = 0;
  try {
    const placement = locate(binding);
    place = `${placement.sheet.getName()}!${placement.sheet.getRange(placement.headerRow, placement.firstColumn).getA1Notation()}`;
    rows = placement.rows;
  } catch {
    // the table's range is gone: its last run says so
  }
  const job = pendingJob(binding.id);
  return {
    id: binding.id,
    title: binding.title,
    place,
    rows,
    editable: binding.editable !== null,
    lastRun: binding.lastRun
      ? {
          at: sheetTime(binding.lastRun.at),
          ok: binding.lastRun.ok,
          outcome: binding.lastRun.outcome,
        }
      : null,
    progress: job ? progressOf(binding, job, locale) : null,
  };
}

export function sidebarState(): SidebarState {
  const locale = currentLocale();
  const viewer = savedViewer();
  const reader = readerKey();
  const cache = CacheService.getUserCache();
  const next = cache?.get(NEXT_ACTION) === 'preview' ? 'preview' : null;
  if (next) {
    cache!.remove(NEXT_ACTION);
  }
  return {
    locale,
    strings: catalog(locale),
    hub: HUB_URL,
    connection: savedConnection() ? { viewer, label: viewerLabel(locale, viewer) } : null,
    formulas: {
      hasKey: reader !== null,
      text: reader
        ? translate(locale, 'formulasToken', {
            name: reader.name,
            by: reader.setBy,
            at: sheetTime(reader.at),
          })
        : translate(locale, 'formulasAnonymous'),
    },
    tables: listBindings().map((binding) => tableView(locale, binding)),
    schedule: scheduleView(locale),
    next,
  };
}

/** The menu's "Enviar alterações…": opens the sidebar on a preview, nothing is sent yet. */
export function queuePreview(): void {
  CacheService.getUserCache()?.put(NEXT_ACTION, 'preview', 120);
}

/** Checks the key against the server (`viewer`) before keeping it in the user's properties. */
export function sidebarConnect(apiKey: string): SidebarState {
  return userFacing((locale) => {
    const key = String(apiKey ?? '').trim();
    const data = client(locale, { apiKey: key }).request<{ viewer: ViewerInfo }>(viewerQuery);
    if (data.viewer.kind === 'ANONYMOUS') {
      throw new AddonError('errUnauthenticated');
    }
    saveConnection(key, data.viewer);
    return sidebarState();
  });
}

export function sidebarDisconnect(): SidebarState {
  forgetConnection();
  return sidebarState();
}

export function sidebarSetLocale(locale: string): SidebarState {
  if (isLocale(locale)) {
    saveLocale(locale);
  }
  return sidebarState();
}

/**
 * The reader key formulas use. Only a READER key is accepted: it is kept in the document for
 * every editor's formulas, so it must not be able to write or see personal data.
 */
export function sidebarSetReaderKey(apiKey: string): SidebarState {
  return userFacing((locale) => {
    const key = String(apiKey ?? '').trim();
    const data = client(locale, { apiKey: key }).request<{ viewer: ViewerInfo }>(viewerQuery);
    if (data.viewer.kind !== 'KEY') {
      throw new AddonError('errUnauthenticated');
    }
    if (data.viewer.role !== 'READER') {
      throw new AddonError('errReaderRole', { role: data.viewer.role });
    }
    saveReaderKey({
      key,
      name: data.viewer.name ?? '?',
      setBy: currentUserLabel(),
      at: new Date().toISOString(),
    });
    return sidebarState();
  });
}

export function sidebarClearReaderKey(): SidebarState {
  saveReaderKey(null);
  return sidebarState();
}

export function sidebarListQueries(): {
  name: string;
  description: string | null;
  stateUf: string | null;
}[] {
  return userFacing((locale) => {
    const data = client(locale).request<{
      savedQueries: {
        nodes: { name: string; description: string | null; stateUf: string | null }[];
      };
    }>(
      `query RedeSavedQueries { savedQueries(first: 500) { nodes { name description stateUf } } }`,
    );
    return data.savedQueries.nodes;
  });
}

export interface QueryForm {
  query: string;
  columns: string[];
  fields: FormField[];
}

/** The variables form of a saved query (by name) or of a query written in the sidebar. */
export function sidebarQueryForm(request: {
  name?: string | null;
  query?: string | null;
}): QueryForm {
  return userFacing((locale) => {
    const graphql = client(locale);
    const saved = request.name ? savedQueryByName(graphql, request.name) : null;
    const text = saved?.query ?? request.query ?? '';
    const paged = pagedOrError(text);
    const definitions = variableDefinitions(singleQueryOperation(parseQuery(text)));
    const names = typesToDescribe(definitions);
    const types =
      names.length > 0
        ? readTypeDescriptions(names, graphql.request(describeTypesQuery(names)))
        : {};
    return {
      query: text,
      columns: paged.columns.map(pathLabel),
      fields: buildForm(definitions, types, saved?.variables ?? {}),
    };
  });
}

export interface ActionResult {
  message: string;
  state: SidebarState;
  requests: number;
  /** A pull that goes on: the sidebar shows `text` and calls `sidebarContinue(tableId)`. */
  progress: { tableId: string; text: string } | null;
  /** An insert that would cover filled cells: nothing was written. */
  occupied: { range: string; filled: number } | null;
}

function result(
  message: string,
  started: number,
  extra: Partial<Pick<ActionResult, 'progress' | 'occupied'>> = {},
): ActionResult {
  return {
    message,
    state: sidebarState(),
    requests: requestCounter.count - started,
    progress: extra.progress ?? null,
    occupied: extra.occupied ?? null,
  };
}

function pullResult(locale: Locale, outcome: PullOutcome, started: number) {
  if (outcome.status === 'continuing') {
    const text = progressOf(outcome.binding, outcome.job, locale);
    return result(text, started, { progress: { tableId: outcome.binding.id, text } });
  }
  if (outcome.mode === 'refresh') {
    return result(
      translate(locale, 'refreshed', { rows: outcome.rows, kept: outcome.kept }),
      started,
    );
  }
  const placement = locate(outcome.binding);
  return result(
    translate(locale, 'inserted', {
      rows: outcome.rows,
      sheet: placement.sheet.getName(),
      cell: placement.sheet.getRange(placement.headerRow, placement.firstColumn).getA1Notation(),
    }),
    started,
  );
}

export function sidebarInsert(request: {
  name?: string | null;
  query?: string | null;
  fields: FormField[];
  values: Record<string, string>;
  target?: 'cursor' | 'newSheet';
  overwrite?: boolean;
}): ActionResult {
  return userFacing((locale) => {
    const started = requestCounter.count;
    const variables = readForm(request.fields, request.values);
    const outcome: InsertOutcome = withDocumentLock(() =>
      insertTable(
        {
          queryName: request.name,
          query: request.query,
          variables,
          target: request.target,
          overwrite: request.overwrite,
        },
        scriptDeadline(),
        locale,
      ),
    );
    if (outcome.status === 'occupied') {
      return result(
        translate(locale, 'occupied', { range: outcome.range, filled: outcome.filled }),
        started,
        { occupied: { range: outcome.range, filled: outcome.filled } },
      );
    }
    return pullResult(locale, outcome, started);
  });
}

/** The next step of a pull that did not fit in one execution (the progress line's loop). */
export function sidebarContinue(tableId: string): ActionResult {
  return userFacing((locale) => {
    const started = requestCounter.count;
    const outcome = withDocumentLock(() => continueTable(tableId, scriptDeadline(), locale));
    return pullResult(locale, outcome, started);
  });
}

export function sidebarRefresh(tableId: string | null): ActionResult {
  return userFacing((locale) => {
    const started = requestCounter.count;
    const reports = withDocumentLock(() =>
      refreshTables(tableId ? [tableId] : null, scriptDeadline(), locale),
    );
    const going = reports.find((report) => report.status === 'continuing');
    const binding = going ? listBindings().find((candidate) => candidate.id === going.id) : null;
    const job = going ? pendingJob(going.id) : null;
    return result(reportText(reports, locale), started, {
      progress:
        binding && job ? { tableId: binding.id, text: progressOf(binding, job, locale) } : null,
    });
  });
}

export function sidebarSchedule(frequency: Frequency, takeOver = false): SidebarState {
  return userFacing(() => {
    setSchedule(frequency, takeOver);
    return sidebarState();
  });
}

export function sidebarPush(dryRun: boolean, tableId: string | null = null): PushSummary {
  return userFacing((locale) =>
    withDocumentLock(() => pushTable(tableToPush(tableId), dryRun, locale)),
  );
}

export function sidebarResolveConflicts(
  tableId: string | null,
  choices: Record<string, 'mine' | 'theirs'>,
): ResolveSummary {
  return userFacing((locale) =>
    withDocumentLock(() => resolveConflicts(tableToPush(tableId), choices, locale)),
  );
}
