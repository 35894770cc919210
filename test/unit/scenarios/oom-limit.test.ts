import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRng } from '@/lib/scenario/rng';
import { namesIt } from '@/lib/scoring/update';
import scenario, {
  BATCH_KINDS,
  CACHE_NAMES,
  drawParams,
  judgeLimit,
  judgeStability,
  LIMITS_MB,
  parseSnapshot,
  STABLE,
  type WorkerSnapshot,
} from '@/scenarios/oom-limit/scenario';

/** The container's memory with nothing in the caches: supervisor + worker (measured ~13-16 MiB). */
const BASE_MB = 16;

describe('oom-limit params', () => {
  const all = Array.from({ length: 400 }, (_, i) => drawParams(createRng(`seed-${i}`)));

  it('are deterministic and cover both causes, every limit, batch type and cache', () => {
    assert.deepEqual(drawParams(createRng('x')), drawParams(createRng('x')));
    const seen = new Set<string>();
    for (const p of all) {
      seen.add(p.cause);
      seen.add(String(p.limitMb));
      if (p.heavyKind) seen.add(p.heavyKind);
      if (p.leakyCache) seen.add(p.leakyCache);
    }
    for (const want of ['leak', 'undersized', ...LIMITS_MB.map(String), ...BATCH_KINDS, ...CACHE_NAMES]) assert.ok(seen.has(want), `never drew ${want}`);
  });

  it('undersized: every heavy batch passes the limit, and a 3x limit holds it', () => {
    for (const p of all.filter((q) => q.cause === 'undersized')) {
      const heavy = p.profile.order.find((k) => k.kind === p.heavyKind);
      assert.ok(heavy, 'the heavy kind is in the rotation');
      assert.equal(p.profile.order[2]?.kind, p.heavyKind, 'two batches complete before the first heavy one');
      assert.ok(heavy.peakMb[0] > p.limitMb * 1.25, `heavy low ${heavy.peakMb[0]} vs limit ${p.limitMb}`);
      assert.ok(p.needMb + 8 < p.limitMb * 3, 'the 3x experiment holds the biggest batch');
      assert.ok(p.profile.caches.every((c) => c.max > 0 && c.keys > 0), 'no unbounded cache');
      // the reference keeps 1.3x the smallest possible observed max, rounded up to 16: inside [need, 2 need]
      const low = Math.ceil(Math.ceil(heavy.peakMb[0] * 1.3) / 16) * 16;
      assert.equal(judgeLimit(low, p.needMb).pass, true, `limit ${low} for need ${p.needMb}`);
      assert.equal(judgeLimit(p.limitMb, p.needMb).pass, false);
    }
  });

  it('leak: the original limit fits the batches, the leak kills well within the quiet window, 3x only postpones', () => {
    for (const p of all.filter((q) => q.cause === 'leak')) {
      const leaky = p.profile.caches.filter((c) => c.max === 0);
      assert.equal(leaky.length, 1);
      assert.equal(leaky[0]?.name, p.leakyCache);
      assert.equal(judgeLimit(p.limitMb, p.needMb).pass, true, 'the provisioned limit is right once the leak is off');
      assert.equal(judgeLimit(p.limitMb * 3, p.needMb).pass, false, 'the experiment limit is not');
      // batches until the peak (need + leaked) passes the limit, from a fresh worker
      const batches = Math.ceil((p.limitMb - p.needMb) / p.leakMbPerBatch) + 1;
      assert.ok(batches * p.profile.interval + 4 < STABLE.quietS * 0.6, `a kill every ${batches} batches`);
      assert.ok(p.leakMbPerBatch * (STABLE.batches - 1) >= STABLE.climbMb + 10, 'the climb is unmistakable');
      // 40 s of the 3x experiment from a worker about to be killed stays under 3x
      assert.ok(p.limitMb + (40 / p.profile.interval) * p.leakMbPerBatch + p.needMb - BASE_MB < p.limitMb * 3);
    }
  });

  it('the truth names the culprit and the report sentence says why', () => {
    for (const p of all.slice(0, 50)) {
      const t = scenario.diagnosis.truth(p);
      assert.ok(scenario.diagnosis.categories.some((c) => c.id === t.category));
      assert.ok(p.truth.includes(t.culprit));
      for (const spelling of [t.culprit, ...(t.accept ?? [])]) assert.ok(namesIt(`it was ${spelling}`, t.culprit) || namesIt(`it was ${spelling}`, spelling));
      if (p.cause === 'leak') assert.ok(namesIt('the font cache', 'font_cache'));
    }
  });
});

function snap(over: Partial<WorkerSnapshot> & { afters?: number[]; done?: number; lastOomAgo?: number | null }): WorkerSnapshot {
  const now = 1_800_000_000;
  const afters = over.afters ?? [17, 16, 17, 18, 17];
  return {
    nowS: now,
    kernelOomKills: 3,
    supervisor: {
      workerPid: 42,
      restarts: 3,
      oomKills: 3,
      lastOomAt: over.lastOomAgo === null ? null : now - (over.lastOomAgo ?? 120),
      lastExit: { how: 'killed by signal 9', at: now - 120 },
    },
    worker: { pid: 42, batchesDone: over.done ?? 20, recent: afters.map((a, i) => ({ id: `b-${i}`, afterMb: a, peakMb: 60 })) },
    ...over,
  };
}

