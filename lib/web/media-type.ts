/**
 * Content-Type checks. A web page can send a cross-site POST without a CORS preflight only as
 * text/plain, multipart/form-data or application/x-www-form-urlencoded, so a JSON API that
 * insists on the exact media type application/json cannot be fed by a form or a no-cors fetch
 * (`text/plain;application/json` is text/plain with a malformed parameter, not JSON).
 */

const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const TYPE = new RegExp(`^[ \\t]*(${TOKEN})/(${TOKEN})`);
// One `; name=value` (RFC 9110 §8.3.1: value a token or a quoted string); an empty `;` is allowed.
const PARAM = new RegExp(`^[ \\t]*;[ \\t]*(?:(${TOKEN})=(${TOKEN}|"(?:[^"\\\\\\r\\n]|\\\\[^\\r\\n])*"))?`);

export interface MediaType {
  /** `type/subtype`, lowercase. */
  essence: string;
  /** Parameter names lowercase; values unquoted, case kept. */
  params: Record<string, string>;
}

/** Parses a Content-Type value strictly; null when it is not one well-formed media type. */
export function parseMediaType(value: string): MediaType | null {
  const head = TYPE.exec(value);
  if (!head) return null;
  const params: Record<string, string> = {};
  let rest = value.slice(head[0].length);
  while (rest.trim() !== '') {
    const m = PARAM.exec(rest);
    if (!m || m[0].length === 0) return null;
    if (m[1] !== undefined && m[2] !== undefined) {
      const name = m[1].toLowerCase();
      if (name in params) return null; // a repeated parameter is ambiguous
      params[name] = m[2].startsWith('"') ? m[2].slice(1, -1).replace(/\\(.)/g, '$1') : m[2];
    }
    rest = rest.slice(m[0].length);
  }
  return { essence: `${head[1]}/${head[2]}`.toLowerCase(), params };
}

/** null when the header says JSON (UTF-8, the only charset JSON has); else why it does not. */
export function jsonContentTypeProblem(value: string | null | undefined): string | null {
  const shown = JSON.stringify((value ?? '').slice(0, 100));
  const expect = 'send the body as JSON with content-type: application/json';
  if (!value) return `${expect} (no content-type was sent)`;
  const type = parseMediaType(value);
  if (!type || type.essence !== 'application/json') return `${expect} (got ${shown})`;
  const charset = type.params.charset;
  if (charset !== undefined && charset.toLowerCase() !== 'utf-8') return `${expect}; JSON is UTF-8 (got charset ${JSON.stringify(charset.slice(0, 40))})`;
  return null;
}
