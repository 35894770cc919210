/**
 * One session's terminal: the learner's login bash in the console container behind a pty
 * (sickbay-pty over the session's terminal socket, agent-pty.ts), kept alive across WebSocket
 * reconnects.
 *
 *   pty output -> scrollback ring (for reattach) -> recording (asciicast, decoded as a UTF-8
 *                 stream) -> prompt tracker (typed lines) -> the attached client, binary
 *   client input -> recording -> typed-line reconstruction -> pty
 *
 * Flow control: bytes sent to the client minus bytes it acknowledged; above the high-water
 * mark the pty is paused (the gateway stops reading the terminal socket or the pty master, the
 * kernel blocks the writer, and the back-pressure reaches the program in the container); below the low-water mark it
 * resumes. With no client attached the pty stays paused too, so a detached `yes` costs
 * nothing. Server memory per terminal is therefore bounded by the scrollback size plus the
 * high-water mark plus one read. A ^C typed while the client is behind drops the output still
 * in Docker's buffers (lib/terminal/interrupt.ts) so the prompt comes back at once.
 *
 * Why a wrapper instead of plain `bash -l`: Docker does not end an exec'd process when the
 * client that started it goes away. The wrapper records its PID so that destroy() can hang up
 * the shell and its jobs inside the container (containers/console/sickbay-end-shell).
 */
import crypto from 'node:crypto';
import type { TerminalBody, TypedLineBody } from '@/lib/audit/events';
import { DEFAULT_ACK_EVERY, DEFAULT_FLOW, FlowControl, type FlowControlOptions } from '@/lib/terminal/flow';
import { InterruptFlush, skippedNotice } from '@/lib/terminal/interrupt';
import { CLOSE, encodeServerMessage, PROTOCOL_VERSION } from '@/lib/terminal/protocol';
import { ScrollbackBuffer } from '@/lib/terminal/scrollback';
import { ConsoleLineTracker } from '@/lib/terminal/typed-lines';
import { createStreamDecoder, type StreamDecoder } from '@/lib/terminal/utf8';
import { defaultEndShell, defaultSpawn, hangUp, type PtyProcess, type SpawnPty } from './pty';
import type { ShellAgents } from './agent-socket';
import { MirrorSet, type MirrorClient } from './mirrors';
import { RecordingWriter } from './recording';

/** The socket side of an attached connection (the gateway wraps a ws.WebSocket). */
export interface TerminalClient {
  sendBinary(data: Buffer): void;
  sendText(text: string): void;
  close(code: number, reason: string): void;
}

export interface TerminalSessionOptions {
  sessionId: string;
  consoleContainer: string;
  recordingPath: string;
  audit(event: TerminalBody | TypedLineBody): void;
  onActivity(): void;
  spawn?: SpawnPty;
  /** The session's terminal socket (the shell then runs under sickbay-pty in the console). */
  agents?: ShellAgents;
  /** Runs sickbay-end-shell in the console after the pty is destroyed; replaceable in tests. */
  endShell?: (consoleContainer: string, shellId: string) => Promise<void>;
  dockerHost?: string;
  dockerBin?: string;
  flow?: FlowControlOptions;
  ackEvery?: number;
  scrollbackBytes?: number;
  maxRecordedOutputChars?: number;
  /** Minimum gap between two onActivity calls (default 10 s). */
  activityEveryMs?: number;
  /** Resize audit events are coalesced over this window (default 1 s). */
  resizeAuditMs?: number;
  clock?: () => number;
  log?: (message: string) => void;
}

const SEND_CHUNK = 64 * 1024;

