/**
 * Two ways to type into the learner's console and watch the echo: the product's path (a
 * WebSocket client speaking the terminal protocol of docs/api.md to the gateway) and the floor
 * (node-pty running `docker exec -it <console> bash` in this process, no gateway). Both hand
 * their output to the same watcher, so one keystroke is timed the same way on both: from the
 * write to the moment the echoed character is in the output, resolved in the data handler
 * itself (no polling interval in the measurement).
 */
import * as nodePty from 'node-pty';
import WebSocket from 'ws';
import { encodeClientMessage, parseServerMessage, terminalUrlPath, type ServerMessage } from '@/lib/terminal/protocol';
import { PROMPT_MARKER } from '@/lib/terminal/typed-lines';
import { since } from './stats';

const KEEP_CHARS = 64 * 1024;

interface Waiter {
  from: number;
  test: (text: string) => boolean;
  resolve: () => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/** Output seen so far (the last KEEP_CHARS characters; positions stay absolute) and waiters on it. */
export class OutputWatcher {
  private kept = '';
  private dropped = 0;
  private waiters = new Set<Waiter>();

  get length(): number {
    return this.dropped + this.kept.length;
  }

  since(from: number): string {
    return this.kept.slice(Math.max(0, from - this.dropped));
  }

  feed(text: string): void {
    this.kept += text;
    if (this.kept.length > 2 * KEEP_CHARS) {
      this.dropped += this.kept.length - KEEP_CHARS;
      this.kept = this.kept.slice(-KEEP_CHARS);
    }
    for (const w of [...this.waiters]) {
      if (w.test(this.since(w.from))) {
        clearTimeout(w.timer);
        this.waiters.delete(w);
        w.resolve();
      }
    }
  }

  fail(err: Error): void {
    for (const w of [...this.waiters]) {
      clearTimeout(w.timer);
      this.waiters.delete(w);
      w.reject(err);
    }
  }

