/**
 * Replay markers: where in a recording the session's events happened, with a short label.
 * The recording's t = 0 is its header timestamp; events carry wall-clock `at` (epoch ms) or,
 * failing that, `t` (ms since the session was created).
 */
import type { SessionEventBody } from '../audit/events';
import { describeShort } from '../display/describe';

/** A session event as the replay needs it (the API's events; `at` and `id` when known). */
export type MarkerEvent = SessionEventBody & { id?: number; t: number; at?: number };

export interface ReplayMarker {
  /** Seconds into the recording. */
  time: number;
  label: string;
  kind: string;
  eventId?: number;
}

/** A one-line label for an event; null for events not worth a marker. */
export function markerLabel(e: SessionEventBody): string | null {
  if (e.kind === 'provision') return null;
  if (e.kind === 'terminal' && e.action === 'resize') return null;
  if (e.kind === 'typed' && !e.line) return null;
  return describeShort(e);
}

/**
 * Markers for the events inside [0, durationSeconds] of a recording that started at
 * recordingStartMs. At most `limit` markers (the player's progress bar gets crowded).
 */
export function eventMarkers(
  events: readonly MarkerEvent[],
  options: { recordingStartMs: number; sessionCreatedMs: number; durationSeconds?: number; limit?: number },
): ReplayMarker[] {
  const limit = options.limit ?? 500;
  const out: ReplayMarker[] = [];
  for (const e of events) {
    const label = markerLabel(e);
    if (label === null) continue;
    const at = typeof e.at === 'number' ? e.at : options.sessionCreatedMs + e.t;
    const time = (at - options.recordingStartMs) / 1000;
    if (time < 0) continue;
    if (options.durationSeconds !== undefined && time > options.durationSeconds + 1) continue;
    out.push({ time: Math.round(time * 1000) / 1000, label, kind: e.kind, ...(typeof e.id === 'number' ? { eventId: e.id } : {}) });
    if (out.length >= limit) break;
  }
  return out.sort((a, b) => a.time - b.time);
}

/** Duration and start of an asciicast v2 text (header timestamp, last event time). */
export function recordingInfo(text: string): { startMs: number; cols: number; rows: number; duration: number } | null {
  const nl = text.indexOf('\n');
  const headerLine = nl === -1 ? text : text.slice(0, nl);
  let header: { version?: unknown; width?: unknown; height?: unknown; timestamp?: unknown };
  try {
    header = JSON.parse(headerLine) as typeof header;
  } catch {
    return null;
  }
  if (header.version !== 2) return null;
  let duration = 0;
  const trimmed = text.trimEnd();
  const lastNl = trimmed.lastIndexOf('\n');
  if (lastNl > 0) {
    try {
      const last = JSON.parse(trimmed.slice(lastNl + 1)) as unknown[];
      if (typeof last[0] === 'number') duration = last[0];
    } catch {
      /* a torn last line: duration stays 0 */
    }
  }
  return {
    startMs: typeof header.timestamp === 'number' ? header.timestamp * 1000 : 0,
    cols: typeof header.width === 'number' ? header.width : 80,
    rows: typeof header.height === 'number' ? header.height : 24,
    duration,
  };
}

const LEADING_TIME = /^\[\s*(-?[0-9.]+(?:[eE][+-]?\d+)?)\s*,/;

/**
 * The recording with the markers inserted as asciicast "m" events, in time order. Why in the
 * data and not the player's `markers` option: the player applies its idle-time limit to the
 * recording's own events, but adds option markers afterwards, in uncompressed time; markers in
 * the data move with the compression and stay on their event.
 */
export function mergeMarkerLines(castText: string, markers: readonly ReplayMarker[]): string {
  const lines = castText.split('\n');
  const out: string[] = [lines[0] ?? ''];
  const sorted = [...markers].sort((a, b) => a.time - b.time);
  let m = 0;
  for (const line of lines.slice(1)) {
    if (!line) continue;
    const t = Number(LEADING_TIME.exec(line)?.[1] ?? Number.NaN);
    while (m < sorted.length && Number.isFinite(t) && (sorted[m] as ReplayMarker).time <= t) {
      const mk = sorted[m++] as ReplayMarker;
      out.push(JSON.stringify([mk.time, 'm', mk.label]));
    }
    out.push(line);
  }
  while (m < sorted.length) {
    const mk = sorted[m++] as ReplayMarker;
    out.push(JSON.stringify([mk.time, 'm', mk.label]));
  }
  return `${out.join('\n')}\n`;
}
