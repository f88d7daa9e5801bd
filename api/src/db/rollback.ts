/**
 * Thrown inside `em.transactional` to leave the transaction rolled back on purpose — a dry run,
 * a refused file, an atomic upsert with a failed row — carrying out what the caller returns
 * instead (`outcome`; none when the caller keeps its results outside the transaction). The
 * caller catches it around the transaction and rethrows any other error.
 */
export class Rollback<T = undefined> extends Error {
  override name = 'Rollback';

  constructor(readonly outcome: T = undefined as T) {
    super('transaction rolled back on purpose');
  }
}
