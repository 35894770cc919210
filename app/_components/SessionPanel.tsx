'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { DiagnosisForm, type DiagnosisSpecView } from './DiagnosisForm';
import { Tabs, type TabDef } from './Tabs';
import { Terminal } from './Terminal';

interface SessionView {
  id: string;
  scenario: string;
  status: string;
  statusDetail: string | null;
  createdAt: string;
  readyAt: string | null;
  endedAt: string | null;
  services: { name: string; container: string }[];
  terminal: { path: string; token: string } | null;
  hasReport: boolean;
}

interface GoalResult {
  id: string;
  title: string;
  pass: boolean;
  evidence: string;
}

interface GoalReport {
  checkedAt: string;
  passed: number;
  total: number;
  results: GoalResult[];
}

interface EventView {
  id: number;
  t: number;
  kind: string;
  status?: string;
  phase?: string;
  ms?: number;
  title?: string;
  detail?: string;
  passed?: number;
  total?: number;
  results?: GoalResult[];
  final?: boolean;
  action?: string;
  target?: string;
  command?: string[];
  allowed?: boolean;
  reason?: string;
  line?: string;
  where?: string;
  approximate?: boolean;
  category?: string;
  decision?: string;
  text?: string;
  index?: number;
}

type TabId = 'briefing' | 'goals' | 'hints' | 'diagnosis' | 'timeline';

const FINAL = new Set(['ended', 'failed']);
const STARTING = new Set(['creating', 'provisioning']);

