/** The account settings, from the environment (README "Settings", docs/deploy.md). */
import { SickbayError } from '@/lib/errors';
import { parseGroupList, type OidcRoleMapping } from '@/lib/auth/oidc-claims';

export interface OidcConfig extends OidcRoleMapping {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** SICKBAY_OIDC_AUTO_CREATE=0: only accounts an admin invited (by e-mail) may sign in. */
  autoCreate: boolean;
  /** What the sign-in button says (SICKBAY_OIDC_NAME). */
  label: string;
}

export interface AuthConfig {
  oidc: OidcConfig | null;
  /** Live sessions one user may have at once (team mode). */
  userMaxSessions: number;
  /** Sessions one user may start per minute (team mode). */
  userStartsPerMinute: number;
  /** Behind a reverse proxy on loopback: the client address is the last X-Forwarded-For entry. */
  trustProxy: boolean;
}

function int(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new SickbayError('bad_request', `${name} must be an integer between ${min} and ${max}, got "${raw}"`);
  return n;
}

function flag(name: string, raw: string | undefined, fallback: boolean): boolean {
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
  throw new SickbayError('bad_request', `${name} must be 1 or 0, got "${raw}"`);
}

export function loadAuthConfig(env: Record<string, string | undefined>): AuthConfig {
  const issuer = env.SICKBAY_OIDC_ISSUER?.trim();
  let oidc: OidcConfig | null = null;
  if (issuer) {
    let url: URL;
    try {
      url = new URL(issuer);
    } catch {
      throw new SickbayError('bad_request', `SICKBAY_OIDC_ISSUER must be the provider's issuer URL, got "${issuer}"`);
    }
    const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
      throw new SickbayError('bad_request', 'SICKBAY_OIDC_ISSUER must use https (plain http only for a provider on this machine)');
    }
    const clientId = env.SICKBAY_OIDC_CLIENT_ID?.trim();
    const clientSecret = env.SICKBAY_OIDC_CLIENT_SECRET;
    if (!clientId || !clientSecret) throw new SickbayError('bad_request', 'SICKBAY_OIDC_ISSUER needs SICKBAY_OIDC_CLIENT_ID and SICKBAY_OIDC_CLIENT_SECRET');
    oidc = {
      issuer,
      clientId,
      clientSecret,
      groupsClaim: env.SICKBAY_OIDC_GROUPS_CLAIM?.trim() || null,
      adminGroups: parseGroupList(env.SICKBAY_OIDC_ADMIN_GROUPS),
      facilitatorGroups: parseGroupList(env.SICKBAY_OIDC_FACILITATOR_GROUPS),
      autoCreate: flag('SICKBAY_OIDC_AUTO_CREATE', env.SICKBAY_OIDC_AUTO_CREATE, true),
      label: env.SICKBAY_OIDC_NAME?.trim().slice(0, 60) || 'single sign-on',
    };
  }
  return {
    oidc,
    userMaxSessions: int('SICKBAY_USER_MAX_SESSIONS', env.SICKBAY_USER_MAX_SESSIONS, 2, 1, 100),
    userStartsPerMinute: int('SICKBAY_USER_STARTS_PER_MINUTE', env.SICKBAY_USER_STARTS_PER_MINUTE, 6, 1, 600),
    trustProxy: flag('SICKBAY_TRUST_PROXY', env.SICKBAY_TRUST_PROXY, false),
  };
}
