'use client';

import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { SessionEvent } from '@/lib/audit/events';
import { clockZero, formatClock, sessionClock } from '@/lib/display/clock';
import type { TimelineBudget } from '@/lib/scoring/budgets';
import type { DiagnosisChoices } from '@/lib/scenario/types';
import type { GoalReport, SessionView } from '@/server/engine/views';
import { api } from '@/app/_lib/api';
import { CustomerChart } from '../customers/CustomerChart';
import { Tabs, type TabDef } from '../Tabs';
import { useActionRunner } from '../useActionRunner';
import { BriefingTab } from './BriefingTab';
import { ConsoleArea } from './ConsoleArea';
import { submittedInput } from './DiagnosisForm';
import { DiagnosisTab } from './DiagnosisTab';
import { GoalsTab, useLastCheck } from './GoalsTab';
import { HintsTab } from './HintsTab';
import { TimelineTab } from './TimelineTab';
import { useSessionPoll } from './useSessionPoll';
import { InjectBanner } from './InjectBanner';

type TabId = 'briefing' | 'customers' | 'goals' | 'hints' | 'diagnosis' | 'timeline';
type Busy = null | 'check' | 'end' | 'hint' | 'coach';

/**
 * The session workspace: a header with the status, timer and actions; the terminal (wide, as
 * tall as the window); beside it a tabbed panel with the briefing, the customers' chart, goals,
 * hints, diagnosis and timeline. The panel can be hidden to give the terminal the whole width.
 */
