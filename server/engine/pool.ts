/**
 * The pool of sessions provisioned ahead of demand (SICKBAY_POOL): invisible until a learner
 * claims one, refilled one at a time in the background (a start is CPU-heavy).
 */
import { LIVE_STATUSES } from '@/lib/lifecycle/status';
import type { SessionHolder, SessionRecord } from '../store/store';
import type { EngineParts } from './parts';

export interface PoolHooks {
  /** Starts provisioning a new pooled session of a scenario (random seed). */
  start(slug: string): SessionRecord;
  /** Ends a session whatever its state (pooled ones get no report). */
  finish(id: string, reason: string): Promise<void>;
  /** Set while shutting down: no new pooled sessions. */
  closing(): boolean;
}

export class SessionPool {
  private refilling: Promise<void> | null = null;
  private refillAgain = false;

  constructor(
    private readonly parts: EngineParts,
    private readonly hooks: PoolHooks,
  ) {}

  /** Hands a ready pooled session of the scenario (one `accept` takes) to a learner, or null when there is none. */
  claim(slug: string, holder: SessionHolder, accept?: (candidate: SessionRecord) => boolean): SessionRecord | null {
    const { store, config, clock, log } = this.parts;
    if (!config.pool[slug]) return null;
    const now = clock();
    const claimed = store.claimPooled(slug, now, now + config.sessionTtlMs, holder, accept);
    if (!claimed) return null;
    store.appendEvent(claimed.id, { kind: 'lifecycle', status: 'ready', detail: 'taken from the pool of ready sessions' }, now);
    log(`session ${claimed.id} (${slug}) taken from the pool`);
    void this.refill();
    return claimed;
  }

  /**
   * Tops every pool up to its size, one session at a time. A pooled session that fails to
   * provision stops that scenario's refill until the next call (the sweep timer calls every
   * interval), so a broken scenario cannot spin.
   */
  refill(): Promise<void> {
    if (this.refilling) {
      this.refillAgain = true;
      return this.refilling;
    }
    const { store, catalogue, config, tasks, log } = this.parts;
    this.refilling = (async () => {
      do {
        this.refillAgain = false;
        for (const [slug, size] of Object.entries(config.pool)) {
          if (!catalogue.has(slug)) continue;
          while (!this.hooks.closing() && store.countPooled(slug) < size && store.countLive() < config.maxLiveSessions) {
            const record = this.hooks.start(slug);
            await tasks.settled(record.id);
            const after = store.requireSession(record.id);
            if (after.status !== 'ready') {
              log(`pool: a ${slug} session failed to provision (${after.statusDetail ?? after.status}); retrying later`);
              break;
            }
          }
        }
      } while (this.refillAgain && !this.hooks.closing());
    })()
      .catch((err) => log(`pool refill failed: ${(err as Error).message}`))
      .finally(() => {
        this.refilling = null;
      });
    return this.refilling;
  }

  /** Ends every unclaimed pooled session (after the pool settings changed, or to free the machine). */
  async drain(): Promise<void> {
    await this.refilling;
    const pooled = this.parts.store.listSessions({ statuses: LIVE_STATUSES, includePooled: true }).filter((s) => s.pooled);
    await Promise.all(pooled.map((s) => this.hooks.finish(s.id, 'pool drained')));
  }
}
