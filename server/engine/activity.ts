/**
 * The learner's hands on a session: audit events from the console, proxy and terminal, and
 * the idle deadline they push forward. One small object the console manager, the terminal
 * gateway and the engine all receive, so none of them holds a reference to another.
 */
import type { SessionEventBody, SessionEventKind } from '@/lib/audit/events';
import type { Store } from '../store/store';

/** Events made by the hands on the keyboard: the driver's, in a team session. */
const DRIVEN: ReadonlySet<SessionEventKind> = new Set(['docker', 'typed', 'terminal', 'coached']);

export class SessionActivity {
  constructor(
    private readonly store: Pick<Store, 'extendExpiry' | 'appendEvent'>,
    private readonly idleTtlMs: number,
    private readonly clock: () => number,
    private readonly log: (message: string) => void,
  ) {}

  private lastTouchFailure = -Infinity;
  private driverOf: (sessionId: string) => string | null = () => null;

  /**
   * In a team session, what the terminal and the proxy log is credited to the member in the
   * driver seat at that moment (server/sessions/members.ts answers; no team: no actor).
   */
  attributeTo(driverOf: (sessionId: string) => string | null): void {
    this.driverOf = driverOf;
  }

  /**
   * Activity keeps a session alive: push its idle deadline forward. Best effort: reading a
   * session (its page polls) must not fail because this write did (a full data disk); the
   * deadline is simply not moved, and that is said in the log once a minute at most.
   */
  touch(sessionId: string): void {
    try {
      this.store.extendExpiry(sessionId, this.clock() + this.idleTtlMs);
    } catch (err) {
      if (this.clock() - this.lastTouchFailure < 60_000) return;
      this.lastTouchFailure = this.clock();
      this.log(`could not extend the idle deadline of ${sessionId}: ${(err as Error).message}`);
    }
  }

  /** Logs an audit event; a failed write is reported, never thrown into the learner's call. */
  record(sessionId: string, event: SessionEventBody): void {
    try {
      const actor = DRIVEN.has(event.kind) ? this.driverOf(sessionId) : null;
      this.store.appendEvent(sessionId, actor ? { ...event, actor } : event, this.clock());
    } catch (err) {
      this.log(`could not log an event of ${sessionId}: ${(err as Error).message}`);
    }
  }
}
