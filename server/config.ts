/** Runtime settings, read once from the environment, with the defaults documented in README. */
import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { SickbayError } from '@/lib/errors';
import { defaultProvisioningCapacity } from '@/lib/lifecycle/admission';
import { FIREWALL_MODES, type FirewallMode } from '@/lib/host/firewall';
import { parseDiskThreshold, parseStorageBudget, type DiskThreshold } from '@/lib/host/storage';
import { parsePoolSpec } from '@/lib/lifecycle/pool';
import { parseDuration } from '@/lib/units';
import { parsePublicUrl, type PublicUrl } from '@/lib/web/origin';
import { loadAuthConfig, type AuthConfig } from './auth/config';

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  scenariosDir: string;
  /** Where the tracks are (`<slug>.ts` files, see docs/scenarios.md "Tracks"). */
  tracksDir: string;
  /** Idle time after which a session ends; activity pushes it forward. */
  sessionTtlMs: number;
  /** Hard cap on a session's life, written on every object as a label. */
  sessionMaxLifetimeMs: number;
  sweepIntervalMs: number;
  maxLiveSessions: number;
  /** Sessions that may provision at once; the others wait in the queue. */
  maxProvisioning: number;
  /** Ready sessions kept provisioned ahead of demand, per scenario (SICKBAY_POOL). */
  pool: Record<string, number>;
  /** Names this server's objects on a shared engine; defaults to a hash of the data dir. */
  instance: string;
  /** Drop traffic from session bridges to the host: auto (required beyond loopback), required, off. */
  hostFirewall: FirewallMode;
  /** Bytes a session's containers may write into their writable layers; 0 = no budget. */
  sessionStorageBytes: number;
  /** Longest time between two measurements of the writable layers. */
  storageCheckMs: number;
  /** Free space kept on the engine's data-root disk: below it, new sessions are refused. */
  minFreeDisk: DiskThreshold;
  /**
   * Where people reach this server when not on loopback (SICKBAY_PUBLIC_URL, e.g. behind a TLS
   * proxy): its host is accepted in Host headers and its origin in Origin headers.
   */
  publicUrl: PublicUrl | null;
  /** Accounts: OpenID Connect, per-user limits, the reverse proxy (server/auth/config.ts). */
  auth: AuthConfig;
}

function intFrom(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new SickbayError('bad_request', `${name} must be an integer between ${min} and ${max}, got "${raw}"`);
  }
  return n;
}

function firewallMode(raw: string | undefined): FirewallMode {
  const value = (raw || 'auto').trim().toLowerCase();
  if (!(FIREWALL_MODES as readonly string[]).includes(value)) {
    throw new SickbayError('bad_request', `SICKBAY_HOST_FIREWALL must be one of ${FIREWALL_MODES.join(', ')}, got "${raw}"`);
  }
  return value as FirewallMode;
}

export function loadConfig(env: Record<string, string | undefined> = process.env, cwd = process.cwd()): Config {
  const dataDir = path.resolve(cwd, env.SICKBAY_DATA_DIR || 'data');
  const instance =
    env.SICKBAY_INSTANCE || crypto.createHash('sha256').update(dataDir).digest('hex').slice(0, 12);
  if (!/^[a-z0-9-]{1,40}$/.test(instance)) {
    throw new SickbayError('bad_request', `SICKBAY_INSTANCE must be lowercase letters, digits or dashes, got "${instance}"`);
  }
  return {
    host: env.SICKBAY_HOST || env.HOST || '127.0.0.1',
    port: intFrom('PORT', env.SICKBAY_PORT ?? env.PORT, 3000, 0, 65535),
    dataDir,
    scenariosDir: path.resolve(cwd, env.SICKBAY_SCENARIOS_DIR || 'scenarios'),
    tracksDir: path.resolve(cwd, env.SICKBAY_TRACKS_DIR || 'tracks'),
    sessionTtlMs: parseDuration(env.SICKBAY_SESSION_TTL || '2h'),
    sessionMaxLifetimeMs: parseDuration(env.SICKBAY_SESSION_MAX_LIFETIME || '12h'),
    sweepIntervalMs: parseDuration(env.SICKBAY_SWEEP_INTERVAL || '60s'),
    maxLiveSessions: intFrom('SICKBAY_MAX_SESSIONS', env.SICKBAY_MAX_SESSIONS, 25, 1, 500),
    maxProvisioning: intFrom('SICKBAY_MAX_PROVISIONING', env.SICKBAY_MAX_PROVISIONING, defaultProvisioningCapacity(os.availableParallelism(), os.totalmem()), 1, 64),
    pool: parsePoolSpec(env.SICKBAY_POOL),
    instance,
    hostFirewall: firewallMode(env.SICKBAY_HOST_FIREWALL),
    sessionStorageBytes: parseStorageBudget(env.SICKBAY_SESSION_STORAGE || '2g'),
    storageCheckMs: parseDuration(env.SICKBAY_STORAGE_CHECK_INTERVAL || '5s'),
    minFreeDisk: parseDiskThreshold(env.SICKBAY_MIN_FREE_DISK || '5g'),
    publicUrl: env.SICKBAY_PUBLIC_URL ? parsePublicUrl(env.SICKBAY_PUBLIC_URL) : null,
    auth: loadAuthConfig(env),
  };
}
