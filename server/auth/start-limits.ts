/**
 * The per-person limits on starting sessions (SICKBAY_USER_MAX_SESSIONS and
 * SICKBAY_USER_STARTS_PER_MINUTE), for every way a session starts in team mode: the sessions
 * page (session-access.ts) and a drill team's held session, which its first member owns
 * (server/drills/drills.ts).
 */
import { SickbayError } from '@/lib/errors';
import type { Store } from '../store/store';
import type { AuthConfig } from './config';

export interface StartLimitDeps {
  store: Pick<Store, 'countLiveOwnedBy' | 'countStartedBy'>;
  auth: { config: Pick<AuthConfig, 'userMaxSessions' | 'userStartsPerMinute'> };
  clock?: () => number;
}

/**
 * Throws 409 (too many live sessions) or 429 (too many starts in a minute) for the person who
 * would own a new session; `who` names them when someone else asks (a facilitator preparing a team).
 */
export function checkStartLimits(deps: StartLimitDeps, ownerId: string, who?: string): void {
  const { userMaxSessions, userStartsPerMinute } = deps.auth.config;
  const live = deps.store.countLiveOwnedBy(ownerId);
  if (live >= userMaxSessions) {
    const sessions = `${live} live session${live === 1 ? '' : 's'} (the limit per person is ${userMaxSessions})`;
    throw new SickbayError('conflict', who ? `${who} has ${sessions}: they end one first` : `you have ${sessions}: end one first`);
  }
  const started = deps.store.countStartedBy(ownerId, (deps.clock ?? Date.now)() - 60_000);
  if (started >= userStartsPerMinute) {
    throw new SickbayError('too_many_requests', `${who ?? 'you'} started ${started} sessions in the last minute (the limit is ${userStartsPerMinute}): wait a moment`);
  }
}
