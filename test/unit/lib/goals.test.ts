import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { httpHealthcheck, keptRunning, requestsInARow } from '@/lib/scenario/goals';
import { scenarioImage, slugOfFile, withOwnImage } from '@/lib/scenario/image';
import { resolveServices, validateScenario } from '@/lib/scenario/schema';
import type { ContainerState, ExecOptions, ScenarioContext } from '@/lib/scenario';
import { FILE, valid } from './scenario-fixture';

const state = (over: Partial<ContainerState> = {}): ContainerState => ({
  id: 'c1', name: 'x', running: true, startedAt: '2024-01-01T00:00:00Z', pid: 100, restartCount: 0, oomKilled: false, exitCode: 0, health: 'healthy', ...over,
});

/** `probeStdout`: what every probe prints, or one output per call in order. */
function fakeCtx(now: Record<string, ContainerState>, probeStdout: string | string[] = ''): { ctx: ScenarioContext<{ port: number }>; calls: { cmd: string[]; options?: ExecOptions }[] } {
  const calls: { cmd: string[]; options?: ExecOptions }[] = [];
  const outputs = typeof probeStdout === 'string' ? null : [...probeStdout];
  const ctx = {
    params: { port: 8123 },
    baseline: () => state(),
    inspect: async (s: string) => now[s] ?? state(),
    exec: async (_service: string, cmd: string[], options?: ExecOptions) => {
      calls.push({ cmd, options });
      return { exitCode: 0, stdout: outputs ? (outputs.shift() ?? '') : (probeStdout as string), stderr: '' };
    },
  } as unknown as ScenarioContext<{ port: number }>;
  return { ctx, calls };
}

describe('keptRunning', () => {
  it('names the goal after the service and passes while container, start time and PID stay', async () => {
    const goal = keptRunning('api', 'The API');
    assert.equal(goal.id, 'api-not-restarted');
    assert.equal(goal.title, 'The API kept running: no restart, same main process');
    const kept = await goal.check(fakeCtx({}).ctx);
    assert.equal(kept.pass, true);
    assert.match(kept.evidence, /same main PID \(100\)/);
    const restarted = await goal.check(fakeCtx({ api: state({ pid: 222, startedAt: '2024-01-01T00:05:00Z' }) }).ctx);
    assert.equal(restarted.pass, false);
    assert.match(restarted.evidence, /main PID changed from 100 to 222/);
  });

  it('fails when any of several services lost its state, and says which', async () => {
    const goal = keptRunning(['api', 'db'], 'Both', { id: 'all-kept', title: 'Both kept running', evidence: 'Both have run since the start.' });
    assert.deepEqual((await goal.check(fakeCtx({}).ctx)), { pass: true, evidence: 'Both have run since the start.' });
    const r = await goal.check(fakeCtx({ db: state({ running: false }) }).ctx);
    assert.equal(r.pass, false);
    assert.match(r.evidence, /^db lost its running state/);
  });
});

