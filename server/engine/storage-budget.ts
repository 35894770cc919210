/**
 * The per-session storage budget and the engine's free-disk floor (issue 11, item 4).
 *
 * Docker puts no size on a container's writable layer (unless the storage driver has quotas),
 * so a learner with root in a scenario container can fill the engine's disk with one `dd`.
 * This guard measures every live session's writable layers (SizeRw, sidecars included) every
 * few seconds, warns the session at WARN_RATIO of its budget (an event in its log and a line in
 * the learner's terminal), and at the budget pauses its containers and ends it with the reason.
 * New sessions are refused while the engine's data-root disk is below SICKBAY_MIN_FREE_DISK.
 * Where the engine can cap writable layers itself, every container also gets
 * `--storage-opt size=<budget>` (StorageRuntime.storageLimitBytes). Decisions: lib/host/storage.ts.
 */
import { SickbayError } from '@/lib/errors';
import { decideStorage, diskRefusal, nextCheckDelay, type SessionUsage, type StorageDecision } from '@/lib/host/storage';
import { formatBytes } from '@/lib/units';
import type { Config } from '../config';
import { diskSpace, type EngineStorage, type WritableLayer } from '../runtime/disk';
import type { StorageRuntime } from '../runtime/runtime';
import type { Store } from '../store/store';

const MIN_CHECK_MS = 1_000;
const QUOTA_PROBE_IMAGE = 'sickbay/base:bookworm';
/** Writes the notice to every terminal of the console (the learner's shells run there). */
const NOTICE = 'for t in /dev/pts/[0-9]*; do [ -w "$t" ] && printf "\\r\\n\\033[1;33m[sickbay] %s\\033[0m\\r\\n" "$1" > "$t"; done; exit 0';

export interface StorageGuardDeps {
  runtime: StorageRuntime;
  store: Store;
  /** Read at every use, so a test can move the thresholds. */
  config: Pick<Config, 'instance' | 'sessionStorageBytes' | 'storageCheckMs' | 'minFreeDisk'>;
  /** Ends a session with a reason (the engine's end). */
  end: (sessionId: string, reason: string) => Promise<unknown>;
  clock?: () => number;
  log?: (message: string) => void;
}

export class StorageGuard {
  private readonly deps: StorageGuardDeps;
  private readonly clock: () => number;
  private readonly log: (message: string) => void;
  private storage: EngineStorage | null = null;
  private readonly warned = new Set<string>();
  private readonly ending = new Map<string, Promise<void>>();
  private previous = new Map<string, { usedBytes: number; at: number }>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private stopped = false;

  private constructor(deps: StorageGuardDeps) {
    this.deps = deps;
    this.clock = deps.clock ?? Date.now;
    this.log = deps.log ?? (() => {});
  }

  /** Reads the engine's storage facts and, when the engine supports it, turns on per-container caps. */
  static async create(deps: StorageGuardDeps): Promise<StorageGuard> {
    const guard = new StorageGuard(deps);
    const log = guard.log;
    try {
      guard.storage = await deps.runtime.engineStorage();
    } catch (err) {
      log(`storage: could not read the engine's storage (${(err as Error).message}); new sessions are not checked for free disk`);
    }
    const s = guard.storage;
    if (s && !(s.local && diskSpace(s.rootDir))) {
      log(`storage: the engine's data root ${s.rootDir} cannot be read from here${s.local ? '' : ' (remote engine)'}; new sessions are not refused on low disk`);
    }
    const budget = deps.config.sessionStorageBytes;
    if (budget > 0) {
      const quota = await deps.runtime.probeStorageQuota({ instance: deps.config.instance, image: QUOTA_PROBE_IMAGE, bytes: budget }).catch((err: Error) => ({ supported: false, why: err.message }));
      if (quota.supported) deps.runtime.storageLimitBytes = budget;
      log(
        quota.supported
          ? `storage: each container's writable layer is capped at ${formatBytes(budget)} by the engine (${quota.why}); the session budget is watched too`
          : `storage: the engine cannot cap writable layers (${quota.why}); the session budget of ${formatBytes(budget)} is enforced by measuring them`,
      );
    }
    return guard;
  }

  /** Throws (409) when the engine's disk is below the free-space floor; called before every new session. */
  checkRoom(): void {
    const s = this.storage;
    if (!s || !s.local) return;
    const space = diskSpace(s.rootDir);
    if (!space) return;
    const refusal = diskRefusal({ ...space, threshold: this.deps.config.minFreeDisk, rootDir: s.rootDir });
    if (refusal) throw new SickbayError('conflict', refusal);
  }

