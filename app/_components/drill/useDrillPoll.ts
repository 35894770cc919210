'use client';

import { useEffect, useState } from 'react';
import { api } from '@/app/_lib/api';

/** Well within the board's 2 s: a change shows on the next poll. */
export const DRILL_POLL_MS = 1000;

/** Follows /api/drills/[id] (the whole answer) while the drill is not over, one request at a time. */
export function useDrillPoll<R extends { drill: { phase: string } }>(id: string, initial: R): R {
  const [state, setState] = useState(initial);
  const over = state.drill.phase === 'over';
  useEffect(() => {
    if (over) return;
    let busy = false;
    const timer = setInterval(() => {
      if (busy) return;
      busy = true;
      api<R>(`/api/drills/${id}`)
        .then(setState)
        .catch(() => {})
        .finally(() => {
          busy = false;
        });
    }, DRILL_POLL_MS);
    return () => clearInterval(timer);
  }, [id, over]);
  return state;
}
