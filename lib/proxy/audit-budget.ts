/**
 * What the proxy may write to a session's audit log, so a learner's loop cannot flood the
 * store (and `GET /events`) for every session: command text is cut at 4 KiB with a visible
 * marker (lib/proxy/audit.ts), refused calls beyond a rate are answered 429 and logged in
 * aggregate, and past a per-session event budget further proxy events are counted, not stored.
 * Only the proxy's own events (docker calls, lines typed inside interactive execs) pass here:
 * lifecycle, diagnosis, update and goal events are written by the engine and never counted.
 * Pure accounting with the clock passed in.
 */
import type { CoachedBody, DockerCallBody, TypedLineBody } from '../audit/events';

export type ProxyEvent = DockerCallBody | TypedLineBody | CoachedBody;

export const AUDIT_LIMITS = {
  /** Command text per event (exec and run command lines, typed lines). */
  commandChars: 4096,
  /** A refusal's reason (it can quote the learner's input). */
  reasonChars: 1024,
  /**
   * Proxy events stored per session, and their size. A learner running `watch -n1 docker ps`
   * for an hour logs about 7 200 (each CLI call pings first); a day's careful work, far fewer.
   */
  maxEvents: 20_000,
  maxBytes: 8 * 1024 ** 2,
  /** Refused calls logged one by one: a burst of this many, then one every 5 s. */
  refusalBurst: 60,
  refusalsPerSecond: 0.2,
  /**
   * A streak of refusals answered 429 is summed up in one event once it has been quiet this
   * long, and at least once a minute while it goes on (so a flood costs two events a minute).
   */
  streakQuietMs: 5_000,
  streakMaxMs: 60_000,
} as const;

export interface AuditLimits {
  commandChars: number;
  reasonChars: number;
  maxEvents: number;
  maxBytes: number;
  refusalBurst: number;
  refusalsPerSecond: number;
  streakQuietMs: number;
  streakMaxMs: number;
}

const meta = (action: string, reason: string, flags: Record<string, number | string>): DockerCallBody => ({
  kind: 'docker',
  action,
  method: '-',
  path: '-',
  allowed: false,
  status: 429,
  reason,
  flags,
});

/** "1 per second", "one every 5 s": the refusal rate in words. */
export function rateText(perSecond: number): string {
  return perSecond >= 1 ? `${perSecond} per second` : `one every ${Math.round(1 / perSecond)} s`;
}

export class AuditBudget {
  private stored = 0;
  private storedBytes = 0;
  private dropped = 0;
  private full = false;
  private tokens: number;
  private lastRefill: number | null = null;
  /** Refusals answered 429 in the current streak, by action; when it began and last grew. */
  private suppressed = new Map<string, number>();
  private streakStart = 0;
  private streakLast = 0;

  constructor(readonly limits: AuditLimits = AUDIT_LIMITS) {
    this.tokens = limits.refusalBurst;
  }

  /**
   * Whether a refused call may be answered and logged as usual (a token bucket). False: answer
   * it 429 and pass it to `suppress`; the returned events (at most one per streak) are stored.
   */
  admitRefusal(now: number): boolean {
    if (this.lastRefill !== null) this.tokens = Math.min(this.limits.refusalBurst, this.tokens + ((now - this.lastRefill) / 1000) * this.limits.refusalsPerSecond);
    this.lastRefill = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Counts a refusal that was over the rate; the first of a streak is announced once. */
  suppress(action: string, now: number): ProxyEvent[] {
    const out = this.streakDue(now) ? this.endStreak() : [];
    const first = this.suppressed.size === 0;
    if (first) this.streakStart = now;
    this.streakLast = now;
    this.suppressed.set(action, (this.suppressed.get(action) ?? 0) + 1);
    if (!first) return out;
    const r = this.limits;
    return [...out, ...this.store(meta('refusal-rate', `sickbay: more than ${r.refusalBurst} refused calls in a burst (then ${rateText(r.refusalsPerSecond)}): further refusals are answered 429 and counted, not logged one by one`, { burst: r.refusalBurst, perSecond: r.refusalsPerSecond }), true)];
  }

  /** The events to store for one proxy event (the streak's summary first, when it is due). */
  record(event: ProxyEvent, now: number): ProxyEvent[] {
    const out = this.streakDue(now) ? this.endStreak() : [];
    return [...out, ...this.store(event, false)];
  }

  private streakDue(now: number): boolean {
    return this.suppressed.size > 0 && (now - this.streakLast >= this.limits.streakQuietMs || now - this.streakStart >= this.limits.streakMaxMs);
  }

  /** At the end (the proxy closes): what is still counted and not yet said. */
  flush(): ProxyEvent[] {
    const out = this.endStreak();
    if (this.dropped > 0) {
      out.push(...this.store(meta('audit-budget', `sickbay: ${this.dropped} more proxy events of this session were counted, not stored (audit budget)`, { dropped: this.dropped }), true));
      this.dropped = 0;
    }
    return out;
  }

  get usage(): { stored: number; storedBytes: number; dropped: number; suppressed: number } {
    let suppressed = 0;
    for (const n of this.suppressed.values()) suppressed += n;
    return { stored: this.stored, storedBytes: this.storedBytes, dropped: this.dropped, suppressed };
  }

  private endStreak(): ProxyEvent[] {
    if (this.suppressed.size === 0) return [];
    let total = 0;
    const parts: string[] = [];
    for (const [action, n] of this.suppressed) {
      total += n;
      parts.push(`${action} ×${n}`);
    }
    this.suppressed = new Map();
    return this.store(meta('refusal-rate', `sickbay: ${total} refused calls were answered 429 and not logged one by one (${parts.join(', ')})`, { refused: total }), true);
  }

  /** Stores within the budget; `exempt` marks the budget's own few notices. */
  private store(event: ProxyEvent, exempt: boolean): ProxyEvent[] {
    const size = JSON.stringify(event).length;
    if (!exempt) {
      if (this.full || this.stored + 1 > this.limits.maxEvents || this.storedBytes + size > this.limits.maxBytes) {
        this.dropped += 1;
        if (this.full) return [];
        this.full = true;
        const l = this.limits;
        return [meta('audit-budget', `sickbay: this session's audit budget is reached (${l.maxEvents} proxy events or ${Math.round(l.maxBytes / 1024 ** 2)} MiB): further proxy events are counted, not stored`, { maxEvents: l.maxEvents, maxBytes: l.maxBytes })];
      }
    }
    this.stored += 1;
    this.storedBytes += size;
    return [event];
  }
}

/** Cuts text past `max` characters, saying how much was left out. */
export function capText(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}…[sickbay: ${text.length - max} more characters not logged]`;
}

/** A command line cut at `max` characters in all, with a visible marker where it was cut. */
export function capCommand(command: readonly string[], max: number = AUDIT_LIMITS.commandChars): string[] {
  const out: string[] = [];
  let used = 0;
  for (let i = 0; i < command.length; i++) {
    const arg = command[i] as string;
    if (used + arg.length <= max) {
      out.push(arg);
      used += arg.length;
      continue;
    }
    const keep = max - used;
    const rest = command.slice(i).reduce((n, a) => n + a.length, 0) - keep;
    const args = command.length - i;
    out.push(`${arg.slice(0, keep)}…[sickbay: ${rest} more characters${args > 1 ? ` in ${args} arguments` : ''} not logged]`);
    break;
  }
  return out;
}
