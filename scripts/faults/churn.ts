/**
 * Connection churn on one live session: the terminal WebSocket opened and closed again and
 * again (each open reattaches the running shell and replays its scrollback), and floods of
 * connections on the session's proxy socket (more than its connection cap at once: some send
 * a request, some half a request, some nothing, then all are cut). Afterwards the server's
 * file descriptors, live handles and heap after GC must be back at the baseline taken after a
 * warm-up; RSS is reported.
 */
import net from 'node:net';
import path from 'node:path';
import type { HeapFigures, Resources } from '@/bench/lib/inspector';
import { dockerClis } from '@/bench/lib/proc';
import { TerminalDriver } from '../verify/terminal-driver';
import type { FaultLab, View } from './lab';

/** Allowed growth after the churn (a lazily created pool socket, a grown free list). */
export const CHURN_TOLERANCE = { fds: 3, heapBytes: 8 * 2 ** 20 };

export interface ServerState {
  fds: number;
  rssBytes: number;
  heap: HeapFigures;
  resources: Resources;
  dockerClis: number;
}

export interface ChurnResult {
  terminalCycles: number;
  floods: number;
  connectionsPerFlood: number;
  /** Requests that were answered during the floods (the rest were half-sent or idle). */
  pingsAnswered: number;
  baseline: ServerState;
  after: ServerState;
  problems: string[];
}

async function state(lab: FaultLab): Promise<ServerState> {
  const inspector = await lab.server.inspector();
  const heap = await inspector.heapAfterGc();
  return { fds: lab.server.fds(), rssBytes: lab.server.rss().selfBytes, heap, resources: await inspector.resources(), dockerClis: dockerClis(lab.server.pid) };
}

async function terminalCycle(lab: FaultLab, view: View): Promise<void> {
  const term = new TerminalDriver(lab.url, view.terminal as { path: string; token: string }, { cols: 120, rows: 30 });
  try {
    await term.attached(60_000);
  } finally {
    await term.close();
  }
}

/** One flood: `count` connections at once on the proxy socket; resolves with the answered pings. */
async function flood(socketPath: string, count: number): Promise<number> {
  const sockets: net.Socket[] = [];
  let answered = 0;
  const pings: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const s = net.connect({ path: socketPath });
    s.on('error', () => {});
    sockets.push(s);
    if (i % 7 === 0) {
      pings.push(
        new Promise<void>((resolve) => {
          s.once('connect', () => s.write('GET /_ping HTTP/1.1\r\nHost: docker\r\n\r\n'));
          s.on('data', (d: Buffer) => {
            if (d.toString().startsWith('HTTP/1.1 200')) answered++;
            resolve();
          });
          s.once('close', () => resolve());
          setTimeout(resolve, 10_000).unref();
        }),
      );
    } else if (i % 7 === 1) {
      s.once('connect', () => s.write('GET /_ping HTTP/1.1\r\nHo'));
    }
  }
  await Promise.all(pings);
  await new Promise((r) => setTimeout(r, 50));
  for (const s of sockets) s.destroy();
  return answered;
}

async function settle(lab: FaultLab, baseline: ServerState): Promise<void> {
  // Closing sockets and reaped processes take a moment on a busy host: wait (bounded).
  for (let i = 0; i < 60 && lab.server.fds() > baseline.fds + CHURN_TOLERANCE.fds; i++) await new Promise((r) => setTimeout(r, 500));
  await new Promise((r) => setTimeout(r, 1_000));
}

export async function churn(lab: FaultLab, opts: { terminalCycles: number; floods: number; connectionsPerFlood?: number; log: (l: string) => void }): Promise<ChurnResult> {
  const per = opts.connectionsPerFlood ?? 160;
  const view = await lab.ready((await lab.create('leaky-job', 'churn')).id);
  const socketPath = path.join(lab.dataDir, 'run', view.id, 'docker.sock');
  let pingsAnswered = 0;
  try {
    // Warm-up: first connections allocate pools and compile code; they are not growth.
    for (let i = 0; i < 10; i++) await terminalCycle(lab, view);
    for (let i = 0; i < 3; i++) await flood(socketPath, per);
    await new Promise((r) => setTimeout(r, 2_000));
    const baseline = await state(lab);
    opts.log(`baseline: ${baseline.fds} fds, heap ${(baseline.heap.heapUsedBytes / 2 ** 20).toFixed(1)} MiB, RSS ${(baseline.rssBytes / 2 ** 20).toFixed(0)} MiB, ${baseline.dockerClis} docker CLI(s)`);
    for (let i = 1; i <= opts.terminalCycles; i++) {
      await terminalCycle(lab, view);
      if (i % 100 === 0) opts.log(`${i} terminal open/close cycles; ${lab.server.fds()} fds`);
    }
    for (let i = 1; i <= opts.floods; i++) {
      pingsAnswered += await flood(socketPath, per);
      if (i % 50 === 0) opts.log(`${i} proxy floods of ${per} connections; ${lab.server.fds()} fds`);
    }
    await settle(lab, baseline);
    const after = await state(lab);
    const problems: string[] = [];
    if (after.fds > baseline.fds + CHURN_TOLERANCE.fds) problems.push(`file descriptors ${baseline.fds} -> ${after.fds}`);
    if (after.heap.heapUsedBytes > baseline.heap.heapUsedBytes + CHURN_TOLERANCE.heapBytes) {
      problems.push(`heap after GC ${(baseline.heap.heapUsedBytes / 2 ** 20).toFixed(1)} -> ${(after.heap.heapUsedBytes / 2 ** 20).toFixed(1)} MiB`);
    }
    if (after.dockerClis > baseline.dockerClis) problems.push(`docker CLIs ${baseline.dockerClis} -> ${after.dockerClis}`);
    for (const [kind, n] of Object.entries(after.resources)) {
      if (n > (baseline.resources[kind] ?? 0) + 2) problems.push(`live ${kind} handles ${baseline.resources[kind] ?? 0} -> ${n}`);
    }
    if (pingsAnswered === 0 && opts.floods > 0) problems.push('no request was answered during the floods: the proxy stopped serving');
    const check = await lab.api('GET', `/api/sessions/${view.id}`);
    if (check.status !== 200) problems.push(`the session page answers ${check.status} after the churn`);
    return { terminalCycles: opts.terminalCycles, floods: opts.floods, connectionsPerFlood: per, pingsAnswered, baseline, after, problems };
  } finally {
    await lab.api('DELETE', `/api/sessions/${view.id}`).catch(() => {});
  }
}