describe('requestsInARow', () => {
  const goal = requestsInARow<{ port: number }>({ id: 'ok', title: 'Requests succeed', url: (p) => `http://api:${p.port}/x`, count: 3, timeoutS: 2, what: 'requests to /x' });

  it('probes from the traffic service and passes on N successes in a row', async () => {
    const { ctx, calls } = fakeCtx({}, '{"requests":3,"ok":3,"failed":0,"consecutiveOk":3,"p95Ms":12}');
    assert.deepEqual(await goal.check(ctx), { pass: true, evidence: '3 of 3 requests to /x succeeded in a row.' });
    assert.deepEqual(calls[0]?.cmd.slice(2, 8), ['--url', 'http://api:8123/x', '--count', '3', '--timeout', '2']);
  });

  it('fails on a shorter run, or when the probe gives no result', async () => {
    const short = await goal.check(fakeCtx({}, '{"requests":2,"ok":1,"failed":1,"consecutiveOk":1,"firstFailure":"request 2: HTTP 500"}').ctx);
    assert.deepEqual(short, { pass: false, evidence: 'Only 1 requests to /x succeeded before a failure (request 2: HTTP 500).' });
    const none = await goal.check(fakeCtx({}, 'Traceback').ctx);
    assert.equal(none.pass, false);
    assert.match(none.evidence, /^Could not run the probe: the probe gave no result/);
  });

  it('can hold the p95 latency to a target', async () => {
    const fast = requestsInARow<{ port: number }>({ id: 'f', title: 'Fast', url: () => 'u', count: 2, what: 'lookups', p95BelowMs: () => 250 });
    assert.equal((await fast.check(fakeCtx({}, '{"requests":2,"ok":2,"failed":0,"consecutiveOk":2,"p95Ms":300}').ctx)).pass, false);
    assert.deepEqual(await fast.check(fakeCtx({}, '{"requests":2,"ok":2,"failed":0,"consecutiveOk":2,"p95Ms":40.4}').ctx), {
      pass: true,
      evidence: '2 of 2 lookups succeeded in a row with p95 40 ms (target: under 250 ms).',
    });
  });

  it("raises the latency target by what the busy host adds to an answer that skips the broken part", async () => {
    const goal = requestsInARow<{ port: number }>({ id: 'f', title: 'Fast', url: (p) => `http://app:${p.port}/lookup`, count: 2, what: 'lookups', p95BelowMs: () => 250, hostLatencyUrl: (p) => `http://app:${p.port}/` });
    const ok = (p95: number) => `{"requests":2,"ok":2,"failed":0,"consecutiveOk":2,"p95Ms":${p95}}`;
    const busy = fakeCtx({}, [ok(120.4), ok(335)]);
    assert.deepEqual(await goal.check(busy.ctx), {
      pass: true,
      evidence: '2 of 2 lookups succeeded in a row with p95 335 ms (target: under 370 ms, 250 ms plus the 120 ms this host took for an answer without the broken part).',
    });
    assert.deepEqual(busy.calls.map((c) => c.cmd[3]), ['http://app:8123/', 'http://app:8123/lookup']);
    // A full scan stays far slower than the host's own answer: still too slow.
    assert.equal((await goal.check(fakeCtx({}, [ok(30), ok(900)]).ctx)).pass, false);
    // The host probe failing gives no allowance.
    assert.equal((await goal.check(fakeCtx({}, ['Traceback', ok(300)]).ctx)).pass, false);
  });

  it('lets each request wait longer on a busy host only when the goal allows it, never past 3x', async () => {
    const ok = '{"requests":3,"ok":3,"failed":0,"consecutiveOk":3,"p95Ms":12}';
    const timeoutOn = async (g: typeof goal, busy?: number) => {
      const { ctx, calls } = fakeCtx({}, ok);
      if (busy !== undefined) (ctx as { hostBusy?: () => number }).hostBusy = () => busy;
      await g.check(ctx);
      return calls[0]?.cmd[7];
    };
    const grows = requestsInARow<{ port: number }>({ id: 'g', title: 'G', url: () => 'u', count: 3, timeoutS: 5, timeoutGrowsWithLoad: true, what: 'checkouts' });
    assert.equal(await timeoutOn(grows, 2.1), '11');
    assert.equal(await timeoutOn(grows, 7), '15');
    assert.equal(await timeoutOn(grows), '5');
    assert.equal(await timeoutOn(goal, 2.1), '2');
  });
});

describe("a scenario's own image", () => {
  it('is named from the folder, as the image builder names it', async () => {
    const root = path.resolve(import.meta.dirname, '../../..');
    const images = (await import(pathToFileURL(path.join(root, 'scripts/lib/images.mjs')).href)) as { discoverImages(root: string): { tag: string; source: string }[] };
    assert.equal(slugOfFile('scenarios/leaky-job/scenario.ts'), 'leaky-job');
    assert.equal(slugOfFile('C:\\x\\scenarios\\disk-full\\scenario.ts'), 'disk-full');
    assert.equal(slugOfFile('scenario.ts'), undefined);
    const built = images.discoverImages(root).filter((i) => i.source.startsWith('scenarios/'));
    assert.ok(built.length >= 8);
    for (const img of built) assert.equal(img.tag, scenarioImage(img.source.split('/')[1] as string));
  });

  it('fills services that name no image, and only those', () => {
    const out = withOwnImage({ api: { command: ['x'] }, traffic: { image: 'sickbay/service:latest' } }, 'demo');
    assert.equal(out.api?.image, 'sickbay/scenario-demo:latest');
    assert.equal(out.traffic?.image, 'sickbay/service:latest');
    const def = validateScenario(FILE, valid({ services: () => ({ web: { healthcheck: httpHealthcheck(8080) } }) }));
    const { services } = resolveServices(FILE, def, 'seed');
    assert.equal(services.web?.image, 'sickbay/scenario-demo:latest');
    assert.deepEqual(services.web?.healthcheck?.test, ['CMD', 'curl', '-fsS', '-m', '2', 'http://127.0.0.1:8080/healthz']);
  });
});
