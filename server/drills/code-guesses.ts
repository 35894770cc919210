/**
 * Unknown join codes per user, in memory: a restart forgets them, which costs a guesser one
 * more window at most; codes are per drill and die with it. Rules: lib/drills/code-guesses.ts.
 */
import { lockedUntil, minutesLeft } from '@/lib/auth/lockout';
import { CODE_GUESS_LOCKOUT } from '@/lib/drills/code-guesses';
import { SickbayError } from '@/lib/errors';

export class CodeGuesses {
  private readonly misses = new Map<string, number[]>();

  constructor(private readonly clock: () => number = Date.now) {}

  /** Throws 429 while the user is locked out for guessing. */
  check(userId: string): void {
    const now = this.clock();
    const until = lockedUntil(this.recent(userId, now), now, CODE_GUESS_LOCKOUT);
    if (until !== null) throw new SickbayError('too_many_requests', `too many unknown join codes: try again in ${minutesLeft(until, now)} min, or ask your facilitator for the code`);
  }

  miss(userId: string): void {
    const now = this.clock();
    this.misses.set(userId, [...this.recent(userId, now), now]);
  }

  private recent(userId: string, now: number): number[] {
    const kept = (this.misses.get(userId) ?? []).filter((t) => t > now - CODE_GUESS_LOCKOUT.windowMs);
    if (kept.length === 0) this.misses.delete(userId);
    else this.misses.set(userId, kept);
    return kept;
  }
}
