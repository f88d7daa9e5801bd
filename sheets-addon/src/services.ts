import { checkedPropertyValue } from './batching';
import { type Connection, GraphQLClient, type HttpFetch } from './graphql-client';
import { AddonError, isLocale, type Locale } from './i18n';

/** Thin, typed access to the Apps Script services the add-on uses (globals at run time). */
const KEYS = {
  serverUrl: 'rede.serverUrl',
  apiKey: 'rede.apiKey',
  locale: 'rede.locale',
  viewer: 'rede.viewer',
} as const;

export interface ViewerInfo {
  kind: 'ANONYMOUS' | 'KEY' | 'SYSTEM';
  name: string | null;
  role: 'READER' | 'EDITOR' | 'ADMIN';
  stateUf: string | null;
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

export function currentLocale(): Locale {
  const saved = userProperties().getProperty(KEYS.locale);
  if (isLocale(saved)) {
    return saved;
  }
  return /^en/i.test(Session.getActiveUserLocale() ?? '') ? 'en' : 'pt-BR';
}

export function saveLocale(locale: Locale): void {
  setProperty(userProperties(), KEYS.locale, locale);
}

export function savedConnection(): Connection | null {
  const props = userProperties();
  const serverUrl = props.getProperty(KEYS.serverUrl);
  const apiKey = props.getProperty(KEYS.apiKey);
  return serverUrl && apiKey ? { serverUrl, apiKey } : null;
}

export function saveConnection(connection: Connection, viewer: ViewerInfo): void {
  const props = userProperties();
  setProperty(props, KEYS.serverUrl, connection.serverUrl);
  setProperty(props, KEYS.apiKey, connection.apiKey);
  setProperty(props, KEYS.viewer, JSON.stringify(viewer));
}

export function savedViewer(): ViewerInfo | null {
  const raw = userProperties().getProperty(KEYS.viewer);
  return raw ? (JSON.parse(raw) as ViewerInfo) : null;
}

export function forgetConnection(): void {
  const props = userProperties();
  for (const key of [KEYS.serverUrl, KEYS.apiKey, KEYS.viewer]) {
    props.deleteProperty(key);
  }
}

export const urlFetch: HttpFetch = (url, request) => {
  const response = UrlFetchApp.fetch(url, { ...request, muteHttpExceptions: true });
  return { status: response.getResponseCode(), body: response.getContentText() };
};

/** Requests sent in this execution, across clients (the round-trip figures read it). */
export const requestCounter = { count: 0 };

export function client(connection: Connection | null = savedConnection()): GraphQLClient {
  if (!connection) {
    throw new AddonError('errNotConnected');
  }
  return new GraphQLClient(connection, (url, request) => {
    requestCounter.count += 1;
    return urlFetch(url, request);
  });
}

export const viewerQuery = `query RedeViewer { viewer { kind name role stateUf } }`;
