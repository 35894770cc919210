/**
 * Durations as the learner reads them: "0:07", "12:34", "1:02:03". One formatter for the
 * session page, the report, the replay and the scoring notes, so the same moment is written
 * the same way everywhere. Whole seconds are cut, not rounded (a stopwatch never shows a
 * second that has not passed); times before zero keep their sign.
 */
export function formatClock(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  const s = Math.floor(Math.abs(ms) / 1000);
  const sign = ms < 0 && s > 0 ? '-' : ''; // no "-0:00" for the last second before zero
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${sign}${h}:${String(m).padStart(2, '0')}:${ss}` : `${sign}${m}:${ss}`;
}

/**
 * The session clock starts when the session is ready (for a session from the pool: when it
 * was claimed); everything a learner reads is timed from there: the header timer, the
 * timeline, the goals, the report, the replay. Events keep `t` as stored, ms since the
 * session was created; these two functions convert it when it is shown.
 */

/** The session clock's zero in ms since creation; null while the session has never been ready. */
export function clockZero(session: { createdAt: string | number; readyAt: string | number | null }): number | null {
  if (session.readyAt === null) return null;
  const ms = (v: string | number) => (typeof v === 'number' ? v : Date.parse(v));
  return ms(session.readyAt) - ms(session.createdAt);
}

/** A stored time (`t`, ms since creation) on the session clock; before ready it is negative. */
export function sessionClock(t: number, zero: number | null): number {
  // A session that never became ready has no clock of its own: its times stay since creation.
  return t - (zero ?? 0);
}

/**
 * A moment on the wall clock as every page writes it, in UTC: "2026-12-06 21:49 UTC", with
 * `seconds` "2026-12-06 21:49:57 UTC" (audit entries, live sessions). Not the session clock.
 */
export function formatUtc(when: string | number, seconds = false): string {
  const d = new Date(when);
  if (Number.isNaN(d.getTime())) return '—';
  return `${d.toISOString().slice(0, seconds ? 19 : 16).replace('T', ' ')} UTC`;
}
