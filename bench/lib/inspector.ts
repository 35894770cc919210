/**
 * Looking inside a server process from outside, through the V8 inspector it was started with
 * (`node --inspect=127.0.0.1:0`, only ever by our own tools: production never opens it). The
 * figures that need the process's own view — heap after a full GC, the live libuv handles by
 * kind, a heap snapshot summarised by constructor — come from here, so the server carries no
 * debug endpoint.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import WebSocket from 'ws';

/** "Debugger listening on ws://127.0.0.1:PORT/UUID" as node prints it on stderr. */
export function inspectorUrl(output: string): string | null {
  return /Debugger listening on (ws:\/\/127\.0\.0\.1:\d+\/[0-9a-f-]+)/.exec(output)?.[1] ?? null;
}

export interface HeapFigures {
  rssBytes: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
  externalBytes: number;
  arrayBuffersBytes: number;
}

/** Event-loop delay percentiles in ms (perf_hooks.monitorEventLoopDelay). */
export interface LoopDelay {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** A histogram of this process's own event-loop delay; read it with `loopDelayOf`. */
export function ownLoopDelay(): IntervalHistogram {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  return h;
}

export function loopDelayOf(h: IntervalHistogram): LoopDelay {
  return { p50Ms: h.percentile(50) / 1e6, p99Ms: h.percentile(99) / 1e6, maxMs: h.max / 1e6 };
}

/** One entry per kind of live libuv handle or request, e.g. { TCPSocketWrap: 3, Timeout: 12 }. */
export type Resources = Record<string, number>;

export interface SnapshotSummary {
  nodes: number;
  totalSelfBytes: number;
  /** Node type (object, string, code, array, closure, ...) -> count and self size. */
  byType: Record<string, { count: number; selfBytes: number }>;
  /** "type:name" -> count and self size, the largest first (object and closure nodes only). */
  byConstructor: Record<string, { count: number; selfBytes: number }>;
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

export class Inspector {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private chunks: string[] = [];

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const msg = JSON.parse(data.toString()) as { id?: number; result?: unknown; error?: { message: string }; method?: string; params?: { chunk?: string } };
      if (msg.method === 'HeapProfiler.addHeapSnapshotChunk' && msg.params?.chunk) {
        this.chunks.push(msg.params.chunk);
        return;
      }
      if (msg.id === undefined) return;
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.error) p.reject(new Error(`inspector: ${msg.error.message}`));
      else p.resolve(msg.result);
    });
    ws.on('close', () => {
      for (const p of this.pending.values()) p.reject(new Error('inspector connection closed'));
      this.pending.clear();
    });
  }

  static connect(url: string, timeoutMs = 15_000): Promise<Inspector> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 256 * 1024 * 1024 });
      const timer = setTimeout(() => (ws.terminate(), reject(new Error(`inspector at ${url} did not answer within ${timeoutMs} ms`))), timeoutMs);
      ws.once('open', () => (clearTimeout(timer), resolve(new Inspector(ws))));
      ws.once('error', (err) => (clearTimeout(timer), reject(err)));
    });
  }

  private send<T>(method: string, params: Record<string, unknown> = {}, timeoutMs = 120_000): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`inspector: ${method} took longer than ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (v) => (clearTimeout(timer), resolve(v as T)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }

  /** Evaluates an expression in the server's main context; its value must be JSON. */
  async evaluate<T>(expression: string): Promise<T> {
    const r = await this.send<{ result: { value?: string }; exceptionDetails?: { text: string } }>('Runtime.evaluate', {
      expression: `JSON.stringify((${expression}))`,
      returnByValue: true,
      includeCommandLineAPI: false,
    });
    if (r.exceptionDetails) throw new Error(`inspector: ${expression}: ${r.exceptionDetails.text}`);
    return JSON.parse(r.result.value ?? 'null') as T;
  }

  /** Two full collections (the second frees what the first's finalizers let go), then the figures. */
  async heapAfterGc(): Promise<HeapFigures> {
    await this.send('HeapProfiler.collectGarbage');
    await this.send('HeapProfiler.collectGarbage');
    const m = await this.evaluate<{ rss: number; heapUsed: number; heapTotal: number; external: number; arrayBuffers: number }>('process.memoryUsage()');
    return { rssBytes: m.rss, heapUsedBytes: m.heapUsed, heapTotalBytes: m.heapTotal, externalBytes: m.external, arrayBuffersBytes: m.arrayBuffers };
  }

  /**
   * Starts a histogram of the server's event-loop delay (perf_hooks, 10 ms resolution) inside
   * it; loopDelay() reads it. A keystroke's echo waits for that loop twice (input, output), so a
   * slow echo with a prompt loop points elsewhere (the engine's exec path, the host's scheduler).
   */
  async startLoopDelay(): Promise<void> {
    await this.evaluate(`(() => { if (!globalThis.__benchLoopDelay) { const h = process.getBuiltinModule('node:perf_hooks').monitorEventLoopDelay({ resolution: 10 }); h.enable(); globalThis.__benchLoopDelay = h; } return true; })()`);
  }

  async loopDelay(): Promise<LoopDelay | null> {
    return this.evaluate<LoopDelay | null>(`(() => { const h = globalThis.__benchLoopDelay; return h ? { p50Ms: h.percentile(50) / 1e6, p99Ms: h.percentile(99) / 1e6, maxMs: h.max / 1e6 } : null; })()`);
  }

  /** Starts V8's sampling CPU profiler (every `intervalUs` µs); stopCpuProfile() returns the .cpuprofile JSON. */
  async startCpuProfile(intervalUs = 1000): Promise<void> {
    await this.send('Profiler.enable');
    await this.send('Profiler.setSamplingInterval', { interval: intervalUs });
    await this.send('Profiler.start');
  }

  async stopCpuProfile(): Promise<unknown> {
    const r = await this.send<{ profile: unknown }>('Profiler.stop', {}, 300_000);
    return r.profile;
  }

  /** The live libuv resources by kind (timers, sockets, pipes, fs requests...). */
  async resources(): Promise<Resources> {
    const list = await this.evaluate<string[]>('process.getActiveResourcesInfo()');
    const out: Resources = {};
    for (const kind of list) out[kind] = (out[kind] ?? 0) + 1;
    return out;
  }

  /** A heap snapshot, summarised by node type and constructor name (the whole snapshot is not kept). */
  async snapshotSummary(): Promise<SnapshotSummary> {
    this.chunks = [];
    await this.send('HeapProfiler.enable');
    await this.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false }, 600_000);
    const text = this.chunks.join('');
    this.chunks = [];
    return summariseSnapshot(JSON.parse(text) as RawSnapshot);
  }

  close(): void {
    this.ws.terminate();
  }
}

interface RawSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

/** Counts nodes by "type:name" (objects and closures: what code allocates and may forget). */
export function summariseSnapshot(s: RawSnapshot): SnapshotSummary {
  const fields = s.snapshot.meta.node_fields;
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const types = s.snapshot.meta.node_types[0];
  const groups = new Map<string, { count: number; selfBytes: number }>();
  const byType: Record<string, { count: number; selfBytes: number }> = {};
  let total = 0;
  let nodes = 0;
  for (let i = 0; i < s.nodes.length; i += width) {
    nodes++;
    const size = s.nodes[i + sizeAt] as number;
    total += size;
    const type = types[s.nodes[i + typeAt] as number] ?? '?';
    const t = (byType[type] ??= { count: 0, selfBytes: 0 });
    t.count++;
    t.selfBytes += size;
    if (type !== 'object' && type !== 'closure') continue;
    const key = `${type}:${s.strings[s.nodes[i + nameAt] as number] ?? '?'}`;
    const g = groups.get(key) ?? { count: 0, selfBytes: 0 };
    g.count++;
    g.selfBytes += size;
    groups.set(key, g);
  }
  const sorted = [...groups.entries()].sort((a, b) => b[1].selfBytes - a[1].selfBytes);
  return { nodes, totalSelfBytes: total, byType, byConstructor: Object.fromEntries(sorted) };
}

/** What grew between two summaries: by node type (type:*) and by constructor, the most bytes first. */
export function snapshotGrowth(before: SnapshotSummary, after: SnapshotSummary, top = 25): { key: string; countDelta: number; bytesDelta: number }[] {
  const flat = (s: SnapshotSummary) => ({ ...Object.fromEntries(Object.entries(s.byType).map(([k, v]) => [`${k}:*`, v])), ...s.byConstructor });
  const [fa, fb] = [flat(before), flat(after)];
  const keys = new Set([...Object.keys(fa), ...Object.keys(fb)]);
  const out: { key: string; countDelta: number; bytesDelta: number }[] = [];
  for (const key of keys) {
    const a = fa[key] ?? { count: 0, selfBytes: 0 };
    const b = fb[key] ?? { count: 0, selfBytes: 0 };
    if (b.count !== a.count || b.selfBytes !== a.selfBytes) out.push({ key, countDelta: b.count - a.count, bytesDelta: b.selfBytes - a.selfBytes });
  }
  return out.sort((x, y) => y.bytesDelta - x.bytesDelta).slice(0, top);
}
