import type { AppConfig } from '../config';
import type { Em } from '../db/orm';
import { UnauthenticatedError } from '../graphql/errors';
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
 * which the server allows (read-only) or refuses according to `ANONYMOUS_ACCESS`.
 */
export async function authenticate(
  em: Em,
  headers: Record<string, string | string[] | undefined>,
  config: AppConfig,
  verifyKey: KeyVerifier,
): Promise<Viewer> {
  const key = presentedKey(headers);
  if (key) {
    const viewer = await verifyKey(em, key);
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
