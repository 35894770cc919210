import type { ReactNode } from 'react';
import type { SessionView } from '@/server/engine/engine';

/** The scenario's briefing and the session's containers. */
export function BriefingTab({ briefing, services, final }: { briefing: ReactNode; services: SessionView['services']; final: boolean }) {
  return (
    <>
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
