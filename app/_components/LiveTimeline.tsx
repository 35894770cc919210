'use client';

import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { formatClock } from '@/lib/display/clock';
import { budgetState } from '@/lib/interviews/live';
import type { LiveView } from '@/server/interviews/live';
import { api } from '@/app/_lib/api';
import styles from './live-timeline.module.css';
import { ErrorNote } from '@/app/_components/ErrorNote';

const POLL_MS = 1000;

type Entries = LiveView['entries'];

/**
 * A watcher's live, risk-tagged timeline of one session: every typed command and Docker call
 * as it happens, tagged by its protocol tier (colour, icon and label), the emergency
 * timeline's milestones ticking from ready, and the last goal check. It polls
 * /api/sessions/:id/live (the stored log), never the learner's terminal socket.
 *
 * Props: `sessionId` (the session to follow); `pollMs` (how often to ask, default 1 s).
 */
export function LiveTimeline({ sessionId, pollMs = POLL_MS }: { sessionId: string; pollMs?: number }) {
  const [live, setLive] = useState<Omit<LiveView, 'entries'> | null>(null);
  const [entries, setEntries] = useState<Entries>([]);
  const [error, setError] = useState<string | null>(null);
  // The session clock as the server last said it, and when: the budgets tick on locally.
  const [base, setBase] = useState<{ elapsed: number; at: number } | null>(null);
  const [now, setNow] = useState(() => Date.now());
  const lastId = useRef(0);
  const listRef = useRef<HTMLOListElement>(null);
  const follow = useRef(true);

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const poll = async () => {
      try {
        const view = await api<LiveView>(`/api/sessions/${sessionId}/live?after=${lastId.current}`);
        if (stopped) return;
        lastId.current = Math.max(lastId.current, view.lastId);
        const { entries: fresh, ...rest } = view;
        setLive(rest);
        setBase(view.elapsedMs === null ? null : { elapsed: view.elapsedMs, at: Date.now() });
        if (fresh.length) setEntries((old) => [...old, ...fresh.filter((e) => !old.some((o) => o.id === e.id))]);
        setError(null);
        if (view.endedAt) return; // over: nothing changes any more
      } catch (err) {
        if (!stopped) setError((err as Error).message);
      }
      if (!stopped) timer = setTimeout(() => void poll(), pollMs);
    };
    void poll();
    const tick = setInterval(() => setNow(Date.now()), 1000);
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      clearInterval(tick);
    };
  }, [sessionId, pollMs]);

  useLayoutEffect(() => {
    const list = listRef.current;
    if (list && follow.current) list.scrollTop = list.scrollHeight;
  }, [entries.length]);

  const elapsed = base === null ? null : base.elapsed + (live?.endedAt ? 0 : Math.max(0, now - base.at));

  return (
    <section className={styles.live} data-testid="live-timeline" aria-label="Live timeline">
      <h2>Live timeline</h2>
      <ErrorNote error={error} block />
      <p className="meta">
        <span className="status">{live?.status ?? '…'}</span>
        <span className={styles.clock} data-testid="live-clock">
          {elapsed === null ? 'not ready yet' : formatClock(elapsed)}
        </span>
        <span data-testid="live-goals" className={styles.goals}>
          {live?.goals ? `goals ${live.goals.passed}/${live.goals.total} met at ${formatClock(live.goals.t)}${live.goals.final ? ' (final)' : ''}` : 'goals not checked yet'}
        </span>
      </p>
      <ol className={styles.budgets} data-testid="live-budgets">
        {(live?.budgets ?? []).map((b) => {
          const state = elapsed === null && b.atMs === null ? 'running' : budgetState(b, elapsed ?? 0);
          const left = elapsed === null ? b.budgetMs : b.budgetMs - elapsed;
          return (
            <li key={b.name} className={styles.budget} data-state={state}>
              <span>{b.name}</span>
              <span className={styles.clock}>
                {state === 'met' && `✓ at ${formatClock(b.atMs ?? 0)} (budget ${formatClock(b.budgetMs)})`}
                {state === 'late' && `✗ late, at ${formatClock(b.atMs ?? 0)} (budget ${formatClock(b.budgetMs)})`}
                {state === 'running' && `⏱ ${formatClock(left)} left`}
                {state === 'overdue' && `✗ overdue by ${formatClock(-left)}`}
              </span>
            </li>
          );
        })}
      </ol>
      <ol
        className={styles.entries}
        data-testid="live-entries"
        ref={listRef}
        onScroll={(e) => {
          const el = e.currentTarget;
          follow.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
        }}
      >
        {entries.length === 0 && <li className="muted">No commands yet.</li>}
        {entries.map((e) => (
          <li key={e.id} className={`${styles.entry} ${styles[e.tag.tone] ?? ''}`} data-tier={e.tag.tier} data-event={e.id}>
            <span className={styles.clock}>{formatClock(e.t)}</span>
            <span className={`${styles.tag} ${styles[e.tag.tone] ?? ''}`} title={e.tag.label}>
              <span aria-hidden="true">{e.tag.icon}</span> {e.tag.label}
            </span>
            <span className={`${styles.text} ${e.refused ? styles.refused : ''}`}>
              {e.target ? `[${e.target}] ` : ''}
              {e.text}
              {e.refused ? ' (refused)' : ''}
            </span>
            <span className={styles.summary}>{e.summary}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}
