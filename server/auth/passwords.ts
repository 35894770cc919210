/**
 * Password hashing with argon2id (@node-rs/argon2, a prebuilt binding of the reference Rust
 * implementation). Parameters: OWASP's first recommendation — 19 MiB of memory, 2 passes, one
 * lane — about 30-60 ms here, off the event loop (the binding hashes on libuv's thread pool).
 */
import { hash, verify } from '@node-rs/argon2';

const OPTIONS = { algorithm: 2 /* Algorithm.Argon2id (a const enum the compiler cannot inline here) */, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

let dummy: Promise<string> | null = null;

/**
 * True when the password matches. Without a stored hash (unknown account, or one that signs in
 * only through OpenID) a dummy hash is verified anyway, so the answer takes as long either way
 * and its timing does not tell which accounts exist.
 */
export async function verifyPassword(stored: string | null, password: string): Promise<boolean> {
  if (!stored) {
    dummy ??= hashPassword('sickbay-timing-equaliser');
    await verify(await dummy, password).catch(() => false);
    return false;
  }
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}
