'use client';

import { useState, type ReactNode } from 'react';
import { formatClock } from '@/lib/display/clock';
import { secondsLeft } from '@/lib/interviews/rules';
import type { DiagnosisChoices } from '@/lib/scenario/types';
import type { SessionView } from '@/server/engine/views';
import { api } from '@/app/_lib/api';
import { Terminal } from '../Terminal';
import { useActionRunner } from '../useActionRunner';
import { DiagnosisForm } from '../session/DiagnosisForm';
import { HintsTab } from '../session/HintsTab';
import { useSessionPoll } from '../session/useSessionPoll';

const NOTHING_SENT = { diagnosis: null, updates: [] };

/**
 * The candidate's workspace. It polls the session's own view only (never its events, report or
 * score), shows the time left, and ends with a "submitted" page once the session is over.
 */
export function CandidatePanel({
  initial,
  title,
  candidateName,
  briefing,
  startedAt,
  timeLimitMin,
  diagnosis,
  hintCount,
}: {
  initial: SessionView;
  title: string;
  candidateName: string;
  briefing: ReactNode;
  startedAt: number;
  timeLimitMin: number;
  diagnosis: DiagnosisChoices | null;
  /** 0 when the interview allows no hints. */
  hintCount: number;
}) {
  // The candidate's log holds their own steps only (the server filters it): the evidence picker's list.
  const { session, setSession, events, now, refresh, final } = useSessionPoll(initial);
  const { busy: running, error, run } = useActionRunner<'finish' | 'hint'>();
  const busy = running !== null;
  const [hints, setHints] = useState<string[]>([]);
  const ready = session.status === 'ready';

  const finish = () =>
    run('finish', async () => {
      if (!window.confirm('Submit and end your interview? You cannot come back to the terminal afterwards.')) return;
      setSession(await api<SessionView>(`/api/sessions/${initial.id}`, { method: 'DELETE' }));
    });

  const takeHint = () =>
    run('hint', async () => {
      const { text } = await api<{ text: string }>(`/api/sessions/${initial.id}/hints`, { method: 'POST' });
      setHints((old) => [...old, text]);
    });

  if (session.status === 'failed') {
    return (
      <section className="state-card failed" data-testid="interview-failed">
        <h1>Your system could not be started</h1>
        <p className="lead">This is on our side, not yours. Please tell your interviewer; they can set up a new link.</p>
      </section>
    );
  }
  if (final) {
    return (
      <section className="state-card" data-testid="interview-submitted">
        <h1>Submitted</h1>
        <p className="lead">Thank you, {candidateName}. Your interview is over and everything you did has been handed to your interviewer. You can close this window.</p>
      </section>
    );
  }

  const left = secondsLeft(startedAt, timeLimitMin, now);
  return (
    <div className="workspace-page">
      <div className="session-head">
        <h1>{title}</h1>
        <div className="session-controls">
          <span className={`status ${session.status}`} data-testid="session-status">
            {session.status}
          </span>
          <span className="mono timer" title="Time left" data-testid="interview-countdown" role="timer" aria-live="off" suppressHydrationWarning>
            {left > 0 ? `${formatClock(left * 1000)} left` : 'time is up'}
          </span>
          <button className="danger" onClick={() => void finish()} disabled={busy} data-testid="interview-finish">
            Submit and finish
          </button>
        </div>
      </div>
      {left === 0 && <p className="notice">Your time is up: send your diagnosis now and press “Submit and finish”.</p>}
      {error && (
        <p className="notice error" role="alert">
          {error}
        </p>
      )}
      <div className="workspace">
        <aside className="panel side" aria-label="Interview">
          <h2>Briefing</h2>
          {briefing}
          {hintCount > 0 && <HintsTab hints={hints} hintCount={hintCount} ready={ready} busy={busy} taking={running === 'hint'} onTake={() => void takeHint()} coach={null} />}
          {ready && diagnosis && <DiagnosisForm sessionId={session.id} spec={diagnosis} events={events} submitted={NOTHING_SENT} zero={null} onSubmitted={() => void refresh().catch(() => {})} />}
        </aside>
        <section className="console-area" aria-label="Console">
          {ready && session.terminal ? (
            <Terminal sessionId={session.id} token={session.terminal.token} active={ready} />
          ) : (
            <div className="state-card" data-testid="console-state" data-state={session.status}>
              <div className="spinner" aria-hidden="true" />
              <h2>Setting up your system…</h2>
              <p className="lead">This usually takes under a minute; the terminal opens by itself.</p>
            </div>
          )}
        </section>
      </div>
    </div>
  );
}
