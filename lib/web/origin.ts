/**
 * Which Host and Origin headers this server answers to: the defence against DNS rebinding and
 * the reference for cross-site checks.
 *
 * A page on an attacker's name that resolves to 127.0.0.1 is same-origin *with itself*: its
 * requests reach us carrying `Host: attacker.example:PORT` and `Origin: http://attacker.example:PORT`.
 * So the Host header must name us — a loopback name with the serving port, or the host of the
 * configured public URL — and an Origin is compared with the same fixed list (scheme, host and
 * port exactly), never with the request's own Host, which is the attacker's in exactly that case.
 */
import { SickbayError } from '../errors';

/** SICKBAY_PUBLIC_URL, reduced to what the checks compare. */
export interface PublicUrl {
  /** `https://lab.example.com` (lowercase, default port omitted), as browsers send it in Origin. */
  origin: string;
  /** `lab.example.com` or `lab.example.com:8443`, as browsers send it in Host. */
  host: string;
}

export interface WebAllowlist {
  /** Accepted Host header values, lowercase. */
  hosts: ReadonlySet<string>;
  /** Accepted Origin header values, lowercase, as browsers serialise them. */
  origins: ReadonlySet<string>;
}

/** The names a browser on this machine can use for a server bound to loopback. */
export const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'] as const;

const DEFAULT_PORT: Record<string, number> = { 'http:': 80, 'https:': 443 };

/** Validates SICKBAY_PUBLIC_URL: an http(s) origin, nothing more (Sickbay is served at the root). */
export function parsePublicUrl(raw: string): PublicUrl {
  const bad = (why: string) =>
    new SickbayError('bad_request', `SICKBAY_PUBLIC_URL ${why}, e.g. https://lab.example.com — got ${JSON.stringify(raw.slice(0, 200))}`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw bad('must be an absolute URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw bad('must start with http:// or https://');
  if (url.username || url.password) throw bad('must not carry a user name or password');
  if (!url.hostname) throw bad('must name a host');
  if (url.pathname !== '/' || url.search || url.hash || raw.includes('?') || raw.includes('#')) {
    throw bad('must be an origin only, without a path, query or fragment (Sickbay is served at the root)');
  }
  return { origin: url.origin, host: url.host };
}

/** Loopback names with the port actually served, plus the public URL's host when one is set. */
export function webAllowlist(options: { port: number; publicUrl?: PublicUrl | null }): WebAllowlist {
  const hosts = new Set<string>();
  const origins = new Set<string>();
  for (const name of LOOPBACK_NAMES) {
    hosts.add(`${name}:${options.port}`);
    // Browsers leave the default port out of both headers.
    origins.add(options.port === 80 ? `http://${name}` : `http://${name}:${options.port}`);
    if (options.port === 80) hosts.add(name);
  }
  const pub = options.publicUrl;
  if (pub) {
    hosts.add(pub.host);
    origins.add(pub.origin);
    // Some clients write the default port out; it names the same place.
    if (!/:\d+$/.test(pub.host)) hosts.add(`${pub.host}:${DEFAULT_PORT[new URL(pub.origin).protocol]}`);
  }
  return { hosts, origins };
}

export function hostAllowed(host: string | undefined, list: WebAllowlist): boolean {
  return host !== undefined && list.hosts.has(host.trim().toLowerCase());
}

/** An exact match only: `null` (opaque origins), paths and look-alikes never are. */
export function originAllowed(origin: string | undefined, list: WebAllowlist): boolean {
  return origin !== undefined && list.origins.has(origin.trim().toLowerCase());
}
