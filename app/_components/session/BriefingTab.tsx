import type { ReactNode } from 'react';
import { formatClock } from '@/lib/display/clock';
import type { TimelineBudget } from '@/lib/scoring/budgets';
import type { SessionView } from '@/server/engine/views';

/** What the report's emergency timeline measures, said before the clock starts. */
function TimedBox({ budgets }: { budgets: TimelineBudget[] }) {
  if (budgets.length === 0) return null;
  return (
    <aside className="timed" aria-label="What is timed" data-testid="timed-box">
      <h2>What is timed</h2>
      <p>The clock starts when the session is ready and the console opens, not while it is being set up. From then on, the report checks when you reached each step:</p>
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

/** The scenario's briefing, what is timed, and the session's containers. */
export function BriefingTab({
  briefing,
  budgets,
  services,
  final,
}: {
  briefing: ReactNode;
  budgets: TimelineBudget[];
  services: SessionView['services'];
  final: boolean;
}) {
  return (
    <>
      <TimedBox budgets={budgets} />
      <section className="briefing" aria-label="Briefing">
        {briefing ?? <p className="lead">This scenario has no briefing.</p>}
      </section>
      <h2>Your containers</h2>
      {services.length === 0 ? (
        <p className="lead small">None yet.</p>
      ) : (
        <table className="compact">
          <thead>
            <tr>
              <th>Service</th>
              <th>Container name</th>
            </tr>
          </thead>
          <tbody>
            {services.map((s) => (
              <tr key={s.name}>
                <td>{s.name}</td>
                <td className="mono">{s.container}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {final && services.length > 0 && <p className="lead small">These containers were removed when the session ended.</p>}
    </>
  );
}
