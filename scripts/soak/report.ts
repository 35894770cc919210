/** The soak's targets (docs/benchmarks.md, "Soak") and its printed table. */
import { mib, ms, table } from '@/bench/lib/report';
import type { SoakResult } from './run';

export const SOAK_TARGETS = { echoP95Ms: 100 };

export interface SoakTarget {
  target: string;
  value: string;
  met: boolean;
}

export function soakTargets(r: SoakResult, sessions: number): SoakTarget[] {
  const left = r.leftovers;
  return [
    { target: `${sessions} of ${sessions} sessions ready`, value: `${r.counts.ready} ready`, met: r.counts.ready === sessions },
    { target: `${sessions} of ${sessions} sessions solved (every goal at the final check)`, value: `${r.counts.solved} solved`, met: r.counts.solved === sessions },
    {
      target: `keystroke echo p95 under ${SOAK_TARGETS.echoP95Ms} ms on live terminals`,
      value: `${ms(r.echo.p95)} (${r.echo.n} samples${r.echo.timeouts ? `, ${r.echo.timeouts} lost` : ''})`,
      met: r.echo.n > 0 && r.echo.p95 < SOAK_TARGETS.echoP95Ms && r.echo.timeouts === 0,
    },
    {
      target: 'nothing left behind',
      value: `${left.objectCount} object(s), ${left.serverChildren} docker CLI(s), ${left.socketDirs} socket folder(s)`,
      met: left.objectCount === 0 && left.serverChildren === 0 && left.socketDirs === 0,
    },
  ];
}

export function printSoak(r: SoakResult, targets: SoakTarget[]): void {
  console.log('\nSessions');
  console.log(
    table(
      ['#', 'scenario', 'queue', 'provisioning', 'ready', 'script', 'goals', 'total', 'echo', 'result'],
      r.sessions.map((s) => [
        s.index,
        s.scenario,
        ms(s.start.queueMs),
        `${ms(s.start.provisioningMs)}${s.start.retries ? ` (${s.start.retries} retry)` : ''}`,
        ms(s.start.readyMs),
        ms(s.scriptMs),
        s.solved ? 'all' : s.ready ? 'NOT ALL' : '-',
        s.total ?? '-',
        `${s.echoSamples}${s.echoTimeouts ? ` (${s.echoTimeouts} lost)` : ''}`,
        s.ok ? 'ok' : `FAIL: ${(s.problems[0] ?? '').slice(0, 80)}`,
      ]),
    ),
  );
  console.log('\nStart (create -> ready), split into the queue and provisioning; echo on live terminals');
  const row = (name: string, v: SoakResult['echo'] | SoakResult['start']['readyMs']) => [name, v.n, ms(v.median), ms(v.p95), ms(v.max)];
  console.log(
    table(
      ['figure', 'n', 'p50', 'p95', 'max'],
      [row('create -> ready', r.start.readyMs), row('  waiting in the queue', r.start.queueMs), row('  provisioning', r.start.provisioningMs), row('keystroke echo', r.echo), row('  floor: bare docker exec -it', r.echoFloor)],
    ),
  );
  if (r.start.retries) console.log(`  ${r.start.retries} start(s) retried automatically`);
  const loop = (l: { p50Ms: number; p99Ms: number; maxMs: number } | null) => (l ? `p50 ${ms(l.p50Ms)}, p99 ${ms(l.p99Ms)}, max ${ms(l.maxMs)}` : 'not read');
  console.log(`  event-loop delay: server ${loop(r.server.loopDelay.server)}; this driver ${loop(r.server.loopDelay.driver)}`);
  const rss = r.server.rssBytes;
  const heap = r.server.heapAfterGc;
  console.log(
    `\nServer RSS: ${mib(rss.first)} at the start, ${mib(rss.max)} at most, ${mib(rss.last)} after every session ended` +
      (heap ? `; heap after GC ${mib(heap.heapUsedBytes)} (external ${mib(heap.externalBytes)})` : ''),
  );
  // The series, thinned to about 12 points for the console (the JSON has every sample).
  const step = Math.max(1, Math.ceil(r.server.samples.length / 12));
  console.log(
    table(
      ['t', 'server RSS', 'docker CLIs', 'children RSS', 'fds', 'load', 'sessions'],
      r.server.samples
        .filter((_, i) => i % step === 0 || i === r.server.samples.length - 1)
        .map((s) => [`${s.s} s`, mib(s.rssBytes), s.dockerClis, mib(s.childrenRssBytes), s.fds, s.load1, Object.entries(s.statuses).map(([k, v]) => `${k} ${v}`).join(', ')]),
    ),
  );
  const left = r.leftovers;
  if (left.objectCount) console.log(`\nLeft behind: ${[...left.objects.containers, ...left.objects.networks, ...left.objects.images].join(', ')}`);
  console.log('\nTargets');
  console.log(table(['target', 'value', 'status'], targets.map((t) => [t.target, t.value, t.met ? 'met' : 'MISSED'])));
  console.log(`\n${r.wallSeconds} s in all${r.timedOut ? ' (hard deadline reached)' : ''}`);
}
