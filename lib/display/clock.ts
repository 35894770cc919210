/**
 * Durations as the learner reads them: "0:07", "12:34", "1:02:03". One formatter for the
 * session page, the report, the replay and the scoring notes, so the same moment is written
 * the same way everywhere. Whole seconds are cut, not rounded (a stopwatch never shows a
 * second that has not passed); times before zero keep their sign.
 */
export function formatClock(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  const sign = ms < 0 ? '-' : '';
  const s = Math.floor(Math.abs(ms) / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${sign}${h}:${String(m).padStart(2, '0')}:${ss}` : `${sign}${m}:${ss}`;
}
