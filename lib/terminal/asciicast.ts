/**
 * asciicast v2 (https://docs.asciinema.org/manual/asciicast/v2/): one JSON header line, then
 * one JSON array per event: `[seconds, code, data]`, code "o" (output), "i" (input), "r"
 * (resize, data "COLSxROWS") or "m" (marker). Pure: callers pass times and get lines back;
 * the file I/O lives in server/terminal/recording.ts.
 *
 * Two layers:
 *   - AsciicastRecorder makes single lines (header, output, input, resize, marker);
 *   - AsciicastStream sits on top: it takes wall-clock milliseconds, keeps time monotonic,
 *     merges output chunks that arrive within a few milliseconds into one event (a busy
 *     program emits thousands of small reads; one event per read only bloats the file), caps
 *     the recorded output, and hands back pending lines when the writer drains it.
 */

export const ASCIICAST_VERSION = 2;

export interface AsciicastHeader {
  version: 2;
  width: number;
  height: number;
  /** Unix time (whole seconds) of t = 0. */
  timestamp: number;
  env?: Record<string, string>;
  title?: string;
}

export type AsciicastCode = 'o' | 'i' | 'r' | 'm';
export type AsciicastEvent = [time: number, code: AsciicastCode, data: string];

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Replaces unpaired UTF-16 surrogates with U+FFFD. JSON.stringify escapes them (\udXXX), which
 * is valid JSON, but readers that decode to UTF-8 (Python's asciinema) then fail to print them.
 */
export function wellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, '\uFFFD');
}

/** Seconds with microsecond precision, as asciinema writes them. */
export function formatTime(seconds: number): number {
  return Math.round(Math.max(0, seconds) * 1e6) / 1e6;
}

/**
 * Makes asciicast lines. Each method returns one line without the trailing newline.
 * JSON.stringify does the escaping: every control character below U+0020 becomes \n, \r, \t,
 * \b, \f or \u00XX, quotes and backslashes are escaped, everything else stays literal UTF-8.
 */
export class AsciicastRecorder {
  header(width: number, height: number, timestamp: number, env: Record<string, string> = {}, title?: string): string {
    const header: AsciicastHeader = {
      version: ASCIICAST_VERSION,
      width: clampSize(width, 80),
      height: clampSize(height, 24),
      timestamp: Math.floor(timestamp),
      ...(Object.keys(env).length ? { env } : {}),
      ...(title ? { title: wellFormed(title) } : {}),
    };
    return JSON.stringify(header);
  }

  event(t: number, code: AsciicastCode, data: string): string {
    return JSON.stringify([formatTime(t), code, wellFormed(data)]);
  }

  output(t: number, text: string): string {
    return this.event(t, 'o', text);
  }

  input(t: number, text: string): string {
    return this.event(t, 'i', text);
  }

  resize(t: number, cols: number, rows: number): string {
    return this.event(t, 'r', `${clampSize(cols, 80)}x${clampSize(rows, 24)}`);
  }

  marker(t: number, label: string): string {
    return this.event(t, 'm', label);
  }
}

function clampSize(n: number, fallback: number): number {
  return Number.isInteger(n) && n > 0 && n <= 10_000 ? n : fallback;
}

/** Parses a header line; null when it is not an asciicast v2 header. */
export function parseAsciicastHeader(line: string): AsciicastHeader | null {
  try {
    const h = JSON.parse(line) as Partial<AsciicastHeader> | null;
    if (!h || typeof h !== 'object' || h.version !== 2) return null;
    if (typeof h.width !== 'number' || typeof h.height !== 'number') return null;
    return { ...h, version: 2, width: h.width, height: h.height, timestamp: typeof h.timestamp === 'number' ? h.timestamp : 0 };
  } catch {
    return null;
  }
}

/** Parses one event line; null for anything that is not `[number, code, string]`. */
export function parseAsciicastEvent(line: string): AsciicastEvent | null {
  try {
    const e = JSON.parse(line) as unknown;
    if (!Array.isArray(e) || e.length !== 3) return null;
    const [t, code, data] = e as unknown[];
    if (typeof t !== 'number' || !Number.isFinite(t) || typeof data !== 'string') return null;
    if (code !== 'o' && code !== 'i' && code !== 'r' && code !== 'm') return null;
    return [t, code, data];
  } catch {
    return null;
  }
}

