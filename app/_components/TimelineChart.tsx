import { formatClock } from '@/lib/display/clock';
import type { StoredReport } from '@/lib/scoring/session-report';

type Step = StoredReport['timeline'][number];

/** The emergency timeline drawn against its budgets: one lane per milestone, time after ready. */
export function TimelineChart({ steps }: { steps: Step[] }) {
  if (steps.length === 0) return null;
  // The axis spans the largest budget, or the latest milestone if that came later.
  const span = Math.max(...steps.map((s) => Math.max(s.budgetMs, s.atMs ?? 0))) * 1.1;
  const pct = (ms: number) => `${Math.min(100, (ms / span) * 100)}%`;
  return (
    <div className="tl-chart" data-testid="report-timeline" role="img" aria-label="Emergency timeline against its budgets">
      {steps.map((s) => {
        const late = s.atMs !== null && s.atMs > s.budgetMs;
        return (
          <div className="tl-lane" key={s.name}>
            <div className="tl-label">
              {s.name}
              <span className="lead">
                {' '}
                {s.atMs === null ? `— ${s.miss}` : `at ${formatClock(s.atMs)} (due by ${formatClock(s.budgetMs)}${s.fromMs ? `: ${formatClock(s.budgetMs - s.fromMs)} after the first line typed at ${formatClock(s.fromMs)}` : ''})`}
              </span>
            </div>
            <div className="tl-track">
              <span className="tl-budget" style={{ width: pct(s.budgetMs) }} title={`budget ${formatClock(s.budgetMs)}`} />
              {s.atMs !== null && <span className={`tl-mark ${late ? 'late' : 'ok'}`} style={{ left: pct(s.atMs) }} title={`reached at ${formatClock(s.atMs)}`} />}
            </div>
          </div>
        );
      })}
      <div className="tl-axis lead">
        <span>ready</span>
        <span>{formatClock(span)}</span>
      </div>
    </div>
  );
}
