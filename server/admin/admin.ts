/**
 * What the admin page and /api/admin/* do: accounts (invite, role, disable, reset link), every
 * live session (end one through the session routes, end all here), the engine's health and
 * capacity, and the audit log. Every change is written to the admin audit log.
 */
import os from 'node:os';
import { SickbayError } from '@/lib/errors';
import { LIVE_STATUSES } from '@/lib/lifecycle/status';
import type { Principal, Role } from '@/lib/auth/roles';
import type { Services } from '../registry';
import { createAccount, setPasswordLink } from '../auth/local';
import type { User } from '../auth/users';

export interface Health {
  live: number;
  limit: number;
  /** Sessions waiting to provision and provisioning now (the engine's admission queue). */
  queue: { waiting: number; provisioning: number; capacity: number };
  memory: { freeBytes: number; totalBytes: number };
  cpu: { cores: number; load1: number; load5: number };
  teamMode: boolean;
  users: number;
}

function requireAdmin(principal: Principal): void {
  if (principal.user.role !== 'admin') throw new SickbayError('forbidden', 'only admins may do this');
}

export function health(services: Services): Health {
  const [load1 = 0, load5 = 0] = os.loadavg();
  return {
    live: services.store.countLive(),
    limit: services.config.maxLiveSessions,
    queue: services.engine.admissionStats(),
    memory: { freeBytes: os.freemem(), totalBytes: os.totalmem() },
    cpu: { cores: os.availableParallelism(), load1, load5 },
    teamMode: services.auth.teamMode(),
    users: services.auth.users.list().length,
  };
}

export async function invite(services: Services, principal: Principal, input: { email: string; role: Role; name?: string }): Promise<{ user: User; link: string | null }> {
  requireAdmin(principal);
  return createAccount(services.auth, principal.user.id, input);
}

export function updateUser(services: Services, principal: Principal, id: string, change: { role?: Role; disabled?: boolean }): User {
  requireAdmin(principal);
  const { auth } = services;
  let user = auth.users.require(id);
  if (change.role !== undefined && change.role !== user.role) {
    user = auth.users.setRole(id, change.role);
    auth.audit.record(principal.user.id, 'user.role', id, `${user.email} is now ${change.role}`);
  }
  if (change.disabled !== undefined && change.disabled !== user.disabled) {
    user = auth.users.setDisabled(id, change.disabled);
    // A disabled account keeps no way in: its sign-ins and tokens end now.
    if (change.disabled) auth.cutOff(id);
    auth.audit.record(principal.user.id, change.disabled ? 'user.disable' : 'user.enable', id, user.email);
  }
  return user;
}

export function resetLink(services: Services, principal: Principal, id: string): string {
  requireAdmin(principal);
  const user = services.auth.users.require(id);
  if (user.disabled) throw new SickbayError('conflict', 'enable the account first');
  return setPasswordLink(services.auth, id, 'reset', principal.user.id);
}

/** Ends every live session on the server (the admin page's "end all"). */
export async function endAll(services: Services, principal: Principal): Promise<number> {
  requireAdmin(principal);
  const live = services.engine.list({ statuses: LIVE_STATUSES });
  services.auth.audit.record(principal.user.id, 'session.end-all', null, `${live.length} live session(s)`);
  const scoped = services.access.as(principal);
  await Promise.all(live.map((s) => scoped.end(s.id).catch(() => undefined)));
  return live.length;
}

export function liveSessions(services: Services, principal: Principal) {
  requireAdmin(principal);
  const emails = new Map(services.auth.users.list().map((u) => [u.id, u.email]));
  return services.engine.list({ statuses: LIVE_STATUSES }).map((s) => ({ ...s, owner: emails.get(s.ownerId) ?? s.ownerId }));
}
