/** Reusable pieces for goal checks: pure comparisons over ContainerState values. */
import type { ContainerState } from '../runtime/container';
import type { GoalResult } from './types';

/**
 * A service counts as "not restarted" when its container is the same one, still running, with
 * the same start time and the same main PID as when the session became ready. Each of those
 * changes on `docker restart`, `stop`/`start`, or a recreate, so together they catch all three.
 */
export function compareNotRestarted(service: string, before: ContainerState, now: ContainerState): GoalResult {
  const changes: string[] = [];
  if (now.id !== before.id) changes.push('it is a different container');
  if (!now.running) changes.push('it is not running');
  if (now.startedAt !== before.startedAt) changes.push(`it was started again at ${now.startedAt}`);
  if (now.running && now.pid !== before.pid) changes.push(`its main PID changed from ${before.pid} to ${now.pid}`);
  if (now.restartCount !== before.restartCount) changes.push(`its restart count went to ${now.restartCount}`);
  if (changes.length === 0) {
    return {
      pass: true,
      evidence: `${service} has run since ${before.startedAt} with the same main PID (${before.pid}).`,
    };
  }
  return { pass: false, evidence: `${service} lost its running state: ${changes.join('; ')}.` };
}

/** "1 batch", "3 batches": a count and its noun, for evidence sentences. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * A shell command, run in a container, that prints its memory cgroup's OOM counters (cgroup v1
 * `memory.oom_control`, v2 `memory.events`); `oomKillsIn` reads the kill count from its output.
 */
export const OOM_COUNTERS_SHELL = 'cat /sys/fs/cgroup/memory/memory.oom_control 2>/dev/null || cat /sys/fs/cgroup/memory.events 2>/dev/null';

/** How many processes the kernel's OOM killer ended in the container; null when unreadable. */
export function oomKillsIn(counters: string): number | null {
  const kills = /^oom_kill\s+(\d+)/m.exec(counters);
  return kills ? Number(kills[1]) : null;
}