function clock(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

function describe(e: EventView): string {
  switch (e.kind) {
    case 'lifecycle':
      return `session ${e.status}${e.detail ? ` — ${e.detail}` : ''}`;
    case 'provision':
      return `${e.phase} done in ${e.ms} ms${e.detail ? ` (${e.detail})` : ''}`;
    case 'fault':
      return `fault injected: ${e.title}`; // hidden (generic) while the session is live
    case 'goals':
      return `goals checked: ${e.passed}/${e.total} met`;
    case 'docker':
      return `docker ${e.action}${e.target ? ` ${e.target}` : ''}${e.command ? `: ${e.command.join(' ')}` : ''}${e.allowed === false ? ` — refused (${e.reason ?? 'not allowed'})` : ''}`;
    case 'typed':
      return `${e.where === 'exec' ? `typed in ${e.target ?? 'a container'}` : 'typed'}: ${e.line}${e.approximate ? ' (approximate)' : ''}`;
    case 'terminal':
      return `terminal ${e.action}`;
    case 'diagnosis':
      return `diagnosis submitted (${e.category}, decision: ${e.decision})`;
    case 'update':
      return 'stakeholder update written';
    case 'hint':
      return `hint ${(e.index ?? 0) + 1} taken`;
    case 'limit':
      return e.detail ?? 'a limit of the lab was reached';
    default:
      return e.kind;
  }
}

/**
 * The session workspace: a header with the status, timer and actions; the terminal (wide, as
 * tall as the window); beside it a tabbed panel with the briefing, goals, hints, diagnosis and
 * timeline. The panel can be hidden to give the terminal the whole width.
 */
export function SessionPanel({
  initial,
  title,
  briefing,
  goalTitles,
  diagnosis,
  hintCount,
  initialHints,
}: {
  initial: SessionView;
  title: string;
  /** The scenario's briefing, rendered on the server. */
  briefing: ReactNode;
  goalTitles: { id: string; title: string }[];
  diagnosis: DiagnosisSpecView | null;
  hintCount: number;
  initialHints: string[];
}) {
  const router = useRouter();
  const [session, setSession] = useState(initial);
  const [now, setNow] = useState(() => Date.now());
  const [goals, setGoals] = useState<GoalReport | null>(null);
  const [events, setEvents] = useState<EventView[]>([]);
  const [busy, setBusy] = useState<null | 'check' | 'end' | 'hint'>(null);
  const [error, setError] = useState<string | null>(null);
  const [hints, setHints] = useState<string[]>(initialHints);
  const [tab, setTab] = useState<TabId>('briefing');
  const [panelOpen, setPanelOpen] = useState(true);
  const lastEvent = useRef(0);
  const inFlight = useRef<Promise<void> | null>(null);
  const selectedTab = useRef<HTMLButtonElement | null>(null);
  const panelToggle = useRef<HTMLButtonElement | null>(null);

  const refresh = useCallback((): Promise<void> => {
    // One refresh at a time: two overlapping ones would both ask for `after=N` and append the
    // same events twice.
    if (inFlight.current) return inFlight.current;
    const run = (async () => {
      const [s, ev] = await Promise.all([
        fetch(`/api/sessions/${initial.id}`, { cache: 'no-store' }),
        fetch(`/api/sessions/${initial.id}/events?after=${lastEvent.current}`, { cache: 'no-store' }),
      ]);
      if (s.ok) setSession((await s.json()) as SessionView);
      if (ev.ok) {
        const { events: fresh } = (await ev.json()) as { events: EventView[] };
        if (fresh.length) {
          lastEvent.current = Math.max(lastEvent.current, fresh[fresh.length - 1]!.id);
          setEvents((old) => {
            const seen = new Set(old.map((e) => e.id));
            const add = fresh.filter((e) => !seen.has(e.id));
            return add.length ? [...old, ...add] : old;
          });
        }
      }
    })().finally(() => {
      inFlight.current = null;
    });
    inFlight.current = run;
    return run;
  }, [initial.id]);

  const final = FINAL.has(session.status);
  useEffect(() => {
    void refresh().catch(() => {});
    // Once the session is over nothing changes any more: stop polling.
    if (final) return;
    const poll = setInterval(() => void refresh().catch(() => {}), 1500);
    const tick = setInterval(() => setNow(Date.now()), 1000);
    return () => {
      clearInterval(poll);
      clearInterval(tick);
    };
  }, [refresh, final]);

  // An error from before the session ended (a late hint, say) means nothing afterwards.
  useEffect(() => {
    if (final) setError(null);
  }, [final]);

  const started = Date.parse(session.createdAt);
  const stopped = session.endedAt ? Date.parse(session.endedAt) : now;
  const ready = session.status === 'ready';

  const lastCheck = useMemo<(GoalReport & { at: number; final: boolean }) | null>(() => {
    const fromLog = events.findLast((e) => e.kind === 'goals' && Array.isArray(e.results));
    const local = goals ? { ...goals, at: Date.parse(goals.checkedAt) - started, final: false } : null;
    const logged = fromLog
      ? { checkedAt: '', passed: fromLog.passed ?? 0, total: fromLog.total ?? 0, results: fromLog.results ?? [], at: fromLog.t, final: fromLog.final === true }
      : null;
    if (local && logged) return logged.at > local.at + 1000 ? logged : local;
    return local ?? logged;
  }, [events, goals, started]);

  async function act(kind: 'check' | 'end') {
    setBusy(kind);
    setError(null);
    try {
      const res = await fetch(kind === 'check' ? `/api/sessions/${session.id}/check` : `/api/sessions/${session.id}`, {
        method: kind === 'check' ? 'POST' : 'DELETE',
      });
      const body = (await res.json()) as GoalReport & SessionView & { error?: { message: string } };
      if (!res.ok) throw new Error(body.error?.message ?? `HTTP ${res.status}`);
      if (kind === 'check') {
        setGoals(body);
        setPanelOpen(true);
        setTab('goals');
      } else setSession(body);
      await refresh();
      router.refresh();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(null);
    }
  }

  async function takeHint() {
    setBusy('hint');
    setError(null);
    try {
      const res = await fetch(`/api/sessions/${session.id}/hints`, { method: 'POST' });
      const body = (await res.json()) as { text?: string; error?: { message: string } };
      if (res.ok && body.text) setHints((old) => [...old, body.text as string]);
      else setError(body.error?.message ?? `HTTP ${res.status}`);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(null);
    }
  }

  const leaveTerminal = useCallback(() => {
    (selectedTab.current ?? panelToggle.current)?.focus();
  }, []);

  const provisioning = events.filter((e) => e.kind === 'provision' || e.kind === 'fault');

  const tabs: TabDef<TabId>[] = [
    {
      id: 'briefing',
      label: 'Briefing',
      content: (
        <>
          <section className="briefing" aria-label="Briefing">
            {briefing ?? <p className="lead">This scenario has no briefing.</p>}
          </section>
          <h2>Your containers</h2>
          {session.services.length === 0 ? (
            <p className="lead small">None yet.</p>
          ) : (
            <table className="compact">
              <thead>
                <tr>
                  <th>Service</th>
                  <th>Container name</th>
                </tr>
              </thead>
              <tbody>
                {session.services.map((s) => (
                  <tr key={s.name}>
                    <td>{s.name}</td>
                    <td className="mono">{s.container}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {final && session.services.length > 0 && <p className="lead small">These containers were removed when the session ended.</p>}
        </>
      ),
    },
    {
      id: 'goals',
      label: 'Goals',
      badge: lastCheck ? `${lastCheck.passed}/${lastCheck.total}` : undefined,
      content: (
        <>
          <h2>{lastCheck ? `Goals: ${lastCheck.passed}/${lastCheck.total} met` : 'Goals'}</h2>
          <p className="lead small">
            {lastCheck
              ? lastCheck.final
                ? `The final check, at ${clock(lastCheck.at)} when the session ended.`
                : `Last checked at ${clock(lastCheck.at)} on the live containers.`
              : ready
                ? 'Not checked yet. “Check goals” tests them on the live containers; it changes nothing.'
                : 'Checked on the live containers while the session is ready.'}
          </p>
          <ul className="goals" data-testid="goals">
            {goalTitles.map((g) => {
              const r = lastCheck?.results.find((x) => x.id === g.id);
              return (
                <li key={g.id} data-goal={g.id} data-pass={r ? String(r.pass) : undefined}>
                  <strong className={r ? (r.pass ? 'pass' : 'fail') : 'na'} aria-label={r ? (r.pass ? 'met' : 'not met') : 'not checked'}>
                    {r ? (r.pass ? '✔' : '✖') : '○'}
                  </strong>{' '}
                  {g.title}
                  {r && <div className="lead small">{r.evidence}</div>}
                </li>
              );
            })}
          </ul>
        </>
      ),
    },
    {
      id: 'hints',
      label: 'Hints',
      badge: hints.length > 0 ? `${hints.length}/${hintCount}` : undefined,
      content: (
        <>
          <h2>Hints</h2>
          {hintCount === 0 ? (
            <p className="lead small">This scenario has no hints.</p>
          ) : (
            <>
              <p className="lead small">Stuck? Hints come one at a time, from a nudge to the method. Each one you take is noted in your report.</p>
              <ol className="hints" data-testid="hints">
                {hints.map((h, i) => (
                  <li key={i}>{h}</li>
                ))}
              </ol>
              {hints.length < hintCount ? (
                ready && (
                  <button className="secondary" onClick={() => void takeHint()} disabled={busy !== null}>
                    {busy === 'hint' ? 'Revealing…' : `Show hint ${hints.length + 1} of ${hintCount}`}
                  </button>
                )
              ) : (
                <p className="lead small">You have seen every hint.</p>
              )}
            </>
          )}
        </>
      ),
    },
    {
      id: 'diagnosis',
      label: 'Diagnosis',
      content:
        ready && diagnosis ? (
          <DiagnosisForm sessionId={session.id} spec={diagnosis} events={events} describe={describe} onSubmitted={() => void refresh()} />
        ) : (
          <>
            <h2>Diagnosis</h2>
            <p className="lead small">
              {!diagnosis
                ? 'This scenario asks for no diagnosis.'
                : final
                  ? 'The session is over; your last diagnosis and update are in the report.'
                  : 'You can write your diagnosis and stakeholder update once the session is ready.'}
            </p>
          </>
        ),
    },
    {
      id: 'timeline',
      label: 'Timeline',
      content: <Timeline events={events} visible={tab === 'timeline' && panelOpen} />,
    },
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
          <span className="mono timer" title="Time since the session started" data-testid="session-timer" suppressHydrationWarning>
            {clock(stopped - started)}
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
          <button onClick={() => act('check')} disabled={!ready || busy !== null}>
            {busy === 'check' ? 'Checking…' : 'Check goals'}
          </button>
          <button className="danger" onClick={() => act('end')} disabled={final || busy !== null}>
            {busy === 'end' ? 'Ending…' : 'End session'}
          </button>
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
          {ready && session.terminal ? (
            <Terminal sessionId={session.id} token={session.terminal.token} active={ready} onLeave={leaveTerminal} />
          ) : STARTING.has(session.status) ? (
            <div className="state-card" data-testid="console-state" data-state="starting">
              <div className="spinner" aria-hidden="true" />
              <h2>Setting up your incident…</h2>
              <p className="lead">Starting the containers and breaking them on purpose. This usually takes 10–30 seconds; the console opens by itself.</p>
              {provisioning.length > 0 && (
                <ol className="steps">
                  {provisioning.map((e) => (
                    <li key={e.id}>
                      <span className="pass">✔</span> {e.kind === 'fault' ? 'fault injected' : `${e.phase} (${e.ms} ms)`}
                    </li>
                  ))}
                </ol>
              )}
            </div>
          ) : session.status === 'ending' ? (
            <div className="state-card" data-testid="console-state" data-state="ending">
              <div className="spinner" aria-hidden="true" />
              <h2>Ending the session…</h2>
              <p className="lead">A final goal check on the live containers, then they are removed and your report is written.</p>
            </div>
          ) : session.status === 'ended' ? (
            <div className="state-card" data-testid="console-state" data-state="ended">
              <h2>The session is over</h2>
              <p className="lead">
                {session.statusDetail ? `${session.statusDetail[0]!.toUpperCase()}${session.statusDetail.slice(1)}` : 'Ended'} after {clock(stopped - started)}.
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
                <Link className="button secondary" href="/">
                  Start another drill
                </Link>
              </div>
            </div>
          ) : session.status === 'failed' ? (
            <div className="state-card failed" data-testid="console-state" data-state="failed">
              <h2>The session could not start</h2>
              <p className="error">{session.statusDetail ?? 'Provisioning failed.'}</p>
              <p className="lead">Its containers have been removed. The timeline shows how far it got.</p>
              <Link className="button secondary" href="/">
                Back to the scenarios
              </Link>
            </div>
          ) : (
            <div className="state-card" data-testid="console-state" data-state="unavailable">
              <h2>The console is not available</h2>
              <p className="lead">The session is ready but its console did not start. You can still check the goals and end the session.</p>
            </div>
          )}
        </section>
      </div>
    </div>
  );
}

/** The event log, oldest first, following the newest entry unless the reader scrolled up. */
function Timeline({ events, visible }: { events: EventView[]; visible: boolean }) {
  const listRef = useRef<HTMLOListElement>(null);
  const follow = useRef(true);

  useLayoutEffect(() => {
    const scroller = listRef.current?.closest('.tabpanel');
    if (visible && follow.current && scroller) scroller.scrollTop = scroller.scrollHeight;
  }, [events.length, visible]);

  useEffect(() => {
    const scroller = listRef.current?.closest('.tabpanel');
    if (!scroller) return;
    const onScroll = () => {
      follow.current = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 40;
    };
    scroller.addEventListener('scroll', onScroll);
    return () => scroller.removeEventListener('scroll', onScroll);
  }, []);

  return (
    <>
      <h2>Timeline</h2>
      <p className="lead small">Everything that happened in this session, including your Docker calls and typed commands.</p>
      <ol className="timeline" data-testid="timeline" ref={listRef}>
        {events.map((e) => (
          <li key={e.id} className={`kind-${e.kind}`}>
            <span className="t">{clock(e.t)}</span>
            <span>{describe(e)}</span>
          </li>
        ))}
      </ol>
    </>
  );
}