export function SessionPanel({
  initial,
  title,
  briefing,
  goalTitles,
  diagnosis,
  hintCount,
  initialHints,
  initialInput,
  budgets,
  watching = false,
  can = {},
}: {
  initial: SessionView;
  title: string;
  /** The scenario's briefing, rendered on the server. */
  briefing: ReactNode;
  goalTitles: { id: string; title: string }[];
  diagnosis: DiagnosisChoices | null;
  hintCount: number;
  initialHints: string[];
  /** The diagnoses and updates already sent, read on the server: shown before the first poll. */
  initialInput: SessionEvent[];
  /** The emergency timeline's budgets, announced in the briefing. */
  budgets: TimelineBudget[];
  /** Someone else's session: the console shows the read-only mirror. */
  watching?: boolean;
  /** In a team session, what this member's role lets them do (lib/auth/team.ts); all by default. */
  can?: { check?: boolean; hint?: boolean; diagnose?: boolean; update?: boolean; end?: boolean };
}) {
  const router = useRouter();
  const { session, setSession, events, now, refresh, final } = useSessionPoll(initial);
  const [goals, setGoals] = useState<GoalReport | null>(null);
  const { busy, error, setError, run } = useActionRunner<NonNullable<Busy>>();
  const [hints, setHints] = useState<string[]>(initialHints);
  const [coachStep, setCoachStep] = useState<string | null>(null);
  const [tab, setTab] = useState<TabId>('briefing');
  const [panelOpen, setPanelOpen] = useState(true);
  const selectedTab = useRef<HTMLButtonElement | null>(null);
  const panelToggle = useRef<HTMLButtonElement | null>(null);

  // An error from before the session ended (a late hint, say) means nothing afterwards.
  useEffect(() => {
    if (final) setError(null);
  }, [final]);

  const started = Date.parse(session.createdAt);
  const stopped = session.endedAt ? Date.parse(session.endedAt) : now;
  const ready = session.status === 'ready';
  const lastCheck = useLastCheck(events, goals, started);
  // The session clock starts at ready (lib/display/clock.ts); before that it shows 0:00.
  const zero = clockZero(session);
  const elapsedMs = zero === null ? 0 : Math.max(0, sessionClock(stopped - started, zero));
  const elapsed = formatClock(elapsedMs);
  const submitted = useMemo(() => submittedInput(events.length > 0 ? events : initialInput), [events, initialInput]);

  const checkGoals = () =>
    run('check', async () => {
      setGoals(await api<GoalReport>(`/api/sessions/${session.id}/check`, { method: 'POST' }));
      setPanelOpen(true);
      setTab('goals');
      await refresh();
      router.refresh();
    });

  const end = () =>
    run('end', async () => {
      setSession(await api<SessionView>(`/api/sessions/${session.id}`, { method: 'DELETE' }));
      await refresh();
      router.refresh();
    });

  const takeHint = () =>
    run('hint', async () => {
      const { text } = await api<{ text: string }>(`/api/sessions/${session.id}/hints`, { method: 'POST' });
      setHints((old) => [...old, text]);
    });

  // Coach mode only: the next protocol step, asked for (never pushed), read from the log now.
  const askCoach = () =>
    run('coach', async () => {
      const { step } = await api<{ step: { text: string } | null }>(`/api/sessions/${session.id}/hints`);
      setCoachStep(step?.text ?? 'You have taken every step of the protocol so far: carry on.');
    });

  const leaveTerminal = useCallback(() => {
    (selectedTab.current ?? panelToggle.current)?.focus();
  }, []);

  const tabs: TabDef<TabId>[] = [
    { id: 'briefing', label: 'Briefing', content: <BriefingTab briefing={briefing} budgets={budgets} services={session.services} final={final} /> },
    { id: 'customers', label: 'Customers', content: <CustomerChart sessionId={session.id} events={events} zero={zero} live={!final} elapsedMs={elapsedMs} budgets={budgets} /> },
    {
      id: 'goals',
      label: 'Goals',
      badge: lastCheck ? `${lastCheck.passed}/${lastCheck.total}` : undefined,
      content: <GoalsTab goalTitles={goalTitles} lastCheck={lastCheck} zero={zero} ready={ready} />,
    },
    {
      id: 'hints',
      label: 'Hints',
      badge: hints.length > 0 ? `${hints.length}/${hintCount}` : undefined,
      content: <HintsTab hints={hints} hintCount={hintCount} ready={ready && !watching && can.hint !== false} busy={busy !== null} taking={busy === 'hint'} onTake={() => void takeHint()} coach={session.coach && !watching ? { step: coachStep, asking: busy === 'coach', onAsk: () => void askCoach() } : null} />,
    },
    {
      id: 'diagnosis',
      label: 'Diagnosis',
      content: (
        <DiagnosisTab
          sessionId={session.id}
          spec={diagnosis}
          events={events}
          submitted={submitted}
          zero={zero}
          ready={ready}
          watching={watching || (can.diagnose === false && can.update === false)}
          parts={{ diagnosis: can.diagnose !== false, update: can.update !== false }}
          final={final}
          onSubmitted={() => void refresh()}
        />
      ),
    },
    { id: 'timeline', label: 'Timeline', content: <TimelineTab events={events} zero={zero} visible={tab === 'timeline' && panelOpen} /> },
  ];

  return (
    <div className="workspace-page">
      <div className="session-head">
        <h1>{title}</h1>
        <div className="session-controls">
          <span aria-live="polite" className="row" style={{ gap: 8 }}>
            <span className={`status ${session.status}`} data-testid="session-status">
              {session.status}
            </span>
          </span>
          <span className="mono timer" title="Session time: the clock starts when the session is ready" data-testid="session-timer" data-since={session.readyAt ?? undefined} suppressHydrationWarning>
            {elapsed}
          </span>
          <button
            ref={panelToggle}
            className="secondary"
            aria-controls="session-side"
            aria-expanded={panelOpen}
            onClick={() => setPanelOpen((o) => !o)}
            title={panelOpen ? 'Give the terminal the whole width' : 'Show the briefing, goals, hints, diagnosis and timeline'}
          >
            {panelOpen ? 'Hide panel' : 'Show panel'}
          </button>
          {/* Only the learner works in their session: a watcher gets no buttons that would answer 403. */}
          {!watching && (
            <>
              {can.check !== false && (
                <button onClick={() => void checkGoals()} disabled={!ready || busy !== null}>
                  {busy === 'check' ? 'Checking…' : 'Check goals'}
                </button>
              )}
              {can.end !== false && (
                <button className="danger" onClick={() => void end()} disabled={final || busy !== null}>
                  {busy === 'end' ? 'Ending…' : 'End session'}
                </button>
              )}
            </>
          )}
        </div>
      </div>
      {session.statusDetail && session.status !== 'ended' && (
        <p className={session.status === 'failed' ? 'notice error' : 'notice'}>{session.statusDetail}</p>
      )}
      {error && (
        <p className="notice error" role="alert">
          {error}
        </p>
      )}
      <InjectBanner events={events} readyAt={session.readyAt} createdAt={session.createdAt} />

      <div className={`workspace ${panelOpen ? '' : 'panel-hidden'}`}>
        <aside className="panel side" id="session-side" aria-label="Session notes" hidden={!panelOpen}>
          <Tabs
            tabs={tabs}
            selected={tab}
            onSelect={setTab}
            label="Session"
            idPrefix="session"
            tabRef={(el) => {
              selectedTab.current = el;
            }}
          />
        </aside>
        <section className="console-area" aria-label="Console">
          <ConsoleArea session={session} events={events} elapsed={elapsed} onLeave={leaveTerminal} watching={watching} />
        </section>
      </div>
    </div>
  );
}
