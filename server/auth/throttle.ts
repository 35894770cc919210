/**
 * Failed sign-ins, kept in the store so a restart does not reset a lockout; the decisions and
 * the numbers are in lib/auth/lockout.ts.
 */
import { SickbayError } from '@/lib/errors';
import { ACCOUNT_LOCKOUT, ADDRESS_LOCKOUT, lockedUntil, minutesLeft } from '@/lib/auth/lockout';
import type { Db } from '../store/db';

export class SigninThrottle {
  constructor(
    private readonly db: Db,
    private readonly clock: () => number,
  ) {}

  private times(column: 'email' | 'address', value: string, since: number): number[] {
    return (this.db.prepare(`SELECT at FROM signin_failures WHERE ${column} = ? AND at > ?`).all(value, since) as { at: number }[]).map((r) => r.at);
  }

  /** Throws 429 while the account or the address is locked out. */
  check(email: string, address: string): void {
    const now = this.clock();
    const account = lockedUntil(this.times('email', email, now - ACCOUNT_LOCKOUT.windowMs), now, ACCOUNT_LOCKOUT);
    if (account !== null) {
      throw new SickbayError('too_many_requests', `too many failed sign-ins for this account: try again in ${minutesLeft(account, now)} min, or ask an admin for a reset link`);
    }
    const byAddress = lockedUntil(this.times('address', address, now - ADDRESS_LOCKOUT.windowMs), now, ADDRESS_LOCKOUT);
    if (byAddress !== null) {
      throw new SickbayError('too_many_requests', `too many failed sign-ins from your address: try again in ${minutesLeft(byAddress, now)} min`);
    }
  }

  fail(email: string, address: string): void {
    const now = this.clock();
    this.db.prepare('INSERT INTO signin_failures (email, address, at) VALUES (?, ?, ?)').run(email, address, now);
    // Keep the table small: nothing older than the longest window matters.
    this.db.prepare('DELETE FROM signin_failures WHERE at < ?').run(now - Math.max(ACCOUNT_LOCKOUT.windowMs, ADDRESS_LOCKOUT.windowMs) * 2);
  }

  /** A successful sign-in or a new password forgets the account's failures. */
  forget(email: string): void {
    this.db.prepare('DELETE FROM signin_failures WHERE email = ?').run(email);
  }
}
