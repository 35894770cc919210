'use client';

import { useCallback, useEffect, useState } from 'react';
import type { TeamRole } from '@/lib/auth/team';
import type { TeamView } from '@/server/sessions/members';
import { api } from '@/app/_lib/api';
import { ErrorNote } from '@/app/_components/ErrorNote';

const DOES: Record<TeamRole, string> = {
  commander: 'you decide: the diagnosis and decision are yours',
  driver: 'you type in the terminal; the others see your screen',
  scribe: 'you write the stakeholder updates',
  watcher: 'you watch the driver’s terminal',
};

const POLL_MS = 2000;

/**
 * A team session's seats (lib/auth/team.ts): who has which role, who drives, and a one-click
 * handover — the driver gives the seat to a teammate, the commander takes it. Polls the team
 * so every member sees a handover within a couple of seconds; the terminal itself switches
 * at once (the server re-greets each connection as input or mirror).
 */
export function TeamBar({ sessionId, initial }: { sessionId: string; initial: TeamView }) {
  const [team, setTeam] = useState(initial);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [giveTo, setGiveTo] = useState<string>('');

  const refresh = useCallback(async () => {
    try {
      setTeam(await api<TeamView>(`/api/sessions/${sessionId}/team`));
    } catch {
      /* the next poll tries again; the session page says when the session is gone */
    }
  }, [sessionId]);

  useEffect(() => {
    const timer = setInterval(() => void refresh(), POLL_MS);
    return () => clearInterval(timer);
  }, [refresh]);

  async function handOver(to: string) {
    setBusy(true);
    setError(null);
    try {
      setTeam(await api<TeamView>(`/api/sessions/${sessionId}/driver`, { method: 'POST', body: { to } }));
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  const driver = team.members.find((m) => m.userId === team.driver);
  const others = team.members.filter((m) => m.userId !== team.driver);
  const target = giveTo || others[0]?.userId || '';
  return (
    <section className="notice" aria-label="Team" data-testid="team-bar">
      <div className="row">
        <span data-testid="team-you" data-role={team.you ?? 'none'}>
          {team.you ? (
            <>
              You are the <strong>{team.you}</strong>: {DOES[team.you]}.
            </>
          ) : (
            'You are not in this team: you watch it.'
          )}
        </span>
        <span data-testid="team-driver" data-driver={team.driver ?? ''}>
          Driver: <strong>{driver ? driver.name || driver.email : 'nobody'}</strong>
        </span>
        {team.you === 'driver' && others.length > 0 && (
          <>
            <select aria-label="Give the driver seat to" value={target} onChange={(e) => setGiveTo(e.target.value)} disabled={busy}>
              {others.map((m) => (
                <option key={m.userId} value={m.userId}>
                  {m.name || m.email} ({m.role})
                </option>
              ))}
            </select>
            <button className="secondary" disabled={busy || !target} onClick={() => void handOver(target)} data-testid="give-seat">
              Give the driver seat
            </button>
          </>
        )}
        {team.you === 'commander' && (
          <button className="secondary" disabled={busy} onClick={() => void handOver(team.me)} data-testid="take-seat">
            Take the driver seat
          </button>
        )}
      </div>
      <ul className="row" style={{ listStyle: 'none', padding: 0, margin: '6px 0 0' }} data-testid="team-members">
        {team.members.map((m) => (
          <li key={m.userId} data-role={m.role}>
            {m.name || m.email} — {m.role}
          </li>
        ))}
      </ul>
      <ErrorNote error={error} block />
    </section>
  );
}
