/**
 * What a client was told was saved, written down before a kill and checked after the restart:
 * every event the API returned (committed: the API reads the store), every report it served,
 * the recording's bytes as served (complete lines only), and the marker lines the terminal
 * showed with the moment they showed. After the restart none of it may be missing or changed,
 * except the recording's last quarter-second (docs/security.md, "Reliability").
 */
import type { FaultLab } from './lab';

interface EventLike {
  id: number;
  kind: string;
  t: number;
  at: number;
  [k: string]: unknown;
}

/** Fault events are shown redacted while a session is live: compare what never changes. */
function canonical(e: EventLike): string {
  if (e.kind === 'fault') return JSON.stringify({ id: e.id, kind: e.kind, t: e.t, at: e.at, ms: e.ms });
  const sorted = Object.fromEntries(Object.entries(e).sort(([a], [b]) => a.localeCompare(b)));
  return JSON.stringify(sorted);
}

export interface Loss {
  session: string;
  what: string;
}

export interface RecordingCheck {
  /** Markers the client saw and the recording kept / lost. */
  kept: number;
  lost: number;
  /** kill time minus when the oldest lost marker was seen (ms); 0 when nothing was lost. */
  windowMs: number;
}

export class Ledger {
  private readonly events = new Map<string, Map<number, string>>();
  private readonly reports = new Map<string, string>();
  private readonly recordings = new Map<string, Buffer>();
  /** session -> marker -> when the client saw it (epoch ms). */
  private readonly markers = new Map<string, Map<string, number>>();

  sessions(): string[] {
    return [...new Set([...this.events.keys(), ...this.reports.keys(), ...this.recordings.keys()])];
  }

  noteEvents(session: string, events: readonly EventLike[]): void {
    const m = this.events.get(session) ?? new Map<number, string>();
    for (const e of events) m.set(e.id, canonical(e));
    this.events.set(session, m);
  }

  /** The last lifecycle status among the events noted for the session. */
  lastStatus(session: string): string | null {
    let last: string | null = null;
    for (const text of this.events.get(session)?.values() ?? []) {
      const e = JSON.parse(text) as { kind: string; status?: string };
      if (e.kind === 'lifecycle' && e.status) last = e.status;
    }
    return last;
  }

  noteReport(session: string, report: unknown): void {
    this.reports.set(session, JSON.stringify(report));
  }

  noteRecording(session: string, bytes: Buffer): void {
    const old = this.recordings.get(session);
    if (!old || bytes.length >= old.length) this.recordings.set(session, bytes);
  }

  noteMarker(session: string, marker: string, seenAt: number): void {
    const m = this.markers.get(session) ?? new Map<string, number>();
    m.set(marker, seenAt);
    this.markers.set(session, m);
  }

  /** Reads what the session has now through the API, as a client would (committed state only). */
  async capture(lab: FaultLab, session: string): Promise<void> {
    const ev = await lab.api<{ events: EventLike[] }>('GET', `/api/sessions/${session}/events`);
    if (ev.status === 200) this.noteEvents(session, ev.body.events);
    const rec = await fetch(`${lab.url}/api/sessions/${session}/recording`, { signal: AbortSignal.timeout(30_000) });
    if (rec.status === 200) this.noteRecording(session, Buffer.from(await rec.arrayBuffer()));
  }

  /** After the restart: everything noted must still be there, byte for byte. */
  async verify(lab: FaultLab, killedAt: number): Promise<{ losses: Loss[]; recording: RecordingCheck }> {
    const losses: Loss[] = [];
    const recording: RecordingCheck = { kept: 0, lost: 0, windowMs: 0 };
    for (const session of this.sessions()) {
      const noted = this.events.get(session);
      if (noted?.size) {
        const res = await lab.api<{ events: EventLike[] }>('GET', `/api/sessions/${session}/events`);
        const now = new Map((res.status === 200 ? res.body.events : []).map((e) => [e.id, canonical(e)]));
        for (const [id, text] of noted) {
          if (!now.has(id)) losses.push({ session, what: `event ${id} is gone (${text.slice(0, 120)})` });
          else if (now.get(id) !== text) losses.push({ session, what: `event ${id} changed: ${text.slice(0, 120)} -> ${(now.get(id) ?? '').slice(0, 120)}` });
        }
      }
      const report = this.reports.get(session);
      if (report !== undefined) {
        const res = await lab.api('GET', `/api/sessions/${session}/report`);
        if (res.status !== 200) losses.push({ session, what: `its report is gone (${res.status})` });
        else if (JSON.stringify(res.body) !== report) losses.push({ session, what: 'its report changed' });
      }
      const before = this.recordings.get(session);
      const marks = this.markers.get(session);
      if (before || marks?.size) {
        const res = await fetch(`${lab.url}/api/sessions/${session}/recording`, { signal: AbortSignal.timeout(30_000) });
        const after = res.status === 200 ? Buffer.from(await res.arrayBuffer()) : Buffer.alloc(0);
        if (before && !after.subarray(0, before.length).equals(before)) {
          losses.push({ session, what: `the recording lost bytes it had served (${before.length} served before, ${after.length} now, not a prefix)` });
        }
        const text = after.toString('utf8');
        let oldestLost = Infinity;
        for (const [marker, seenAt] of marks ?? []) {
          if (text.includes(marker)) recording.kept++;
          else {
            recording.lost++;
            oldestLost = Math.min(oldestLost, seenAt);
          }
        }
        if (Number.isFinite(oldestLost)) recording.windowMs = Math.max(recording.windowMs, killedAt - oldestLost);
      }
    }
    return { losses, recording };
  }

  /** Forget sessions once verified (the next kill notes its own). */
  clear(): void {
    this.events.clear();
    this.reports.clear();
    this.recordings.clear();
    this.markers.clear();
  }
}
