/**
 * Bearer secrets of the account system — sign-in cookies, API tokens, set-password links — all
 * made the same way: `<id>.<secret>`, the id to find the row, 32 random bytes of secret, and
 * only the secret's SHA-256 stored. Comparison is constant-time. No crypto of our own beyond
 * choosing these parts: randomBytes, sha256 and timingSafeEqual from node:crypto.
 */
import crypto from 'node:crypto';

export interface Credential {
  id: string;
  /** What the holder keeps (cookie value, token, link parameter): shown once, never stored. */
  value: string;
  /** What the store keeps. */
  hash: string;
}

export function newId(): string {
  return crypto.randomBytes(8).toString('hex');
}

export function hashSecret(secret: string): string {
  return crypto.createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function newCredential(prefix = ''): Credential {
  const id = newId();
  const secret = crypto.randomBytes(32).toString('base64url');
  return { id, value: `${prefix}${id}.${secret}`, hash: hashSecret(secret) };
}

/** Splits a presented credential; null when it cannot be one of ours. */
export function parseCredential(raw: string | null | undefined, prefix = ''): { id: string; secret: string } | null {
  if (!raw || raw.length > 200 || !raw.startsWith(prefix)) return null;
  const m = /^([0-9a-f]{16})\.([A-Za-z0-9_-]{43})$/.exec(raw.slice(prefix.length));
  return m ? { id: m[1] as string, secret: m[2] as string } : null;
}

/** Constant-time: the presented secret against the stored hash. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const a = Buffer.from(hashSecret(secret), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

/** A short code a person types (the first-run setup code): 10 characters, no look-alikes. */
export function newSetupCode(): string {
  const alphabet = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
  const bytes = crypto.randomBytes(10);
  return [...bytes].map((b) => alphabet[b % alphabet.length]).join('');
}

export function codesEqual(a: string, b: string): boolean {
  const ha = crypto.createHash('sha256').update(a).digest();
  const hb = crypto.createHash('sha256').update(b).digest();
  return crypto.timingSafeEqual(ha, hb);
}
