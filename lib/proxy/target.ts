/**
 * Request-target parsing. The engine (Go, gorilla/mux) decodes the path before routing, so an
 * encoded slash or dot segment could route the engine somewhere the proxy's table never saw.
 * We decode exactly once and refuse anything whose meaning could differ between the two:
 * encoded "/" or "\", "." and ".." segments, empty segments, "%" surviving decoding (double
 * encoding), control characters, and API versions outside the range the proxy was checked with.
 */
import { refuse } from './refusal';

/** Below 1.24 the engine still honours a HostConfig in the start body (a known escape). */
export const MIN_API_MINOR = 24;
/** The highest API version whose request bodies the schemas here know (engine 20.10). */
export const MAX_API_MINOR = 41;
export const MAX_API_VERSION = `1.${MAX_API_MINOR}`;

const MAX_TARGET_LENGTH = 8192;

export interface RequestTarget {
  /** "1.41" when the client sent a version prefix, else null (the engine's latest). */
  version: string | null;
  /** Decoded path without the version prefix, e.g. /containers/abc/json. */
  path: string;
  /** Decoded query pairs, in order (duplicates kept so the query check can refuse them). */
  query: [string, string][];
}

function decodeComponent(raw: string, what: string): string {
  if (/%(2f|5c|00|25)/i.test(raw)) throw refuse(`encoded "/", "\\", NUL or "%" in the ${what} is not accepted`);
  try {
    return decodeURIComponent(raw);
  } catch {
    throw refuse(`malformed percent-encoding in the ${what}`);
  }
}

function decodeQuery(raw: string): [string, string][] {
  if (raw === '') return [];
  if (raw.includes(';')) throw refuse('";" in the query string is not accepted');
  return raw
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const [k, v] = eq === -1 ? [pair, ''] : [pair.slice(0, eq), pair.slice(eq + 1)];
      // The engine reads "+" as a space (Go's url.ParseQuery); so do we.
      const decode = (s: string) => {
        try {
          return decodeURIComponent(s.replace(/\+/g, ' '));
        } catch {
          throw refuse('malformed percent-encoding in the query string');
        }
      };
      const key = decode(k);
      const value = decode(v);
      // eslint-disable-next-line no-control-regex
      if (/[\x00-\x1f\x7f]/.test(key) || value.includes('\0')) throw refuse('control characters in the query string are not accepted');
      return [key, value] as [string, string];
    });
}

export function parseRequestTarget(rawUrl: string): RequestTarget {
  if (!rawUrl.startsWith('/')) throw refuse('only origin-form request targets ("/path") are accepted');
  if (rawUrl.length > MAX_TARGET_LENGTH) throw refuse(`request target longer than ${MAX_TARGET_LENGTH} characters`);
  const q = rawUrl.indexOf('?');
  const rawPath = q === -1 ? rawUrl : rawUrl.slice(0, q);
  const rawQuery = q === -1 ? '' : rawUrl.slice(q + 1);
  if (rawQuery.includes('#') || rawPath.includes('#')) throw refuse('"#" in the request target is not accepted');
  if (!/^[\x21-\x7e]+$/.test(rawPath)) throw refuse('the path has spaces or non-ASCII characters');
  if (rawPath.includes('\\')) throw refuse('"\\" in the path is not accepted');

  const segments = rawPath.slice(1).split('/');
  const decoded = segments.map((s) => decodeComponent(s, 'path'));
  for (const seg of decoded) {
    if (seg === '') throw refuse('empty path segments ("//" or a trailing "/") are not accepted');
    if (seg === '.' || seg === '..') throw refuse('"." and ".." path segments are not accepted');
    // eslint-disable-next-line no-control-regex
    if (/[\x00-\x1f\x7f%\\]/.test(seg)) throw refuse('control characters, "%" or "\\" in the decoded path are not accepted');
  }

  let version: string | null = null;
  const first = decoded[0] ?? '';
  if (/^v[0-9.]/.test(first)) {
    const m = /^v1\.(\d{1,3})$/.exec(first);
    const minor = m ? Number(m[1]) : NaN;
    if (!(minor >= MIN_API_MINOR && minor <= MAX_API_MINOR)) {
      throw refuse(`API version "${first}" is not accepted (1.${MIN_API_MINOR} to ${MAX_API_VERSION})`);
    }
    version = `1.${minor}`;
    decoded.shift();
    if (decoded.length === 0) throw refuse('a version prefix alone is not an endpoint');
  }
  return { version, path: `/${decoded.join('/')}`, query: decodeQuery(rawQuery) };
}

/** The path the proxy forwards: its own re-encoding of the checked segments. */
export function encodePath(path: string, version: string | null): string {
  const encoded = path
    .split('/')
    .map((seg) => encodeURIComponent(seg).replace(/%3A/gi, ':'))
    .join('/');
  return version ? `/v${version}${encoded}` : encoded;
}
