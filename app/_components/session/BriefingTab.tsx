import type { ReactNode } from 'react';
import type { TimelineBudget } from '@/lib/scoring/budgets';
import { TimedBox } from '@/app/_components/TimedBox';
import type { SessionView } from '@/server/engine/views';

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