describe('oom-limit goal logic', () => {
  it('parses the snapshot exec output', () => {
    const out = [
      '1800000000',
      '--sickbay--',
      'oom_kill_disable 0\nunder_oom 0\noom_kill 4\n',
      '--sickbay--',
      JSON.stringify({ pid: 1, workerPid: 9, restarts: 4, oomKills: 4, lastOomAt: 1799999990.5, lastExit: { how: 'killed by signal 9', at: 1799999990.5 } }),
      '--sickbay--',
      JSON.stringify({ pid: 9, batchesDone: 2, recent: [{ id: 'b-1', afterMb: 13.2, peakMb: 55 }] }),
    ].join('\n');
    const s = parseSnapshot(out);
    assert.equal(s.nowS, 1_800_000_000);
    assert.equal(s.kernelOomKills, 4);
    assert.equal(s.supervisor?.workerPid, 9);
    assert.equal(s.worker?.batchesDone, 2);
    assert.equal(s.worker?.recent[0]?.afterMb, 13.2);
    const empty = parseSnapshot('1800000000\n--sickbay--\n--sickbay--\n\n--sickbay--\n');
    assert.equal(empty.supervisor, null);
    assert.equal(judgeStability(empty).stable, false);
  });

  it('is not steady right after an OOM kill, between restarts, or before 5 batches', () => {
    const recent = judgeStability(snap({ lastOomAgo: 8 }));
    assert.equal(recent.stable, false);
    assert.match(recent.evidence, /OOM-killed 8 s ago \(3 OOM kills/);
    const down = snap({});
    down.supervisor = { ...down.supervisor!, workerPid: null };
    assert.match(judgeStability(down).evidence, /not running right now/);
    assert.match(judgeStability(snap({ done: 3 })).evidence, /completed 3 batches/);
  });

  it('is not steady while the memory left after each batch climbs', () => {
    const s = judgeStability(snap({ afters: [40, 48, 55, 63, 70] }));
    assert.equal(s.stable, false);
    assert.match(s.evidence, /climbed from 40 to 70 MiB/);
  });

  it('is steady when batches complete and memory falls back (also right after a cache was dropped)', () => {
    assert.equal(judgeStability(snap({})).stable, true);
    assert.equal(judgeStability(snap({ afters: [80, 88, 16, 16, 17] })).stable, true);
    assert.equal(judgeStability(snap({ lastOomAgo: null })).stable, true);
  });

  it('judges the limit against the need', () => {
    assert.equal(judgeLimit(96, 56).pass, true);
    assert.equal(judgeLimit(288, 56).pass, false);
    assert.equal(judgeLimit(128, 224).pass, false);
    assert.equal(judgeLimit(304, 224).pass, true);
    assert.match(judgeLimit(1024, 224).evidence, /more than twice/);
  });

  it('says the same kind of thing for both causes before anything was changed', () => {
    // At the provisioned limit both causes end in a recent OOM kill: the evidence is the same sentence.
    const a = judgeStability(snap({ lastOomAgo: 3, done: 0 }));
    const b = judgeStability(snap({ lastOomAgo: 3, afters: [20, 28, 36, 44, 52] }));
    assert.equal(a.evidence, b.evidence);
  });
});

describe('oom-limit: what reveals the culprit (issue 17, 11)', () => {
  it('docker ps only supports; the worker log reveals a batch type or a cache', async () => {
    const { buildSessionReport } = await import('@/lib/scoring');
    const { Log } = await import('../scoring/helpers');
    const params = drawParams(createRng('oom-reveal'));
    const truth = scenario.diagnosis.truth(params);
    const log = new Log();
    log.ready(0);
    const ps = log.typed(3_000, 'docker ps');
    const logs = log.typed(6_000, 'docker logs --tail 100 worker');
    const grade = (evidence: number[]) => {
      const events = [...log.events, { kind: 'diagnosis' as const, category: truth.category, culprit: truth.culprit, evidence, decision: 'fix-in-place' as const, reason: 'the limit fits the work now', id: 99, t: 20_000, at: 1_700_000_020_000, sessionId: 's1' }];
      return buildSessionReport({ sessionId: 's1', scenario: 'oom-limit', definition: scenario as never, params, events, readyAt: 0, endedAt: 60_000 }).diagnosisGrade!;
    };
    assert.deepEqual(grade([ps]).evidence.revealing, []);
    assert.deepEqual(grade([ps]).evidence.supporting, [ps]);
    assert.deepEqual(grade([logs]).evidence.revealing, [logs]);
  });

  it("the worker's own status file reveals it too; its config (every cache) only supports", async () => {
    const { buildSessionReport } = await import('@/lib/scoring');
    const { Log } = await import('../scoring/helpers');
    const params = drawParams(createRng('oom-reveal-status'));
    const truth = scenario.diagnosis.truth(params);
    const log = new Log();
    log.ready(0);
    const status = log.typed(3_000, "docker exec worker cat /run/render-worker/status.json | jq '{caches, recent}'");
    const conf = log.typed(6_000, 'docker exec worker cat /etc/render-worker/worker.conf');
    const grade = (evidence: number[]) => {
      const events = [...log.events, { kind: 'diagnosis' as const, category: truth.category, culprit: truth.culprit, evidence, decision: 'fix-in-place' as const, reason: 'the limit fits the work now', id: 99, t: 20_000, at: 1_700_000_020_000, sessionId: 's1' }];
      return buildSessionReport({ sessionId: 's1', scenario: 'oom-limit', definition: scenario as never, params, events, readyAt: 0, endedAt: 60_000 }).diagnosisGrade!;
    };
    assert.deepEqual(grade([status]).evidence.revealing, [status]);
    assert.deepEqual(grade([conf]).evidence.revealing, []);
    assert.deepEqual(grade([conf]).evidence.supporting, [conf]);
  });
});
