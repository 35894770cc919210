/** A session's life: creating -> provisioning -> ready -> ending -> ended, or failed. */
export const SESSION_STATUSES = ['creating', 'provisioning', 'ready', 'ending', 'ended', 'failed'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

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
  return status === 'creating' || status === 'provisioning' || status === 'ready';
}

export function isFinal(status: SessionStatus): boolean {
  return status === 'ended' || status === 'failed';
}
