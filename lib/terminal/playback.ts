/**
 * The player's time line against the recording's. Asked to skip pauses longer than
 * `idleLimit` seconds, asciinema-player shortens every such pause to the limit and moves all
 * later events back by the difference; its clock, its seek positions and its duration are in
 * that shortened time. This mirrors the player's rule (a pause counts from the previous event,
 * the first one from t = 0), so the replay page can show the session clock for the player's
 * position and seek to a moment of the session.
 */

export interface PlaybackMap {
  /** Each event's time in the recording (seconds since its header timestamp), ascending. */
  recording: number[];
  /** The same events' times on the player's clock. */
  player: number[];
}

const LEADING_TIME = /^\[\s*(-?[0-9.]+(?:[eE][+-]?\d+)?)\s*,/;

/** The map for an asciicast v2 text (markers included: the player limits pauses before them too). */
export function playbackMap(castText: string, idleLimit?: number): PlaybackMap {
  const limit = idleLimit === undefined ? Number.POSITIVE_INFINITY : idleLimit;
  const recording: number[] = [];
  const player: number[] = [];
  let previous = 0;
  let shift = 0;
  for (const line of castText.split('\n').slice(1)) {
    const t = Number(LEADING_TIME.exec(line)?.[1] ?? Number.NaN);
    if (!Number.isFinite(t)) continue;
    const excess = t - previous - limit;
    previous = t;
    if (excess > 0) shift += excess;
    recording.push(t);
    player.push(t - shift);
  }
  return { recording, player };
}

/** Index of the last entry <= x in an ascending list, -1 when there is none. */
function lastAtOrBefore(list: readonly number[], x: number): number {
  let lo = 0;
  let hi = list.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((list[mid] as number) <= x) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** The recording time shown at a position of the player's clock. */
export function recordingTimeAt(map: PlaybackMap, playerSeconds: number): number {
  const i = lastAtOrBefore(map.player, playerSeconds);
  if (i === -1) return Math.max(0, playerSeconds);
  const at = (map.recording[i] as number) + (playerSeconds - (map.player[i] as number));
  // Inside a shortened pause the next event comes sooner than the recording says: never past it.
  return i + 1 < map.recording.length ? Math.min(at, map.recording[i + 1] as number) : at;
}

/** The player's clock at a moment of the recording (a moment inside a long pause maps to its shortened part). */
export function playerTimeAt(map: PlaybackMap, recordingSeconds: number): number {
  const i = lastAtOrBefore(map.recording, recordingSeconds);
  if (i === -1) return Math.max(0, Math.min(recordingSeconds, map.player[0] ?? recordingSeconds));
  const at = (map.player[i] as number) + (recordingSeconds - (map.recording[i] as number));
  return i + 1 < map.player.length ? Math.min(at, map.player[i + 1] as number) : at;
}
