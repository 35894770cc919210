/**
 * Ctrl-C that answers at once, even behind a flood of output.
 *
 * A real terminal discards its pending output when ^C raises SIGINT (the line discipline flushes
 * the output queue unless NOFLSH is set). Our path has buffers the kernel cannot flush: the
 * container's pty -> containerd -> dockerd (which holds up to ~1 MB per exec) -> the docker CLI
 * -> our pty -> the WebSocket. Under `yes` about 2 MB sit in them, which a client reading
 * 1 MiB/s would need two seconds to get through before it sees the prompt.
 *
 * So when the learner types ^C while the client is behind (output paused or many bytes
 * unacknowledged), the gateway stops forwarding and reads the pty as fast as it can, dropping
 * what arrives (the recording still gets every byte), until one of:
 *   - the console's prompt marker arrives: forwarding resumes at the start of that line;
 *   - the output goes quiet for `quietMs`: the program stopped;
 *   - `maxMs` passed: the program ignores SIGINT; normal flow control takes over again.
 * The client is then told how much was skipped. The marker may arrive split across two chunks
 * (the pty hands over whatever it has), so the dropped tail of the current line is kept until the
 * next chunk: a prompt cut in two must not be dropped with the flood, or the learner's ^C would
 * seem unanswered. Pure: the caller passes times and bytes.
 */
import { PROMPT_MARKER } from './typed-lines';

export interface InterruptFlushOptions {
  quietMs?: number;
  maxMs?: number;
  marker?: string;
}

export interface FlushStep {
  /** Bytes to forward to the client (null: nothing). */
  send: Uint8Array | null;
  /** The flush ended with this step. */
  ended: boolean;
}

const NEWLINE = 0x0a;
/** The longest dropped line kept in case a marker straddles chunks (longer lines keep their end). */
const KEPT_LINE_BYTES = 4096;

function indexOfBytes(haystack: Uint8Array, needle: Uint8Array): number {
  const first = needle[0];
  outer: for (let i = haystack.indexOf(first as number); i !== -1 && i <= haystack.length - needle.length; i = haystack.indexOf(first as number, i + 1)) {
    for (let j = 1; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

export class InterruptFlush {
  private readonly quietMs: number;
  private readonly maxMs: number;
  private readonly marker: Uint8Array;
  private activeSince: number | null = null;
  private lastOutput = 0;
  /** The dropped bytes since the last newline (at most KEPT_LINE_BYTES): where a split marker begins. */
  private lineSoFar: Uint8Array = new Uint8Array(0);
  /** Bytes dropped by the current (or last) flush. */
  skipped = 0;

  constructor(options: InterruptFlushOptions = {}) {
    this.quietMs = options.quietMs ?? 100;
    this.maxMs = options.maxMs ?? 1000;
    this.marker = new TextEncoder().encode(options.marker ?? PROMPT_MARKER);
  }

  get active(): boolean {
    return this.activeSince !== null;
  }

  /** Input containing ^C while the client is behind starts a flush. */
  static wanted(input: string, backlogged: boolean): boolean {
    return backlogged && input.includes('\x03');
  }

  start(nowMs: number): void {
    if (this.activeSince === null) {
      this.skipped = 0;
      this.lineSoFar = new Uint8Array(0);
    }
    this.activeSince = nowMs;
    this.lastOutput = nowMs;
  }

  /** Output while flushing: dropped, unless it carries the prompt marker. */
  onOutput(chunk: Uint8Array, nowMs: number): FlushStep {
    if (this.activeSince === null) return { send: chunk, ended: false };
    const seen = concat(this.lineSoFar, chunk);
    const at = indexOfBytes(seen, this.marker);
    if (at !== -1) {
      const send = seen.subarray(seen.lastIndexOf(NEWLINE, at) + 1);
      // Bytes of lineSoFar sent now were counted as skipped when they arrived.
      this.skipped += chunk.length - send.length;
      this.activeSince = null;
      this.lineSoFar = new Uint8Array(0);
      return { send, ended: true };
    }
    this.skipped += chunk.length;
    const line = seen.subarray(seen.lastIndexOf(NEWLINE) + 1);
    this.lineSoFar = line.slice(Math.max(0, line.length - KEPT_LINE_BYTES));
    this.lastOutput = nowMs;
    if (nowMs - this.activeSince >= this.maxMs) return this.end();
    return { send: null, ended: false };
  }

  /** Ends the flush when the output went quiet or it ran too long. */
  poll(nowMs: number): FlushStep {
    if (this.activeSince === null) return { send: null, ended: false };
    if (nowMs - this.lastOutput >= this.quietMs || nowMs - this.activeSince >= this.maxMs) return this.end();
    return { send: null, ended: false };
  }

  /**
   * Ends without the marker: the line being written when the flush ended is given back (a
   * program's own prompt, say `>>> `), so the client's screen continues from a whole line.
   */
  private end(): FlushStep {
    const line = this.lineSoFar;
    this.activeSince = null;
    this.lineSoFar = new Uint8Array(0);
    this.skipped -= line.length;
    return { send: line.length > 0 ? line : null, ended: true };
  }

  cancel(): void {
    this.activeSince = null;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** The line shown to the client after a flush. */
export function skippedNotice(bytes: number): string {
  const size = bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : `${Math.ceil(bytes / 1024)} KiB`;
  return `^C\r\n\x1b[0m\x1b[2m[sickbay: skipped ${size} of output that was still on its way]\x1b[0m\r\n`;
}
