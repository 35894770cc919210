import Link from 'next/link';
import type { SessionHistoryItem } from '@/server/engine/views';
import { formatUtc } from '@/lib/display/clock';

/** "Red, drill Friday · driver"; "team session" outside drills. */
function teamLabel(t: NonNullable<SessionHistoryItem['team']>): string {
  const where = t.team ? `${t.team}${t.drill ? `, drill ${t.drill}` : ''}` : 'team session';
  return t.role ? `${where} · ${t.role}` : where;
}

/** A learner's sessions of one scenario, newest first, with score, goals and links. */
export function AttemptsTable({ attempts, bestId }: { attempts: SessionHistoryItem[]; bestId: string | null }) {
  if (attempts.length === 0) return <p className="meta">None yet. Your scores and reports will be listed here.</p>;
  return (
    <table className="compact attempts" data-testid="attempts">
      <thead>
        <tr>
          <th>Started</th>
          <th>Score</th>
          <th>Goals</th>
          <th>
            <span className="visually-hidden">Links</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {attempts.map((a) => (
          <tr key={a.id} data-session={a.id} className={a.id === bestId ? 'best' : undefined}>
            <td>
              {formatUtc(a.createdAt)}
              {a.team && (
                <span className="pill" data-testid="attempt-team" title="A team session: listed here, not counted in your own progress">
                  {teamLabel(a.team)}
                </span>
              )}
            </td>
            <td>
              {a.report ? (
                <strong className="mono">{Math.round(a.report.total)}</strong>
              ) : (
                <span className={`status ${a.status}`}>{a.status}</span>
              )}
              {a.id === bestId && <span className="pill best-pill">best</span>}
            </td>
            <td className="mono">{a.report ? `${a.report.goals.passed}/${a.report.goals.total}` : '—'}</td>
            <td>
              {a.report ? <Link href={`/sessions/${a.id}/report`}>report</Link> : <Link href={`/sessions/${a.id}`}>session</Link>}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
