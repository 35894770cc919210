'use client';

import { formatClock } from '@/lib/display/clock';
import type { ReplayMarker } from '@/lib/terminal/markers';
import styles from './terminal.module.css';

/**
 * The replay's position on the session clock: a slider over the whole recording in real time
 * (a skipped pause is a jump, not a shorter stretch), the session's events as ticks on it, and
 * the time as the report and the session page write it. `clock` turns seconds into the
 * recording into ms on the session clock.
 */
export function ReplayBar({
  position,
  duration,
  markers,
  clock,
  onSeek,
}: {
  /** Seconds into the recording. */
  position: number;
  duration: number;
  markers: ReplayMarker[];
  clock: (recordingSeconds: number) => number;
  onSeek: (recordingSeconds: number) => void;
}) {
  const now = formatClock(clock(position));
  const end = formatClock(clock(duration));
  const pct = (s: number) => `${duration > 0 ? Math.min(100, (s / duration) * 100) : 0}%`;
  return (
    <div className={styles.seekbar}>
      <span className={styles.clock} title="Session time: the clock starts when the session is ready">
        <span data-testid="replay-clock">{now}</span> / {end}
      </span>
      <span className={styles.track}>
        <input
          type="range"
          min={0}
          max={duration}
          step={0.1}
          value={Math.min(position, duration)}
          aria-label="Position in the session"
          aria-valuetext={`${now} of ${end}, session time`}
          onChange={(e) => onSeek(Number(e.target.value))}
        />
        {markers.map((m, i) => (
          <span key={`${m.eventId ?? 'm'}-${i}`} className={styles.tick} style={{ left: pct(m.time) }} title={`${formatClock(clock(m.time))} ${m.label}`} aria-hidden="true" />
        ))}
      </span>
    </div>
  );
}
