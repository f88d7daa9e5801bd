import type { Logger } from 'pino';
import type { AuditVia } from '../audit/audit.enums';
import type { Viewer } from '../auth/viewer';
import type { AppConfig } from '../config';
import type { Em } from '../db/orm';

/** What every resolver receives: a request-scoped entity manager, the viewer and the config. */
export interface GraphQLContext {
  em: Em;
  config: AppConfig;
  viewer: Viewer;
  requestId: string;
  logger: Logger;
  /** Scheme and host the request came to, e.g. `http://127.0.0.1:4000` (for absolute links). */
  baseUrl?: string;
  /** Which door writes come through (API, or SHEETS when `x-rede-client: sheets`). */
  via?: AuditVia;
}
