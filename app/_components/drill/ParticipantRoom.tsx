'use client';

import Link from 'next/link';
import type { ParticipantState } from '@/server/drills/drills';
import { formatClock } from '@/lib/display/clock';
import { useDrillPoll } from './useDrillPoll';

/** A participant's lobby: their team, its readiness, and the way into the team's session. */
export function ParticipantRoom({ initial }: { initial: ParticipantState }) {
  const { drill } = useDrillPoll(initial.id, { drill: initial });
  const team = drill.team;
  if (!team) return null;
  return (
    <div className="stack" data-testid="participant-room" data-phase={drill.phase}>
      <p className="lead">
        You are in <strong data-testid="my-team">{team.name}</strong> with {team.members.map((m) => m.name).join(', ')}.
      </p>
      <p>
        {drill.phase === 'lobby' &&
          (team.readiness === 'ready'
            ? 'Your team’s incident is set up. Everything opens for every team at once when the facilitator starts the drill.'
            : 'Your team’s incident is being set up…')}
        {drill.phase === 'running' && (
          <>
            The drill is running: <strong>{formatClock(drill.elapsedMs)}</strong>, {formatClock(drill.remainingMs)} left.
          </>
        )}
        {drill.phase === 'over' && 'The drill is over.'}
      </p>
      {team.sessionId && (
        <p>
          <Link className="button" href={`/sessions/${team.sessionId}`} data-testid="open-team-session">
            Open your team’s session
          </Link>
        </p>
      )}
      {team.members.length > 1 && (
        <p className="meta">
          Seats follow the order you joined: {team.members[0]?.name ?? 'the first member'} drives (the only one typing), the second is the commander (the diagnosis and decision), the
          third the scribe (the updates); everyone sees the terminal live. The driver seat can be handed over on the session page.
        </p>
      )}
    </div>
  );
}
