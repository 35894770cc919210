/**
 * The issues' targets and how one run's figures are judged against them (bench/run.ts prints
 * the table and writes it with the results).
 */
import { ms, x } from './report';
import type { CapacityResult } from '../sections/capacity';
import { type DrillResult, TYPIST_KEYS_PER_S } from '../sections/drill';
import type { EchoResult } from '../sections/echo';
import type { ProxyResult } from '../sections/proxy';
import type { StartResult } from '../sections/start';

/** The issue's targets. */
export const TARGETS = { startRatio: 1.3, echoP99Ms: 20, echoRatio: 1.5, mirrorsRatio: 1.2, proxyRatio: 1.2, sessions: 20, echoP95Ms: 100 };

export interface Target {
  id: string;
  target: string;
  value: string;
  status: 'met' | 'missed' | 'not measured';
}

export function targets(r: { start?: StartResult; echo?: EchoResult; proxy?: ProxyResult; drill?: DrillResult; capacity?: CapacityResult }): Target[] {
  const out: Target[] = [];
  const judge = (ok: boolean | null): Target['status'] => (ok === null ? 'not measured' : ok ? 'met' : 'missed');
  const s = r.start;
  out.push({
    id: 'warm-start',
    target: `warm start within ${TARGETS.startRatio}x of the floor`,
    value: s ? `${x(s.ratio)} (${ms(s.start.median)} vs ${ms(s.floor.all.median)})` : '-',
    status: judge(s && s.ratio !== null ? s.ratio <= TARGETS.startRatio : null),
  });
  out.push({
    id: 'warm-start-pooled',
    target: `  the same with a pool of one ready session (SICKBAY_POOL)`,
    value: s?.pooled ? `${x(s.pooledRatio ?? null)} (claim ${ms(s.pooled.claim.median)}; refill ${ms(s.pooled.refill.median)} in the background)` : '-',
    status: judge(s?.pooled && s.pooledRatio != null ? s.pooledRatio <= TARGETS.startRatio : null),
  });
  const d = r.drill;
  out.push({
    id: 'drill-start',
    target: `a drill's ${TARGETS.sessions} held sessions all ready within the same second of Start`,
    value: d ? `${d.sessions - d.failed}/${d.sessions}: Start -> all ready ${ms(d.releaseMs)}, spread ${ms(d.readySpreadMs)}` : '-',
    // A quick run's few sessions show the figures but do not judge the target.
    status: judge(d && d.sessions >= TARGETS.sessions ? d.failed === 0 && d.releaseMs < 1000 && d.readySpreadMs < 1000 : null),
  });
  out.push({
    id: 'drill-echo',
    target: `keystroke echo p95 under ${TARGETS.echoP95Ms} ms with a drill's ${TARGETS.sessions} terminals typing at once (${TYPIST_KEYS_PER_S} keys/s each)`,
    value: d?.echo
      ? `${ms(d.echo.p95)} at p95 (p50 ${ms(d.echo.median)}) over ${d.sessions - d.failed} terminal(s)${d.echoFloor ? `; floor beside them ${ms(d.echoFloor.p95)} at p95` : ''}`
      : '-',
    status: judge(d?.echo && d.sessions >= TARGETS.sessions ? d.echo.p95 < TARGETS.echoP95Ms : null),
  });
  const e = r.echo;
  out.push({
    id: 'echo-p99',
    target: `keystroke echo p99 under ${TARGETS.echoP99Ms} ms`,
    value: e ? ms(e.gateway.p99) : '-',
    status: judge(e ? e.gateway.p99 < TARGETS.echoP99Ms : null),
  });
  // Judged at both the median and p99: a noisy floor p99 alone could make a slower path look faster.
  out.push({
    id: 'echo-vs-pty',
    target: `keystroke echo within ${TARGETS.echoRatio}x of a bare pty (p50 and p99)`,
    value: e ? `${x(e.ratioP50)} at p50, ${x(e.ratioP99)} at p99` : '-',
    status: judge(e && e.ratioP50 !== null && e.ratioP99 !== null ? e.ratioP50 <= TARGETS.echoRatio && e.ratioP99 <= TARGETS.echoRatio : null),
  });
  out.push({
    id: 'echo-mirrors',
    target: `keystroke echo with 3 mirrors attached within ${TARGETS.mirrorsRatio}x of the plain echo (p99)`,
    value: e?.withMirrors ? `${x(e.mirrorsRatioP99)} (${ms(e.withMirrors.p99)} vs ${ms(e.gateway.p99)})` : '-',
    status: judge(e?.withMirrors && e.mirrorsRatioP99 !== null ? e.mirrorsRatioP99 <= TARGETS.mirrorsRatio : null),
  });
  for (const name of ['ps', 'inspect', 'logs --tail 100', 'exec true']) {
    const c = r.proxy?.calls[name];
    out.push({
      id: `proxy-${name.split(' ')[0]}`,
      target: `docker ${name} through the proxy within ${TARGETS.proxyRatio}x of direct`,
      value: c ? `${x(c.ratio)} (${ms(c.proxy.median)} vs ${ms(c.direct.median)})` : '-',
      status: judge(c && c.ratio !== null ? c.ratio <= TARGETS.proxyRatio : null),
    });
  }
  const c = r.capacity;
  out.push({
    id: 'capacity',
    target: `${TARGETS.sessions} concurrent sessions with echo p95 under ${TARGETS.echoP95Ms} ms`,
    value: c ? `${c.held} held (${c.stoppedBecause})` : '-',
    status: judge(c ? c.held >= TARGETS.sessions : null),
  });
  return out;
}

