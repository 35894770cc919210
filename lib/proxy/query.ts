/**
 * Query-string rules. Every route names the query keys it accepts and what each may hold; a
 * key not listed, a repeated key or a value outside its rule is refused. The proxy forwards the
 * query it rebuilt from the checked values, never the learner's raw string.
 */
import { refuse } from './refusal';

export type QueryRule =
  /** Docker reads "", 0, false, no, none as false and anything else as true; we accept 0/1/true/false/"" only. */
  | { kind: 'bool' }
  | { kind: 'int'; min: number; max: number }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'pattern'; re: RegExp; what: string }
  /** A JSON filters map; which filter keys are allowed is up to the handler. */
  | { kind: 'filters' }
  /** Accepted only when empty: the CLI always sends it, the feature stays off. */
  | { kind: 'empty'; reason: string }
  /** Parsed by a policy function that returns the value to forward or throws the refusal. */
  | { kind: 'check'; check: (value: string) => string };

export type QuerySpec = Readonly<Record<string, QueryRule>>;

/** The checked query: normalised string values in the order received. */
export type CheckedQuery = Readonly<Record<string, string>>;

export const Q = {
  bool: { kind: 'bool' } as QueryRule,
  int: (min: number, max: number): QueryRule => ({ kind: 'int', min, max }),
  oneOf: (...values: string[]): QueryRule => ({ kind: 'enum', values }),
  match: (re: RegExp, what: string): QueryRule => ({ kind: 'pattern', re, what }),
  filters: { kind: 'filters' } as QueryRule,
  empty: (reason: string): QueryRule => ({ kind: 'empty', reason }),
  check: (check: (value: string) => string): QueryRule => ({ kind: 'check', check }),
  /** Unix seconds with optional fraction: the CLI turns "10m" or dates into this. */
  time: { kind: 'pattern', re: /^-?\d{1,12}(\.\d{1,9})?$/, what: 'a unix timestamp' } as QueryRule,
  signal: { kind: 'pattern', re: /^(SIG)?[A-Z0-9+-]{1,12}$|^\d{1,2}$/i, what: 'a signal name or number' } as QueryRule,
  /** Timeouts in seconds; -1 waits forever (Docker's meaning). */
  seconds: { kind: 'int', min: -1, max: 3600 } as QueryRule,
  dimension: { kind: 'int', min: 0, max: 10_000 } as QueryRule,
  /** A path inside a container (docker cp). */
  containerPath: { kind: 'pattern', re: /^[^\0]{1,4096}$/, what: 'a path of at most 4096 characters' } as QueryRule,
  detachKeys: { kind: 'pattern', re: /^[a-z0-9,@[\]\\^_-]{0,32}$/i, what: 'a detach key sequence' } as QueryRule,
} as const;

function checkValue(key: string, value: string, rule: QueryRule): string {
  switch (rule.kind) {
    case 'bool': {
      const v = value.toLowerCase();
      if (v === '1' || v === 'true') return '1';
      if (v === '0' || v === 'false' || v === '') return '0';
      throw refuse(`query parameter ${key}=${JSON.stringify(value)} is not a boolean (use 0 or 1)`);
    }
    case 'int': {
      if (!/^-?\d{1,15}$/.test(value)) throw refuse(`query parameter ${key} must be an integer`);
      const n = Number(value);
      if (n < rule.min || n > rule.max) throw refuse(`query parameter ${key} must be between ${rule.min} and ${rule.max}`);
      return String(n);
    }
    case 'enum':
      if (!rule.values.includes(value)) throw refuse(`query parameter ${key} must be one of ${rule.values.map((v) => JSON.stringify(v)).join(', ')}`);
      return value;
    case 'pattern':
      if (!rule.re.test(value)) throw refuse(`query parameter ${key} must be ${rule.what}`);
      return value;
    case 'filters':
      if (value.length > 4096) throw refuse(`query parameter ${key} is longer than 4096 characters`);
      return value;
    case 'empty':
      if (value !== '') throw refuse(rule.reason);
      return value;
    case 'check':
      return rule.check(value);
  }
}

export function checkQuery(pairs: readonly (readonly [string, string])[], spec: QuerySpec, endpoint: string): CheckedQuery {
  const out: Record<string, string> = {};
  for (const [key, value] of pairs) {
    const rule = Object.hasOwn(spec, key) ? spec[key] : undefined;
    if (!rule) throw refuse(`query parameter "${key}" is not accepted on ${endpoint}`);
    if (Object.hasOwn(out, key)) throw refuse(`query parameter "${key}" is repeated`);
    out[key] = checkValue(key, value, rule);
  }
  return out;
}

/** Builds the forwarded query string from checked (or proxy-made) values. */
export function encodeQuery(query: Readonly<Record<string, string | undefined>>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined) continue;
    parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}
