/** Test doubles for the terminal's server side: a pty and a client that record what happens. */
import type { PtyProcess, SpawnRequest } from '@/server/terminal/pty';
import type { TerminalClient } from '@/server/terminal/session';

export class FakePty implements PtyProcess {
  static nextPid = 1000;
  readonly pid = FakePty.nextPid++;
  writes: string[] = [];
  resizes: [number, number][] = [];
  paused = false;
  destroyed = false;
  signals: string[] = [];
  private dataListeners: ((d: Buffer) => void)[] = [];
  private exitListeners: ((e: { exitCode: number; signal?: number }) => void)[] = [];

  constructor(readonly request: SpawnRequest) {}

  onData(listener: (d: Buffer) => void) {
    this.dataListeners.push(listener);
    return { dispose: () => {} };
  }
  onExit(listener: (e: { exitCode: number; signal?: number }) => void) {
    this.exitListeners.push(listener);
    return { dispose: () => {} };
  }
  write(data: string) {
    this.writes.push(data);
  }
  resize(cols: number, rows: number) {
    this.resizes.push([cols, rows]);
  }
  pause() {
    this.paused = true;
  }
  resume() {
    this.paused = false;
  }
  destroy() {
    this.destroyed = true;
    setImmediate(() => this.exit(0, 1));
  }
  kill(signal = 'SIGHUP') {
    this.signals.push(signal);
  }
  /** The shell printed something. */
  emit(data: string | Buffer) {
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    for (const l of this.dataListeners) l(buf);
  }
  exit(exitCode: number, signal?: number) {
    const ls = this.exitListeners;
    this.exitListeners = [];
    for (const l of ls) l({ exitCode, ...(signal ? { signal } : {}) });
  }
}

export class FakeClient implements TerminalClient {
  binary: Buffer[] = [];
  texts: string[] = [];
  closed: { code: number; reason: string } | null = null;

  sendBinary(data: Buffer) {
    this.binary.push(Buffer.from(data));
  }
  sendText(text: string) {
    this.texts.push(text);
  }
  close(code: number, reason: string) {
    this.closed = { code, reason };
  }
  get output(): string {
    return Buffer.concat(this.binary).toString('utf8');
  }
  get bytes(): number {
    return this.binary.reduce((n, b) => n + b.length, 0);
  }
  controls<T = Record<string, unknown>>(): T[] {
    return this.texts.map((t) => JSON.parse(t) as T);
  }
}

/** A watcher's socket; `lag` is what the socket has not written out yet. */
export class FakeMirror extends FakeClient {
  lag = 0;
  buffered(): number {
    return this.lag;
  }
}
