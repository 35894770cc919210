/**
 * A session's append-only event log (table events). `t` is counted from the session's creation,
 * so every event of a session sits on the same clock however it was recorded.
 */
import type { SessionEvent, SessionEventInput } from '@/lib/audit/events';
import { SickbayError } from '@/lib/errors';
import type { Db } from './db';

interface EventRow {
  id: number;
  session_id: string;
  t: number;
  at: number;
  kind: string;
  data: string;
}

const toEvent = (r: EventRow): SessionEvent => ({ ...(JSON.parse(r.data) as object), kind: r.kind, id: r.id, sessionId: r.session_id, t: r.t, at: r.at }) as SessionEvent;

export function appendEvent(db: Db, sessionId: string, body: SessionEventInput, now: number): SessionEvent {
  const session = db.prepare('SELECT created_at FROM sessions WHERE id = ?').get(sessionId) as { created_at: number } | undefined;
  if (!session) throw new SickbayError('not_found', `no session ${sessionId}`);
  const { kind, ...data } = body;
  const t = Math.max(0, now - session.created_at);
  const info = db.prepare('INSERT INTO events (session_id, t, at, kind, data) VALUES (?, ?, ?, ?, ?)').run(sessionId, t, now, kind, JSON.stringify(data));
  return { ...body, id: Number(info.lastInsertRowid), sessionId, t, at: now } as SessionEvent;
}

export function listEvents(db: Db, sessionId: string, afterId = 0): SessionEvent[] {
  const rows = db.prepare('SELECT * FROM events WHERE session_id = ? AND id > ? ORDER BY id').all(sessionId, afterId) as EventRow[];
  return rows.map(toEvent);
}

/** One kind of a session's events (a read on every poll need not parse the whole log). */
export function listEventsOfKind<K extends SessionEvent['kind']>(db: Db, sessionId: string, kind: K): Extract<SessionEvent, { kind: K }>[] {
  const rows = db.prepare('SELECT * FROM events WHERE session_id = ? AND kind = ? ORDER BY id').all(sessionId, kind) as EventRow[];
  return rows.map(toEvent) as Extract<SessionEvent, { kind: K }>[];
}
