/**
 * A learner's hands on a session's terminal, for tools and tests: a WebSocket client that speaks
 * the gateway's protocol (docs/api.md, "Terminal WebSocket"), types command lines into the
 * console's bash and reads their output back up to the next prompt.
 *
 * Everything goes the real way: the gateway's token and origin checks, the pty, the console
 * container, its Docker CLI and the session's auditing proxy. The server records what is typed
 * exactly as it records a browser's keystrokes.
 *
 *   const term = new TerminalDriver(baseUrl, session.terminal);
 *   await term.attached();                       // the console's first prompt
 *   const out = await term.run('docker stats --no-stream');
 *   await term.reportExitStatus();               // optional: exit status of every later line
 *   const { output, exitCode } = await term.exec('docker exec api ps aux');
 *
 * How "done" is detected: the console's PS1 starts with an invisible OSC 697 marker
 * (containers/console/profile.sh, lib/terminal/typed-lines.ts). A line's output is what comes
 * between the echo of the line and the next marker. Another prompt (an interactive exec's bash)
 * can be waited for with `prompt`.
 *
 * Output is acknowledged the way a browser does (every `ackEvery` bytes and within 20 ms for any
 * rest, never one message per frame: the gateway allows 200 messages a second).
 */
import WebSocket from 'ws';
import { encodeClientMessage, parseServerMessage, type ServerMessage } from '@/lib/terminal/protocol';
import { PROMPT_MARKER } from '@/lib/terminal/typed-lines';

export { PROMPT_MARKER };

/** Where a session's terminal is (GET /api/sessions/:id → `terminal`). */
export interface TerminalAddress {
  path: string;
  token: string;
}

/**
 * Printed by the console before each prompt once reportExitStatus() ran: OSC 698 with the last
 * command's status, invisible like the prompt marker. 698 so it can never be taken for 697.
 */
const STATUS_OSC = '\x1b]698;sickbay-rc=(\\d+)\x07';
/** The line that turns it on: a leading space keeps it out of bash's history (HISTCONTROL=ignorespace). */
export const EXIT_STATUS_SETUP = ` set +H; PROMPT_COMMAND='printf "\\033]698;sickbay-rc=%s\\007" "$?"; history -a'`;

/* eslint-disable no-control-regex -- terminal escape sequences are control characters */
/** Terminal output as text: OSC (prompt marker, titles), CSI (colours, cursor) and charset switches removed, CRs dropped. */
export function stripAnsi(s: string): string {
  return s
    .replace(/\x1b\][^\x07\x1b]*(\x07|\x1b\\)/g, '')
    .replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, '')
    .replace(/\x1b[()][A-Za-z0-9]/g, '');
}
/* eslint-enable no-control-regex */

/** Output lines without carriage returns (a pty ends lines with CR LF). */
export function outputLines(text: string): string[] {
  return text
    .replace(/\r+\n/g, '\n')
    .split('\n')
    .map((l) => l.replace(/^.*\r(?=.)/, '').replace(/\r$/, ''));
}

export class TerminalTimeout extends Error {
  constructor(
    message: string,
    readonly partialOutput: string,
  ) {
    super(message);
    this.name = 'TerminalTimeout';
  }
}

