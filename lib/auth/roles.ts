/**
 * Who may do what on a shared Sickbay: three roles, and the scopes a personal API token can
 * carry. A token never does more than its owner's role allows (roleAllows), whatever scopes
 * it names.
 */

export const ROLES = ['admin', 'facilitator', 'learner'] as const;
export type Role = (typeof ROLES)[number];

/**
 * API token scopes (docs/api.md "Accounts"):
 *   sessions:read  — GET the catalogue, own (and watched) sessions, their events and reports;
 *                    open a watched session's read-only mirror
 *   sessions:write — start, end and work in own sessions (goal checks, diagnosis, hints,
 *                    the terminal WebSocket)
 *   cohorts        — facilitators: create cohorts and add or remove learners
 *   admin          — admins: users, everyone's sessions, the audit log
 */
export const SCOPES = ['sessions:read', 'sessions:write', 'cohorts', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

const ROLE_SCOPES: Record<Role, readonly Scope[]> = {
  learner: ['sessions:read', 'sessions:write'],
  facilitator: ['sessions:read', 'sessions:write', 'cohorts'],
  admin: ['sessions:read', 'sessions:write', 'cohorts', 'admin'],
};

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function isScope(value: unknown): value is Scope {
  return typeof value === 'string' && (SCOPES as readonly string[]).includes(value);
}

/** The scopes a role may hand to a token (and that its browser sign-in has). */
export function scopesOfRole(role: Role): readonly Scope[] {
  return ROLE_SCOPES[role];
}

export function roleAllows(role: Role, scope: Scope): boolean {
  return ROLE_SCOPES[role].includes(scope);
}

/** The user a request acts as: signed in, by token, or (personal mode) the implicit local admin. */
export interface Principal {
  user: { id: string; email: string | null; name: string; role: Role };
  via: 'personal' | 'cookie' | 'token' | 'interview';
  /** A token's scopes; null for a browser sign-in and personal mode (everything the role allows). */
  scopes: readonly Scope[] | null;
  /** The browser sign-in (auth session) id, for signing out; null otherwise. */
  signinId: string | null;
  /**
   * Set only for an interview's candidate (via 'interview'): the browser the single-use link
   * was bound to. The door lets it reach that one session and the candidate page, nothing else.
   */
  candidate?: CandidateScope;
}

export interface CandidateScope {
  interviewId: string;
  /** The candidate's session; null until the link has been opened. */
  sessionId: string | null;
  hints: boolean;
}

/** The one user of personal mode: every request acts as this admin, and owns what it starts. */
export const LOCAL_ADMIN_ID = 'local';

export const PERSONAL_PRINCIPAL: Principal = Object.freeze({
  user: Object.freeze({ id: LOCAL_ADMIN_ID, email: null, name: 'local admin', role: 'admin' as const }),
  via: 'personal' as const,
  scopes: null,
  signinId: null,
});

/** Whether the principal may use a scope: its role must allow it, and a token must carry it. */
export function principalHas(principal: Principal, scope: Scope): boolean {
  if (!roleAllows(principal.user.role, scope)) return false;
  return principal.scopes === null || principal.scopes.includes(scope);
}
