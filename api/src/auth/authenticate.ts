import type { RequestHandler, Response } from 'express';
import type { AppConfig } from '../config';
import type { Em } from '../db/orm';
import { UnauthenticatedError } from '../graphql/errors';
import { chargeTo } from '../security/rate-limit';
import { anonymousViewer, type Viewer } from './viewer';

/** The API key sent with a request: `Authorization: Bearer <key>` or `x-api-key: <key>`. */
export function presentedKey(
  headers: Record<string, string | string[] | undefined>,
): string | null {
  const authorization = headers['authorization'];
  if (typeof authorization === 'string' && /^Bearer\s+/i.test(authorization)) {
    return authorization.replace(/^Bearer\s+/i, '').trim() || null;
  }
  const apiKey = headers['x-api-key'];
  return typeof apiKey === 'string' && apiKey.trim() ? apiKey.trim() : null;
}

export type KeyVerifier = (em: Em, key: string) => Promise<Viewer | null>;

/**
 * Who the request is. A presented key must be valid; without one the request is anonymous,
 * which the server allows (read-only) or refuses according to `ANONYMOUS_ACCESS`. `em` is asked
 * for only when a key must be looked up.
 */
export async function authenticate(
  em: () => Em,
  headers: Record<string, string | string[] | undefined>,
  config: AppConfig,
  verifyKey: KeyVerifier,
): Promise<Viewer> {
  const key = presentedKey(headers);
  if (key) {
    const viewer = await verifyKey(em(), key);
    if (!viewer) {
      throw new UnauthenticatedError(
        'The API key is unknown or revoked; ask an admin for a new one',
      );
    }
    return viewer;
  }
  if (config.anonymousAccess === 'none') {
    throw new UnauthenticatedError(
      'An API key is required: send `Authorization: Bearer <key>` (create one with `npm run keys -- create`)',
    );
  }
  return anonymousViewer;
}

/** What `authenticateRequest` found: the viewer, or the error the request must answer with. */
type Authentication = { viewer: Viewer } | { error: unknown };

/**
 * Authenticates each request once, before its rate limit, and keeps the outcome on the response
 * for the rate limit, compiled reads and Apollo's context. A verified key's requests spend the
 * key's budget (`key:<prefix>`); a request without a key, or whose key fails, spends its
 * address's budget, so failed attempts are charged to whoever makes them.
 */
export function authenticateRequest(
  em: () => Em,
  config: AppConfig,
  verifyKey: KeyVerifier,
): RequestHandler {
  return (req, res, next) => {
    authenticate(em, req.headers, config, verifyKey).then(
      (viewer) => {
        res.locals.authentication = { viewer } satisfies Authentication;
        if (viewer.kind === 'key') {
          chargeTo(res, `key:${viewer.prefix}`);
        }
        next();
      },
      (error: unknown) => {
        res.locals.authentication = { error } satisfies Authentication;
        next();
      },
    );
  };
}

/** The viewer `authenticateRequest` found for this request; throws the error it found instead. */
export function requestViewer(res: Response): Viewer {
  const outcome = res.locals.authentication as Authentication | undefined;
  if (!outcome) {
    throw new Error('authenticateRequest has not run for this request');
  }
  if ('error' in outcome) {
    throw outcome.error;
  }
  return outcome.viewer;
}
