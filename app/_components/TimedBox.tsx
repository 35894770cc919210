import { formatClock } from '@/lib/display/clock';
import type { TimelineBudget } from '@/lib/scoring/budgets';

/**
 * What the report's emergency timeline measures, said before the clock starts: in the
 * session's briefing and on the scenario page, from the scoring rule's own budgets.
 */
export function TimedBox({ budgets, before = false }: { budgets: TimelineBudget[]; before?: boolean }) {
  if (budgets.length === 0) return null;
  return (
    <aside className="timed" aria-label="What is timed" data-testid="timed-box">
      <h2>What is timed</h2>
      <p>
        The session clock starts when the session is ready, not while it is being set up. Reading the briefing is not timed: the
        budgets below count from the first line you type in the terminal (at the latest five minutes after ready).{' '}
        {before ? 'The report will check' : 'The report checks'} when you reached each step:
      </p>
      <ul>
        {budgets.map((b) => (
          <li key={b.name}>
            <span className="mono">{formatClock(b.budgetMs)}</span> {b.name}
          </li>
        ))}
      </ul>
    </aside>
  );
}
