/** Accounts in the SQLite store: who they are, their role, password hash and OpenID link. */
import { SickbayError } from '@/lib/errors';
import { LOCAL_ADMIN_ID, type Role } from '@/lib/auth/roles';
import type { Db } from '../store/db';
import { newId } from './secrets';

export interface User {
  id: string;
  email: string | null;
  name: string;
  role: Role;
  disabled: boolean;
  hasPassword: boolean;
  oidc: { issuer: string; subject: string } | null;
  createdAt: string;
}

interface UserRow {
  id: string;
  email: string | null;
  name: string;
  role: Role;
  password_hash: string | null;
  disabled: number;
  oidc_issuer: string | null;
  oidc_subject: string | null;
  created_at: number;
}

function toUser(row: UserRow): User {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    disabled: row.disabled === 1,
    hasPassword: row.password_hash !== null,
    oidc: row.oidc_issuer && row.oidc_subject ? { issuer: row.oidc_issuer, subject: row.oidc_subject } : null,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

export class UserStore {
  constructor(
    private readonly db: Db,
    private readonly clock: () => number,
  ) {}

  get(id: string): User | null {
    const row = this.db.prepare('SELECT * FROM users WHERE id = ?').get(id) as UserRow | undefined;
    return row ? toUser(row) : null;
  }

  require(id: string): User {
    const user = id === LOCAL_ADMIN_ID ? null : this.get(id);
    if (!user) throw new SickbayError('not_found', `no user ${JSON.stringify(id.slice(0, 40))}`);
    return user;
  }

  byEmail(email: string): User | null {
    const row = this.db.prepare('SELECT * FROM users WHERE email = ?').get(email) as UserRow | undefined;
    return row ? toUser(row) : null;
  }

  byOidc(issuer: string, subject: string): User | null {
    const row = this.db.prepare('SELECT * FROM users WHERE oidc_issuer = ? AND oidc_subject = ?').get(issuer, subject) as UserRow | undefined;
    return row ? toUser(row) : null;
  }

  passwordHash(id: string): string | null {
    const row = this.db.prepare('SELECT password_hash FROM users WHERE id = ?').get(id) as { password_hash: string | null } | undefined;
    return row?.password_hash ?? null;
  }

  /** Every account but the implicit local admin, oldest first. */
  list(): User[] {
    // An interview's candidate is an account only so their session has an owner: it has no
    // sign-in and is reached through its interview, so it is no one an admin manages here.
    return (
      this.db
        .prepare(`SELECT * FROM users WHERE id != '${LOCAL_ADMIN_ID}' AND id NOT IN (SELECT candidate_id FROM interviews) ORDER BY created_at, email`)
        .all() as UserRow[]
    ).map(toUser);
  }

  /** Any real account: the server is in team mode from the first one on. */
  hasAccounts(): boolean {
    return this.db.prepare(`SELECT 1 FROM users WHERE id != '${LOCAL_ADMIN_ID}' LIMIT 1`).get() !== undefined;
  }

  countEnabledAdmins(): number {
    const row = this.db.prepare(`SELECT COUNT(*) AS n FROM users WHERE id != '${LOCAL_ADMIN_ID}' AND role = 'admin' AND disabled = 0`).get() as { n: number };
    return row.n;
  }

  create(input: { email: string | null; name?: string; role: Role; passwordHash?: string | null; oidc?: { issuer: string; subject: string } | null }): User {
    if (input.email && this.byEmail(input.email)) throw new SickbayError('conflict', `an account for ${input.email} exists already`);
    // The first account is an admin: an account makes this a team server, and a team server
    // without an admin could never be administered from the web.
    if (!this.hasAccounts() && input.role !== 'admin') throw new SickbayError('conflict', 'the first account must be an admin');
    const id = newId();
    const now = this.clock();
    this.db
      .prepare(
        `INSERT INTO users (id, email, name, role, password_hash, oidc_issuer, oidc_subject, created_at, updated_at)
         VALUES (@id, @email, @name, @role, @hash, @issuer, @subject, @now, @now)`,
      )
      .run({
        id,
        email: input.email,
        name: (input.name ?? input.email ?? '').slice(0, 120),
        role: input.role,
        hash: input.passwordHash ?? null,
        issuer: input.oidc?.issuer ?? null,
        subject: input.oidc?.subject ?? null,
        now,
      });
    return this.require(id);
  }

  setPassword(id: string, passwordHash: string): void {
    this.db.prepare('UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?').run(passwordHash, this.clock(), id);
  }

  setName(id: string, name: string): void {
    this.db.prepare('UPDATE users SET name = ?, updated_at = ? WHERE id = ?').run(name.slice(0, 120), this.clock(), id);
  }

  linkOidc(id: string, issuer: string, subject: string): void {
    this.db.prepare('UPDATE users SET oidc_issuer = ?, oidc_subject = ?, updated_at = ? WHERE id = ?').run(issuer, subject, this.clock(), id);
  }

  /** Changes a role; the last enabled admin stays an admin. */
  setRole(id: string, role: Role): User {
    const user = this.require(id);
    if (user.role === 'admin' && role !== 'admin' && !user.disabled && this.countEnabledAdmins() <= 1) {
      throw new SickbayError('conflict', 'this is the last admin: make another admin first');
    }
    this.db.prepare('UPDATE users SET role = ?, updated_at = ? WHERE id = ?').run(role, this.clock(), id);
    return this.require(id);
  }

  /** Disables or enables an account; the last enabled admin cannot be disabled. */
  setDisabled(id: string, disabled: boolean): User {
    const user = this.require(id);
    if (disabled && user.role === 'admin' && !user.disabled && this.countEnabledAdmins() <= 1) {
      throw new SickbayError('conflict', 'this is the last admin: make another admin first');
    }
    this.db.prepare('UPDATE users SET disabled = ?, updated_at = ? WHERE id = ?').run(disabled ? 1 : 0, this.clock(), id);
    return this.require(id);
  }
}