export interface AsciicastStreamOptions {
  /** Wall-clock ms of the recording's t = 0; rounded down to a whole second (the header's unit). */
  startMs: number;
  /** Output chunks closer together than this are merged into one event (default 10 ms). */
  mergeWindowMs?: number;
  /** Output characters recorded at most; after that one notice is recorded and output is dropped. */
  maxOutputChars?: number;
}

export const OUTPUT_LIMIT_NOTICE = '\r\n[sickbay: the recording reached its output limit; later output is not recorded]\r\n';

/**
 * A recording in progress, in memory until drained. Times are wall-clock milliseconds; the
 * stream keeps event times non-decreasing even if the clock steps back.
 */
export class AsciicastStream {
  readonly startMs: number;
  private readonly rec = new AsciicastRecorder();
  private readonly mergeWindowMs: number;
  private readonly maxOutputChars: number;
  private pending: string[] = [];
  private open: { t: number; text: string } | null = null;
  private lastT = 0;
  private outputChars = 0;
  private limited = false;

  constructor(options: AsciicastStreamOptions) {
    this.startMs = Math.floor(options.startMs / 1000) * 1000;
    this.mergeWindowMs = options.mergeWindowMs ?? 10;
    this.maxOutputChars = options.maxOutputChars ?? Number.POSITIVE_INFINITY;
  }

  /** The header line for a new file (its timestamp is startMs in seconds). */
  header(width: number, height: number, env: Record<string, string> = {}, title?: string): string {
    return this.rec.header(width, height, this.startMs / 1000, env, title);
  }

  /** Seconds since t = 0 for a wall-clock time, never earlier than the last event. */
  private time(nowMs: number): number {
    const t = Math.max(this.lastT, (nowMs - this.startMs) / 1000);
    this.lastT = t;
    return t;
  }

  private closeOutput(): void {
    if (!this.open) return;
    this.pending.push(this.rec.output(this.open.t, this.open.text));
    this.open = null;
  }

  output(nowMs: number, text: string): void {
    if (!text || this.limited) return;
    if (this.outputChars + text.length > this.maxOutputChars) {
      this.limited = true;
      this.closeOutput();
      this.pending.push(this.rec.output(this.time(nowMs), OUTPUT_LIMIT_NOTICE));
      return;
    }
    this.outputChars += text.length;
    const t = this.time(nowMs);
    if (this.open && (t - this.open.t) * 1000 <= this.mergeWindowMs + 1e-6) {
      this.open.text += text;
      return;
    }
    this.closeOutput();
    this.open = { t, text };
  }

  input(nowMs: number, text: string): void {
    if (!text) return;
    this.closeOutput();
    this.pending.push(this.rec.input(this.time(nowMs), text));
  }

  resize(nowMs: number, cols: number, rows: number): void {
    this.closeOutput();
    this.pending.push(this.rec.resize(this.time(nowMs), cols, rows));
  }

  marker(nowMs: number, label: string): void {
    this.closeOutput();
    this.pending.push(this.rec.marker(this.time(nowMs), label));
  }

  /** True once output was cut by maxOutputChars. */
  get outputLimited(): boolean {
    return this.limited;
  }

  /** Characters of pending (not yet drained) text, to decide when to flush early. */
  get pendingSize(): number {
    let n = this.open?.text.length ?? 0;
    for (const l of this.pending) n += l.length;
    return n;
  }

  /** Everything not yet written, as newline-terminated lines ('' when nothing is pending). */
  drain(): string {
    this.closeOutput();
    if (this.pending.length === 0) return '';
    const text = `${this.pending.join('\n')}\n`;
    this.pending = [];
    return text;
  }

  /** Continues a recording whose last event was at `seconds` (reopening an existing file). */
  resumeAt(seconds: number): void {
    this.lastT = Math.max(this.lastT, seconds);
  }
}
