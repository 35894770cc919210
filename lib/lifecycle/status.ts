/**
 * A session's life: queued -> provisioning -> ready -> ending -> ended, or failed. A start
 * that fails once goes back to queued for its one automatic retry. A session provisioned to be
 * held (a team drill's) stops at `held` — containers up, faults injected, terminal closed, its
 * clock not started — until it is released to `ready` (server/engine/holding.ts).
 */
export const SESSION_STATUSES = ['queued', 'provisioning', 'held', 'ready', 'ending', 'ended', 'failed'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

/** Statuses of a session that holds resources: the engine, the store and the sweeper agree on these. */
export const LIVE_STATUSES = ['queued', 'provisioning', 'held', 'ready'] as const satisfies readonly SessionStatus[];

const NEXT: Record<SessionStatus, readonly SessionStatus[]> = {
  queued: ['provisioning', 'ending', 'failed'],
  provisioning: ['ready', 'held', 'queued', 'ending', 'failed'],
  held: ['ready', 'ending', 'failed'],
  ready: ['ending', 'failed'],
  ending: ['ended', 'failed'],
  ended: [],
  failed: [],
};

export function canTransition(from: SessionStatus, to: SessionStatus): boolean {
  return NEXT[from].includes(to);
}

/** Live sessions own containers the sweeper must leave alone. */
export function isLive(status: SessionStatus): boolean {
  return (LIVE_STATUSES as readonly SessionStatus[]).includes(status);
}

export function isFinal(status: SessionStatus): boolean {
  return status === 'ended' || status === 'failed';
}
