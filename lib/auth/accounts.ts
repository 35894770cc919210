/** Input rules for accounts: e-mail addresses, passwords, names, token names. */
import { SickbayError } from '../errors';

export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 256;

/** Lowercased and trimmed; a plain local@domain check (the address is a login name, never mailed). */
export function normalizeEmail(raw: string): string {
  const email = raw.trim().toLowerCase();
  if (email.length > 254 || !/^[^\s@]+@[^\s@]+$/.test(email)) {
    throw new SickbayError('bad_request', `email: ${JSON.stringify(raw.slice(0, 80))} is not an e-mail address`);
  }
  return email;
}

/** Length only (NIST SP 800-63B): long passphrases beat composition rules. */
export function passwordProblem(password: string): string | null {
  if (password.length < PASSWORD_MIN) return `password: at least ${PASSWORD_MIN} characters`;
  if (password.length > PASSWORD_MAX) return `password: at most ${PASSWORD_MAX} characters`;
  return null;
}

export function checkPassword(password: string): string {
  const problem = passwordProblem(password);
  if (problem) throw new SickbayError('bad_request', problem);
  return password;
}
