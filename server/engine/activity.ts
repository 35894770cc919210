/**
 * The learner's hands on a session: audit events from the console, proxy and terminal, and
 * the idle deadline they push forward. One small object the console manager, the terminal
 * gateway and the engine all receive, so none of them holds a reference to another.
 */
import type { SessionEventBody } from '@/lib/audit/events';
import type { Store } from '../store/store';

export class SessionActivity {
  constructor(
    private readonly store: Store,
    private readonly idleTtlMs: number,
    private readonly clock: () => number,
    private readonly log: (message: string) => void,
  ) {}

  /** Activity keeps a session alive: push its idle deadline forward. */
  touch(sessionId: string): void {
    this.store.extendExpiry(sessionId, this.clock() + this.idleTtlMs);
  }

  /** Logs an audit event; a failed write is reported, never thrown into the learner's call. */
  record(sessionId: string, event: SessionEventBody): void {
    try {
      this.store.appendEvent(sessionId, event, this.clock());
    } catch (err) {
      this.log(`could not log an event of ${sessionId}: ${(err as Error).message}`);
    }
  }
}
