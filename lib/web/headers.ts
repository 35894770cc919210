/**
 * The security headers on every response, pages and API alike.
 *
 * The Content-Security-Policy is what the pages need and no more:
 *   - scripts only with this response's nonce (Next puts it on its own inline and chunk
 *     scripts when it finds it in the request's CSP header, see server/web/guard.ts), and what
 *     those load ('strict-dynamic'); 'wasm-unsafe-eval' because asciinema-player runs its
 *     terminal emulator as WebAssembly compiled from bytes; dev mode adds 'unsafe-eval'
 *     (React's dev tooling), never production;
 *   - styles from our origin plus inline ones: React renders style attributes and xterm.js
 *     and asciinema-player write <style> elements at run time, which no nonce reaches. Inline
 *     CSS cannot run code;
 *   - connections (fetch, the terminal WebSocket) to our own origin only; no plugins, no
 *     <base>, forms post only to us, and no page may frame ours (clickjacking).
 */

export interface SecurityHeaderOptions {
  /** Fresh per response; base64. */
  nonce: string;
  dev?: boolean;
  /** API responses are never stored by a cache. */
  api?: boolean;
}

export function contentSecurityPolicy(options: { nonce: string; dev?: boolean }): string {
  const scripts = ["'self'", `'nonce-${options.nonce}'`, "'strict-dynamic'", "'wasm-unsafe-eval'", ...(options.dev ? ["'unsafe-eval'"] : [])];
  return [
    "default-src 'self'",
    `script-src ${scripts.join(' ')}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export function securityHeaders(options: SecurityHeaderOptions): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(options),
    'X-Frame-Options': 'DENY',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'same-origin',
    // Other sites' pages may neither embed our responses nor keep a handle on our windows.
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Cross-Origin-Opener-Policy': 'same-origin',
    ...(options.api ? { 'Cache-Control': 'no-store' } : {}),
  };
}