export class TerminalSession {
  readonly sessionId: string;
  readonly consoleContainer: string;
  private readonly options: TerminalSessionOptions;
  private readonly spawnPty: SpawnPty;
  private readonly endShell: (consoleContainer: string, shellId: string) => Promise<void>;
  private readonly clock: () => number;
  private readonly log: (message: string) => void;
  private readonly flow: FlowControl;
  private readonly ackEvery: number;
  private readonly scrollback: ScrollbackBuffer;
  private recording: RecordingWriter | null = null;
  private pty: PtyProcess | null = null;
  private shellId = '';
  private ptyExited: Promise<void> = Promise.resolve();
  private decoder: StreamDecoder = createStreamDecoder();
  private tracker = new ConsoleLineTracker();
  private client: TerminalClient | null = null;
  private ptyPaused = false;
  private cols = 80;
  private rows = 24;
  private lastActivity = 0;
  private resizeTimer: NodeJS.Timeout | null = null;
  private readonly interrupt = new InterruptFlush();
  private readonly mirrors = new MirrorSet();
  private interruptTimer: NodeJS.Timeout | null = null;
  private destroyed = false;

  constructor(options: TerminalSessionOptions) {
    this.options = options;
    this.sessionId = options.sessionId;
    this.consoleContainer = options.consoleContainer;
    this.spawnPty = options.spawn ?? defaultSpawn(options);
    this.endShell = options.endShell ?? defaultEndShell(options);
    this.clock = options.clock ?? Date.now;
    this.log = options.log ?? (() => {});
    this.flow = new FlowControl(options.flow ?? DEFAULT_FLOW);
    this.ackEvery = options.ackEvery ?? DEFAULT_ACK_EVERY;
    if (this.ackEvery > this.flow.lowWater) throw new RangeError('ackEvery must not exceed the low-water mark');
    this.scrollback = new ScrollbackBuffer({ maxBytes: options.scrollbackBytes ?? 256 * 1024 });
  }

  get isDestroyed(): boolean {
    return this.destroyed;
  }

  get hasShell(): boolean {
    return this.pty !== null;
  }

  get attached(): TerminalClient | null {
    return this.client;
  }

  /** Bytes sent to the client and not yet acknowledged (for tests and diagnostics). */
  get unacked(): number {
    return this.flow.unacked;
  }

  get shellPid(): number | null {
    return this.pty?.pid ?? null;
  }

  /**
   * Attaches a client. A client already attached is closed with 4000 (one active connection
   * per terminal: a second tab takes over). Starts a shell when none runs.
   */
  attach(client: TerminalClient, size: { cols: number; rows: number }): void {
    if (this.destroyed) {
      client.close(CLOSE.sessionEnded, 'the session ended');
      return;
    }
    const previous = this.client;
    if (previous) {
      this.client = null;
      previous.close(CLOSE.replaced, 'the terminal was opened in another window');
      this.options.audit({ kind: 'terminal', action: 'close', detail: 'replaced by a new connection' });
    }
    this.openRecording(size);
    let shell: 'new' | 'existing' = 'existing';
    if (!this.pty) {
      this.startShell(size);
      shell = 'new';
    } else if (size.cols !== this.cols || size.rows !== this.rows) {
      this.applyResize(size.cols, size.rows, false);
    }
    this.client = client;
    this.flow.reset();
    const replay = shell === 'existing' ? this.scrollback.snapshot() : new Uint8Array(0);
    client.sendText(
      encodeServerMessage({
        type: 'attached',
        protocol: PROTOCOL_VERSION,
        shell,
        replayBytes: replay.length,
        cols: this.cols,
        rows: this.rows,
        ackEvery: this.ackEvery,
      }),
    );
    for (let at = 0; at < replay.length; at += SEND_CHUNK) {
      const part = Buffer.from(replay.buffer, replay.byteOffset + at, Math.min(SEND_CHUNK, replay.length - at));
      client.sendBinary(part);
    }
    this.flow.onSent(replay.length);
    this.options.audit({ kind: 'terminal', action: 'open', cols: this.cols, rows: this.rows, detail: shell === 'new' ? 'new shell' : 'reattached' });
    this.updatePause();
  }

  /**
   * Adds a read-only watcher: it sees the recent screen, then the same output as the owner's
   * connection, and never takes the terminal over, types, resizes or holds back the pty.
   */
  attachMirror(client: MirrorClient): void {
    if (this.destroyed) {
      client.close(CLOSE.sessionEnded, 'the session ended');
      return;
    }
    this.mirrors.add(client, this.scrollback.snapshot(), { cols: this.cols, rows: this.rows }, this.ackEvery);
  }

