/**
 * `npm run admin -- <command>`: account and data-dir chores from the machine itself, with or
 * without the server running (SQLite in WAL mode takes a second writer).
 *
 *   create <email> [--role admin|facilitator|learner]   an account and its one-time set-password link
 *                                                       (the first account is always an admin)
 *   reset <email>                                       a new single-use reset link
 *   list                                                the accounts
 *   backup <file>                                       an online backup of the store (SQLite backup API)
 *
 * Reads the same environment as the server (SICKBAY_DATA_DIR, SICKBAY_PUBLIC_URL, PORT).
 */
import fs from 'node:fs';
import path from 'node:path';
import { isRole, type Role } from '@/lib/auth/roles';
import { isSickbayError } from '@/lib/errors';
import { AuthService } from '@/server/auth/auth';
import { createAccount, setPasswordLink } from '@/server/auth/local';
import { loadConfig } from '@/server/config';
import { Store } from '@/server/store/store';

const USAGE = 'usage: npm run admin -- create <email> [--role admin|facilitator|learner] | reset <email> | list | backup <file>';

async function main(argv: string[]): Promise<number> {
  const [command, arg] = argv;
  const config = loadConfig();
  const store = new Store(config.dataDir);
  try {
    const auth = new AuthService({ db: store.db, config: config.auth, publicUrl: config.publicUrl });
    auth.listening(config.port);
    switch (command) {
      case 'create': {
        if (!arg) break;
        const roleFlag = argv.indexOf('--role');
        const role: Role = roleFlag >= 0 ? (argv[roleFlag + 1] as Role) : auth.users.hasAccounts() ? 'learner' : 'admin';
        if (!isRole(role)) break;
        const { user, link } = await createAccount(auth, 'local', { email: arg, role });
        console.log(`created ${user.email} (${user.role}). Open this single-use link within 72 hours to choose a password:\n${link}`);
        if (!config.publicUrl) console.log('(the server now runs in team mode: everyone signs in)');
        return 0;
      }
      case 'reset': {
        if (!arg) break;
        const user = auth.users.byEmail(arg.trim().toLowerCase());
        if (!user) throw new Error(`no account for ${arg}`);
        console.log(`reset link for ${user.email} (single use, 24 hours):\n${setPasswordLink(auth, user.id, 'reset', 'local')}`);
        return 0;
      }
      case 'list':
        for (const u of auth.users.list()) console.log(`${u.email}\t${u.role}\t${u.disabled ? 'disabled' : 'active'}`);
        return 0;
      case 'backup': {
        if (!arg) break;
        const file = path.resolve(arg);
        if (fs.existsSync(file)) throw new Error(`${file} exists: choose a new file name`);
        // The online backup API copies a consistent snapshot while the server keeps writing.
        await store.db.backup(file);
        console.log(`backed up ${path.join(config.dataDir, 'sickbay.db')} to ${file}`);
        return 0;
      }
    }
    console.error(USAGE);
    return 2;
  } finally {
    store.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`admin: ${isSickbayError(err) || err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
