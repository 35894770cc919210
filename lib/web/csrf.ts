/**
 * Cross-site request forgery: which state-changing requests come from somewhere we trust.
 *
 * The browser tells us where a request comes from, and a page cannot forge either header:
 * `Origin` (sent by every current browser on every POST, PUT, PATCH and DELETE, same-origin
 * included) and `Sec-Fetch-Site` (sent on every request since Chrome 76, Firefox 90, Safari
 * 16.4). The rule for a method that changes state:
 *
 *   1. `Sec-Fetch-Site` present and not `same-origin` (cross-site, same-site — another port
 *      of the same host is another site's app — or none)                   -> refused
 *   2. `Origin` present and not exactly one of ours (including `null`)      -> refused
 *   3. `Origin` ours, or `Sec-Fetch-Site: same-origin`                      -> a page of ours
 *   4. neither header                                                       -> not a browser
 *
 * Case 4 is curl or a script: in personal mode it may act, because no web page can send a
 * request without these headers. Team mode (accounts) is expected to accept case 4 only with
 * an API token and never with a cookie alone, which is why it is reported apart from case 3.
 */

/** Methods that change nothing; everything else is checked. */
export const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

export type CsrfVerdict =
  | { allow: true; via: 'safe-method' | 'same-origin' | 'no-browser' }
  | { allow: false; reason: string };

export interface CsrfRequest {
  method: string;
  origin?: string;
  /** The Sec-Fetch-Site header. */
  fetchSite?: string;
}

export function csrfVerdict(req: CsrfRequest, isOurOrigin: (origin: string) => boolean): CsrfVerdict {
  if (SAFE_METHODS.has(req.method.toUpperCase())) return { allow: true, via: 'safe-method' };
  const site = req.fetchSite?.trim().toLowerCase();
  if (site !== undefined && site !== 'same-origin') {
    return { allow: false, reason: `a ${req.method.toUpperCase()} from another site's page is refused (Sec-Fetch-Site: ${site.slice(0, 40)})` };
  }
  if (req.origin !== undefined) {
    if (isOurOrigin(req.origin)) return { allow: true, via: 'same-origin' };
    return { allow: false, reason: `a ${req.method.toUpperCase()} from origin ${JSON.stringify(req.origin.slice(0, 200))} is refused: only this server's own pages may change anything` };
  }
  if (site === 'same-origin') return { allow: true, via: 'same-origin' };
  return { allow: true, via: 'no-browser' };
}