  detachMirror(client: MirrorClient): void {
    this.mirrors.remove(client);
  }

  /** Closes the mirrors whose viewers may no longer watch (the team changed); their user ids. */
  recheckMirrors(): (string | null)[] {
    return this.mirrors.recheck();
  }

  get mirrorCount(): number {
    return this.mirrors.size;
  }

  /** Detaches a client (its socket closed). The shell keeps running, paused. */
  detach(client: TerminalClient, reason: string): void {
    if (this.client !== client) return;
    this.client = null;
    this.stopInterrupt();
    this.flow.reset();
    this.updatePause();
    this.options.audit({ kind: 'terminal', action: 'close', detail: reason });
  }

  input(client: TerminalClient, data: string): void {
    if (client !== this.client || !this.pty || !data) return;
    this.recording?.input(data);
    for (const typed of this.tracker.onInput(data)) {
      if (typed.line.trim()) this.options.audit({ kind: 'typed', where: 'console', line: typed.line, approximate: typed.approximate });
    }
    if (!this.interrupt.active && InterruptFlush.wanted(data, this.flow.isPaused || this.flow.unacked > this.flow.lowWater)) {
      this.interrupt.start(this.clock());
      this.interruptTimer = setInterval(() => this.pollInterrupt(), 25);
      this.interruptTimer.unref();
      this.updatePause();
    }
    this.pty.write(data);
    const now = this.clock();
    if (now - this.lastActivity >= (this.options.activityEveryMs ?? 10_000)) {
      this.lastActivity = now;
      this.options.onActivity();
    }
  }

  resize(client: TerminalClient, cols: number, rows: number): void {
    if (client !== this.client || !this.pty) return;
    if (cols === this.cols && rows === this.rows) return;
    this.applyResize(cols, rows, true);
  }

  ack(client: TerminalClient, bytes: number): void {
    if (client !== this.client) return;
    if (this.flow.onAcked(bytes) === 'resume') this.updatePause();
  }

  private openRecording(size: { cols: number; rows: number }): void {
    if (this.recording) return;
    try {
      this.recording = new RecordingWriter({
        path: this.options.recordingPath,
        cols: size.cols,
        rows: size.rows,
        env: { TERM: 'xterm-256color', SHELL: '/bin/bash' },
        title: `sickbay session ${this.sessionId}`,
        clock: this.clock,
        maxOutputChars: this.options.maxRecordedOutputChars,
        log: this.log,
      });
    } catch (err) {
      // A terminal without a recording is still a terminal; say so loudly in the log.
      this.log(`session ${this.sessionId}: cannot record to ${this.options.recordingPath}: ${(err as Error).message}`);
    }
  }

  private startShell(size: { cols: number; rows: number }): void {
    this.cols = size.cols;
    this.rows = size.rows;
    this.shellId = crypto.randomBytes(8).toString('hex');
    this.decoder = createStreamDecoder();
    this.tracker = new ConsoleLineTracker();
    this.scrollback.clear();
    const pty = this.spawnPty({ consoleContainer: this.consoleContainer, shellId: this.shellId, cols: size.cols, rows: size.rows, agents: this.options.agents });
    this.pty = pty;
    this.ptyPaused = false;
    let resolveExit: () => void = () => {};
    this.ptyExited = new Promise<void>((r) => (resolveExit = r));
    pty.onData((data) => this.onOutput(pty, typeof data === 'string' ? Buffer.from(data, 'utf8') : data));
    pty.onExit(({ exitCode, signal }) => {
      resolveExit();
      this.onShellExit(pty, exitCode, signal);
    });
  }

  private onOutput(pty: PtyProcess, data: Buffer): void {
    if (pty !== this.pty || data.length === 0) return;
    this.scrollback.push(data);
    const text = this.decoder.decode(data);
    if (text) {
      this.recording?.output(text);
      this.tracker.onOutput(text);
    }
    if (this.interrupt.active) {
      const step = this.interrupt.onOutput(data, this.clock());
      if (step.ended) this.endInterrupt(step.send);
      return;
    }
    this.send(data);
  }

