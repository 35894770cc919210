/**
 * Single-use set-password links: an invitation (a new account chooses its password) or a reset
 * made by an admin. Valid 72 hours (invites) or 24 hours (resets), used once; making a new link
 * for the same account voids the older ones.
 */
import { SickbayError } from '@/lib/errors';
import type { Db } from '../store/db';
import { newCredential, parseCredential, secretMatches } from './secrets';

export type LinkPurpose = 'invite' | 'reset';
const TTL_MS: Record<LinkPurpose, number> = { invite: 72 * 3600_000, reset: 24 * 3600_000 };
export const SET_PASSWORD_PATH = '/auth/set-password';

interface LinkRow {
  id: string;
  user_id: string;
  purpose: LinkPurpose;
  secret_hash: string;
  expires_at: number;
  used_at: number | null;
}

export class LinkStore {
  constructor(
    private readonly db: Db,
    private readonly clock: () => number,
  ) {}

  /** A new link's token (the `token` parameter of SET_PASSWORD_PATH) and when it expires. */
  create(userId: string, purpose: LinkPurpose, createdBy: string): { token: string; expiresAt: number } {
    const cred = newCredential();
    const now = this.clock();
    const expiresAt = now + TTL_MS[purpose];
    this.db.transaction(() => {
      this.db.prepare('UPDATE user_links SET used_at = ? WHERE user_id = ? AND used_at IS NULL').run(now, userId);
      this.db
        .prepare('INSERT INTO user_links (id, user_id, purpose, secret_hash, created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(cred.id, userId, purpose, cred.hash, createdBy, now, expiresAt);
    })();
    return { token: cred.value, expiresAt };
  }

  private valid(token: string): LinkRow {
    const parsed = parseCredential(token);
    const row = parsed ? (this.db.prepare('SELECT * FROM user_links WHERE id = ?').get(parsed.id) as LinkRow | undefined) : undefined;
    if (!parsed || !row || !secretMatches(parsed.secret, row.secret_hash) || row.used_at !== null || row.expires_at <= this.clock()) {
      throw new SickbayError('not_found', 'this link is unknown, used or expired: ask an admin for a new one');
    }
    return row;
  }

  /** Who the link is for, without using it (the page shows the account). */
  peek(token: string): { userId: string; purpose: LinkPurpose } {
    const row = this.valid(token);
    return { userId: row.user_id, purpose: row.purpose };
  }

  /** Uses the link up; `apply` runs in the same transaction (sets the password). */
  consume(token: string, apply: (userId: string) => void): { userId: string; purpose: LinkPurpose } {
    return this.db.transaction(() => {
      const row = this.valid(token);
      this.db.prepare('UPDATE user_links SET used_at = ? WHERE id = ?').run(this.clock(), row.id);
      apply(row.user_id);
      return { userId: row.user_id, purpose: row.purpose };
    })();
  }
}
