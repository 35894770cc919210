/** Before listening: may this server listen where it was told to (lib/auth/mode.ts)? */
import { bindProblem, isTeamMode } from '@/lib/auth/mode';
import type { Config } from '../config';
import { Store } from '../store/store';
import { UserStore } from './users';

/** The reason not to start, or null. Opens the store only when the answer depends on it. */
export function bindRefusal(config: Config): string | null {
  if (bindProblem({ host: config.host, teamMode: config.publicUrl !== null }) === null) return null;
  const store = new Store(config.dataDir);
  try {
    const hasAccounts = new UserStore(store.db, Date.now).hasAccounts();
    return bindProblem({ host: config.host, teamMode: isTeamMode({ publicUrl: config.publicUrl, hasAccounts }) });
  } finally {
    store.close();
  }
}