  private send(data: Uint8Array): void {
    if (!this.client) return this.updatePause();
    const bytes = Buffer.from(data.buffer, data.byteOffset, data.length);
    this.client.sendBinary(bytes);
    this.mirrors.output(bytes);
    if (this.flow.onSent(data.length) === 'pause') this.updatePause();
  }

  private pollInterrupt(): void {
    const step = this.interrupt.poll(this.clock());
    if (step.ended) this.endInterrupt(step.send);
  }

  /** Ends a ^C flush: tells the client what was skipped, forwards the rest, normal flow again. */
  private endInterrupt(rest: Uint8Array | null): void {
    this.stopInterrupt();
    if (this.interrupt.skipped > 0) this.send(Buffer.from(skippedNotice(this.interrupt.skipped), 'utf8'));
    if (rest && rest.length > 0) this.send(rest);
    this.updatePause();
  }

  private stopInterrupt(): void {
    this.interrupt.cancel();
    if (this.interruptTimer) clearInterval(this.interruptTimer);
    this.interruptTimer = null;
  }

  private onShellExit(pty: PtyProcess, exitCode: number, signal?: number): void {
    if (pty !== this.pty) return;
    this.pty = null;
    this.stopInterrupt();
    const rest = this.decoder.flush();
    if (rest) this.recording?.output(rest);
    if (this.destroyed) return;
    this.options.audit({ kind: 'terminal', action: 'close', detail: `shell exited with code ${exitCode}` });
    const client = this.client;
    this.client = null;
    const exit = encodeServerMessage({ type: 'exit', code: exitCode, ...(signal ? { signal } : {}) });
    if (client) {
      client.sendText(exit);
      client.close(CLOSE.shellExited, 'the shell exited');
    }
    // Watchers stay: the owner's next connection starts a new shell they will see.
    this.mirrors.text(exit);
    void this.recording?.flush();
  }

  /** Pauses the pty when nobody reads or the client is too far behind; resumes otherwise. */
  private updatePause(): void {
    if (!this.pty) return;
    // While a ^C flush runs, the pty is read at full speed (and the output dropped).
    const shouldPause = !this.interrupt.active && (this.client === null || this.flow.isPaused);
    if (shouldPause === this.ptyPaused) return;
    this.ptyPaused = shouldPause;
    if (shouldPause) this.pty.pause();
    else this.pty.resume();
  }

  private applyResize(cols: number, rows: number, audit: boolean): void {
    this.cols = cols;
    this.rows = rows;
    try {
      this.pty?.resize(cols, rows);
    } catch (err) {
      this.log(`session ${this.sessionId}: resize failed: ${(err as Error).message}`);
    }
    this.recording?.resize(cols, rows);
    this.mirrors.text(encodeServerMessage({ type: 'size', cols, rows }));
    if (!audit) return;
    // A window drag sends dozens of sizes: audit the one it settles on.
    if (this.resizeTimer) clearTimeout(this.resizeTimer);
    this.resizeTimer = setTimeout(() => {
      this.resizeTimer = null;
      if (!this.destroyed) this.options.audit({ kind: 'terminal', action: 'resize', cols: this.cols, rows: this.rows });
    }, this.options.resizeAuditMs ?? 1000);
    this.resizeTimer.unref();
  }

  /**
   * Ends the terminal for good: closes the client (code 4002 unless given), destroys the pty
   * (hangs up the agent or the docker CLI), ends the shell inside the console, and
   * flushes and closes the recording.
   */
  async destroy(reason = 'the session ended', code: number = CLOSE.sessionEnded): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    if (this.resizeTimer) clearTimeout(this.resizeTimer);
    this.stopInterrupt();
    const client = this.client;
    this.client = null;
    if (client) {
      client.close(code, reason);
      this.options.audit({ kind: 'terminal', action: 'close', detail: reason });
    }
    this.mirrors.closeAll(code, reason);
    const pty = this.pty;
    const shellId = this.shellId;
    if (pty) {
      await hangUp(pty, this.ptyExited, (m) => this.log(`session ${this.sessionId}: ${m}`));
      this.pty = null;
      await this.endShell(this.consoleContainer, shellId);
    }
    await this.recording?.close();
  }
}
