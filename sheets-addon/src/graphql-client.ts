import { AddonError } from './i18n';

export interface HttpRequest {
  method: 'post';
  contentType: string;
  headers: Record<string, string>;
  payload: string;
}

export interface HttpResponse {
  status: number;
  body: string;
}

/** What the client needs from `UrlFetchApp` (tests hand it a real HTTP stand-in). */
export type HttpFetch = (url: string, request: HttpRequest) => HttpResponse;

export interface Connection {
  serverUrl: string;
  apiKey: string;
}

export interface GraphQLErrorBody {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; [key: string]: unknown };
}

/** Normalises what people paste: no trailing slash, no `/graphql`, http(s) only. */
export function normalizeServerUrl(raw: string): string {
  const url = raw
    .trim()
    .replace(/\/+$/, '')
    .replace(/\/graphql$/, '');
  if (!/^https?:\/\/[^\s/]+/.test(url)) {
    throw new AddonError('errUnreachable', { detail: `"${raw}" não é um endereço http(s)` });
  }
  return url;
}

/**
 * A synchronous GraphQL client over `UrlFetchApp` (Apps Script has no async I/O). Every request
 * says it comes from Sheets (`x-rede-client: sheets`), so the audit log records `via: SHEETS`.
 */
export class GraphQLClient {
  /** Requests sent so far (the round-trip figures count them). */
  requests = 0;

  constructor(
    private readonly connection: Connection,
    private readonly http: HttpFetch,
  ) {}

  request<T>(query: string, variables: Record<string, unknown> = {}): T {
    let response: HttpResponse;
    this.requests += 1;
    try {
      response = this.http(`${this.connection.serverUrl}/graphql`, {
        method: 'post',
        contentType: 'application/json',
        headers: {
          authorization: `Bearer ${this.connection.apiKey}`,
          'x-rede-client': 'sheets',
        },
        payload: JSON.stringify({ query, variables }),
      });
    } catch (error) {
      throw new AddonError('errUnreachable', { detail: (error as Error).message });
    }
    let body: { data?: T; errors?: GraphQLErrorBody[] };
    try {
      body = JSON.parse(response.body) as typeof body;
    } catch {
      throw new AddonError('errHttp', {
        status: response.status,
        detail: response.body.slice(0, 200),
      });
    }
    const errors = body.errors ?? [];
    if (response.status === 401 || errors[0]?.extensions?.code === 'UNAUTHENTICATED') {
      throw new AddonError('errUnauthenticated');
    }
    if (errors.length > 0) {
      const detail = errors
        .slice(0, 3)
        .map((error) => (error.path ? `${error.path.join('.')}: ${error.message}` : error.message))
        .join('; ');
      throw new AddonError('errServer', { detail });
    }
    if (response.status >= 400 || body.data === undefined) {
      throw new AddonError('errHttp', {
        status: response.status,
        detail: response.body.slice(0, 200),
      });
    }
    return body.data;
  }
}
