/**
 * Browser sign-ins: one row per signed-in browser, found by the cookie's id, checked against the
 * stored hash of its secret. A sign-in ends after 12 hours without a request or 7 days after it
 * began, whichever comes first, at sign-out, at "sign out everywhere", when a password is set
 * through a link, and when the account is disabled.
 */
import type { Db } from '../store/db';
import { newCredential, parseCredential, secretMatches } from './secrets';

export const SIGNIN_IDLE_MS = 12 * 3600_000;
export const SIGNIN_MAX_MS = 7 * 24 * 3600_000;
/** last_seen_at is written at most this often (not on every request). */
const TOUCH_EVERY_MS = 60_000;

export type SigninVia = 'password' | 'oidc' | 'setup' | 'link';

interface SigninRow {
  id: string;
  user_id: string;
  secret_hash: string;
  last_seen_at: number;
  expires_at: number;
}

export class SigninStore {
  constructor(
    private readonly db: Db,
    private readonly clock: () => number,
  ) {}

  /** Starts a sign-in; the value goes into the cookie and is never stored. */
  create(userId: string, via: SigninVia): { id: string; cookieValue: string; maxAgeSeconds: number } {
    const cred = newCredential();
    const now = this.clock();
    this.db
      .prepare('INSERT INTO auth_sessions (id, user_id, secret_hash, via, created_at, last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(cred.id, userId, cred.hash, via, now, now, now + SIGNIN_MAX_MS);
    return { id: cred.id, cookieValue: cred.value, maxAgeSeconds: SIGNIN_MAX_MS / 1000 };
  }

  /** The user of a live sign-in, or null (unknown, wrong secret, idle too long, expired). */
  lookup(cookieValue: string | null): { signinId: string; userId: string } | null {
    const parsed = parseCredential(cookieValue);
    if (!parsed) return null;
    const row = this.db.prepare('SELECT id, user_id, secret_hash, last_seen_at, expires_at FROM auth_sessions WHERE id = ?').get(parsed.id) as SigninRow | undefined;
    if (!row || !secretMatches(parsed.secret, row.secret_hash)) return null;
    const now = this.clock();
    if (now >= row.expires_at || now - row.last_seen_at >= SIGNIN_IDLE_MS) {
      this.revoke(row.id);
      return null;
    }
    if (now - row.last_seen_at >= TOUCH_EVERY_MS) this.db.prepare('UPDATE auth_sessions SET last_seen_at = ? WHERE id = ?').run(now, row.id);
    return { signinId: row.id, userId: row.user_id };
  }

  revoke(id: string): void {
    this.db.prepare('DELETE FROM auth_sessions WHERE id = ?').run(id);
  }

  /** Ends every sign-in of a user; returns how many there were. */
  revokeAllOf(userId: string): number {
    return this.db.prepare('DELETE FROM auth_sessions WHERE user_id = ?').run(userId).changes;
  }

  countOf(userId: string): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM auth_sessions WHERE user_id = ?').get(userId) as { n: number }).n;
  }

  /** Drops sign-ins that can no longer be used (called with the periodic sweep). */
  prune(): void {
    const now = this.clock();
    this.db.prepare('DELETE FROM auth_sessions WHERE expires_at <= ? OR last_seen_at <= ?').run(now, now - SIGNIN_IDLE_MS);
  }
}
