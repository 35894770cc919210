/**
 * "No restart" judged from what happened, not from what was typed. The engine stores Docker's
 * own record of each service's container at the end of the session (a `container-record`
 * event: the baseline taken at ready beside the container as it is now). A main process that
 * ended and was started again, a container stopped or replaced, shows there whatever command
 * caused it: `docker exec api pkill -f python` then `docker start api` is a restart of api.
 */
import type { ContainerFacts, SessionEvent } from '../audit/events';
import { cite, formatClock } from './actions';
import type { Action } from './types';

export interface RecordedLoss {
  service: string;
  /** The container-record event that shows it. */
  eventId: number;
  what: 'removed' | 'replaced' | 'restarted' | 'stopped';
  /** When the main process ended, ms since the session was created (null when Docker has no time). */
  diedT: number | null;
  /** When the container was started again (restarted only). */
  startedT: number | null;
  /** The kernel's OOM killer ended it: the incident's doing, not a command's. */
  oom: boolean;
}

/** Docker writes "0001-01-01T00:00:00Z" for "never"; anything unparsable is unknown too. */
function epochOf(iso: string | undefined): number | null {
  if (!iso) return null;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) && ms > 0 ? ms : null;
}

/** An engine time (epoch ms) on the session clock of the event that recorded it. */
function sessionTime(e: SessionEvent, epoch: number | null): number | null {
  return epoch === null ? null : e.t + (epoch - e.at);
}

function judge(baseline: ContainerFacts, now: ContainerFacts | null): { what: RecordedLoss['what']; died: number | null; started: number | null; oom: boolean } | null {
  if (now === null) return { what: 'removed', died: null, started: null, oom: false };
  if (now.id !== baseline.id) return { what: 'replaced', died: null, started: epochOf(now.startedAt), oom: false };
  const baseStart = epochOf(baseline.startedAt);
  const finished = epochOf(now.finishedAt);
  // A finish recorded before the baseline start happened before the session: not this one's.
  const died = finished !== null && (baseStart === null || finished >= baseStart) ? finished : null;
  if (now.startedAt !== baseline.startedAt || (now.running && now.pid !== baseline.pid)) {
    return { what: 'restarted', died, started: epochOf(now.startedAt), oom: false };
  }
  if (!now.running) return { what: 'stopped', died, started: null, oom: now.oomKilled };
  return null;
}

/** Every container the record shows lost its running state after ready, in time order. */
export function recordedLosses(events: readonly SessionEvent[]): RecordedLoss[] {
  const latest = new Map<string, SessionEvent & { kind: 'container-record' }>();
  for (const e of events) if (e.kind === 'container-record') latest.set(e.service, e);
  const losses: RecordedLoss[] = [];
  for (const e of latest.values()) {
    const j = judge(e.baseline, e.now);
    if (!j) continue;
    losses.push({ service: e.service, eventId: e.id, what: j.what, diedT: sessionTime(e, j.died), startedT: sessionTime(e, j.started), oom: j.oom });
  }
  return losses.sort((a, b) => (a.diedT ?? a.startedT ?? Infinity) - (b.diedT ?? b.startedT ?? Infinity));
}

/**
 * An action is logged when it is typed, the death a moment after: this much leeway either way.
 * Kept short: a `docker start` typed a second after the death must not be taken for its cause.
 */
const SKEW_MS = 500;

/** Tiers that look without touching: never the cause of a death. */
const HARMLESS = new Set(['external', 'read-only', 'snapshot']);

const starts = (a: Action) => a.classification.effects.some((e) => e.type === 'container' && ['start', 'restart', 'up', 'run', 'create'].includes(e.op)) || /\bstart\b/.test(a.text);

/** The learner's actions a recorded loss points at: the last one that touched the service before it ended, and what started it again. */
export function lossCauses(loss: RecordedLoss, actions: readonly Action[]): { cause?: Action; restart?: Action } {
  const on = actions.filter((a) => a.effective && (a.targets.length === 0 || a.targets.includes(loss.service) || a.targets.includes('*')));
  const until = loss.diedT ?? loss.startedT;
  const cause = until === null ? undefined : on.filter((a) => a.t <= until + SKEW_MS && !HARMLESS.has(a.tier) && !(loss.diedT !== null && starts(a))).at(-1);
  const restart = loss.startedT === null ? undefined : on.filter((a) => starts(a) && a.t <= loss.startedT! + SKEW_MS && (loss.diedT === null || a.t >= loss.diedT - SKEW_MS)).at(-1);
  return { cause, restart: restart && restart !== cause ? restart : undefined };
}

/** One sentence for the report: what Docker recorded, when, and after which command. */
export function describeLoss(loss: RecordedLoss, actions: readonly Action[], readyAt: number): string {
  const { cause, restart } = lossCauses(loss, actions);
  const when = (t: number | null) => (t === null ? '' : ` at ${formatClock(t - readyAt)}`);
  const after = cause ? ` (after ${cite(cause)})` : '';
  const s = loss.service;
  switch (loss.what) {
    case 'removed':
      return `Docker's record shows ${s}'s container is gone${after}`;
    case 'replaced':
      return `Docker's record shows ${s} is a new container, started${when(loss.startedT)}${after}`;
    case 'stopped':
      return `Docker's record shows ${s}'s main process ended${when(loss.diedT)}${after} and was never started again`;
    case 'restarted':
      return `Docker's record shows ${s}'s main process ${loss.diedT === null ? 'was replaced' : `ended${when(loss.diedT)}${after}`} and was started again${when(loss.startedT)}${restart ? ` (${cite(restart)})` : ''}`;
  }
}
