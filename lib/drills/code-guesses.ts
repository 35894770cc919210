/**
 * Join codes are six characters: enough against guessing only if guessing is slow. A user who
 * tries this many unknown codes within the window is refused for the lock time, before the
 * code is even looked up (the same lockout rule as sign-in, lib/auth/lockout.ts).
 */
import type { LockoutRule } from '../auth/lockout';

export const CODE_GUESS_LOCKOUT: LockoutRule = { failures: 10, windowMs: 15 * 60_000, lockMs: 15 * 60_000 };
