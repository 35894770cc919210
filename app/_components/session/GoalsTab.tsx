import { useMemo } from 'react';
import type { GoalOutcome, SessionEvent } from '@/lib/audit/events';
import { formatClock, sessionClock } from '@/lib/display/clock';
import type { GoalReport } from '@/server/engine/views';

/** The newest goal check: `at` is ms since the session was created. */
export interface LastCheck {
  passed: number;
  total: number;
  results: GoalOutcome[];
  at: number;
  final: boolean;
}

/**
 * The newest goal check, from the learner's own "Check goals" answer or the event log
 * (the final check, or one made in another tab), whichever is newer.
 */
export function useLastCheck(events: SessionEvent[], local: GoalReport | null, createdAtMs: number): LastCheck | null {
  return useMemo(() => {
    const fromLog = events.findLast((e) => e.kind === 'goals');
    const mine = local ? { passed: local.passed, total: local.total, results: local.results, at: Date.parse(local.checkedAt) - createdAtMs, final: false } : null;
    const logged = fromLog?.kind === 'goals' ? { passed: fromLog.passed, total: fromLog.total, results: fromLog.results, at: fromLog.t, final: fromLog.final } : null;
    if (mine && logged) return logged.at > mine.at + 1000 ? logged : mine;
    return mine ?? logged;
  }, [events, local, createdAtMs]);
}

/** The scenario's goals with the newest check's outcome of each. */
export function GoalsTab({
  goalTitles,
  lastCheck,
  zero,
  ready,
}: {
  goalTitles: { id: string; title: string }[];
  lastCheck: LastCheck | null;
  zero: number | null;
  ready: boolean;
}) {
  const at = lastCheck ? formatClock(sessionClock(lastCheck.at, zero)) : '';
  return (
    <>
      <h2>{lastCheck ? `Goals: ${lastCheck.passed}/${lastCheck.total} met` : 'Goals'}</h2>
      <p className="lead small">
        {lastCheck
          ? lastCheck.final
            ? `The final check, at ${at} when the session ended.`
            : `Last checked at ${at} on the live containers.`
          : ready
            ? 'Not checked yet. “Check goals” tests them on the live containers; it changes nothing.'
            : 'Checked on the live containers while the session is ready.'}
      </p>
      <ul className="goals" data-testid="goals">
        {goalTitles.map((g) => {
          const r = lastCheck?.results.find((x) => x.id === g.id);
          return (
            <li key={g.id} data-goal={g.id} data-pass={r ? String(r.pass) : undefined}>
              <strong className={r ? (r.pass ? 'pass' : 'fail') : 'na'} aria-label={r ? (r.pass ? 'met' : 'not met') : 'not checked'}>
                {r ? (r.pass ? '✔' : '✖') : '○'}
              </strong>{' '}
              {g.title}
              {r && <div className="lead small">{r.evidence}</div>}
            </li>
          );
        })}
      </ul>
    </>
  );
}
