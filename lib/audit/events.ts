/**
 * Everything that happens in a session is one event in an append-only log. This is the
 * tagged union of what an event can say; later sources (proxy, console, UI) add variants.
 */
import type { SessionStatus } from '../lifecycle/status';

export type ProvisionPhase = 'network' | 'create' | 'start' | 'readiness' | 'faults' | 'baseline' | 'teardown';

export interface GoalOutcome {
  id: string;
  title: string;
  pass: boolean;
  evidence: string;
}

export type SessionEventBody =
  | { kind: 'lifecycle'; status: SessionStatus; detail?: string }
  | { kind: 'provision'; phase: ProvisionPhase; ms: number; detail?: string }
  | { kind: 'fault'; fault: string; title: string; ms: number }
  | { kind: 'goals'; final: boolean; passed: number; total: number; results: GoalOutcome[] };

export type SessionEventKind = SessionEventBody['kind'];

export type SessionEvent = SessionEventBody & {
  /** Position in the session's log (monotonic per store). */
  id: number;
  sessionId: string;
  /** Milliseconds since the session was created. */
  t: number;
  /** Wall-clock time (epoch ms). */
  at: number;
};
