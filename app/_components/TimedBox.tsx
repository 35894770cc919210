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
        The clock starts when the session is ready and the console opens, not while it is being set up.{' '}
        {before ? 'The report will check' : 'From then on, the report checks'} when you reached each step:
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
