/**
 * Admission control for provisioning, as pure decisions. A session start is CPU- and
 * I/O-heavy (containers, health checks, faults taking hold); twenty at once on a small host
 * make every one of them miss its deadline. So starts wait in a queue and at most `capacity`
 * provision at once: learners' sessions before the pool's refills, first come first served.
 */
export interface Waiting {
  id: string;
  /** A pool refill: it yields to every learner who is waiting. */
  pooled: boolean;
  /** When it joined the queue (epoch ms); ties keep insertion order. */
  since: number;
}

/** The queue in service order: learners first, then the pool, each oldest first. */
export function serviceOrder(waiting: readonly Waiting[]): Waiting[] {
  return [...waiting].sort((a, b) => Number(a.pooled) - Number(b.pooled) || a.since - b.since);
}

/** Which waiting sessions may start now, given how many are provisioning. */
export function admit(waiting: readonly Waiting[], running: number, capacity: number): string[] {
  const free = Math.max(0, capacity - running);
  return serviceOrder(waiting)
    .slice(0, free)
    .map((w) => w.id);
}

/** 1-based place of a session in the queue (null when it is not waiting). */
export function queuePosition(waiting: readonly Waiting[], id: string): number | null {
  const i = serviceOrder(waiting).findIndex((w) => w.id === id);
  return i < 0 ? null : i + 1;
}

/**
 * An honest estimate of the wait: the starts ahead are served `capacity` at a time, each
 * taking about what recent starts took; the session's own start comes on top.
 */
export function estimateWaitMs(position: number, capacity: number, typicalStartMs: number): number {
  const rounds = Math.ceil(position / Math.max(1, capacity));
  return rounds * typicalStartMs;
}

/**
 * How many sessions may provision at once on this machine by default: one per core, fewer
 * when memory is short (a start briefly needs about 1.5 GiB: images' page cache, the
 * scenario's own memory, the console).
 */
export function defaultProvisioningCapacity(cpus: number, totalMemoryBytes: number): number {
  const byMemory = Math.floor(totalMemoryBytes / (1.5 * 1024 ** 3));
  return Math.max(1, Math.min(cpus, byMemory));
}

/**
 * How much longer than usual a start may take on a host this busy, from the 1-minute load
 * average per core: up to 2 runnable tasks per core is normal (1), then in proportion, at most
 * 3. Other work on the machine (a drill's twenty sessions, a test run) slows every health check
 * and fault of a start; failing it would only start it again into the same load.
 */
export function busyHostFactor(load1: number, cpus: number): number {
  const perCore = load1 / Math.max(1, cpus);
  return Math.min(3, Math.max(1, perCore / 2));
}

/**
 * The readiness deadline of a start: the base, scaled by the start weight the scenario
 * declares in its cost (a database opening gigabytes needs longer than two small services)
 * and by how busy the host is (busyHostFactor).
 */
export function readinessDeadlineMs(baseMs: number, startWeight: number, busy = 1): number {
  return Math.round(baseMs * Math.max(1, startWeight) * Math.max(1, busy));
}

/** A rolling record of how long recent starts took (bounded; for estimates, not for scores). */
export function recordDuration(recent: readonly number[], ms: number, keep = 10): number[] {
  return [...recent, ms].slice(-keep);
}

export function typicalMs(recent: readonly number[], fallbackMs: number): number {
  if (recent.length === 0) return fallbackMs;
  const sorted = [...recent].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}
