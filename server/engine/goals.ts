/** Runs a scenario's goal checks on a session's live containers and logs the outcome. */
import type { GoalOutcome } from '@/lib/audit/events';
import { SickbayError } from '@/lib/errors';
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
  const passed = results.filter((r) => r.pass).length;
  const now = clock();
  store.appendEvent(id, { kind: 'goals', final, passed, total: results.length, results }, now);
  return { checkedAt: new Date(now).toISOString(), final, passed, total: results.length, results };
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