  /** Measures periodically until stop(); the interval adapts (lib/host/storage.ts nextCheckDelay). */
  start(): void {
    if (this.deps.config.sessionStorageBytes <= 0 || this.stopped) return;
    const loop = (delay: number) => {
      this.timer = setTimeout(() => {
        this.running = this.check()
          .then((r) => r.nextMs)
          .catch((err) => {
            this.log(`storage check failed: ${(err as Error).message}`);
            return this.deps.config.storageCheckMs;
          })
          .then((next) => {
            if (!this.stopped) loop(next);
          });
      }, delay);
      this.timer.unref();
    };
    loop(Math.min(MIN_CHECK_MS, this.deps.config.storageCheckMs));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running?.catch(() => {});
    await Promise.all(this.ending.values());
  }

  /** One measurement of every live session, and what was done about it. */
  async check(): Promise<{ decisions: StorageDecision[]; nextMs: number }> {
    const { config, store } = this.deps;
    const layers = await this.deps.runtime.writableLayers(config.instance);
    const now = this.clock();
    const usage: SessionUsage[] = [];
    for (const [sessionId, list] of layers) {
      const record = store.getSession(sessionId);
      // The learner's sessions only: pooled and starting ones hold the lab's own writes.
      if (!record || record.status !== 'ready' || record.pooled || this.ending.has(sessionId)) continue;
      usage.push({ sessionId, usedBytes: list.reduce((n, l) => n + l.sizeRw, 0) });
    }
    const decisions = decideStorage({ usage, budgetBytes: config.sessionStorageBytes, warned: this.warned });
    for (const d of decisions) {
      if (d.action === 'rearm') this.warned.delete(d.sessionId);
      else if (d.action === 'warn') await this.warn(d);
      else this.ending.set(d.sessionId, this.stopSession(d, layers.get(d.sessionId) ?? []).finally(() => this.ending.delete(d.sessionId)));
    }
    const live = new Set(usage.map((u) => u.sessionId));
    for (const id of this.warned) if (!live.has(id) && !this.ending.has(id)) this.warned.delete(id);
    const nextMs = nextCheckDelay({ previous: this.previous, current: usage, now, budgetBytes: config.sessionStorageBytes, minMs: Math.min(MIN_CHECK_MS, config.storageCheckMs), maxMs: config.storageCheckMs });
    this.previous = new Map(usage.map((u) => [u.sessionId, { usedBytes: u.usedBytes, at: now }]));
    return { decisions, nextMs };
  }

  private async warn(d: StorageDecision): Promise<void> {
    this.warned.add(d.sessionId);
    this.record(d, 'warning');
    await this.notify(d.sessionId, d.message);
  }

  /** Freezes the writers at once (the final goal check and teardown take a while), then ends the session. */
  private async stopSession(d: StorageDecision, layers: readonly WritableLayer[]): Promise<void> {
    this.record(d, 'exceeded');
    this.log(`session ${d.sessionId}: ${d.message}; ending it`);
    await this.notify(d.sessionId, `${d.message}: the session is being ended.`);
    await Promise.all(
      layers.filter((l) => l.running && l.role !== 'console').map((l) => this.deps.runtime.pauseContainer(l.id).catch(() => {})),
    );
    await this.deps.end(d.sessionId, d.message).catch((err) => this.log(`ending ${d.sessionId} after its storage budget: ${(err as Error).message}`));
  }

  private record(d: StorageDecision, level: 'warning' | 'exceeded'): void {
    try {
      this.deps.store.appendEvent(d.sessionId, { kind: 'limit', resource: 'storage', level, usedBytes: d.usedBytes, budgetBytes: d.budgetBytes, detail: d.message }, this.clock());
    } catch (err) {
      this.log(`could not log the storage ${level} of ${d.sessionId}: ${(err as Error).message}`);
    }
  }

  /** A line in the learner's terminal(s): best effort, a few ms of exec in the console. */
  private async notify(sessionId: string, message: string): Promise<void> {
    const consoleId = this.deps.store.getSession(sessionId)?.consoleId;
    if (!consoleId) return;
    await this.deps.runtime.exec(consoleId, ['sh', '-c', NOTICE, 'sh', message], { user: 'learner', timeoutMs: 5_000 }).catch(() => {});
  }
}
