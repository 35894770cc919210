import Link from 'next/link';
import { services } from '@/server/registry';

export const dynamic = 'force-dynamic';

export default function SessionsPage() {
  const sessions = services().engine.list();
  return (
    <>
      <h1>Sessions</h1>
      <p className="lead">Every drill started on this lab, newest first.</p>
      {sessions.length === 0 ? (
        <div className="placeholder">
          No sessions yet. <Link href="/">Start a scenario</Link>.
        </div>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Session</th>
              <th>Scenario</th>
              <th>Status</th>
              <th>Started</th>
              <th>
                <span className="visually-hidden">Links</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {sessions.map((s) => (
              <tr key={s.id}>
                <td className="mono">
                  <Link href={`/sessions/${s.id}`}>{s.id}</Link>
                </td>
                <td>{s.scenario}</td>
                <td>
                  <span className={`status ${s.status}`}>{s.status}</span>
                </td>
                <td>{new Date(s.createdAt).toLocaleString('en-GB', { timeZone: 'UTC' })} UTC</td>
                <td>
                  <span className="row" style={{ gap: 12 }}>
                    {s.hasReport && <Link href={`/sessions/${s.id}/report`}>report</Link>}
                    {(s.status === 'ended' || s.status === 'ready') && <Link href={`/sessions/${s.id}/replay`}>replay</Link>}
                  </span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