  /** Resolves as soon as the output after `from` passes `test` (checked now and on every chunk). */
  waitFor(what: string, from: number, test: (text: string) => boolean, timeoutMs: number): Promise<void> {
    if (test(this.since(from))) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const w: Waiter = {
        from,
        test,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(w);
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last output: ${JSON.stringify(this.since(from).slice(-200))}`));
        }, timeoutMs),
      };
      this.waiters.add(w);
    });
  }
}

export interface Typist {
  readonly label: string;
  readonly output: OutputWatcher;
  type(data: string): void;
  close(): Promise<void>;
}

/** A browser stand-in on the terminal WebSocket: acknowledges output the way xterm.js does (batched). */
export class WebSocketTypist implements Typist {
  readonly label = 'gateway';
  readonly output = new OutputWatcher();
  readonly controls: ServerMessage[] = [];
  private onPong: (() => void) | null = null;
  private readonly ws: WebSocket;
  private readonly decoder = new TextDecoder('utf-8');
  private pendingAck = 0;
  private readonly ackTimer: NodeJS.Timeout;
  closed: { code: number; reason: string } | null = null;

  /** `headers`: a team-mode sign-in's cookie, say. */
  constructor(base: string, sessionId: string, token: string, size = { cols: 200, rows: 50 }, headers: Record<string, string> = {}) {
    this.ws = new WebSocket(`${base.replace(/^http/, 'ws')}${terminalUrlPath(sessionId, token, size)}`, { origin: base, perMessageDeflate: false, headers });
    this.ws.binaryType = 'nodebuffer';
    this.ws.on('message', (data, isBinary) => {
      if (isBinary) {
        const buf = data as Buffer;
        this.pendingAck += buf.length;
        if (this.pendingAck >= 16 * 1024) this.flushAck();
        this.output.feed(this.decoder.decode(buf, { stream: true }));
      } else {
        const m = parseServerMessage(data.toString());
        if (m?.type === 'pong' && this.onPong) this.onPong();
        else if (m) this.controls.push(m);
      }
    });
    this.ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.onPong = null;
      clearInterval(this.ackTimer);
      this.output.fail(new Error(`terminal socket closed (${code} ${reason.toString()})`));
    });
    this.ws.on('error', () => {});
    // The rest is acknowledged within 50 ms, as the protocol asks: few messages, no rate limit trouble.
    this.ackTimer = setInterval(() => this.flushAck(), 50);
    this.ackTimer.unref();
  }

  private flushAck(): void {
    if (this.pendingAck <= 0 || this.ws.readyState !== WebSocket.OPEN) return;
    this.ws.send(encodeClientMessage({ type: 'ack', bytes: this.pendingAck }));
    this.pendingAck = 0;
  }

  /** Open, attached, and the console's first prompt shown. */
  async ready(timeoutMs = 60_000): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('terminal WebSocket did not open')), timeoutMs);
      this.ws.once('open', () => (clearTimeout(timer), resolve()));
      this.ws.once('unexpected-response', (_req, res) => (clearTimeout(timer), reject(new Error(`terminal upgrade answered HTTP ${res.statusCode}`))));
      this.ws.once('error', (err) => (clearTimeout(timer), reject(err)));
    });
    await this.output.waitFor('the console prompt', 0, (t) => t.includes(PROMPT_MARKER), timeoutMs);
  }

  type(data: string): void {
    this.ws.send(encodeClientMessage({ type: 'input', data }));
  }

  /** One protocol ping answered by the server's pong: the WebSocket hop and the server's event loop, no pty. */
  ping(timeoutMs = 5_000): Promise<number> {
    return new Promise((resolve, reject) => {
      const t0 = performance.now();
      const timer = setTimeout(() => ((this.onPong = null), reject(new Error('no pong'))), timeoutMs);
      this.onPong = () => {
        clearTimeout(timer);
        this.onPong = null;
        resolve(since(t0));
      };
      this.ws.send(encodeClientMessage({ type: 'ping' }));
    });
  }

  close(): Promise<void> {
    clearInterval(this.ackTimer);
    return new Promise((resolve) => {
      if (this.ws.readyState === WebSocket.CLOSED) return resolve();
      const timer = setTimeout(() => (this.ws.terminate(), resolve()), 5_000);
      this.ws.once('close', () => (clearTimeout(timer), resolve()));
      this.ws.close(1000);
    });
  }
}

/** A watcher on a read-only mirror: reads everything, sends nothing but the socket's own pongs. */
export class MirrorWatcher {
  private readonly ws: WebSocket;
  bytes = 0;

  constructor(base: string, mirror: { path: string; token: string }) {
    this.ws = new WebSocket(`${base.replace(/^http/, 'ws')}${mirror.path}?token=${encodeURIComponent(mirror.token)}`, { origin: base, perMessageDeflate: false });
    this.ws.on('message', (data, isBinary) => {
      if (isBinary) this.bytes += (data as Buffer).length;
    });
    this.ws.on('error', () => {});
  }

  ready(timeoutMs = 30_000): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('mirror WebSocket did not open')), timeoutMs);
      this.ws.once('open', () => (clearTimeout(timer), resolve()));
      this.ws.once('unexpected-response', (_req, res) => (clearTimeout(timer), reject(new Error(`mirror upgrade answered HTTP ${res.statusCode}`))));
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.ws.readyState === WebSocket.CLOSED) return resolve();
      const timer = setTimeout(() => (this.ws.terminate(), resolve()), 5_000);
      this.ws.once('close', () => (clearTimeout(timer), resolve()));
      this.ws.close(1000);
    });
  }
}

/** The floor: the same console, the same docker CLI and engine, a pty in this process and nothing between. */
export class BarePtyTypist implements Typist {
  readonly label = 'bare pty';
  readonly output = new OutputWatcher();
  private readonly pty: nodePty.IPty;
  private exited = false;
  private readonly exit: Promise<void>;

  constructor(consoleContainer: string, size = { cols: 200, rows: 50 }) {
    this.pty = nodePty.spawn('docker', ['exec', '-it', '-e', 'TERM=xterm-256color', consoleContainer, 'bash'], {
      name: 'xterm-256color',
      cols: size.cols,
      rows: size.rows,
      cwd: '/',
      env: { PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin', HOME: process.env.HOME ?? '/root', LANG: 'C.UTF-8', TERM: 'xterm-256color', ...(process.env.DOCKER_HOST ? { DOCKER_HOST: process.env.DOCKER_HOST } : {}) },
    });
    this.pty.onData((d) => this.output.feed(d));
    this.exit = new Promise((resolve) => {
      this.pty.onExit(() => {
        this.exited = true;
        this.output.fail(new Error('the bare docker exec exited'));
        resolve();
      });
    });
  }

  /** bash's first prompt (`learner@console:~$ ` or similar) is in the output. */
  async ready(timeoutMs = 30_000): Promise<void> {
    await this.output.waitFor('the bare shell prompt', 0, (t) => /[$#] $/.test(t), timeoutMs);
  }

  type(data: string): void {
    this.pty.write(data);
  }

  async close(): Promise<void> {
    if (this.exited) return;
    this.pty.write('exit\r');
    const timer = setTimeout(() => this.pty.kill('SIGKILL'), 5_000);
    await this.exit;
    clearTimeout(timer);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Keystroke echo: types `x`, times until it is echoed, then erases it (DEL, untimed) so the
 * line never grows, and keeps one keystroke per `paceMs` (a fast typist; it also keeps the
 * gateway's 200 messages/s limit far away). `warmup` samples are taken and dropped.
 */
export async function echoSamples(typist: Typist, opts: { samples: number; warmup?: number; paceMs?: number; timeoutMs?: number }): Promise<number[]> {
  const out: number[] = [];
  const paceMs = opts.paceMs ?? 20;
  const timeoutMs = opts.timeoutMs ?? 5_000;
  const total = (opts.warmup ?? 0) + opts.samples;
  for (let i = 0; i < total; i++) {
    const t0 = performance.now();
    const from = typist.output.length;
    typist.type('x');
    await typist.output.waitFor(`the echo of a keystroke (${typist.label})`, from, (t) => t.includes('x'), timeoutMs);
    const ms = since(t0);
    if (i >= (opts.warmup ?? 0)) out.push(ms);
    const from2 = typist.output.length;
    typist.type('\x7f');
    await typist.output.waitFor(`the echo of a backspace (${typist.label})`, from2, (t) => t.includes('\b'), timeoutMs);
    const rest = paceMs - since(t0);
    if (rest > 0) await sleep(rest);
  }
  return out;
}

/**
 * Keystroke echo on several terminals at once (a drill's teams typing together): every typist
 * runs echoSamples at the same time; the samples of all of them, pooled.
 */
export async function echoTogether(typists: readonly Typist[], opts: { samples: number; warmup?: number; paceMs?: number; timeoutMs?: number }): Promise<number[]> {
  return (await Promise.all(typists.map((t) => echoSamples(t, opts)))).flat();
}
