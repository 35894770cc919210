/** Accounts for the integration suites: made in the data dir before the server starts, then signed in over HTTP. */
import type { Role } from '@/lib/auth/roles';
import { AuthService } from '@/server/auth/auth';
import { loadAuthConfig } from '@/server/auth/config';
import { createAccount } from '@/server/auth/local';
import { Store } from '@/server/store/store';

export interface SeedUser {
  email: string;
  role: Role;
  password: string;
}

/** Creates the accounts (the first must be an admin) and returns their ids by e-mail; `setup` runs with the open store. */
export async function seedAccounts(dataDir: string, users: SeedUser[], setup?: (auth: AuthService, ids: Record<string, string>) => void): Promise<Record<string, string>> {
  const store = new Store(dataDir);
  try {
    const auth = new AuthService({ db: store.db, config: loadAuthConfig({}), publicUrl: null });
    const ids: Record<string, string> = {};
    for (const u of users) ids[u.email] = (await createAccount(auth, 'local', u)).user.id;
    setup?.(auth, ids);
    return ids;
  } finally {
    store.close();
  }
}

/** Signs in as a browser page of ours would, and returns the Cookie header value. */
export async function signIn(base: string, email: string, password: string, headers: Record<string, string> = {}): Promise<string> {
  const res = await fetch(`${base}/api/auth/signin`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: base, 'sec-fetch-site': 'same-origin', ...headers },
    body: JSON.stringify({ email, password }),
  });
  if (res.status !== 200) throw new Error(`sign-in of ${email}: ${res.status} ${await res.text()}`);
  const cookie = res.headers.getSetCookie().find((c) => /^(__Host-)?sickbay=/.test(c));
  if (!cookie) throw new Error('no sign-in cookie');
  return cookie.split(';')[0] as string;
}
