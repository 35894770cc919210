/**
 * The web front door, run by server.ts on every HTTP request and WebSocket upgrade before Next
 * or the terminal gateway sees it (decisions in lib/web/):
 *   - a Host that is not ours -> 421 Misdirected Request (DNS rebinding);
 *   - a state-changing request from another site's page -> 403 with a JSON error (CSRF);
 *   - every response gets the security headers, pages a fresh CSP nonce.
 * It also gives the terminal gateway its Origin check, against the same allowlist.
 */
import crypto from 'node:crypto';
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { originAllowed, webAllowlist, type PublicUrl, type WebAllowlist } from '@/lib/web/origin';
import { securityHeaders } from '@/lib/web/headers';
import { screenRequest, screenUpgrade } from '@/lib/web/screen';

export interface WebGuardOptions {
  /** The configured port; replaced by the bound one (PORT=0) through listening(). */
  port: number;
  publicUrl: PublicUrl | null;
  dev?: boolean;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

export class WebGuard {
  private list: WebAllowlist;
  private readonly publicUrl: PublicUrl | null;
  private readonly dev: boolean;

  constructor(options: WebGuardOptions) {
    this.publicUrl = options.publicUrl;
    this.dev = options.dev ?? false;
    this.list = webAllowlist({ port: options.port, publicUrl: options.publicUrl });
  }

  /** The port the server really listens on (it differs from the configured one when that is 0). */
  listening(port: number): void {
    this.list = webAllowlist({ port, publicUrl: this.publicUrl });
  }

  allowlist(): WebAllowlist {
    return this.list;
  }

  /**
   * For the terminal WebSocket: browsers always send Origin on a WebSocket, so a missing one is
   * a script or CLI client, which still needs the session's token.
   */
  readonly isAllowedOrigin = (origin: string | undefined): boolean => origin === undefined || originAllowed(origin, this.list);

  /** Sets the headers and refuses what must not pass; true when the request was answered here. */
  screen(req: IncomingMessage, res: ServerResponse): boolean {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const api = path === '/api' || path.startsWith('/api/');
    const nonce = crypto.randomBytes(16).toString('base64');
    const headers = securityHeaders({ nonce, dev: this.dev, api });
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    // Next reads the nonce for its own scripts from the request's CSP header; never let a
    // client choose it.
    req.headers['content-security-policy'] = headers['Content-Security-Policy'];
    delete req.headers['content-security-policy-report-only'];

    const decision = screenRequest(
      { method: req.method ?? 'GET', host: header(req, 'host'), origin: header(req, 'origin'), fetchSite: header(req, 'sec-fetch-site') },
      this.list,
    );
    if (decision.pass) return false;
    req.resume();
    if (decision.status === 421) {
      res.writeHead(421, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'close' }).end(`${decision.message}\n`);
    } else {
      res
        .writeHead(decision.status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' })
        .end(JSON.stringify({ error: { code: 'forbidden', message: decision.message } }));
    }
    return true;
  }

  /** True when the upgrade was refused (and the socket closed) here. */
  screenUpgrade(req: IncomingMessage, socket: Duplex): boolean {
    const decision = screenUpgrade({ host: header(req, 'host') }, this.list);
    if (decision.pass) return false;
    const body = `${decision.message}\n`;
    socket.once('error', () => socket.destroy());
    socket.once('finish', () => socket.destroy());
    socket.end(
      `HTTP/1.1 ${decision.status} ${STATUS_CODES[decision.status] ?? ''}\r\n` +
        'Connection: close\r\n' +
        'Content-Type: text/plain; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    return true;
  }
}
