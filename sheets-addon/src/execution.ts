import { AddonError } from './i18n';

/**
 * One execution of the add-on and its time limit. Apps Script loads the script afresh for every
 * execution, so this module's start time is the execution's start: every table of a refresh,
 * their final writes included, shares this one deadline.
 */
const startedAt = Date.now();

/** Apps Script stops a script at 6 minutes and a custom function at 30 seconds. */
export const SCRIPT_LIMIT_MS = 6 * 60 * 1000;
export const CUSTOM_FUNCTION_LIMIT_MS = 30 * 1000;

export class Deadline {
  constructor(
    readonly limitMs: number,
    /** Kept free for saving where the work stopped, after the last step that fits. */
    readonly reserveMs: number,
    readonly start = startedAt,
  ) {}

  elapsed(): number {
    return Date.now() - this.start;
  }

  /** Time left for work, the reserve already set aside. */
  remaining(): number {
    return this.limitMs - this.reserveMs - this.elapsed();
  }

  /** Whether a step expected to take `estimateMs` still fits. */
  allows(estimateMs: number): boolean {
    return this.remaining() >= estimateMs;
  }
}

export function scriptDeadline(): Deadline {
  return new Deadline(SCRIPT_LIMIT_MS, 30 * 1000);
}

export function customFunctionDeadline(): Deadline {
  return new Deadline(CUSTOM_FUNCTION_LIMIT_MS, 5 * 1000);
}

/**
 * Runs `action` holding the document's lock, so two people (or a person and a colleague's
 * scheduled refresh) never push or refresh the same spreadsheet at once.
 */
export function withDocumentLock<T>(action: () => T, waitMs = 20 * 1000): T {
  const lock = LockService.getDocumentLock();
  if (!lock.tryLock(waitMs)) {
    throw new AddonError('errBusy');
  }
  try {
    return action();
  } finally {
    lock.releaseLock();
  }
}
