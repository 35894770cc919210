/**
 * Storage budgets as pure decisions. A learner with root in a scenario container can write
 * into its writable layer until the engine's disk is full (Docker sets no size on it unless
 * the storage driver supports quotas). server/engine/storage-budget.ts measures each session's
 * writable layers (`SizeRw`) and the engine's free space, and asks these functions what to do.
 */
import { SickbayError } from '../errors';
import { formatBytes, parseBytes } from '../units';

/** A session is warned at this share of its budget, and warned again only after it fell below REARM_RATIO. */
export const WARN_RATIO = 0.8;
export const REARM_RATIO = 0.7;

export type DiskThreshold = { kind: 'bytes'; bytes: number } | { kind: 'percent'; percent: number };

/** "5g", "512m" (bytes) or "10%" (of the disk's size); "0" turns the check off. */
export function parseDiskThreshold(raw: string): DiskThreshold {
  const value = raw.trim();
  const pct = /^(\d+(?:\.\d+)?)%$/.exec(value);
  if (pct) {
    const percent = Number(pct[1]);
    if (percent > 100) throw new SickbayError('bad_request', `SICKBAY_MIN_FREE_DISK must be at most 100%, got "${raw}"`);
    return { kind: 'percent', percent };
  }
  if (value === '0') return { kind: 'bytes', bytes: 0 };
  try {
    return { kind: 'bytes', bytes: parseBytes(value) };
  } catch {
    throw new SickbayError('bad_request', `SICKBAY_MIN_FREE_DISK must be a size (5g, 512m) or a percentage (10%), got "${raw}"`);
  }
}

/** "2g"; "0" or "off" turns budgets off (0). */
export function parseStorageBudget(raw: string): number {
  const value = raw.trim().toLowerCase();
  if (value === '0' || value === 'off') return 0;
  try {
    return parseBytes(value);
  } catch {
    throw new SickbayError('bad_request', `SICKBAY_SESSION_STORAGE must be a size (2g, 512m) or "off", got "${raw}"`);
  }
}

export type StorageLevel = 'ok' | 'warning' | 'exceeded';

export function storageLevel(usedBytes: number, budgetBytes: number): StorageLevel {
  if (budgetBytes <= 0) return 'ok';
  if (usedBytes >= budgetBytes) return 'exceeded';
  if (usedBytes >= budgetBytes * WARN_RATIO) return 'warning';
  return 'ok';
}

export interface SessionUsage {
  sessionId: string;
  /** Sum of the writable layers (SizeRw) of the session's containers, sidecars included. */
  usedBytes: number;
}

export interface StorageDecision {
  sessionId: string;
  action: 'warn' | 'end' | 'rearm';
  usedBytes: number;
  budgetBytes: number;
  /** What the learner reads (event log, terminal, end reason). */
  message: string;
}

export function warningMessage(used: number, budget: number): string {
  return (
    `storage: this session's containers have written ${formatBytes(used)} of the ${formatBytes(budget)} they may use ` +
    `(${Math.floor((used / budget) * 100)}%). At ${formatBytes(budget)} the session is ended. Delete what you wrote, or stop what is writing.`
  );
}

export function exceededMessage(used: number, budget: number): string {
  return `storage budget exceeded: the session's containers wrote ${formatBytes(used)}, more than the ${formatBytes(budget)} a session may use`;
}

/**
 * One decision per session that needs one: end at the budget, warn once past WARN_RATIO, and
 * re-arm the warning when usage fell back below REARM_RATIO (the learner cleaned up).
 */
export function decideStorage(input: { usage: readonly SessionUsage[]; budgetBytes: number; warned: ReadonlySet<string> }): StorageDecision[] {
  const { budgetBytes } = input;
  if (budgetBytes <= 0) return [];
  const out: StorageDecision[] = [];
  for (const u of input.usage) {
    const level = storageLevel(u.usedBytes, budgetBytes);
    const base = { sessionId: u.sessionId, usedBytes: u.usedBytes, budgetBytes };
    if (level === 'exceeded') out.push({ ...base, action: 'end', message: exceededMessage(u.usedBytes, budgetBytes) });
    else if (level === 'warning' && !input.warned.has(u.sessionId)) out.push({ ...base, action: 'warn', message: warningMessage(u.usedBytes, budgetBytes) });
    else if (input.warned.has(u.sessionId) && u.usedBytes < budgetBytes * REARM_RATIO) out.push({ ...base, action: 'rearm', message: '' });
  }
  return out;
}

/**
 * When to measure again. Idle sessions are measured every `maxMs`; a session growing toward
 * its budget is measured sooner: half the time its growth rate since the last check needs to
 * reach the budget, but never more often than every `minMs`. The measurement walks every
 * file of every writable layer in dockerd, so it is not free (see docs/security.md).
 */
export function nextCheckDelay(input: {
  previous: ReadonlyMap<string, { usedBytes: number; at: number }>;
  current: readonly SessionUsage[];
  now: number;
  budgetBytes: number;
  minMs: number;
  maxMs: number;
}): number {
  const { minMs, maxMs, budgetBytes } = input;
  if (budgetBytes <= 0) return maxMs;
  let delay = maxMs;
  for (const u of input.current) {
    const before = input.previous.get(u.sessionId);
    if (!before || input.now <= before.at) continue;
    const rate = (u.usedBytes - before.usedBytes) / (input.now - before.at); // bytes per ms
    if (rate <= 0) continue;
    const headroom = Math.max(0, budgetBytes - u.usedBytes);
    delay = Math.min(delay, headroom / rate / 2);
  }
  return Math.round(Math.max(minMs, Math.min(maxMs, delay)));
}

/** The free space Sickbay keeps on the engine's disk, in bytes, for a disk of this size. */
export function requiredFree(threshold: DiskThreshold, totalBytes: number): number {
  return threshold.kind === 'bytes' ? threshold.bytes : Math.ceil((totalBytes * threshold.percent) / 100);
}

/** Null when a new session may start; otherwise the plain reason it may not. */
export function diskRefusal(input: { freeBytes: number; totalBytes: number; threshold: DiskThreshold; rootDir: string }): string | null {
  const need = requiredFree(input.threshold, input.totalBytes);
  if (need <= 0 || input.freeBytes >= need) return null;
  return (
    `the Docker engine's disk is nearly full: ${formatBytes(input.freeBytes)} free at ${input.rootDir}, and Sickbay keeps at least ` +
    `${formatBytes(need)} free (SICKBAY_MIN_FREE_DISK). End a session or free disk space, then try again.`
  );
}

/**
 * Whether the engine's storage can cap a container's writable layer (`--storage-opt size=`),
 * judged from `docker info`. overlay2 can only on xfs mounted with pquota, which info does not
 * show, so "maybe" means: ask the engine with a probe container.
 */
export function quotaCandidate(driver: string, backingFs: string | undefined): { maybe: true } | { maybe: false; why: string } {
  if (driver === 'overlay2') {
    return backingFs === 'xfs' ? { maybe: true } : { maybe: false, why: `overlay2 on ${backingFs ?? 'an unknown filesystem'} (quotas need xfs mounted with pquota)` };
  }
  if (['btrfs', 'zfs', 'devicemapper', 'windowsfilter'].includes(driver)) return { maybe: true };
  return { maybe: false, why: `the ${driver} storage driver has no per-container size option` };
}
