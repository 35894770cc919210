'use client';

/**
 * Plays a session's terminal recording with asciinema-player (ESM-only and touches `window`:
 * imported inside the effect). Play/pause, speed, skipping long pauses, seeking on the
 * player's progress bar, and a list of the session's events that seeks to each one. Events
 * are also markers on the progress bar; they are inserted into the recording data itself so
 * they stay on their moment when pauses are skipped (lib/terminal/markers.ts).
 */
import 'asciinema-player/dist/bundle/asciinema-player.css';
import type { Player } from 'asciinema-player';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { SessionEvent } from '@/lib/audit/events';
import { formatClock } from '@/lib/display/clock';
import { eventMarkers, mergeMarkerLines, recordingInfo, type ReplayMarker } from '@/lib/terminal/markers';
import { api, apiFetch } from '@/app/_lib/api';
import styles from './terminal.module.css';

const SPEEDS = [0.5, 1, 2, 4, 8] as const;
const IDLE_LIMIT_S = 2;

interface Loaded {
  text: string;
  info: NonNullable<ReturnType<typeof recordingInfo>>;
  markers: ReplayMarker[];
}

/** startAtSessionMs: open at this moment of the session (ms since it was created), e.g. from a report citation. */
export function ReplayPlayer({ sessionId, createdAt, startAtSessionMs }: { sessionId: string; createdAt: string; startAtSessionMs?: number }) {
  const hostRef = useRef<HTMLDivElement>(null);
  const playerRef = useRef<Player | null>(null);
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [speed, setSpeed] = useState<number>(1);
  const [skipIdle, setSkipIdle] = useState(true);
  const [playing, setPlaying] = useState(false);
  const resume = useRef<{ at: number; play: boolean }>({ at: 0, play: false });

  // Load the recording and the event log once.
  useEffect(() => {
    let cancelled = false;
    void (async () => {
      try {
        const [rec, ev] = await Promise.all([
          apiFetch(`/api/sessions/${sessionId}/recording`),
          api<{ events: SessionEvent[] }>(`/api/sessions/${sessionId}/events`).catch(() => ({ events: [] })),
        ]);
        const text = await rec.text();
        const info = recordingInfo(text);
        if (!info) throw new Error('the recording is not an asciicast v2 file');
        const events = ev.events;
        const markers = eventMarkers(events, { recordingStartMs: info.startMs, sessionCreatedMs: Date.parse(createdAt), durationSeconds: info.duration });
        if (startAtSessionMs !== undefined) {
          const at = (Date.parse(createdAt) + startAtSessionMs - info.startMs) / 1000;
          resume.current = { at: Math.max(0, Math.min(info.duration, at)), play: false };
        }
        if (!cancelled) setLoaded({ text, info, markers });
      } catch (err) {
        if (!cancelled) setError((err as Error).message);
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [sessionId, createdAt, startAtSessionMs]);

  const data = useMemo(() => (loaded ? mergeMarkerLines(loaded.text, loaded.markers) : null), [loaded]);

  // (Re)create the player when the data, speed or idle setting change, keeping the position.
  useEffect(() => {
    const host = hostRef.current;
    if (!data || !loaded || !host) return;
    let disposed = false;
    void (async () => {
      const AsciinemaPlayer = await import('asciinema-player');
      if (disposed) return;
      const { at, play } = resume.current;
      const player = AsciinemaPlayer.create({ data }, host, {
        cols: loaded.info.cols,
        rows: loaded.info.rows,
        speed,
        idleTimeLimit: skipIdle ? IDLE_LIMIT_S : undefined,
        startAt: at,
        autoPlay: play,
        // The host has a height (the window's, within limits): the whole player, controls
        // included, stays on screen whatever the recording's size.
        fit: 'both',
        controls: true,
        terminalFontFamily: "ui-monospace, 'SFMono-Regular', Menlo, Consolas, 'DejaVu Sans Mono', monospace",
      });
      player.addEventListener('play', () => setPlaying(true));
      player.addEventListener('playing', () => setPlaying(true));
      player.addEventListener('pause', () => setPlaying(false));
      player.addEventListener('ended', () => setPlaying(false));
      playerRef.current = player;
    })();
    return () => {
      disposed = true;
      // The controls that re-create the player set `resume` first (position and play state).
      playerRef.current?.dispose();
      playerRef.current = null;
      setPlaying(false);
    };
  }, [data, loaded, speed, skipIdle]);

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
      </div>
      <aside aria-label="Playback and session events" className={styles.aside}>
        <div className={styles.controls}>
          <button onClick={toggle} disabled={!loaded} data-testid="replay-toggle" className={styles.toggle}>
            {playing ? 'Pause' : 'Play'}
          </button>
          {loaded && <span className="lead" style={{ margin: 0 }}>recorded: {formatClock(loaded.info.duration * 1000)}</span>}
        </div>
        <div className={styles.controls}>
          <span className={styles.speeds} role="group" aria-label="Speed">
            {SPEEDS.map((s) => (
              <button
                key={s}
                className={`secondary ${styles.small} ${s === speed ? styles.active : ''}`}
                aria-pressed={s === speed}
                onClick={() => {
                  resume.current = { at: playerRef.current?.getCurrentTime() ?? 0, play: playing };
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
              resume.current = { at: 0, play: playing };
              setSkipIdle(e.target.checked);
            }}
          />
          skip pauses longer than {IDLE_LIMIT_S} s
        </label>
        <h2 className={styles.eventsHead}>Events</h2>
        <p className="lead small">Also markers on the progress bar. Click one to jump there.</p>
        {loaded && loaded.markers.length === 0 && <p className="lead">No events during the recording.</p>}
        <ol className={styles.events} data-testid="replay-events">
          {loaded?.markers.map((m, i) => (
            <li key={`${m.eventId ?? 'm'}-${i}`}>
              <button onClick={() => seekTo(i)} title="Jump here">
                <span className={styles.t}>{formatClock(m.time * 1000)}</span>
                <span className={styles[`kind_${m.kind}`] ?? ''}>{m.label}</span>
              </button>
            </li>
          ))}
        </ol>
      </aside>
    </div>
  );
}
