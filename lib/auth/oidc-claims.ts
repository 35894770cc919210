/**
 * From an OpenID Connect ID token's claims to a Sickbay user: who it is (issuer + subject, the
 * only stable identity; the e-mail only to match an invited account) and, when a groups claim
 * is configured, which role the groups give on this sign-in.
 */

export interface OidcRoleMapping {
  /** SICKBAY_OIDC_GROUPS_CLAIM, e.g. "groups"; null: roles are kept as set in Sickbay. */
  groupsClaim: string | null;
  adminGroups: readonly string[];
  facilitatorGroups: readonly string[];
}

export interface OidcIdentity {
  subject: string;
  /** Only a verified address (email_verified not false); lowercased. */
  email: string | null;
  name: string;
}

export function identityFromClaims(claims: Record<string, unknown>): OidcIdentity {
  const subject = typeof claims.sub === 'string' ? claims.sub : '';
  const rawEmail = typeof claims.email === 'string' ? claims.email.trim().toLowerCase() : '';
  const email = rawEmail && claims.email_verified !== false && /^[^\s@]+@[^\s@]+$/.test(rawEmail) ? rawEmail : null;
  const name = [claims.name, claims.preferred_username, email, subject].find((v): v is string => typeof v === 'string' && v.trim() !== '') ?? subject;
  return { subject, email, name: name.trim().slice(0, 120) };
}

function groupsOf(claims: Record<string, unknown>, claim: string): string[] {
  const value = claims[claim];
  if (Array.isArray(value)) return value.filter((g): g is string => typeof g === 'string');
  if (typeof value === 'string') return value.split(/[\s,]+/).filter(Boolean);
  return [];
}

/** The role the groups give, or null when no groups claim is configured (keep the stored role). */
export function roleFromClaims(claims: Record<string, unknown>, mapping: OidcRoleMapping): 'admin' | 'facilitator' | 'learner' | null {
  if (!mapping.groupsClaim) return null;
  const groups = new Set(groupsOf(claims, mapping.groupsClaim));
  if (mapping.adminGroups.some((g) => groups.has(g))) return 'admin';
  if (mapping.facilitatorGroups.some((g) => groups.has(g))) return 'facilitator';
  return 'learner';
}

/** A comma-separated list from the environment. */
export function parseGroupList(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((g) => g.trim())
    .filter(Boolean);
}
