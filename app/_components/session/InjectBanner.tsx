'use client';

import type { SessionEvent } from '@/lib/audit/events';
import { formatClock } from '@/lib/display/clock';

const KIND_TEXT = { 'stakeholder-update': 'Stakeholder', decision: 'Decision wanted', info: 'News' } as const;

/**
 * A drill's injects (server/engine/injects.ts) as they arrive: the newest in full, the earlier
 * ones as a short list. They come in through the session's event log, which the page polls.
 */
export function InjectBanner({ events, readyAt, createdAt }: { events: SessionEvent[]; readyAt: string | null; createdAt: string }) {
  const injects = events.filter((e): e is Extract<SessionEvent, { kind: 'inject' }> => e.kind === 'inject');
  const latest = injects[injects.length - 1];
  if (!latest) return null;
  const zero = readyAt ? Date.parse(readyAt) - Date.parse(createdAt) : 0;
  return (
    <div className="notice inject" role="status" aria-live="polite" data-testid="inject-banner" data-inject={latest.inject}>
      <strong>
        {KIND_TEXT[latest.injectKind]} at {formatClock(Math.max(0, latest.t - zero))}
        {latest.prompts !== 'everyone' && ` — for the team’s ${latest.prompts}`}:
      </strong>{' '}
      {latest.text}
      {injects.length > 1 && (
        <ul className="meta">
          {injects.slice(0, -1).map((e) => (
            <li key={e.id}>{e.text}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
