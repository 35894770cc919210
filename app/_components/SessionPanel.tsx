'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useRef, useState } from 'react';
import { DiagnosisForm, type DiagnosisSpecView } from './DiagnosisForm';
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

interface GoalReport {
  checkedAt: string;
  passed: number;
  total: number;
  results: { id: string; title: string; pass: boolean; evidence: string }[];
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

const FINAL = new Set(['ended', 'failed']);

function clock(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
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
    default:
      return e.kind;
  }
}

/** Live status, timer, goal checks, timeline and the End action for one session. */
export function SessionPanel({ initial, diagnosis, hintCount, initialHints }: { initial: SessionView; diagnosis: DiagnosisSpecView | null; hintCount: number; initialHints: string[] }) {
  const router = useRouter();
  const [session, setSession] = useState(initial);
  const [now, setNow] = useState(() => Date.now());
  const [goals, setGoals] = useState<GoalReport | null>(null);
  const [events, setEvents] = useState<EventView[]>([]);
  const [busy, setBusy] = useState<null | 'check' | 'end'>(null);
  const [error, setError] = useState<string | null>(null);
  const lastEvent = useRef(0);
  const [hints, setHints] = useState<string[]>(initialHints);

  const refresh = useCallback(async () => {
    const [s, ev] = await Promise.all([
      fetch(`/api/sessions/${initial.id}`, { cache: 'no-store' }),
      fetch(`/api/sessions/${initial.id}/events?after=${lastEvent.current}`, { cache: 'no-store' }),
    ]);
    if (s.ok) setSession((await s.json()) as SessionView);
    if (ev.ok) {
      const { events: fresh } = (await ev.json()) as { events: EventView[] };
      if (fresh.length) {
        lastEvent.current = fresh[fresh.length - 1]!.id;
        setEvents((old) => [...old, ...fresh]);
      }
    }
  }, [initial.id]);

  useEffect(() => {
    void refresh();
    const poll = setInterval(() => void refresh().catch(() => {}), 1500);
    const tick = setInterval(() => setNow(Date.now()), 1000);
    return () => {
      clearInterval(poll);
      clearInterval(tick);
    };
  }, [refresh]);

  const final = FINAL.has(session.status);
  const started = Date.parse(session.createdAt);
  const stopped = session.endedAt ? Date.parse(session.endedAt) : now;

  async function act(kind: 'check' | 'end') {
    setBusy(kind);
    setError(null);
    try {
      const res = await fetch(kind === 'check' ? `/api/sessions/${session.id}/check` : `/api/sessions/${session.id}`, {
        method: kind === 'check' ? 'POST' : 'DELETE',
      });
      const body = (await res.json()) as GoalReport & SessionView & { error?: { message: string } };
      if (!res.ok) throw new Error(body.error?.message ?? `HTTP ${res.status}`);
      if (kind === 'check') setGoals(body);
      else setSession(body);
      await refresh();
      router.refresh();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(null);
    }
  }

  return (
    <div className="panel" aria-live="polite">
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <div className="row">
          <span className={`status ${session.status}`} data-testid="session-status">
            {session.status}
          </span>
          <span className="mono" title="Time since the session started" data-testid="session-timer">
            {clock(stopped - started)}
          </span>
        </div>
        <div className="row">
          <button onClick={() => act('check')} disabled={session.status !== 'ready' || busy !== null}>
            {busy === 'check' ? 'Checking…' : 'Check goals'}
          </button>
          <button className="danger" onClick={() => act('end')} disabled={final || busy !== null}>
            {busy === 'end' ? 'Ending…' : 'End session'}
          </button>
        </div>
      </div>
      {session.statusDetail && <p className={session.status === 'failed' ? 'error' : 'lead'}>{session.statusDetail}</p>}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {session.status === 'provisioning' || session.status === 'creating' ? (
        <p className="lead">Starting the containers and breaking them on purpose… this takes a few seconds.</p>
      ) : null}

      <h2>Containers</h2>
      {session.services.length === 0 ? (
        <p className="lead">None yet.</p>
      ) : (
        <table>
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

      <h2>Terminal</h2>
      {session.terminal ? (
        <Terminal sessionId={session.id} token={session.terminal.token} active={session.status === 'ready'} />
      ) : (
        <div className="placeholder">
          {final ? (
            <>
              The session is over. <Link href={`/sessions/${session.id}/replay`}>Watch the replay</Link>
              {session.hasReport && (
                <>
                  {' '}or <Link href={`/sessions/${session.id}/report`}>read your report</Link>
                </>
              )}
              .
            </>
          ) : (
            'The console opens when the session is ready.'
          )}
        </div>
      )}

      {session.status === 'ready' && hintCount > 0 && (
        <>
          <h2>Hints</h2>
          <ol data-testid="hints">
            {hints.map((h, i) => (
              <li key={i}>{h}</li>
            ))}
          </ol>
          {hints.length < hintCount && (
            <button
              className="secondary"
              onClick={async () => {
                const res = await fetch(`/api/sessions/${session.id}/hints`, { method: 'POST' });
                const body = (await res.json()) as { text?: string; error?: { message: string } };
                if (res.ok && body.text) setHints((old) => [...old, body.text as string]);
                else setError(body.error?.message ?? `HTTP ${res.status}`);
              }}
            >
              Show a hint ({hintCount - hints.length} left; taking one is noted in your report)
            </button>
          )}
        </>
      )}

      {session.status === 'ready' && diagnosis && (
        <DiagnosisForm sessionId={session.id} spec={diagnosis} events={events} describe={describe} onSubmitted={() => void refresh()} />
      )}

      {goals && (
        <>
          <h2>
            Goals: {goals.passed}/{goals.total} met
          </h2>
          <ul className="goals" data-testid="goals">
            {goals.results.map((g) => (
              <li key={g.id}>
                <strong className={g.pass ? 'pass' : 'fail'}>{g.pass ? '✔' : '✖'}</strong> {g.title}
                <div className="lead" style={{ margin: 0 }}>
                  {g.evidence}
                </div>
              </li>
            ))}
          </ul>
        </>
      )}

      <h2>Timeline</h2>
      <ol className="timeline" data-testid="timeline">
        {events.map((e) => (
          <li key={e.id}>
            <span className="t">{clock(e.t)}</span>
            <span>{describe(e)}</span>
          </li>
        ))}
      </ol>
    </div>
  );
}
