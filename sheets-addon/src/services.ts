import { checkedPropertyValue } from './batching';
import { GraphQLClient, type Connection, type HttpFetch } from './graphql-client';
import { AddonError, isLocale, type Locale } from './i18n';

/**
 * Typed access to the Apps Script services and to who the add-on acts as. A person's API key
 * lives in *their* user properties: installable triggers run as the person who made them, so a
 * scheduled refresh reads and writes with its owner's key. Custom functions never see a
 * person's key: they read with the document's reader key (document properties) or anonymously.
 */
const USER_KEYS = {
  apiKey: 'rede.apiKey',
  locale: 'rede.locale',
  viewer: 'rede.viewer',
} as const;
const READER_KEY = 'rede.readerKey';

export interface ViewerInfo {
  kind: 'ANONYMOUS' | 'KEY' | 'SYSTEM';
  name: string | null;
  role: 'READER' | 'EDITOR' | 'ADMIN';
  stateUf: string | null;
}

/** The reader key formulas use, with who set it and when (never shown back in full). */
export interface ReaderKey {
  key: string;
  name: string;
  setBy: string;
  at: string;
}

export function userProperties(): GoogleAppsScript.Properties.Properties {
  return PropertiesService.getUserProperties();
}

export function documentProperties(): GoogleAppsScript.Properties.Properties {
  return PropertiesService.getDocumentProperties();
}

export function setProperty(
  store: GoogleAppsScript.Properties.Properties,
  name: string,
  value: string,
): void {
  store.setProperty(name, checkedPropertyValue(name, value));
}

export function spreadsheet(): GoogleAppsScript.Spreadsheet.Spreadsheet {
  return SpreadsheetApp.getActiveSpreadsheet();
}

/** The locale the person chose, else their Google account's. */
export function currentLocale(): Locale {
  const saved = userProperties().getProperty(USER_KEYS.locale);
  return isLocale(saved) ? saved : sessionLocale();
}

/** Available in every auth mode, AuthMode.NONE included (properties are not). */
export function sessionLocale(): Locale {
  return /^en/i.test(Session.getActiveUserLocale() ?? '') ? 'en' : 'pt-BR';
}

/** Formulas speak the spreadsheet's language: they run for whoever looks at the sheet. */
export function spreadsheetLocale(): Locale {
  return /^en/i.test(spreadsheet().getSpreadsheetLocale() ?? '') ? 'en' : 'pt-BR';
}

export function saveLocale(locale: Locale): void {
  setProperty(userProperties(), USER_KEYS.locale, locale);
}

export function savedConnection(): Connection | null {
  const apiKey = userProperties().getProperty(USER_KEYS.apiKey);
  return apiKey ? { apiKey } : null;
}

export function saveConnection(apiKey: string, viewer: ViewerInfo): void {
  const props = userProperties();
  setProperty(props, USER_KEYS.apiKey, apiKey);
  setProperty(props, USER_KEYS.viewer, JSON.stringify(viewer));
}

export function savedViewer(): ViewerInfo | null {
  const raw = userProperties().getProperty(USER_KEYS.viewer);
  return raw ? (JSON.parse(raw) as ViewerInfo) : null;
}

export function forgetConnection(): void {
  const props = userProperties();
  for (const key of [USER_KEYS.apiKey, USER_KEYS.viewer]) {
    props.deleteProperty(key);
  }
}

export function readerKey(): ReaderKey | null {
  const raw = documentProperties().getProperty(READER_KEY);
  return raw ? (JSON.parse(raw) as ReaderKey) : null;
}

export function saveReaderKey(reader: ReaderKey | null): void {
  if (reader) {
    setProperty(documentProperties(), READER_KEY, JSON.stringify(reader));
  } else {
    documentProperties().deleteProperty(READER_KEY);
  }
}

/** Who is running this execution, for records others will read (schedule owner, reader key). */
export function currentUserLabel(): string {
  const email = Session.getActiveUser().getEmail();
  return email || savedViewer()?.name || '?';
}

export const urlFetch: HttpFetch = (url, request) => {
  const response = UrlFetchApp.fetch(url, { ...request, muteHttpExceptions: true });
  return { status: response.getResponseCode(), body: response.getContentText() };
};

/** Requests sent in this execution, across clients, and the slowest (deadline estimates). */
export const requestCounter = { count: 0, slowestMs: 0 };

function counted(connection: Connection, locale: Locale): GraphQLClient {
  return new GraphQLClient(
    connection,
    (url, request) => {
      requestCounter.count += 1;
      const started = Date.now();
      try {
        return urlFetch(url, request);
      } finally {
        requestCounter.slowestMs = Math.max(requestCounter.slowestMs, Date.now() - started);
      }
    },
    locale,
  );
}

/** A client acting as the person running this execution (their own key). */
export function client(
  locale: Locale = currentLocale(),
  connection: Connection | null = savedConnection(),
): GraphQLClient {
  if (!connection) {
    throw new AddonError('errNotConnected');
  }
  return counted(connection, locale);
}

/** The client of custom functions: the document's reader key, else no key at all. */
export function readerClient(locale: Locale): GraphQLClient {
  return counted({ apiKey: readerKey()?.key ?? null }, locale);
}

export const viewerQuery = `query RedeViewer { viewer { kind name role stateUf } }`;

/** `2026-03-01T14:05:00Z` → `01/03/2026 11:05` in the spreadsheet's time zone. */
export function sheetTime(iso: string): string {
  return Utilities.formatDate(
    new Date(iso),
    spreadsheet().getSpreadsheetTimeZone(),
    'dd/MM/yyyy HH:mm',
  );
}
