'use client';

/**
 * Plays a session's terminal recording with asciinema-player (ESM-only and touches `window`:
 * imported inside the effect). Play/pause, speed, skipping long pauses, a seek bar, and a list
 * of the session's events that seeks to each one. Events are inserted into the recording data
 * as markers so they stay on their moment when pauses are skipped (lib/terminal/markers.ts).
 *
 * Every time shown is on the session clock (from ready), as on the session page and in the
 * report. The player's own control bar counts in shortened time when pauses are skipped, so it
 * is off; ReplayBar shows the position instead, mapped back through lib/terminal/playback.ts.
 */
import 'asciinema-player/dist/bundle/asciinema-player.css';
import type { Player } from 'asciinema-player';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { SessionEvent } from '@/lib/audit/events';
import type { ReplayAnnotation } from '@/lib/interviews/rubric';
import { clockZero, formatClock, sessionClock } from '@/lib/display/clock';
import { eventMarkers, mergeMarkerLines, recordingInfo, type ReplayMarker } from '@/lib/terminal/markers';
import { playbackMap, playerTimeAt, recordingTimeAt } from '@/lib/terminal/playback';
import { api, apiFetch } from '@/app/_lib/api';
import { ReplayBar } from './ReplayBar';
import styles from './terminal.module.css';

const SPEEDS = [0.5, 1, 2, 4, 8] as const;
const IDLE_LIMIT_S = 2;
const POSITION_POLL_MS = 250;

interface Loaded {
  text: string;
  info: NonNullable<ReturnType<typeof recordingInfo>>;
  markers: ReplayMarker[];
  /** Stored `t` (ms since creation) of each marked event. */
  eventT: Map<number, number>;
}

/**
 * startAt: open at this moment of the session clock (ms since ready), e.g. from a report citation.
 */
