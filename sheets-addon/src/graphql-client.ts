import { GRAPHQL_URL } from './build-info';
import { AddonError, type Locale, type MessageKey } from './i18n';
import { serverMessage } from './server-messages';

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

/** Who a request reads or writes as: a person's key, a document's reader key, or nobody. */
export interface Connection {
  apiKey: string | null;
}

export interface GraphQLErrorBody {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; requestId?: string; [key: string]: unknown };
}

/** The hub's error codes (`extensions.code`, HTTP status) and what a person is told. */
const messageOfCode: Record<string, MessageKey> = {
  UNAUTHENTICATED: 'errUnauthenticated',
  FORBIDDEN: 'errForbidden',
  BAD_USER_INPUT: 'errBadInput',
  BAD_REQUEST: 'errBadInput',
  PAYLOAD_TOO_LARGE: 'errTooComplex',
  GRAPHQL_VALIDATION_FAILED: 'errInvalidQuery',
  GRAPHQL_PARSE_FAILED: 'errInvalidQuery',
  QUERY_TOO_COMPLEX: 'errTooComplex',
  RATE_LIMITED: 'errRateLimited',
  TIMEOUT: 'errTimeout',
  SERVICE_UNAVAILABLE: 'errUnavailable',
  INTERNAL_SERVER_ERROR: 'errInternal',
  NOT_FOUND: 'errNotFound',
};

const codeOfStatus: Record<number, string> = {
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  413: 'PAYLOAD_TOO_LARGE',
  429: 'RATE_LIMITED',
  500: 'INTERNAL_SERVER_ERROR',
  502: 'SERVICE_UNAVAILABLE',
  503: 'SERVICE_UNAVAILABLE',
  504: 'TIMEOUT',
};

/** An error of the hub, said in the user's language; `code` is the hub's own. */
export class HubError extends AddonError {
  constructor(
    readonly code: string,
    key: MessageKey,
    params: Record<string, string | number>,
  ) {
    super(key, params);
  }
}

function hubError(locale: Locale, code: string, error: GraphQLErrorBody | null, status: number) {
  const key = messageOfCode[code] ?? 'errServer';
  const text = error ? serverMessage(locale, error.message) : `HTTP ${status}`;
  const where = error?.path ? `${error.path.join('.')}: ` : '';
  return new HubError(code, key, {
    detail: `${where}${text}`,
    what: text,
    request: String(error?.extensions?.requestId ?? '—'),
    status,
  });
}

/**
 * A synchronous GraphQL client over `UrlFetchApp` (Apps Script has no async I/O) for the one hub
 * this build allows. Every request says it comes from Sheets (`x-rede-client: sheets`), so the
 * audit log records `via: SHEETS`.
 */
export class GraphQLClient {
  /** Requests sent so far (the round-trip figures count them). */
  requests = 0;

  constructor(
    private readonly connection: Connection,
    private readonly http: HttpFetch,
    private readonly locale: Locale,
  ) {}

  request<T>(query: string, variables: Record<string, unknown> = {}): T {
    let response: HttpResponse;
    this.requests += 1;
    const headers: Record<string, string> = { 'x-rede-client': 'sheets' };
    if (this.connection.apiKey) {
      headers.authorization = `Bearer ${this.connection.apiKey}`;
    }
    try {
      response = this.http(GRAPHQL_URL, {
        method: 'post',
        contentType: 'application/json',
        headers,
        payload: JSON.stringify({ query, variables }),
      });
    } catch (error) {
      throw new AddonError('errUnreachable', { detail: (error as Error).message });
    }
    let body: { data?: T; errors?: GraphQLErrorBody[] };
    try {
      body = JSON.parse(response.body) as typeof body;
    } catch {
      const code = codeOfStatus[response.status];
      if (code) {
        throw hubError(this.locale, code, null, response.status);
      }
      throw new AddonError('errHttp', {
        status: response.status,
        detail: response.body.slice(0, 200),
      });
    }
    const first = body.errors?.[0];
    if (first) {
      const code = first.extensions?.code ?? codeOfStatus[response.status] ?? 'SERVER';
      throw hubError(this.locale, code, first, response.status);
    }
    if (response.status >= 400 || body.data === undefined) {
      throw hubError(this.locale, codeOfStatus[response.status] ?? 'SERVER', null, response.status);
    }
    return body.data;
  }
}
