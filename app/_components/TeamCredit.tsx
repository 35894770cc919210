import type { PersonCredit } from '@/lib/scoring/credit';
import { formatClock } from '@/lib/display/clock';

/** A team session's report: who did what (lib/scoring/credit.ts), one row per person. */
export function TeamCredit({ credit }: { credit: PersonCredit[] }) {
  return (
    <section className="panel" aria-label="Who did what" data-testid="team-credit">
      <h2 style={{ marginTop: 0 }}>Who did what</h2>
      <table>
        <thead>
          <tr>
            <th>Person</th>
            <th>Commands</th>
            <th>Docker calls (refused)</th>
            <th>Diagnoses</th>
            <th>Updates</th>
            <th>Hints</th>
            <th>Handovers</th>
          </tr>
        </thead>
        <tbody>
          {credit.map((p) => (
            <tr key={p.userId} data-person={p.userId}>
              <td>{p.name}</td>
              <td>{p.commands}</td>
              <td>
                {p.dockerCalls} ({p.refusedCalls})
              </td>
              <td>{p.diagnoses}</td>
              <td>{p.updates}</td>
              <td>{p.hints}</td>
              <td>{p.handovers}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {credit.map((p) => (
        <details key={p.userId}>
          <summary>{p.name}: every action</summary>
          <ul className="timeline">
            {p.actions.map((a) => (
              <li key={a.id}>
                <span className="mono">{formatClock(a.t)}</span> {a.what}
              </li>
            ))}
          </ul>
        </details>
      ))}
    </section>
  );
}
