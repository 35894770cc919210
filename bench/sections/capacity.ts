/**
 * 4. Capacity: leaky-job sessions started one at a time on the real server, each with its
 * terminal connected (a learner at every one), until keystroke echo on the newest exceeds the
 * threshold at p95, free memory runs short, or the cap is reached. Reports how many were held,
 * what each costs in memory (its containers, from the engine's stats, plus its share of the
 * server's growth: the Node process and the host-side docker CLI behind each terminal), and
 * tears everything down. Every loop is bounded: the cap, a deadline, per-wait timeouts.
 */
import os from 'node:os';
import type Docker from 'dockerode';
import { LABEL, MANAGED_BY } from '@/lib/lifecycle/labels';
import { DockerRuntime } from '@/server/runtime/docker';
import { memAvailable } from '../lib/machine';
import { treeRss } from '../lib/proc';
import type { BenchServer } from '../lib/server';
import { summarize, type Summary } from '../lib/stats';
import { echoSamples, WebSocketTypist } from '../lib/terminal';

const GIB = 1024 ** 3;

export interface CapacityStep {
  sessions: number;
  /** create -> ready of the session just added, ms (server clock). */
  startMs: number;
  /** Echo on the newest session's terminal with all the others live, ms. */
  echo: Summary;
  /** Sum of the memory of every session container (usage minus inactive page cache, as docker stats). */
  containersBytes: number;
  serverRssBytes: number;
  /** The host-side docker CLI processes (one per open terminal) and anything else the server started. */
  childrenRssBytes: number;
  children: number;
  memAvailableBytes: number;
  loadAverage1: number;
}

export interface CapacityResult {
  maxSessions: number;
  echoP95LimitMs: number;
  echoSamplesPerStep: number;
  /** Largest count at which every session started and echo p95 stayed within the limit. */
  held: number;
  stoppedBecause: string;
  baseline: { serverRssBytes: number; childrenRssBytes: number; memAvailableBytes: number };
  /** At the held count. */
  perSession: { containersBytes: number; serverBytes: number; totalBytes: number } | null;
  serverRssAtHeldBytes: number | null;
  steps: CapacityStep[];
  /** DELETE of each session at the end (final goal check + teardown), ms. */
  end: Summary;
}

async function containersMemory(docker: Docker, runtime: DockerRuntime, instance: string): Promise<number> {
  const list = await docker.listContainers({ filters: { label: [`${LABEL.managedBy}=${MANAGED_BY}`, `${LABEL.instance}=${instance}`] } });
  let total = 0;
  for (let i = 0; i < list.length; i += 8) {
    const chunk = list.slice(i, i + 8);
    const mems = await Promise.all(chunk.map((c) => runtime.memory(c.Id).then((m) => m.usage).catch(() => 0)));
    total += mems.reduce((a, b) => a + b, 0);
  }
  return total;
}

export async function benchCapacity(
  server: BenchServer,
  docker: Docker,
  opts: { maxSessions: number; echoP95LimitMs: number; samples: number; deadlineMs: number; log: (m: string) => void },
): Promise<CapacityResult> {
  const runtime = new DockerRuntime(docker);
  const started = Date.now();
  const base = treeRss(server.pid);
  const baseline = { serverRssBytes: base.selfBytes, childrenRssBytes: base.descendantsBytes, memAvailableBytes: memAvailable() };
  const sessions: { id: string; typist: WebSocketTypist }[] = [];
  const steps: CapacityStep[] = [];
  let held = 0;
  let stoppedBecause = `reached the cap of ${opts.maxSessions} sessions`;
  const ends: number[] = [];
  try {
    while (sessions.length < opts.maxSessions) {
      if (Date.now() - started > opts.deadlineMs) {
        stoppedBecause = `the ${opts.deadlineMs / 60_000}-minute deadline`;
        break;
      }
      const last = steps[steps.length - 1];
      const perSessionEstimate = last ? (last.containersBytes + last.serverRssBytes + last.childrenRssBytes - baseline.serverRssBytes - baseline.childrenRssBytes) / last.sessions : 0.5 * GIB;
      const reserve = Math.max(2 * GIB, 2 * perSessionEstimate);
      if (memAvailable() < reserve) {
        stoppedBecause = `free memory short: ${(memAvailable() / GIB).toFixed(1)} GiB available, keeping ${(reserve / GIB).toFixed(1)} GiB in reserve`;
        break;
      }
      const n = sessions.length + 1;
      let startMs: number;
      try {
        const s = await server.readySession(`bench-capacity-${n}`);
        const typist = new WebSocketTypist(server.url, s.id, s.terminal.token);
        sessions.push({ id: s.id, typist });
        await typist.ready();
        startMs = s.startMs;
      } catch (err) {
        stoppedBecause = `session ${n} did not start: ${(err as Error).message.split('\n')[0]}`;
        break;
      }
      const newest = sessions[sessions.length - 1] as { typist: WebSocketTypist };
      let echo: Summary;
      try {
        echo = summarize(await echoSamples(newest.typist, { samples: opts.samples, warmup: 10, paceMs: 20, timeoutMs: 10_000 }), 2);
      } catch (err) {
        stoppedBecause = `echo failed with ${n} sessions: ${(err as Error).message.split('\n')[0]}`;
        break;
      }
      const tree = treeRss(server.pid);
      const step: CapacityStep = {
        sessions: n,
        startMs,
        echo,
        containersBytes: await containersMemory(docker, runtime, server.instance),
        serverRssBytes: tree.selfBytes,
        childrenRssBytes: tree.descendantsBytes,
        children: tree.descendants,
        memAvailableBytes: memAvailable(),
        loadAverage1: Number(os.loadavg()[0]?.toFixed(2)),
      };
      steps.push(step);
      opts.log(
        `${n} session(s): start ${(startMs / 1000).toFixed(1)}s, echo p50 ${echo.median} p95 ${echo.p95} ms, containers ${(step.containersBytes / 2 ** 20).toFixed(0)} MiB, ` +
          `server RSS ${(step.serverRssBytes / 2 ** 20).toFixed(0)} MiB (+${(step.childrenRssBytes / 2 ** 20).toFixed(0)} MiB in ${step.children} child processes), ` +
          `available ${(step.memAvailableBytes / GIB).toFixed(1)} GiB, load ${step.loadAverage1}`,
      );
      if (echo.p95 > opts.echoP95LimitMs) {
        stoppedBecause = `echo p95 ${echo.p95} ms > ${opts.echoP95LimitMs} ms with ${n} sessions`;
        break;
      }
      held = n;
    }
  } finally {
    for (const s of sessions) {
      await s.typist.close();
      try {
        ends.push(await server.endSession(s.id));
      } catch (err) {
        opts.log(`ending ${s.id}: ${(err as Error).message}`);
      }
    }
  }
  const at = steps.find((s) => s.sessions === held);
  const perSession = at
    ? {
        containersBytes: Math.round(at.containersBytes / held),
        serverBytes: Math.round((at.serverRssBytes + at.childrenRssBytes - baseline.serverRssBytes - baseline.childrenRssBytes) / held),
        totalBytes: 0,
      }
    : null;
  if (perSession) perSession.totalBytes = perSession.containersBytes + perSession.serverBytes;
  return {
    maxSessions: opts.maxSessions,
    echoP95LimitMs: opts.echoP95LimitMs,
    echoSamplesPerStep: opts.samples,
    held,
    stoppedBecause,
    baseline,
    perSession,
    serverRssAtHeldBytes: at ? at.serverRssBytes : null,
    steps,
    end: summarize(ends, 0),
  };
}
