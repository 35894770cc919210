/**
 * What the front door (server/auth/door.ts) asks of a request path in team mode: may it pass
 * without a user, may an API token use it, and which scope does that take.
 */
import type { Scope } from './roles';

/** Reachable signed out: the sign-in, first-run and set-password pages, their API, static files. */
export function isPublicPath(pathname: string): boolean {
  return (
    pathname.startsWith('/_next/static/') ||
    pathname === '/icon.svg' ||
    pathname === '/favicon.ico' ||
    pathname === '/signin' ||
    pathname === '/setup' ||
    pathname === '/auth/set-password' ||
    // An interview's candidate has no account: the single-use link is their way in (#13).
    pathname === '/interview/join' ||
    pathname === '/api/interviews/join' ||
    pathname.startsWith('/api/auth/')
  );
}

export function isApiPath(pathname: string): boolean {
  return pathname === '/api' || pathname.startsWith('/api/');
}

/**
 * The scope an API token needs here; 'browser' where only a signed-in browser may go (a token
 * never manages tokens, passwords or sign-ins), 'none' for what any token may read.
 */
export function tokenScopeFor(method: string, pathname: string): Scope | 'browser' | 'none' {
  const write = !['GET', 'HEAD', 'OPTIONS'].includes(method.toUpperCase());
  if (pathname.startsWith('/api/auth/') || pathname === '/api/me/tokens' || pathname.startsWith('/api/me/tokens/')) return 'browser';
  if (pathname === '/api/me') return 'none';
  if (pathname.startsWith('/api/admin/') || pathname === '/api/admin') return 'admin';
  if (pathname === '/api/interviews/join') return 'browser';
  if (pathname.startsWith('/api/cohorts') || pathname.startsWith('/api/interviews')) return write ? 'cohorts' : 'sessions:read';
  // Running a drill is a facilitator's write; joining one is a participant's.
  if (pathname === '/api/drills/join') return write ? 'sessions:write' : 'sessions:read';
  if (pathname === '/api/drills' || pathname.startsWith('/api/drills/')) return write ? 'cohorts' : 'sessions:read';
  if (pathname.startsWith('/ws/terminal/')) return pathname.endsWith('/mirror') ? 'sessions:read' : 'sessions:write';
  if (isApiPath(pathname)) return write ? 'sessions:write' : 'sessions:read';
  // Pages are for browsers.
  return 'browser';
}

/** Where the sign-in page sends the user back to: a path on this server only. */
export function safeReturnPath(raw: string | null | undefined): string {
  if (!raw || !raw.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\') || /[\r\n\t]/.test(raw)) return '/';
  if (raw.startsWith('/api/') || raw === '/signin' || raw.startsWith('/signin?')) return '/';
  return raw.slice(0, 500);
}
