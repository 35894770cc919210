/** A session's life: creating -> provisioning -> ready -> ending -> ended, or failed. */
export const SESSION_STATUSES = ['creating', 'provisioning', 'ready', 'ending', 'ended', 'failed'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

/** Statuses of a session that holds resources: the engine, the store and the sweeper agree on these. */
export const LIVE_STATUSES = ['creating', 'provisioning', 'ready'] as const satisfies readonly SessionStatus[];

const NEXT: Record<SessionStatus, readonly SessionStatus[]> = {
  creating: ['provisioning', 'ending', 'failed'],
  provisioning: ['ready', 'ending', 'failed'],
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
