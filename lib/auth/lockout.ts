/**
 * Sign-in throttling with lockout, per account and per client address. Numbers (docs/security.md):
 *   - an account: 5 failed passwords within 15 minutes lock it for 15 minutes;
 *   - an address: 20 failed sign-ins (any accounts) within 15 minutes block it for 15 minutes.
 * While locked, attempts are refused without checking the password and are not counted, so a
 * lock ends 15 minutes after the failure that caused it. A successful sign-in forgets the
 * account's failures (not the address's).
 */

export interface LockoutRule {
  failures: number;
  windowMs: number;
  lockMs: number;
}

export const ACCOUNT_LOCKOUT: LockoutRule = { failures: 5, windowMs: 15 * 60_000, lockMs: 15 * 60_000 };
export const ADDRESS_LOCKOUT: LockoutRule = { failures: 20, windowMs: 15 * 60_000, lockMs: 15 * 60_000 };

/** Until when the failures (times in ms, any order) lock, or null when they do not. */
export function lockedUntil(failures: readonly number[], now: number, rule: LockoutRule): number | null {
  const recent = failures.filter((t) => t > now - rule.windowMs && t <= now).sort((a, b) => a - b);
  if (recent.length < rule.failures) return null;
  // The lock starts at the failure that reached the limit, and runs from the last one counted.
  const until = (recent[recent.length - 1] as number) + rule.lockMs;
  return until > now ? until : null;
}

export function minutesLeft(until: number, now: number): number {
  return Math.max(1, Math.ceil((until - now) / 60_000));
}
