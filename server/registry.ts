/**
 * The process-wide handle on the running services. Next bundles route handlers separately
 * from server.ts, so a module-level singleton would exist twice; globalThis is shared. This
 * file imports only types, so route bundles pull in none of the engine's code.
 */
import type { Config } from './config';
import type { Catalogue } from './engine/catalogue';
import type { SessionEngine } from './engine/engine';
import type { Tracks } from './engine/tracks';
import type { ContainerRuntime } from './runtime/runtime';
import type { SweepDecision } from '@/lib/lifecycle/sweep';
import type { Store } from './store/store';
import type { TerminalGateway } from './terminal/gateway';
import type { AuthService } from './auth/auth';
import type { SessionAccess } from './auth/session-access';
import type { DrillStore } from './drills/store';
import type { CodeGuesses } from './drills/code-guesses';
import type { SessionMembers } from './sessions/members';
import { SickbayError } from '@/lib/errors';

export interface Services {
  config: Config;
  store: Store;
  runtime: ContainerRuntime;
  catalogue: Catalogue;
  tracks: Tracks;
  engine: SessionEngine;
  terminals: TerminalGateway;
  /** Accounts, sign-in and who a request is (server/auth/auth.ts). */
  auth: AuthService;
  /** The engine as one user may see it: what routes and pages use (server/auth/session-access.ts). */
  access: SessionAccess;
  /** Team drills (server/drills/). */
  drills: DrillStore;
  /** Unknown drill join codes per user: guessing codes is throttled (server/drills/code-guesses.ts). */
  codeGuesses: CodeGuesses;
  /** Team sessions' members and roles (drills set teams here; lib/auth/team.ts has the rules). */
  members: SessionMembers;
  sweep(): Promise<SweepDecision[]>;
  close(): Promise<void>;
}

const KEY = Symbol.for('sickbay.services');
type Holder = { [KEY]?: Services };

export function registerServices(services: Services): void {
  (globalThis as Holder)[KEY] = services;
}

export function services(): Services {
  const s = (globalThis as Holder)[KEY];
  if (!s) throw new SickbayError('internal', 'Sickbay services are not running: start the app with `npm start` (server.ts)');
  return s;
}