async function until<T>(what: string, fn: () => T | null | undefined | false, timeoutMs: number, everyMs: number, closed: () => string | null): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    const gone = closed();
    if (gone) throw new Error(`the terminal closed (${gone}) while waiting for ${what}`);
    if (Date.now() > deadline) throw new TerminalTimeout(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`, '');
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export interface RunOptions {
  /** What ends the line's output: the console's prompt marker by default, or another prompt. */
  prompt?: RegExp | string;
  timeoutMs?: number;
}

export interface ExecResult {
  /** What the line printed, ANSI stripped (CR LF kept as the pty sent it). */
  output: string;
  /** The line's exit status; null until reportExitStatus() ran. */
  exitCode: number | null;
  ms: number;
}

export class TerminalDriver {
  readonly ws: WebSocket;
  /** Control messages from the server (attached, exit, pong), in order. */
  readonly controls: ServerMessage[] = [];
  closed: { code: number; reason: string } | null = null;
  private text = '';
  private readonly decoder = new TextDecoder('utf-8');
  private unacked = 0;
  private ackTimer: NodeJS.Timeout | null = null;
  private ackEvery = 16_384;
  private statusReported = false;

  /** Connects at once; await attached() before typing. cols defaults wide so long lines never wrap. */
  constructor(base: string, terminal: TerminalAddress, size: { cols?: number; rows?: number } = {}) {
    const cols = size.cols ?? 400;
    const rows = size.rows ?? 50;
    const url = `${base.replace(/^http/, 'ws')}${terminal.path}?token=${encodeURIComponent(terminal.token)}&cols=${cols}&rows=${rows}`;
    this.ws = new WebSocket(url, { origin: base });
    this.ws.binaryType = 'nodebuffer';
    this.ws.on('message', (data, isBinary) => {
      if (isBinary) {
        const buf = data as Buffer;
        this.text += this.decoder.decode(buf, { stream: true });
        this.acknowledge(buf.length);
      } else {
        const m = parseServerMessage(data.toString());
        if (!m) return;
        if (m.type === 'attached') this.ackEvery = m.ackEvery;
        this.controls.push(m);
      }
    });
    this.ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      if (this.ackTimer) clearTimeout(this.ackTimer);
    });
    this.ws.on('error', () => {});
  }

  /** "Renders" output at once: acknowledges in batches, as a browser does. */
  private acknowledge(bytes: number): void {
    this.unacked += bytes;
    if (this.unacked >= this.ackEvery) this.flushAck();
    else if (!this.ackTimer) this.ackTimer = setTimeout(() => this.flushAck(), 20);
  }

  private flushAck(): void {
    if (this.ackTimer) clearTimeout(this.ackTimer);
    this.ackTimer = null;
    if (this.unacked > 0 && this.ws.readyState === WebSocket.OPEN) this.ws.send(encodeClientMessage({ type: 'ack', bytes: this.unacked }));
    this.unacked = 0;
  }

  private gone = (): string | null => (this.closed ? `code ${this.closed.code}${this.closed.reason ? `: ${this.closed.reason}` : ''}` : null);

  /** Everything received so far (raw, with escape sequences). */
  get transcript(): string {
    return this.text;
  }

  get length(): number {
    return this.text.length;
  }

  since(from: number): string {
    return this.text.slice(from);
  }

  /** Resolves once the gateway said `attached` and the console printed its prompt. */
  async attached(timeoutMs = 30_000): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      if (this.ws.readyState === WebSocket.OPEN) return resolve();
      this.ws.once('open', () => resolve());
      this.ws.once('unexpected-response', (_req, res) => reject(new Error(`terminal upgrade answered HTTP ${res.statusCode}`)));
      this.ws.once('error', reject);
    });
    await until('the attached message', () => this.controls.some((m) => m.type === 'attached'), 15_000, 20, this.gone);
    await until('the console prompt', () => this.text.includes(PROMPT_MARKER), timeoutMs, 20, this.gone);
  }

  /** Sends keystrokes as they are (no Enter added). */
  type(data: string): void {
    this.ws.send(encodeClientMessage({ type: 'input', data }));
  }

  /**
   * Types a line and returns what it printed (ANSI stripped) once `prompt` shows after the
   * echoed line: the console's own prompt by default, or e.g. an interactive exec's bash prompt.
   */
  async run(line: string, opts: RunOptions = {}): Promise<string> {
    return (await this.runRaw(line, opts)).output;
  }

  /**
   * Like run(), at the console prompt only, and with the line's exit status when
   * reportExitStatus() ran before. On a timeout it presses Ctrl-C, waits for the prompt and
   * throws a TerminalTimeout carrying the output so far.
   */
  async exec(line: string, timeoutMs = 120_000): Promise<ExecResult> {
    const started = Date.now();
    const from = this.length;
    try {
      const { output, raw } = await this.runRaw(line, { timeoutMs });
      const codes = [...raw.matchAll(new RegExp(STATUS_OSC, 'g'))];
      const last = codes[codes.length - 1];
      return { output, exitCode: this.statusReported && last ? Number(last[1]) : null, ms: Date.now() - started };
    } catch (err) {
      if (!(err instanceof TerminalTimeout)) throw err;
      const partial = stripAnsi(this.since(from));
      const mark = this.length;
      this.type('\u0003');
      await until('the prompt after Ctrl-C', () => this.since(mark).includes(PROMPT_MARKER), 15_000, 50, this.gone).catch(() => {});
      throw new TerminalTimeout(`"${line}" did not finish within ${Math.round(timeoutMs / 1000)} s (Ctrl-C pressed)`, partial);
    }
  }

  /** Makes the console report each line's exit status (see EXIT_STATUS_SETUP); typed as a console-only line. */
  async reportExitStatus(): Promise<void> {
    const { raw } = await this.runRaw(EXIT_STATUS_SETUP, { timeoutMs: 15_000 });
    if (!new RegExp(STATUS_OSC).test(raw)) throw new Error('the console did not start reporting exit statuses');
    this.statusReported = true;
  }

  private async runRaw(line: string, opts: RunOptions): Promise<{ output: string; raw: string }> {
    if (/[\r\n]/.test(line)) throw new Error('one line at a time: the line contains a line break');
    const prompt = opts.prompt ?? PROMPT_MARKER;
    const timeoutMs = opts.timeoutMs ?? 60_000;
    const from = this.length;
    this.type(`${line}\r`);
    const start = await until(
      `"${line}" to be echoed`,
      () => {
        const i = this.since(from).indexOf('\n');
        return i === -1 ? null : from + i + 1;
      },
      timeoutMs,
      20,
      this.gone,
    );
    const deadline = Date.now() + timeoutMs;
    const end = await until(
      `the prompt after "${line}"`,
      () => {
        const out = this.since(start);
        if (typeof prompt === 'string') {
          const at = out.indexOf(prompt);
          return at === -1 ? null : { at };
        }
        return prompt.test(stripAnsi(out)) ? { at: out.length } : null;
      },
      Math.max(0, deadline - Date.now()),
      50,
      this.gone,
    );
    const raw = this.since(start).slice(0, end.at);
    return { output: stripAnsi(raw), raw };
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.ackTimer) clearTimeout(this.ackTimer);
      if (this.ws.readyState === WebSocket.CLOSED) return resolve();
      this.ws.once('close', () => resolve());
      this.ws.close(1000);
    });
  }
}
