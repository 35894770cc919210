/**
 * Personal API tokens: `sbt_<id>.<secret>`, sent as `Authorization: Bearer ...`. Scoped (and
 * never beyond the owner's role), revocable, shown once at creation, stored as a SHA-256 hash.
 */
import { SickbayError } from '@/lib/errors';
import { isScope, roleAllows, type Role, type Scope } from '@/lib/auth/roles';
import type { Db } from '../store/db';
import { newCredential, parseCredential, secretMatches } from './secrets';

export const TOKEN_PREFIX = 'sbt_';
const MAX_TOKENS_PER_USER = 20;

export interface ApiTokenInfo {
  id: string;
  name: string;
  scopes: Scope[];
  createdAt: string;
  lastUsedAt: string | null;
}

interface TokenRow {
  id: string;
  user_id: string;
  name: string;
  scopes: string;
  secret_hash: string;
  created_at: number;
  last_used_at: number | null;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export class ApiTokenStore {
  constructor(
    private readonly db: Db,
    private readonly clock: () => number,
  ) {}

  create(user: { id: string; role: Role }, name: string, scopes: readonly Scope[]): { token: string; info: ApiTokenInfo } {
    const unique = [...new Set(scopes)];
    if (unique.length === 0) throw new SickbayError('bad_request', 'scopes: name at least one');
    for (const scope of unique) {
      if (!isScope(scope)) throw new SickbayError('bad_request', `scopes: unknown scope ${JSON.stringify(String(scope).slice(0, 40))}`);
      if (!roleAllows(user.role, scope)) throw new SickbayError('forbidden', `scopes: a ${user.role} cannot hand out ${scope}`);
    }
    const live = (this.db.prepare('SELECT COUNT(*) AS n FROM api_tokens WHERE user_id = ? AND revoked_at IS NULL').get(user.id) as { n: number }).n;
    if (live >= MAX_TOKENS_PER_USER) throw new SickbayError('conflict', `at most ${MAX_TOKENS_PER_USER} tokens per account: revoke one first`);
    const cred = newCredential(TOKEN_PREFIX);
    const now = this.clock();
    this.db
      .prepare('INSERT INTO api_tokens (id, user_id, name, scopes, secret_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(cred.id, user.id, name, JSON.stringify(unique), cred.hash, now);
    return { token: cred.value, info: { id: cred.id, name, scopes: unique, createdAt: iso(now) as string, lastUsedAt: null } };
  }

  list(userId: string): ApiTokenInfo[] {
    const rows = this.db.prepare('SELECT * FROM api_tokens WHERE user_id = ? AND revoked_at IS NULL ORDER BY created_at').all(userId) as TokenRow[];
    return rows.map((r) => ({ id: r.id, name: r.name, scopes: JSON.parse(r.scopes) as Scope[], createdAt: iso(r.created_at) as string, lastUsedAt: iso(r.last_used_at) }));
  }

  /** Revokes one of the user's tokens; unknown or someone else's is a 404. */
  revoke(userId: string, id: string): void {
    const changes = this.db.prepare('UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL').run(this.clock(), id, userId).changes;
    if (changes === 0) throw new SickbayError('not_found', `no token ${JSON.stringify(id.slice(0, 40))}`);
  }

  revokeAllOf(userId: string): number {
    return this.db.prepare('UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL').run(this.clock(), userId).changes;
  }

  /** The owner and scopes of a presented token, or null. */
  authenticate(raw: string): { userId: string; scopes: Scope[]; tokenId: string } | null {
    const parsed = parseCredential(raw, TOKEN_PREFIX);
    if (!parsed) return null;
    const row = this.db.prepare('SELECT * FROM api_tokens WHERE id = ? AND revoked_at IS NULL').get(parsed.id) as TokenRow | undefined;
    if (!row || !secretMatches(parsed.secret, row.secret_hash)) return null;
    const now = this.clock();
    if (row.last_used_at === null || now - row.last_used_at > 60_000) this.db.prepare('UPDATE api_tokens SET last_used_at = ? WHERE id = ?').run(now, row.id);
    return { userId: row.user_id, scopes: (JSON.parse(row.scopes) as unknown[]).filter(isScope), tokenId: row.id };
  }
}
