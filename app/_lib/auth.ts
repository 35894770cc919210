/**
 * Who is asking, in route handlers and pages: what server.ts's door found (server/auth/door.ts),
 * read back through the per-request key. A request that did not come through the door has no
 * principal and is refused (fail closed).
 */
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { SickbayError } from '@/lib/errors';
import { clearCookie, serializeCookie } from '@/lib/auth/cookies';
import { principalHas, type Principal, type Role, type Scope } from '@/lib/auth/roles';
import { PRINCIPAL_HEADER } from '@/server/auth/auth';
import type { RequestContext } from '@/server/auth/door';
import type { ScopedSessions } from '@/server/auth/session-access';
import { services } from '@/server/registry';

export function requestContext(request: Request): RequestContext {
  const context = services().auth.contextOf(request.headers.get(PRINCIPAL_HEADER));
  if (!context) throw new SickbayError('unauthorized', 'sign in first');
  return context;
}

/** The signed-in principal of an API request; 401 without one. */
export function principalOf(request: Request): Principal {
  const principal = requestContext(request).principal;
  if (!principal) throw new SickbayError('unauthorized', 'sign in first');
  return principal;
}

/** The sessions this request's user may see (every session route goes through this). */
export function sessionsFor(request: Request): ScopedSessions {
  return services().access.as(principalOf(request));
}

/** 403 unless the principal has one of the roles (and, for a token, the scope). */
export function requireRole(principal: Principal, roles: readonly Role[], scope?: Scope): Principal {
  if (!roles.includes(principal.user.role)) throw new SickbayError('forbidden', `only ${roles.join(' or ')}s may do this`);
  if (scope && !principalHas(principal, scope)) throw new SickbayError('forbidden', `this token does not carry the ${scope} scope`);
  return principal;
}

/** A page's principal, or null when signed out (only public pages are reached signed out). */
export async function pagePrincipal(): Promise<Principal | null> {
  const key = (await headers()).get(PRINCIPAL_HEADER);
  return services().auth.contextOf(key)?.principal ?? null;
}

/** A page that needs a user: the door redirects first; this is the fail-closed second check. */
export async function pageUser(): Promise<Principal> {
  const principal = await pagePrincipal();
  if (!principal) redirect('/signin');
  return principal;
}

export async function pageSessions(): Promise<ScopedSessions> {
  return services().access.as(await pageUser());
}

/** A response that starts a browser sign-in (the cookie from server/auth/local.ts). */
export function withSignin<T extends Response>(response: T, signed: { cookieValue: string; maxAgeSeconds: number }): T {
  response.headers.append('set-cookie', serializeCookie(services().auth.cookie, signed.cookieValue, signed.maxAgeSeconds));
  return response;
}

export function withSignout<T extends Response>(response: T): T {
  response.headers.append('set-cookie', clearCookie(services().auth.cookie));
  return response;
}

/** What the API says about a user (never the password hash or the OpenID subject). */
export function userJson(user: { id: string; email: string | null; name: string; role: Role }) {
  return { id: user.id, email: user.email, name: user.name, role: user.role };
}
