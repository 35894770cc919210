/** Runs a scenario's goal checks on a session's live containers and logs the outcome. */
import type { ContainerFacts, GoalOutcome, SessionEvent } from '@/lib/audit/events';
import { SickbayError, toSickbayError } from '@/lib/errors';
import type { ContainerState } from '@/lib/runtime/container';
import { liveGoalTitle } from '@/lib/scenario/types';
import type { SessionRecord } from '../store/store';
import { createContext } from './context';
import type { EngineParts } from './parts';
import type { GoalReport } from './views';

const GOAL_TIMEOUT_MS = 60_000;

export async function runGoalChecks(parts: EngineParts, record: SessionRecord, options: { final?: boolean } = {}): Promise<GoalReport> {
  const { store, runtime, catalogue, clock } = parts;
  const id = record.id;
  const ctx = createContext(runtime, {
    sessionId: id,
    seed: record.seed,
    params: record.params,
    containers: record.containers,
    baseline: record.baseline,
    createdAt: record.createdAt,
    readyAt: record.readyAt,
    clock,
    events: () => store.listEvents(id),
  });
  const results: GoalOutcome[] = [];
  for (const goal of catalogue.get(record.scenario).definition.goals) {
    let outcome: { pass: boolean; evidence: string };
    try {
      outcome = await withTimeout(goal.check(ctx), GOAL_TIMEOUT_MS, `goal "${goal.id}" took longer than ${GOAL_TIMEOUT_MS / 1000}s`);
    } catch (err) {
      outcome = { pass: false, evidence: `the check could not run: ${(err as Error).message}` };
    }
    results.push({ id: goal.id, title: goal.title, pass: outcome.pass, evidence: outcome.evidence });
  }
  const final = options.final ?? false;
  if (final) await recordContainers(parts, record);
  const passed = results.filter((r) => r.pass).length;
  const now = clock();
  store.appendEvent(id, { kind: 'goals', final, passed, total: results.length, results }, now);
  // The log keeps what was checked (the report shows it); the learner is answered in outcomes.
  const live = liveGoalTitles(parts, record.scenario);
  return { checkedAt: new Date(now).toISOString(), final, passed, total: results.length, results: results.map((r) => ({ ...r, title: live.get(r.id) ?? r.title })) };
}

/**
 * The event log as a learner may see it while the session is live: fault titles would name
 * the root cause before the diagnosis, and goal titles may name the mechanism (the outcome
 * titles stand in for them).
 */
export function hideWhileLive(parts: EngineParts, scenario: string, events: SessionEvent[]): SessionEvent[] {
  let n = 0;
  const live = liveGoalTitles(parts, scenario);
  return events.map((e) =>
    e.kind === 'fault'
      ? { ...e, fault: `fault-${++n}`, title: 'something was broken on purpose' }
      : e.kind === 'goals'
        ? { ...e, results: e.results.map((r) => ({ ...r, title: live.get(r.id) ?? r.title })) }
        : e,
  );
}

/** Goal id -> the title a learner sees while the session runs (lib/scenario liveGoalTitle). */
export function liveGoalTitles(parts: EngineParts, scenario: string): Map<string, string> {
  if (!parts.catalogue.has(scenario)) return new Map();
  return new Map(parts.catalogue.get(scenario).definition.goals.map((g) => [g.id, liveGoalTitle(g)]));
}

function facts(state: ContainerState): ContainerFacts {
  return { id: state.id, running: state.running, pid: state.pid, startedAt: state.startedAt, finishedAt: state.finishedAt, oomKilled: state.oomKilled, exitCode: state.exitCode };
}

/**
 * Docker's own record of each service's container beside the baseline taken at ready, logged
 * before the teardown: the "no restart" rule judges from it whatever command caused a restart.
 */
async function recordContainers(parts: EngineParts, record: SessionRecord): Promise<void> {
  const { store, runtime, clock, log } = parts;
  for (const [service, containerId] of Object.entries(record.containers)) {
    const baseline = record.baseline[service];
    if (!baseline) continue;
    let now: ContainerState | null;
    try {
      now = await runtime.inspectContainer(containerId);
    } catch (err) {
      if (toSickbayError(err).code !== 'not_found') {
        log(`recording ${service} of ${record.id}: ${(err as Error).message}`);
        continue; // unknown is not "gone": record nothing rather than a removal that did not happen
      }
      now = null;
    }
    store.appendEvent(record.id, { kind: 'container-record', service, baseline: facts(baseline), now: now && facts(now) }, clock());
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new SickbayError('timeout', message)), ms);
    }),
  ]);
}
