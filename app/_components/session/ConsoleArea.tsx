import Link from 'next/link';
import type { SessionEvent } from '@/lib/audit/events';
import type { SessionView } from '@/server/engine/views';
import { MirrorView } from '../MirrorView';
import { StartButton } from '../StartButton';
import { Terminal } from '../Terminal';
import { HeldCard } from './HeldCard';

/** The right-hand side of the workspace: the terminal once ready, else a card saying why not. */
export function ConsoleArea({ session, events, elapsed, onLeave, watching = false }: { session: SessionView; events: SessionEvent[]; elapsed: string; onLeave: () => void; watching?: boolean }) {
  const ready = session.status === 'ready';
  if (ready && session.terminal) return <Terminal sessionId={session.id} token={session.terminal.token} active={ready} onLeave={onLeave} />;
  // A watcher (interviewer, facilitator) sees the learner's terminal through the read-only mirror.
  if (ready && watching) return <MirrorView sessionId={session.id} />;
  switch (session.status) {
    case 'queued': {
      const q = session.queue;
      return (
        <div className="state-card" data-testid="console-state" data-state="queued">
          <div className="spinner" aria-hidden="true" />
          <h2>Waiting for a free slot…</h2>
          <p className="lead" data-testid="queue-place">
            {q
              ? `You are number ${q.position} in line: ${q.provisioning} of ${q.capacity} session starts are running on this machine. About ${waitText(q.estimateMs)} to go; the console opens by itself.`
              : 'Your session is about to start.'}
          </p>
        </div>
      );
    }
    case 'provisioning': {
      const steps = events.filter((e) => e.kind === 'provision' || e.kind === 'fault');
      return (
        <div className="state-card" data-testid="console-state" data-state="starting">
          <div className="spinner" aria-hidden="true" />
          <h2>Setting up your incident…</h2>
          <p className="lead">Starting the containers and breaking them on purpose. This usually takes 10–30 seconds; the console opens by itself.</p>
          {steps.length > 0 && (
            <ol className="steps">
              {steps.map((e) => (
                <li key={e.id}>
                  <span className="pass">✔</span> {e.kind === 'provision' ? `${e.phase} (${e.ms} ms)` : 'fault injected'}
                </li>
              ))}
            </ol>
          )}
        </div>
      );
    }
    case 'held':
      return <HeldCard />;
    case 'ending':
      return (
        <div className="state-card" data-testid="console-state" data-state="ending">
          <div className="spinner" aria-hidden="true" />
          <h2>Ending the session…</h2>
          <p className="lead">A final goal check on the live containers, then they are removed and your report is written.</p>
        </div>
      );
    case 'ended':
      return (
        <div className="state-card" data-testid="console-state" data-state="ended">
          <h2>The session is over</h2>
          <p className="lead">
            {session.statusDetail ? `${session.statusDetail[0]!.toUpperCase()}${session.statusDetail.slice(1)}` : 'Ended'} after {elapsed}.
            {session.hasReport ? ' Your report is ready: the score, how you debugged, and what was really going on.' : ''}
          </p>
          <div className="row">
            {session.hasReport && (
              <Link className="button" href={`/sessions/${session.id}/report`}>
                Read your report
              </Link>
            )}
            <Link className="button secondary" href={`/sessions/${session.id}/replay`}>
              Watch the replay
            </Link>
            <Link className="button secondary" href={`/scenarios/${session.scenario}`}>
              Try again with a new culprit
            </Link>
            <Link className="button secondary" href="/">
              Your track
            </Link>
          </div>
        </div>
      );
    case 'failed':
      return (
        <div className="state-card failed" data-testid="console-state" data-state="failed">
          <h2>The session could not start</h2>
          <p className="error" data-testid="failure-reason">
            {session.statusDetail ?? 'Provisioning failed.'}
          </p>
          <p className="lead">Its containers have been removed; the timeline shows how far it got. Retry starts the same drill with the same seed, so the same incident.</p>
          <div className="row">
            <StartButton scenario={session.scenario} seed={session.seed} coach={session.coach} label="Retry" testId="retry" />
            <Link className="button secondary" href={`/scenarios/${session.scenario}`}>
              Back to the drill
            </Link>
          </div>
        </div>
      );
    default:
      return (
        <div className="state-card" data-testid="console-state" data-state="unavailable">
          <h2>The console is not available</h2>
          <p className="lead">The session is ready but its console did not start. You can still check the goals and end the session.</p>
        </div>
      );
  }
}

/** "20 s", "2 min": an estimate, so no false precision. */
function waitText(ms: number): string {
  const s = Math.max(5, Math.round(ms / 5000) * 5);
  return s < 90 ? `${s} s` : `${Math.round(s / 60)} min`;
}