export function ReplayPlayer({
  sessionId,
  createdAt,
  readyAt,
  startAt,
  annotations,
}: {
  sessionId: string;
  createdAt: string;
  readyAt: string | null;
  startAt?: number;
  /** Interviewers' notes and overrides, shown beside the events (interviewers' replay only). */
  annotations?: ReplayAnnotation[];
}) {
  const hostRef = useRef<HTMLDivElement>(null);
  const playerRef = useRef<Player | null>(null);
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [speed, setSpeed] = useState<number>(1);
  const [skipIdle, setSkipIdle] = useState(true);
  const [playing, setPlaying] = useState(false);
  /** Seconds into the recording (real time, not the player's shortened time). */
  const [position, setPosition] = useState(0);
  const positionRef = useRef(0);
  const playingRef = useRef(false);
  const moveTo = useCallback((seconds: number) => {
    positionRef.current = seconds;
    setPosition(seconds);
  }, []);
  /** Where a (re)created player starts, in recording seconds, and whether it plays. */
  const resume = useRef<{ at: number; play: boolean }>({ at: 0, play: false });
  const zero = clockZero({ createdAt, readyAt });
  const createdMs = Date.parse(createdAt);

  // Load the recording and the event log once.
  useEffect(() => {
    let cancelled = false;
    void (async () => {
      try {
        const [rec, ev] = await Promise.all([
          apiFetch(`/api/sessions/${sessionId}/recording`),
          api<{ events: SessionEvent[] }>(`/api/sessions/${sessionId}/events`).catch(() => ({ events: [] as SessionEvent[] })),
        ]);
        const text = await rec.text();
        const info = recordingInfo(text);
        if (!info) throw new Error('the recording is not an asciicast v2 file');
        const extra = (annotations ?? []).map((a) => ({
          time: Math.max(0, Math.min(info.duration, (createdMs + (zero ?? 0) + a.atMs - info.startMs) / 1000)),
          label: a.label,
          kind: a.kind,
        }));
        const markers = [...eventMarkers(ev.events, { recordingStartMs: info.startMs, sessionCreatedMs: createdMs, durationSeconds: info.duration }), ...extra].sort(
          (a, b) => a.time - b.time,
        );
        if (startAt !== undefined) {
          const at = (createdMs + startAt + (zero ?? 0) - info.startMs) / 1000;
          resume.current = { at: Math.max(0, Math.min(info.duration, at)), play: false };
          moveTo(resume.current.at);
        }
        if (!cancelled) setLoaded({ text, info, markers, eventT: new Map(ev.events.map((e) => [e.id, e.t])) });
      } catch (err) {
        if (!cancelled) setError((err as Error).message);
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [sessionId, createdMs, zero, startAt, moveTo, annotations]);

  const data = useMemo(() => (loaded ? mergeMarkerLines(loaded.text, loaded.markers) : null), [loaded]);
  const map = useMemo(() => (data ? playbackMap(data, skipIdle ? IDLE_LIMIT_S : undefined) : null), [data, skipIdle]);

  /** Seconds into the recording -> ms on the session clock (through the stored-t convention). */
  const clock = useCallback(
    (seconds: number) => (loaded ? sessionClock(loaded.info.startMs + seconds * 1000 - createdMs, zero) : 0),
    [loaded, createdMs, zero],
  );
  /** An event's time on the session clock, exactly as the report computes it. */
  const eventClock = (m: ReplayMarker) => {
    const t = m.eventId === undefined ? undefined : loaded?.eventT.get(m.eventId);
    return t === undefined ? clock(m.time) : sessionClock(t, zero);
  };

  // (Re)create the player when the data, speed or idle setting change, keeping the position.
  useEffect(() => {
    const host = hostRef.current;
    if (!data || !loaded || !map || !host) return;
    let disposed = false;
    let poll: ReturnType<typeof setInterval> | undefined;
    void (async () => {
      const AsciinemaPlayer = await import('asciinema-player');
      if (disposed) return;
      const { at, play } = resume.current;
      const player = AsciinemaPlayer.create({ data }, host, {
        cols: loaded.info.cols,
        rows: loaded.info.rows,
        speed,
        idleTimeLimit: skipIdle ? IDLE_LIMIT_S : undefined,
        startAt: at, // recording time: the player shortens pauses after reading it
        autoPlay: play,
        // The host has a height (the window's, within limits): the whole player stays on
        // screen whatever the recording's size.
        fit: 'both',
        controls: false,
        terminalFontFamily: "ui-monospace, 'SFMono-Regular', Menlo, Consolas, 'DejaVu Sans Mono', monospace",
      });
      // The player's clock means something only once it has started (before that it may say 0
      // while it is about to start at `startAt`): follow it while it plays, and where it stops.
      const follow = () => {
        const t = player.getCurrentTime();
        if (typeof t === 'number' && Number.isFinite(t)) moveTo(recordingTimeAt(map, t));
      };
      const running = (on: boolean) => () => {
        if (!on && playingRef.current) follow();
        playingRef.current = on;
        setPlaying(on);
      };
      player.addEventListener('play', running(true));
      player.addEventListener('playing', running(true));
      player.addEventListener('pause', running(false));
      player.addEventListener('ended', running(false));
      playerRef.current = player;
      poll = setInterval(() => {
        if (playingRef.current) follow();
      }, POSITION_POLL_MS);
    })();
    return () => {
      disposed = true;
      clearInterval(poll);
      // The controls that re-create the player set `resume` first (position and play state).
      playerRef.current?.dispose();
      playerRef.current = null;
      playingRef.current = false;
      setPlaying(false);
    };
  }, [data, loaded, map, speed, skipIdle, moveTo]);

  /** The current position in recording seconds, for a player about to be re-created. */
  const here = () => positionRef.current;

  const toggle = () => {
    const p = playerRef.current;
    if (!p) {
      // Between two players (a speed or idle change re-creates it): the next one starts playing.
      resume.current = { ...resume.current, play: !resume.current.play };
      setPlaying(resume.current.play);
      return;
    }
    void (playing ? p.pause() : p.play());
  };

  const seekTo = (index: number) => {
    const p = playerRef.current;
    if (!p) return;
    // Markers are in the data, so {marker: i} lands right even with pauses skipped.
    void p.seek({ marker: index }).then(() => p.play());
  };

  const seekRecording = (seconds: number) => {
    moveTo(seconds);
    const p = playerRef.current;
    if (p && map) void p.seek(playerTimeAt(map, seconds));
    else resume.current = { ...resume.current, at: seconds };
  };

  if (error) {
    return (
      <p className="lead" role="alert" data-testid="replay-error">
        No replay: {error}
      </p>
    );
  }

  return (
    <div className={styles.replay}>
      <div className={styles.player}>
        <div ref={hostRef} className={styles.playerHost} data-testid="replay-player">
          {!loaded && <p className={`lead ${styles.loading}`}>Loading the recording…</p>}
        </div>
        {loaded && <ReplayBar position={position} duration={loaded.info.duration} markers={loaded.markers} clock={clock} onSeek={seekRecording} />}
      </div>
      <aside aria-label="Playback and session events" className={styles.aside}>
        <div className={styles.controls}>
          <button onClick={toggle} disabled={!loaded} data-testid="replay-toggle" className={styles.toggle}>
            {playing ? 'Pause' : 'Play'}
          </button>
          {loaded && (
            <span className="lead" style={{ margin: 0 }}>
              recorded: {formatClock(loaded.info.duration * 1000)}
            </span>
          )}
        </div>
        <div className={styles.controls}>
          <span className={styles.speeds} role="group" aria-label="Speed">
            {SPEEDS.map((s) => (
              <button
                key={s}
                className={`secondary ${styles.small} ${s === speed ? styles.active : ''}`}
                aria-pressed={s === speed}
                onClick={() => {
                  resume.current = { at: here(), play: playing };
                  setSpeed(s);
                }}
              >
                {s}×
              </button>
            ))}
          </span>
        </div>
        <label className={`row ${styles.controls}`} style={{ gap: 6 }}>
          <input
            type="checkbox"
            checked={skipIdle}
            onChange={(e) => {
              resume.current = { at: here(), play: playing };
              setSkipIdle(e.target.checked);
            }}
          />
          skip pauses longer than {IDLE_LIMIT_S} s
        </label>
        <h2 className={styles.eventsHead}>Events</h2>
        <p className="lead small">On the session clock, as in the report; also ticks on the seek bar. Click one to jump there.</p>
        {loaded && loaded.markers.length === 0 && <p className="lead">No events during the recording.</p>}
        <ol className={styles.events} data-testid="replay-events">
          {loaded?.markers.map((m, i) => (
            <li key={`${m.eventId ?? 'm'}-${i}`} data-event={m.eventId} data-kind={m.kind}>
              <button onClick={() => seekTo(i)} title="Jump here">
                <span className={styles.t}>{formatClock(eventClock(m))}</span>
                <span className={styles[`kind_${m.kind}`] ?? ''}>{m.label}</span>
              </button>
            </li>
          ))}
        </ol>
      </aside>
    </div>
  );
}
