/**
 * Per-session budgets the proxy enforces on top of each container's own limits, so one
 * session cannot take what the others need (the noisy neighbour in docs/security.md). The
 * numbers are data; docs/security.md's limits table lists each with its reason.
 */
import { refuse } from './refusal';

export const SESSION_LIMITS = {
  /** Debug sidecars at once (each is limited, but they add up). */
  maxSidecars: 4,
  /**
   * Sum of --pids-limit over the session's containers the learner sees (scenario services and
   * sidecars; the console's fixed 128 comes on top). The largest scenarios declare 512
   * (healthy-but-hanging, pg-blocked-missing-index), four sidecars add 256: 1024 leaves room to
   * raise one limit a little. 25 sessions x (1024 + 128) stay under a kernel pid_max of 32768.
   */
  pidsBudget: 1024,
  /** Docker's default CPU weight: a learner may lower a container's priority, not raise it. */
  maxCpuShares: 1024,
} as const;

/** A container's PID limit as the engine reports it (null, 0 or -1: unlimited). */
export interface PidEntry {
  id: string;
  name: string;
  pidsLimit: number | null | undefined;
}

/** What a call would set: a new container (no id) or a new limit for an existing one. */
export interface PidChange {
  id?: string;
  name: string;
  pidsLimit: number;
}

/** Refuses a change that would take the session's containers past their PID budget. */
export function checkPidBudget(entries: readonly PidEntry[], change: PidChange, budget: number = SESSION_LIMITS.pidsBudget): void {
  const others = entries.filter((e) => e.id !== change.id);
  // An unlimited container (none of ours is) counts as the whole budget: fail closed.
  const limitOf = (e: PidEntry) => (e.pidsLimit && e.pidsLimit > 0 ? e.pidsLimit : budget);
  const used = others.reduce((sum, e) => sum + limitOf(e), 0);
  if (used + change.pidsLimit <= budget) return;
  const list = others.map((e) => `${e.name} ${limitOf(e)}`).join(', ');
  const room = Math.max(0, budget - used);
  throw refuse(
    `the session's PID budget is ${budget} (the sum of --pids-limit over its containers, debug sidecars included): ` +
      `${list || 'nothing'} already take${others.length === 1 ? 's' : ''} ${used}, so ${change.name} can have at most ${room}, not ${change.pidsLimit}; ` +
      'lower another container\'s --pids-limit or remove a debug sidecar first',
  );
}

/** Refuses CPU shares above Docker's default (0 means "unchanged" or "default"). */
export function checkCpuShares(shares: number | undefined, max: number = SESSION_LIMITS.maxCpuShares): void {
  if (shares && shares > max) throw refuse(`--cpu-shares above ${max} (Docker's default) is not allowed: it would take CPU time from other sessions`);
}
