import type { EventSubscriber } from '@mikro-orm/core';
import { AsyncLocalStorage } from 'node:async_hooks';
import { AppError, ErrorCode, UnreachableCaseError } from '../graphql/errors';

/**
 * Where a request stands against its timeout. `writing` is one-way: once a write has begun to
 * commit, the client must hear what was written, so the timer no longer answers for it.
 */
export type DeadlineState =
  { phase: 'running' } | { phase: 'writing'; since: Date } | { phase: 'abandoned'; at: Date };

/**
 * The rule that keeps a timed-out write from committing behind the client's back: the timer may
 * answer 503 `TIMEOUT` only while no write has begun to commit, and a write may begin to commit
 * only while the request has not been abandoned. Both sides go through this object, and Node runs
 * one of them at a time, so there is no moment when both succeed.
 */
export class RequestDeadline {
  private current: DeadlineState = { phase: 'running' };

  constructor(readonly timeoutMs: number) {}

  get state(): DeadlineState {
    return this.current;
  }

  /**
   * Asked right before a transaction commits. Refuses (the transaction rolls back) when the
   * client was already told the request was abandoned; otherwise the request owns its outcome.
   */
  beginWrite(): void {
    const state = this.current;
    switch (state.phase) {
      case 'running':
        this.current = { phase: 'writing', since: new Date() };
        return;
      case 'writing':
        return;
      case 'abandoned':
        throw new AppError(
          ErrorCode.Timeout,
          `The request was abandoned after ${this.timeoutMs} ms, so its write was rolled back; nothing was written`,
          { timeoutMs: this.timeoutMs },
        );
      default:
        throw new UnreachableCaseError(state);
    }
  }

  /**
   * Asked before a transaction starts: an abandoned request starts no new work (on SQLite it
   * would queue for the one writer and delay everyone). Unlike `beginWrite`, claims nothing.
   */
  refuseIfAbandoned(): void {
    if (this.current.phase === 'abandoned') {
      this.beginWrite();
    }
  }

  /**
   * Called by the timer. True when the request is now abandoned and may be answered 503; false
   * when a write has begun, and the request must run to completion and answer normally.
   */
  abandon(): boolean {
    const state = this.current;
    switch (state.phase) {
      case 'running':
        this.current = { phase: 'abandoned', at: new Date() };
        return true;
      case 'writing':
        return false;
      case 'abandoned':
        return true;
      default:
        throw new UnreachableCaseError(state);
    }
  }
}

const deadlines = new AsyncLocalStorage<RequestDeadline>();

/** Runs `work` (and everything it starts) under `deadline`. */
export function runWithDeadline<T>(deadline: RequestDeadline, work: () => T): T {
  return deadlines.run(deadline, work);
}

/** Runs `work` outside any request's deadline (bookkeeping writes that must not make a read a write). */
export function outsideRequestDeadline<T>(work: () => T): T {
  return deadlines.exit(work);
}

/** The deadline of the request being served; none outside requests (CLI, startup tasks). */
export function currentDeadline(): RequestDeadline | undefined {
  return deadlines.getStore();
}

/**
 * The one commit point check: every root transaction of the ORM (explicit `transactional`, or
 * the implicit one of a bare `flush`) asks the request's deadline before it commits, so no
 * write path can forget to. A refusal throws inside the commit, and the ORM rolls back.
 */
export const commitWithinDeadline: EventSubscriber = {
  beforeTransactionStart() {
    currentDeadline()?.refuseIfAbandoned();
  },
  beforeTransactionCommit() {
    currentDeadline()?.beginWrite();
  },
};
