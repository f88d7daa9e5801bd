import { raw, type EntityClass } from '@mikro-orm/core';
import type { Em } from '../db/orm';
import { outsideRequestDeadline } from '../security/request-deadline';

/**
 * How stale a credential's `lastUsedAt` may grow before a use rewrites it: one write per key (or
 * export token) per hour, not one per request.
 */
export const LAST_USED_RESOLUTION_MS = 60 * 60 * 1000;

interface Used {
  id: number;
  lastUsedAt?: Date | null;
}

/**
 * Records that a credential was used, at most once per `LAST_USED_RESOLUTION_MS`. The update is
 * conditional in SQL, so instances racing on one database write it once, and nothing is kept in
 * process memory. It runs beside the request (in a write transaction, which SQLite queues, and
 * outside the request's deadline, so a read does not become a write): a failure costs the request
 * nothing, and the next use tries again.
 */
export function touchLastUsed<T extends Used>(
  em: Em,
  entity: EntityClass<T>,
  row: Used,
  now = new Date(),
): Promise<void> {
  const cutoff = new Date(now.getTime() - LAST_USED_RESOLUTION_MS);
  if (row.lastUsedAt && row.lastUsedAt > cutoff) {
    return Promise.resolve();
  }
  return outsideRequestDeadline(() =>
    em
      .fork()
      .transactional((tem) =>
        tem.nativeUpdate(
          entity,
          { id: row.id, $or: [{ lastUsedAt: null }, { lastUsedAt: { $lt: cutoff } }] } as never,
          // Bookkeeping, not an edit: the row's optimistic-lock version stays as it is.
          { lastUsedAt: now, version: raw('version') } as never,
        ),
      )
      .then(
        () => undefined,
        () => undefined,
      ),
  );
}
