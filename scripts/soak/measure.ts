/**
 * What the soak measures besides the verify runs themselves: a session's start split into its
 * wait in the provisioning queue and its provisioning (from the engine's own lifecycle events),
 * keystroke echo on a terminal the verify driver holds open, and the server sampled over time.
 */
import os from 'node:os';
import type { SessionEvent } from '@/lib/audit/events';
import { dockerClis } from '@/bench/lib/proc';
import type { ManagedServer } from '@/bench/lib/server-process';
import { echoSamples, OutputWatcher } from '@/bench/lib/terminal';
import type { TerminalDriver } from '../verify/terminal-driver';

export interface StartTimes {
  /** create -> ready, ms (null: never ready). */
  readyMs: number | null;
  /** create -> the (first) start of provisioning: time spent waiting in the queue. */
  queueMs: number | null;
  /** first start of provisioning -> ready (a retried start counts both attempts). */
  provisioningMs: number | null;
  /** Automatic retries (a failed first start goes back to the queue once). */
  retries: number;
}

/** Reads the start from the session's lifecycle events (t = ms since it was created). */
export function startTimes(events: readonly SessionEvent[]): StartTimes {
  const lifecycle = events.filter((e): e is Extract<SessionEvent, { kind: 'lifecycle' }> => e.kind === 'lifecycle');
  const firstProvisioning = lifecycle.find((e) => e.status === 'provisioning');
  const ready = lifecycle.find((e) => e.status === 'ready');
  return {
    readyMs: ready ? ready.t : null,
    queueMs: firstProvisioning ? firstProvisioning.t : null,
    provisioningMs: ready && firstProvisioning ? ready.t - firstProvisioning.t : null,
    retries: Math.max(0, lifecycle.filter((e) => e.status === 'queued').length - 1),
  };
}

export interface EchoRun {
  samples: number[];
  /** Keystrokes whose echo never came within the timeout (counted, not timed). */
  timeouts: number;
}

/**
 * Keystroke echo on a terminal the verify driver holds: `x` timed until it is echoed, then
 * erased with DEL (the line stays empty, nothing is audited). The driver's socket is listened
 * to directly so a sample resolves in the data handler, not on a polling tick.
 */
export async function driverEcho(term: TerminalDriver, samples: number, timeoutMs = 30_000): Promise<EchoRun> {
  const watcher = new OutputWatcher();
  const decoder = new TextDecoder('utf-8');
  const onMessage = (data: unknown, isBinary: boolean) => {
    if (isBinary) watcher.feed(decoder.decode(data as Buffer, { stream: true }));
  };
  term.ws.on('message', onMessage);
  try {
    const typist = { label: 'soak terminal', output: watcher, type: (d: string) => term.type(d), close: async () => {} };
    return { samples: await echoSamples(typist, { samples, warmup: 1, paceMs: 50, timeoutMs }), timeouts: 0 };
  } catch (err) {
    if (term.closed) throw err;
    // A lost echo: press Ctrl-C so the line is clean again, and count it.
    term.type('\u0003');
    await new Promise((r) => setTimeout(r, 500));
    return { samples: [], timeouts: 1 };
  } finally {
    term.ws.off('message', onMessage);
  }
}

export interface ServerSample {
  /** Seconds since the soak started. */
  s: number;
  rssBytes: number;
  /** Everything the server started (the docker CLI behind every open terminal, tsx's esbuild). */
  childrenRssBytes: number;
  children: number;
  /** Of those, docker CLIs: one per open terminal. */
  dockerClis: number;
  fds: number;
  load1: number;
  /** Sessions by status, from GET /api/sessions. */
  statuses: Record<string, number>;
}

/** Samples the server every `everyMs` until stopped; the series is bounded (oldest samples thinned). */
export class ServerSampler {
  readonly samples: ServerSample[] = [];
  private timer: NodeJS.Timeout | null = null;
  private busy = false;

  constructor(
    private readonly server: ManagedServer,
    private readonly t0: number,
    private readonly everyMs = 5_000,
    private readonly maxSamples = 2_000,
  ) {}

  start(): void {
    void this.sample();
    this.timer = setInterval(() => void this.sample(), this.everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  latest(): ServerSample | undefined {
    return this.samples[this.samples.length - 1];
  }

  async sample(): Promise<ServerSample | undefined> {
    if (this.busy || !this.server.running) return undefined;
    this.busy = true;
    try {
      const statuses: Record<string, number> = {};
      try {
        const res = await fetch(`${this.server.url}/api/sessions`, { signal: AbortSignal.timeout(10_000) });
        const body = (await res.json()) as { sessions?: { status: string }[] };
        for (const s of body.sessions ?? []) statuses[s.status] = (statuses[s.status] ?? 0) + 1;
      } catch {
        statuses.unknown = 1;
      }
      const tree = this.server.rss();
      const sample: ServerSample = {
        s: Math.round((Date.now() - this.t0) / 1000),
        rssBytes: tree.selfBytes,
        childrenRssBytes: tree.descendantsBytes,
        children: tree.descendants,
        dockerClis: dockerClis(this.server.pid),
        fds: this.server.fds(),
        load1: Number((os.loadavg()[0] ?? 0).toFixed(2)),
        statuses,
      };
      this.samples.push(sample);
      // Keep the series bounded on a long soak: drop every other sample of the older half.
      if (this.samples.length > this.maxSamples) {
        const half = Math.floor(this.samples.length / 2);
        const thinned = this.samples.slice(0, half).filter((_, i) => i % 2 === 0);
        this.samples.splice(0, half, ...thinned);
      }
      return sample;
    } finally {
      this.busy = false;
    }
  }
}
