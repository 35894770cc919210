/**
 * Snapshots (`docker commit`) cost engine disk until the session ends, so a session keeps a
 * bounded number of them within a bounded total size, and may remove its own with `docker
 * rmi` to make room. Only images labelled as this session's snapshots can be removed: the
 * lab's images, other sessions' snapshots and anything else answer "No such image" (or, for
 * the sidecar images the learner can see, a refusal).
 */
import { LABEL } from '../lifecycle/labels';
import { refuse } from './refusal';
import { isOwned, type Labels, type SessionScope } from './scope';

export const SNAPSHOT_LIMITS = {
  /** Snapshots kept at once, untagged ones (a tag reused by a later commit) included. */
  max: 3,
  /**
   * Their own layers together (what they add to the engine's disk). pg-blocked-missing-index
   * builds about 1 GB of table data at start: one snapshot of its database has to fit.
   */
  totalBytes: 2 * 1024 ** 3,
} as const;

/** One of the session's snapshot images and the size of its own (top) layer. */
export interface SnapshotUse {
  id: string;
  /** Its tag in the session's repository, if it still has one. */
  name?: string;
  bytes: number;
}

function mib(bytes: number): string {
  return bytes < 1024 ** 2 ? `${Math.ceil(bytes / 1024)} KiB` : `${Math.round(bytes / 1024 ** 2)} MiB`;
}

function describe(s: SnapshotUse): string {
  return `${s.name ?? `${s.id.replace(/^sha256:/, '').slice(0, 12)} (untagged)`} ${mib(s.bytes)}`;
}

/**
 * Refuses a commit that would keep more snapshots, or more snapshot bytes, than the budget.
 * `changeBytes` is the container's writable layer (SizeRw): what the new snapshot's layer holds.
 */
export function checkSnapshotBudget(existing: readonly SnapshotUse[], container: string, changeBytes: number, limits: { max: number; totalBytes: number } = SNAPSHOT_LIMITS): void {
  const list = existing.map(describe).join(', ');
  const remove = 'remove one first with docker rmi <name or id> (only this session\'s snapshots can be removed)';
  if (existing.length >= limits.max) {
    throw refuse(`a session may keep at most ${limits.max} snapshots (docker commit) and this one has ${existing.length}: ${list}; ${remove}`);
  }
  const used = existing.reduce((sum, s) => sum + s.bytes, 0);
  if (used + changeBytes > limits.totalBytes) {
    throw refuse(
      `snapshots may take at most ${mib(limits.totalBytes)} per session: ${existing.length ? `${list} take ${mib(used)}` : 'none is kept yet'}, and ${container}'s changes add ${mib(changeBytes)}; ` +
        (existing.length ? remove : 'copy out what you need with docker cp instead'),
    );
  }
}

/** True when an image's labels make it one of this session's snapshots. */
export function isOwnSnapshot(labels: Labels, scope: SessionScope): boolean {
  return isOwned(labels, scope) && labels?.[LABEL.role] === 'snapshot';
}

/** `docker rmi` options: the CLI always sends force and noprune; force stays off. */
export function checkRemoveQuery(query: Readonly<Record<string, string>>): { noprune: string } {
  if (query.force === '1') throw refuse('docker rmi --force is not allowed: stop and remove the sidecars that run from the snapshot first');
  return { noprune: query.noprune ?? '0' };
}

/** Whether the learner named the image by id (full or short) rather than by name. */
export function namesAnId(ref: string): boolean {
  return /^(sha256:)?[0-9a-f]{12,64}$/.test(ref);
}
