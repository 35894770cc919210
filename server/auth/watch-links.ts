/**
 * Where watch links come from (lib/auth/access.ts decides what they allow). One source per way
 * of watching: cohorts now; the interview (#13) and drill (#14) issues register theirs with
 * addSource() where services are built, and every route, page and WebSocket picks them up.
 */
import type { WatchLink } from '@/lib/auth/access';

/** A watcher's links from one source. */
export type WatchSource = (watcherId: string) => WatchLink[];

export class WatchLinks {
  private readonly sources: WatchSource[] = [];

  addSource(source: WatchSource): void {
    this.sources.push(source);
  }

  of(watcherId: string): WatchLink[] {
    return this.sources.flatMap((source) => source(watcherId));
  }
}
