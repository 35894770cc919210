'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import type { SessionEvent } from '@/lib/audit/events';
import { isFinal } from '@/lib/lifecycle/status';
import type { SessionView } from '@/server/engine/views';
import { api } from '@/app/_lib/api';

const POLL_MS = 1500;

/**
 * Follows a session: its view and its event log (fetched incrementally with `after=`), every
 * 1.5 s while it is live, plus a one-second tick for the timer. Stops once the session is over.
 */
export function useSessionPoll(initial: SessionView) {
  const [session, setSession] = useState(initial);
  const [events, setEvents] = useState<SessionEvent[]>([]);
  const [now, setNow] = useState(() => Date.now());
  const lastEvent = useRef(0);
  const inFlight = useRef<Promise<void> | null>(null);
  const id = initial.id;

  const refresh = useCallback((): Promise<void> => {
    // One refresh at a time: two overlapping ones would both ask for `after=N` and append the
    // same events twice.
    if (inFlight.current) return inFlight.current;
    const run = (async () => {
      const [view, log] = await Promise.allSettled([
        api<SessionView>(`/api/sessions/${id}`),
        api<{ events: SessionEvent[] }>(`/api/sessions/${id}/events?after=${lastEvent.current}`),
      ]);
      if (view.status === 'fulfilled') setSession(view.value);
      if (log.status === 'fulfilled' && log.value.events.length) {
        const fresh = log.value.events;
        lastEvent.current = Math.max(lastEvent.current, fresh[fresh.length - 1]!.id);
        setEvents((old) => {
          const seen = new Set(old.map((e) => e.id));
          const add = fresh.filter((e) => !seen.has(e.id));
          return add.length ? [...old, ...add] : old;
        });
      }
    })().finally(() => {
      inFlight.current = null;
    });
    inFlight.current = run;
    return run;
  }, [id]);

  const final = isFinal(session.status);
  useEffect(() => {
    void refresh().catch(() => {});
    // Once the session is over nothing changes any more: stop polling.
    if (final) return;
    const poll = setInterval(() => void refresh().catch(() => {}), POLL_MS);
    const tick = setInterval(() => setNow(Date.now()), 1000);
    return () => {
      clearInterval(poll);
      clearInterval(tick);
    };
  }, [refresh, final]);

  return { session, setSession, events, now, refresh, final };
}
