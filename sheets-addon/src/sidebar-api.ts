import {
  parseQuery,
  singleQueryOperation,
  variableDefinitions,
} from '../../api/src/queries/query-paging';
import { normalizeServerUrl } from './graphql-client';
import { AddonError, catalog, isLocale, translate, type Locale, type MessageKey } from './i18n';
import { insertTable, pagedOrError, refreshTable, savedQueryByName } from './pull';
import {
  pushTable,
  resolveConflicts,
  tableToPush,
  type PushSummary,
  type ResolveSummary,
} from './push';
import {
  scheduleState,
  setSchedule,
  refreshAll,
  type Frequency,
  type ScheduleState,
} from './schedule';
import {
  client,
  currentLocale,
  forgetConnection,
  requestCounter,
  saveConnection,
  saveLocale,
  savedConnection,
  savedViewer,
  viewerQuery,
  type ViewerInfo,
} from './services';
import { listBindings } from './table-store';
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
  connection: { serverUrl: string; viewer: ViewerInfo | null; label: string } | null;
  tables: {
    id: string;
    title: string;
    rows: number;
    editable: boolean;
    lastRun: { at: string; ok: boolean; outcome: string } | null;
  }[];
  schedule: ScheduleState;
}

/** Errors cross `google.script.run` as plain messages in the user's language. */
export function userFacing<T>(action: () => T): T {
  try {
    return action();
  } catch (error) {
    if (error instanceof AddonError) {
      throw new Error(error.render(currentLocale()));
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

export function sidebarState(): SidebarState {
  const locale = currentLocale();
  const connection = savedConnection();
  const viewer = savedViewer();
  return {
    locale,
    strings: catalog(locale),
    connection: connection
      ? { serverUrl: connection.serverUrl, viewer, label: viewerLabel(locale, viewer) }
      : null,
    tables: listBindings().map((binding) => ({
      id: binding.id,
      title: binding.queryName ?? binding.query?.slice(0, 40) ?? binding.id,
      rows: binding.rows,
      editable: binding.editable !== null,
      lastRun: binding.lastRun,
    })),
    schedule: scheduleState(),
  };
}

/** Checks the key against the server (`viewer`) before keeping it. */
export function sidebarConnect(serverUrl: string, apiKey: string): SidebarState {
  return userFacing(() => {
    const connection = { serverUrl: normalizeServerUrl(serverUrl), apiKey: apiKey.trim() };
    const data = client(connection).request<{ viewer: ViewerInfo }>(viewerQuery);
    if (data.viewer.kind === 'ANONYMOUS') {
      throw new AddonError('errUnauthenticated');
    }
    saveConnection(connection, data.viewer);
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

export function sidebarListQueries(): {
  name: string;
  description: string | null;
  stateUf: string | null;
}[] {
  return userFacing(() => {
    const data = client().request<{
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
  return userFacing(() => {
    const saved = request.name ? savedQueryByName(request.name) : null;
    const text = saved?.query ?? request.query ?? '';
    const paged = pagedOrError(text);
    const definitions = variableDefinitions(singleQueryOperation(parseQuery(text)));
    const names = typesToDescribe(definitions);
    const types =
      names.length > 0
        ? readTypeDescriptions(names, client().request(describeTypesQuery(names)))
        : {};
    return {
      query: text,
      columns: paged.columns,
      fields: buildForm(definitions, types, saved?.variables ?? {}),
    };
  });
}

export interface ActionResult {
  message: string;
  state: SidebarState;
  requests: number;
}

function done(message: string, startedRequests: number): ActionResult {
  return { message, state: sidebarState(), requests: requestCounter.count - startedRequests };
}

export function sidebarInsert(request: {
  name?: string | null;
  query?: string | null;
  fields: FormField[];
  values: Record<string, string>;
}): ActionResult {
  return userFacing(() => {
    const locale = currentLocale();
    const started = requestCounter.count;
    const variables = readForm(request.fields, request.values);
    const outcome = insertTable({ queryName: request.name, query: request.query, variables });
    const sheet = SpreadsheetApp.getActiveSpreadsheet()
      .getSheets()
      .find((candidate) => candidate.getSheetId() === outcome.binding.sheetId);
    const cell = sheet?.getRange(outcome.binding.row, outcome.binding.column).getA1Notation() ?? '';
    return done(
      outcome.status === 'done'
        ? translate(locale, 'inserted', { rows: outcome.rows, sheet: sheet?.getName() ?? '', cell })
        : translate(locale, 'continuing', { rows: outcome.rows }),
      started,
    );
  });
}

export function sidebarRefresh(tableId: string | null): ActionResult {
  return userFacing(() => {
    const locale = currentLocale();
    const started = requestCounter.count;
    if (!tableId) {
      return done(refreshAll(locale).outcome, started);
    }
    const outcome = refreshTable(tableId);
    return done(
      outcome.status === 'done'
        ? translate(locale, 'refreshed', { rows: outcome.rows, kept: outcome.kept })
        : translate(locale, 'continuing', { rows: outcome.rows }),
      started,
    );
  });
}

export function sidebarSchedule(frequency: Frequency): SidebarState {
  return userFacing(() => {
    setSchedule(frequency);
    return sidebarState();
  });
}

export function sidebarPush(dryRun: boolean, tableId: string | null = null): PushSummary {
  return userFacing(() => pushTable(tableToPush(tableId), dryRun, currentLocale()));
}

export function sidebarResolveConflicts(
  choice: 'mine' | 'theirs',
  tableId: string | null = null,
): ResolveSummary {
  return userFacing(() => resolveConflicts(tableToPush(tableId), choice, currentLocale()));
}
