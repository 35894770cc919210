/**
 * Which leftover Docker objects to remove, decided as a pure function of their labels, what
 * the store knows about sessions, and the time. The side-effecting sweeper (server/runtime)
 * only lists objects, calls this, and removes what it returns.
 */
import { LABEL, MANAGED_BY, labelExpiry } from './labels';
import type { SessionStatus } from './status';
import { isLive } from './status';

export interface LabelledObject {
  /** Images are only the learner's snapshots (`docker commit` through the proxy). */
  kind: 'container' | 'network' | 'image';
  id: string;
  labels: Record<string, string>;
}

export interface KnownSession {
  status: SessionStatus;
  /** Idle deadline from the store (epoch ms); activity pushes it forward. */
  expiresAt: number;
}

export interface SweepDecision {
  object: LabelledObject;
  reason: string;
}

export interface SweepInput {
  instance: string;
  now: number;
  objects: readonly LabelledObject[];
  sessions: ReadonlyMap<string, KnownSession>;
  /** Sessions being provisioned or torn down right now: never touched by a sweep. */
  busy?: ReadonlySet<string>;
}

export function decideSweep(input: SweepInput): SweepDecision[] {
  const out: SweepDecision[] = [];
  for (const object of input.objects) {
    const reason = sweepReason(input, object);
    if (reason) out.push({ object, reason });
  }
  return out;
}

function sweepReason(input: SweepInput, object: LabelledObject): string | null {
  const labels = object.labels;
  if (labels[LABEL.managedBy] !== MANAGED_BY) return null; // never touch what is not ours
  const sessionId = labels[LABEL.session];
  const expiry = labelExpiry(labels);
  if (labels[LABEL.instance] !== input.instance) {
    // Another instance owns it; only its hard deadline lets us clean up after it.
    return Number.isFinite(expiry) && expiry <= input.now ? 'another instance’s object past its hard expiry' : null;
  }
  if (!sessionId) return 'no session label';
  if (input.busy?.has(sessionId)) return null;
  const session = input.sessions.get(sessionId);
  if (!session) return 'session unknown to the store';
  if (!isLive(session.status)) return `session is ${session.status}`;
  if (session.expiresAt <= input.now) return 'session idle past its expiry';
  if (Number.isFinite(expiry) && expiry <= input.now) return 'past its hard expiry';
  return null;
}

/** Sessions the store still calls live although their time is up: the engine ends them. */
export function expiredSessions(sessions: ReadonlyMap<string, KnownSession>, now: number): string[] {
  const out: string[] = [];
  for (const [id, s] of sessions) if (isLive(s.status) && s.expiresAt <= now) out.push(id);
  return out;
}
