/**
 * Local accounts: sign-in with e-mail and password (throttled, lockout in lib/auth/lockout.ts),
 * the first admin (setup code or `npm run admin -- create`), invitations and admin-made reset
 * links, which both lead to the set-password page; a signed-in user's own password change.
 */
import { SickbayError } from '@/lib/errors';
import { checkPassword, normalizeEmail } from '@/lib/auth/accounts';
import type { Role } from '@/lib/auth/roles';
import type { AuthService } from './auth';
import { SET_PASSWORD_PATH } from './links';
import { hashPassword, verifyPassword } from './passwords';
import { codesEqual } from './secrets';
import type { SigninVia } from './signins';
import type { User } from './users';

export interface SignedIn {
  user: User;
  cookieValue: string;
  maxAgeSeconds: number;
}

function startSignin(auth: AuthService, user: User, via: SigninVia): SignedIn {
  const signin = auth.signins.create(user.id, via);
  return { user, cookieValue: signin.cookieValue, maxAgeSeconds: signin.maxAgeSeconds };
}

const WRONG = 'wrong e-mail or password';

export async function signInWithPassword(auth: AuthService, input: { email: string; password: string; address: string }): Promise<SignedIn> {
  let email: string;
  try {
    email = normalizeEmail(input.email);
  } catch {
    throw new SickbayError('unauthorized', WRONG);
  }
  auth.throttle.check(email, input.address);
  const user = auth.users.byEmail(email);
  const ok = await verifyPassword(user && !user.disabled ? auth.users.passwordHash(user.id) : null, input.password);
  if (!ok || !user || user.disabled) {
    auth.throttle.fail(email, input.address);
    throw new SickbayError('unauthorized', WRONG);
  }
  auth.throttle.forget(email);
  return startSignin(auth, user, 'password');
}

/** Creates an account; the first one must be an admin (UserStore.create). */
export async function createAccount(
  auth: AuthService,
  actorId: string,
  input: { email: string; role: Role; name?: string; password?: string },
): Promise<{ user: User; link: string | null }> {
  const email = normalizeEmail(input.email);
  const passwordHash = input.password === undefined ? null : await hashPassword(checkPassword(input.password));
  const user = auth.users.create({ email, name: input.name?.trim() || email, role: input.role, passwordHash });
  auth.audit.record(actorId, 'user.create', user.id, `${email} as ${input.role}`);
  // Without a password the account needs a link to choose one (or signs in through OpenID).
  const link = passwordHash === null ? setPasswordLink(auth, user.id, 'invite', actorId) : null;
  return { user, link };
}

export function setPasswordLink(auth: AuthService, userId: string, purpose: 'invite' | 'reset', actorId: string): string {
  const { token } = auth.links.create(userId, purpose, actorId);
  if (purpose === 'reset') auth.audit.record(actorId, 'user.reset-link', userId);
  return `${auth.baseUrl()}${SET_PASSWORD_PATH}?token=${encodeURIComponent(token)}`;
}

/** The first-run page: the setup code from the log makes the first admin and signs them in. */
export async function createFirstAdmin(auth: AuthService, input: { code: string; email: string; password: string; name?: string }): Promise<SignedIn> {
  const expected = auth.setupCode();
  if (expected === null) throw new SickbayError('conflict', 'this server has an admin already: sign in instead');
  // The local admin of personal mode needs no code: they could run `npm run admin` anyway.
  if (auth.teamMode() && !codesEqual(input.code.trim().toUpperCase(), expected)) {
    throw new SickbayError('forbidden', 'wrong setup code: it is printed in the server log (look for "setup code")');
  }
  const email = normalizeEmail(input.email);
  const hash = await hashPassword(checkPassword(input.password));
  const user = auth.users.create({ email, name: input.name?.trim() || email, role: 'admin', passwordHash: hash });
  auth.forgetSetupCode();
  auth.audit.record(user.id, 'user.create-first-admin', user.id, email);
  return startSignin(auth, user, 'setup');
}

/** Uses a set-password link: new password, every old sign-in ended, lockout forgotten, signed in. */
export async function setPasswordWithLink(auth: AuthService, input: { token: string; password: string }): Promise<SignedIn> {
  const hash = await hashPassword(checkPassword(input.password));
  const { userId } = auth.links.consume(input.token, (id) => {
    const user = auth.users.get(id);
    if (!user || user.disabled) throw new SickbayError('forbidden', 'this account is disabled');
    auth.users.setPassword(id, hash);
  });
  auth.signins.revokeAllOf(userId);
  const user = auth.users.require(userId);
  if (user.email) auth.throttle.forget(user.email);
  return startSignin(auth, user, 'link');
}

/**
 * A signed-in user changes their own password: the current one is checked (and counts towards
 * the lockout like a sign-in, so a stolen cookie cannot guess it), every sign-in of the user
 * ends, and this browser gets a fresh one.
 */
export async function changeOwnPassword(auth: AuthService, input: { userId: string; current: string; password: string; address: string }): Promise<SignedIn> {
  const user = auth.users.require(input.userId);
  if (!user.email) throw new SickbayError('conflict', 'this account signs in through single sign-on: change the password there');
  auth.throttle.check(user.email, input.address);
  if (!(await verifyPassword(auth.users.passwordHash(user.id), input.current))) {
    auth.throttle.fail(user.email, input.address);
    throw new SickbayError('forbidden', 'the current password is wrong');
  }
  const hash = await hashPassword(checkPassword(input.password));
  auth.users.setPassword(user.id, hash);
  auth.signins.revokeAllOf(user.id);
  auth.throttle.forget(user.email);
  auth.audit.record(user.id, 'user.password-change', user.id, user.email);
  return startSignin(auth, user, 'password');
}
