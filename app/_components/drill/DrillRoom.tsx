'use client';

import Link from 'next/link';
import { useState } from 'react';
import type { Board } from '@/server/drills/board';
import type { DrillState } from '@/server/drills/drills';
import { api } from '@/app/_lib/api';
import { BoardTable } from './BoardTable';
import { formatClock } from '@/lib/display/clock';
import { useDrillPoll } from './useDrillPoll';

const READINESS_TEXT: Record<string, string> = {
  empty: 'nobody yet',
  preparing: 'preparing…',
  ready: 'ready',
  live: 'live',
  failed: 'failed to start',
  ended: 'ended',
};

/** The facilitator's room: the join code, every team's members and readiness, and Prepare / Start / End. */
export function DrillRoom({ initial, joinUrl }: { initial: { drill: DrillState; board: Board }; joinUrl: string }) {
  const live = useDrillPoll(initial.drill.id, initial);
  const polled = live.drill;
  const [acted, setActed] = useState<DrillState | null>(null);
  const drill = acted && acted.phase !== polled.phase ? acted : polled;
  const [error, setError] = useState<string | null>(null);
  async function act(what: 'prepare' | 'start' | 'end') {
    setError(null);
    try {
      setActed(await api<DrillState>(`/api/drills/${drill.id}/${what}`, { method: 'POST' }));
    } catch (err) {
      setError((err as Error).message);
    }
  }
  // One team's session only (the drill gives its facilitator that right); the poll shows it ended.
  async function endTeam(sessionId: string) {
    setError(null);
    try {
      await api(`/api/sessions/${sessionId}`, { method: 'DELETE' });
    } catch (err) {
      setError((err as Error).message);
    }
  }
  return (
    <div className="stack" data-testid="drill-room" data-phase={drill.phase}>
      <p className="lead">
        {drill.phase === 'lobby' && (
          <>
            Join code <strong className="mono big" data-testid="drill-code">{drill.code}</strong> — participants sign in and open <code>{joinUrl}</code>.
          </>
        )}
        {drill.phase === 'running' && (
          <>
            Running: <strong data-testid="drill-clock">{formatClock(drill.elapsedMs)}</strong> of {drill.timeLimitMin}:00, {formatClock(drill.remainingMs)} left.
          </>
        )}
        {drill.phase === 'over' && <>The drill is over.</>}
      </p>
      <table className="compact" data-testid="drill-teams">
        <thead>
          <tr>
            <th>Team</th>
            <th>Members</th>
            <th>Session</th>
          </tr>
        </thead>
        <tbody>
          {drill.teams.map((t) => (
            <tr key={t.id} data-team={t.name} data-readiness={t.readiness}>
              <td>{t.name}</td>
              <td>{t.members.map((m) => m.email ?? m.name).join(', ') || '—'}</td>
              <td>
                <span className={`status ${t.sessionStatus ?? ''}`}>{READINESS_TEXT[t.readiness]}</span>{' '}
                {t.sessionId && t.readiness !== 'empty' && <Link href={`/sessions/${t.sessionId}`}>watch</Link>}{' '}
                {t.sessionId && t.readiness === 'live' && (
                  <button type="button" className="link" onClick={() => void endTeam(t.sessionId as string)} data-testid="team-end">
                    end its session
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="row">
        {drill.phase === 'lobby' && (
          <>
            <button type="button" onClick={() => void act('start')} disabled={drill.startBlocked !== null} data-testid="drill-start">
              Start the drill
            </button>
            <button type="button" className="secondary" onClick={() => void act('prepare')}>
              Prepare sessions again
            </button>
          </>
        )}
        {drill.phase !== 'over' && (
          <button type="button" className="secondary" onClick={() => void act('end')} data-testid="drill-end">
            End the drill
          </button>
        )}
      </div>
      {drill.phase === 'lobby' && drill.startBlocked && (
        <p className="meta" data-testid="start-blocked">
          Start waits: {drill.startBlocked}.
        </p>
      )}
      {error && (
        <p className="notice error" role="alert">
          {error}
        </p>
      )}
      {drill.phase !== 'lobby' && (
        <>
          <BoardTable board={live.board} phase={drill.phase} />
          <p className="row">
            <Link href={`/drills/${drill.id}/board`} data-testid="projector-link">
              Projector view
            </Link>
            {drill.phase === 'over' && (
              <Link className="button" href={`/drills/${drill.id}/debrief`} data-testid="debrief-link">
                Debrief
              </Link>
            )}
          </p>
        </>
      )}
    </div>
  );
}
