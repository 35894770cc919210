import Link from 'next/link';
import { pageSessions } from '@/app/_lib/auth';
import { services } from '@/server/registry';
import { formatUtc } from '@/lib/display/clock';

export const dynamic = 'force-dynamic';

export default async function SessionsPage() {
  const scoped = await pageSessions();
  const sessions = scoped.list();
  const me = scoped.principal;
  // With accounts, whose each session is (admins and facilitators see others' too).
  const showOwner = me.via !== 'personal' && sessions.some((s) => s.ownerId !== me.user.id);
  const ownerName = (id: string) => (id === me.user.id ? 'you' : (services().auth.users.get(id)?.email ?? id));
  return (
    <>
      <h1>Sessions</h1>
      <p className="lead">{me.via === 'personal' ? 'Every drill started on this lab, newest first.' : showOwner ? 'Your drills and those of the people you watch, newest first.' : 'Your drills, newest first.'}</p>
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
              {showOwner && <th>Learner</th>}
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
                {showOwner && <td data-owner={s.ownerId}>{ownerName(s.ownerId)}</td>}
                <td>
                  <span className={`status ${s.status}`}>{s.status}</span>
                </td>
                <td>{formatUtc(s.createdAt)}</td>
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
