/**
 * Watches the Docker engine itself. When it goes away (dockerd stopped, restarted, crashed),
 * every live session has lost its containers' processes — a restarted engine starts none of
 * them again (restart policy "no") — so the sessions are closed at once as interrupted, with
 * a message that says so, instead of failing one confusing error at a time. When the engine
 * answers again, the sweep removes what the interrupted sessions left.
 *
 * Two signals: a `docker events` stream (it ends the moment the engine closes its API) and a
 * ping every few seconds (the backstop, and how "back" is noticed). Only a refused or missing
 * socket counts as "down": a slow answer on a busy host is not an outage.
 */
import { isSickbayError } from '@/lib/errors';

export type EngineState = 'up' | 'down';

export interface EngineWatchDeps {
  /** Resolves when the engine answers; rejects otherwise. */
  ping(): Promise<void>;
  /** A `docker events` stream; it ends or errors when the engine goes away. Optional. */
  events?: () => Promise<NodeJS.ReadableStream>;
  /** The engine went away: interrupt the live sessions. */
  onDown(reason: string): Promise<void>;
  /** The engine is back: sweep what the interrupted sessions left. */
  onUp(): Promise<void>;
  log: (message: string) => void;
  /** How often to ping (default 5 s). */
  intervalMs?: number;
  /** A ping slower than this is "slow", not "down" (default 10 s). */
  pingTimeoutMs?: number;
}

/** Errors that mean nobody is listening: the socket is gone or refuses, or the connection was cut. */
const GONE = new Set(['ENOENT', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE']);

/** True when a ping failure means the engine is not there (as opposed to slow or erroring). */
export function meansEngineGone(err: unknown): boolean {
  if (isSickbayError(err) && err.code === 'engine_unavailable') return true;
  for (let e: unknown = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && GONE.has(code)) return true;
  }
  return false;
}

class SlowPing extends Error {}

export class EngineWatch {
  private current: EngineState = 'up';
  private timer: NodeJS.Timeout | null = null;
  private stream: NodeJS.ReadableStream | null = null;
  private checking: Promise<void> | null = null;
  private stopped = false;
  /** Set while onDown/onUp runs, so a flapping engine never runs them in parallel. */
  private transition: Promise<void> = Promise.resolve();

  constructor(private readonly deps: EngineWatchDeps) {}

  get state(): EngineState {
    return this.current;
  }

  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => void this.check(), this.deps.intervalMs ?? 5_000);
    this.timer.unref();
    void this.follow();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.dropStream();
  }

  /** Resolves when any state change under way has been handled (tests). */
  async idle(): Promise<void> {
    await this.checking;
    await this.transition;
  }

  /** One look at the engine; concurrent calls share it. */
  check(): Promise<void> {
    this.checking ??= this.look().finally(() => {
      this.checking = null;
    });
    return this.checking;
  }

  private async look(): Promise<void> {
    if (this.stopped) return;
    let gone: unknown = null;
    try {
      await this.pingWithin(this.deps.pingTimeoutMs ?? 10_000);
    } catch (err) {
      if (err instanceof SlowPing) return; // busy, not gone: decide on the next look
      if (!meansEngineGone(err)) {
        this.deps.log(`engine watch: the engine answered with an error: ${(err as Error).message}`);
        return;
      }
      gone = err;
    }
    if (gone && this.current === 'up') {
      this.current = 'down';
      const reason = `the Docker engine stopped answering (${(gone as Error).message})`;
      this.deps.log(`engine watch: ${reason}; interrupting the live sessions`);
      this.dropStream();
      this.transition = this.transition.then(() => this.deps.onDown(reason)).catch((err) => this.deps.log(`engine watch: interrupting sessions: ${(err as Error).message}`));
    } else if (!gone && this.current === 'down') {
      this.current = 'up';
      this.deps.log('engine watch: the Docker engine answers again; sweeping what the interrupted sessions left');
      this.transition = this.transition.then(() => this.deps.onUp()).catch((err) => this.deps.log(`engine watch: after the engine came back: ${(err as Error).message}`));
      void this.follow();
    }
    await this.transition;
  }

  private pingWithin(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([
      this.deps.ping().finally(() => clearTimeout(timer)),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new SlowPing()), ms);
        timer.unref();
      }),
    ]);
  }

  /** Follows `docker events`: when the stream ends, look at once instead of at the next tick. */
  private async follow(): Promise<void> {
    if (!this.deps.events || this.stream || this.stopped || this.current === 'down') return;
    let stream: NodeJS.ReadableStream;
    try {
      stream = await this.deps.events();
    } catch {
      return; // the ping decides
    }
    if (this.stopped) return void (stream as unknown as { destroy?: () => void }).destroy?.();
    this.stream = stream;
    let ended = false;
    const lost = () => {
      if (ended) return;
      ended = true;
      if (this.stream === stream) this.stream = null;
      if (this.stopped) return;
      // Look now; follow again a moment later (a stream that keeps ending must not spin).
      void this.check().then(() => {
        const again = setTimeout(() => void this.follow(), 1_000);
        again.unref();
      });
    };
    stream.on('data', () => {}); // read and drop: only the end matters
    stream.once('end', lost);
    stream.once('close', lost);
    stream.once('error', lost);
  }

  private dropStream(): void {
    const s = this.stream as unknown as { destroy?: () => void } | null;
    this.stream = null;
    s?.destroy?.();
  }
}
