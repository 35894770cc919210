'use client';

import { useEffect, useLayoutEffect, useRef } from 'react';
import type { SessionEvent } from '@/lib/audit/events';
import { formatClock, sessionClock } from '@/lib/display/clock';
import { describeEvent } from '@/lib/display/describe';

/** The event log, oldest first, following the newest entry unless the reader scrolled up. */
/** zero: the session clock's zero; what happened before ready shows a negative time. */
export function TimelineTab({ events, zero, visible }: { events: SessionEvent[]; zero: number | null; visible: boolean }) {
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
            <span className="t">{formatClock(sessionClock(e.t, zero))}</span>
            <span>{describeEvent(e)}</span>
          </li>
        ))}
      </ol>
    </>
  );
}
