/**
 * The account check on every request and WebSocket upgrade, run by server.ts right after the
 * web guard (Host, CSRF, headers) and before Next or the terminal gateway:
 *
 *   personal mode        -> the local admin; nothing is asked
 *   team mode, nobody    -> public paths (sign-in, setup, set-password, static files) pass;
 *                           a page is redirected to /signin, the API and WebSockets get 401
 *   a wrong API token    -> 401, whatever the path
 *   an API token         -> the API and the terminal only, within its scopes (403 otherwise)
 *   a candidate cookie   -> an interview's candidate (#13): the candidate page and that one
 *                           session's learner routes only; anything else is 404
 *   a sign-in cookie     -> a state change must come from our own pages: the guard let a
 *                           request with neither Origin nor Sec-Fetch-Site pass as "no browser",
 *                           which is fine for a token but never for a cookie alone (403)
 *
 * The answer reaches route handlers and pages through a random per-request key in
 * PRINCIPAL_HEADER (a client's own value is always dropped first), removed when the response ends.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { isPublicPath, isApiPath, tokenScopeFor } from '@/lib/auth/paths';
import { principalHas, type Principal } from '@/lib/auth/roles';
import { csrfVerdict } from '@/lib/web/csrf';
import { originAllowed, type WebAllowlist } from '@/lib/web/origin';
import { isLoopbackHost } from '@/lib/auth/mode';
import { candidateMayReach } from '@/lib/interviews/rules';
import { PRINCIPAL_HEADER, type AuthService } from './auth';

export interface RequestContext {
  principal: Principal | null;
  /** The client's address (the last X-Forwarded-For hop behind a trusted proxy): for lockout. */
  address: string;
}

type Refusal = { status: 401 | 403 | 404; message: string };

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

export function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
  const peer = (req.socket.remoteAddress ?? 'unknown').replace(/^::ffff:/, '');
  if (!trustProxy || !isLoopbackHost(peer)) return peer;
  // Our proxy appends the address it saw last; anything before it came from the client.
  const hops = (header(req, 'x-forwarded-for') ?? '').split(',').map((h) => h.trim()).filter(Boolean);
  return hops[hops.length - 1] ?? peer;
}

export class AuthDoor {
  constructor(
    private readonly auth: AuthService,
    private readonly allowlist: () => WebAllowlist,
    private readonly trustProxy: boolean,
  ) {}

  private decide(req: IncomingMessage, pathname: string): { principal: Principal | null; refusal: Refusal | null } {
    const found = this.auth.authenticate({ cookie: header(req, 'cookie'), authorization: header(req, 'authorization') });
    const method = req.method ?? 'GET';
    if (!found.principal) {
      if (found.problem === 'bad-token') return { principal: null, refusal: { status: 401, message: 'this API token is unknown or revoked, or its account is disabled' } };
      if (isPublicPath(pathname)) return { principal: null, refusal: null };
      return { principal: null, refusal: { status: 401, message: 'sign in first (browsers: /signin; scripts: an API token in Authorization: Bearer)' } };
    }
    const principal = found.principal;
    if (principal.via === 'token') {
      const scope = tokenScopeFor(method, pathname);
      if (scope === 'browser') return { principal, refusal: { status: 403, message: 'API tokens reach the API and the terminal only: pages, sign-in and token management need a signed-in browser' } };
      if (scope !== 'none' && !principalHas(principal, scope)) {
        return { principal, refusal: { status: 403, message: `this token does not carry the ${scope} scope${principal.scopes?.includes(scope) ? ` (a ${principal.user.role} cannot use it)` : ''}` } };
      }
    }
    if (principal.candidate && !candidateMayReach(principal.candidate, method, pathname)) {
      // The candidate's browser sees its interview only: the rest does not exist for it.
      return { principal, refusal: { status: 404, message: 'not found' } };
    }
    if (principal.via === 'cookie' || principal.via === 'interview') {
      const csrf = csrfVerdict({ method, origin: header(req, 'origin'), fetchSite: header(req, 'sec-fetch-site') }, (o) => originAllowed(o, this.allowlist()));
      if (csrf.allow && csrf.via === 'no-browser') {
        return { principal, refusal: { status: 403, message: 'a signed-in change must come from this server\'s own pages (no Origin was sent); scripts use an API token' } };
      }
    }
    return { principal, refusal: null };
  }

  /** True when the request was answered here. */
  screen(req: IncomingMessage, res: ServerResponse): boolean {
    delete req.headers[PRINCIPAL_HEADER];
    const url = req.url ?? '/';
    const pathname = url.split('?')[0] ?? '/';
    const { principal, refusal } = this.decide(req, pathname);
    if (refusal) {
      req.resume();
      const method = (req.method ?? 'GET').toUpperCase();
      if (refusal.status === 401 && !isApiPath(pathname) && (method === 'GET' || method === 'HEAD') && !header(req, 'authorization')) {
        res.writeHead(303, { Location: `/signin?next=${encodeURIComponent(url.slice(0, 500))}`, 'Cache-Control': 'no-store' }).end();
        return true;
      }
      res
        .writeHead(refusal.status, {
          'Content-Type': 'application/json',
          'Cache-Control': 'no-store',
          ...(refusal.status === 401 ? { 'WWW-Authenticate': 'Bearer realm="sickbay"' } : {}),
        })
        .end(JSON.stringify({ error: { code: refusal.status === 401 ? 'unauthorized' : refusal.status === 404 ? 'not_found' : 'forbidden', message: refusal.message } }));
      return true;
    }
    const key = this.auth.bind({ principal, address: clientAddress(req, this.trustProxy) });
    req.headers[PRINCIPAL_HEADER] = key;
    res.once('close', () => this.auth.unbind(key));
    return false;
  }

  /** The user of a WebSocket upgrade, or null when it was refused (and the socket closed) here. */
  screenUpgrade(req: IncomingMessage, socket: Duplex): Principal | null {
    const pathname = (req.url ?? '/').split('?')[0] ?? '/';
    const { principal, refusal } = this.decide(req, pathname);
    if (!refusal && principal) return principal;
    const status = refusal?.status ?? 401;
    const body = `${refusal?.message ?? 'sign in first'}\n`;
    socket.once('error', () => socket.destroy());
    socket.once('finish', () => socket.destroy());
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    return null;
  }
}
