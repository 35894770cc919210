/**
 * log-flood: the pure parts — parameters, the rendered config (exactly one wrong key), the
 * install payload, the log-rate counter — and the goals against a fake context, to check what
 * they pass on and that their evidence never names the culprit.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRng, type ContainerState, type ExecResult, type ScenarioContext } from '@/lib/scenario';
import def, {
  countRecentLines,
  drawParams,
  installPayload,
  MECHANISMS,
  renderConfig,
  STORIES,
  type LogFloodParams,
} from '@/scenarios/log-flood/scenario';

const SEEDS = Array.from({ length: 200 }, (_, i) => `seed-${i}`);

function configValues(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.split('#', 1)[0]?.trim() ?? '';
    if (!line) continue;
    const [k, v] = line.split('=', 2).map((s) => s.trim());
    out.set(k as string, v as string);
  }
  return out;
}

describe('log-flood parameters', () => {
  it('are deterministic in the seed', () => {
    assert.deepEqual(drawParams(createRng('abc')), drawParams(createRng('abc')));
  });

  it('reach every story and every mechanism', () => {
    const stories = new Set<string>();
    const mechanisms = new Set<string>();
    for (const seed of SEEDS) {
      const p = drawParams(createRng(seed));
      stories.add(p.story);
      mechanisms.add(p.mechanism);
    }
    assert.deepEqual([...stories].sort(), Object.keys(STORIES).sort());
    assert.deepEqual([...mechanisms].sort(), [...MECHANISMS].sort());
  });

  it('render a config with exactly one wrong key: the culprit', () => {
    for (const seed of SEEDS) {
      const p = drawParams(createRng(seed));
      const values = configValues(renderConfig(p));
      const right: Record<string, string> = {
        [`${p.prefix}_host`]: 'gateway',
        [`${p.prefix}_port`]: String(p.gatewayPort),
        [`${p.prefix}_tls`]: 'no',
        [`${p.prefix}_api_path`]: p.apiPath,
        [`${p.prefix}_token_file`]: p.activeTokenFile,
      };
      const wrong = Object.entries(right).filter(([k, v]) => values.get(k) !== v);
      assert.equal(wrong.length, 1, `${seed}: ${JSON.stringify(wrong)}`);
      assert.equal(wrong[0]?.[0], p.culpritKey);
      assert.equal(values.get(p.culpritKey), p.wrongValue);
      assert.equal(right[p.culpritKey], p.rightValue);
      assert.notEqual(p.wrongValue, p.rightValue);
      assert.equal(values.get('retry_delay_ms'), '0');
    }
  });

  it('keep the old and the current token apart', () => {
    for (const seed of SEEDS.slice(0, 50)) {
      const p = drawParams(createRng(seed));
      assert.notEqual(p.activeTokenFile, p.revokedTokenFile);
      assert.ok(p.activeToken.startsWith(`${p.activeKey}.`));
      assert.ok(p.revokedToken.startsWith(`${p.revokedKey}.`));
      assert.ok(p.revokedTokenAgeDays > p.activeTokenAgeDays);
      assert.ok(p.activeTokenFile.startsWith(`/etc/${p.app}/tokens/`));
    }
  });

  it('install the config and both token files', () => {
    const p = drawParams(createRng('payload'));
    const files = JSON.parse(Buffer.from(installPayload(p), 'base64').toString('utf8')) as { path: string; content: string }[];
    assert.deepEqual(files.map((f) => f.path).sort(), [p.activeTokenFile, p.confPath, p.revokedTokenFile].sort());
    assert.equal(files.find((f) => f.path === p.activeTokenFile)?.content.trim(), p.activeToken);
  });

  it('pass the schema, with a truth that is one of the categories', () => {
    const p = drawParams(createRng('schema'));
    const truth = def.diagnosis.truth(p);
    assert.ok(def.diagnosis.categories.some((c) => c.id === truth.category));
    assert.equal(truth.culprit, p.culpritKey);
    assert.ok(def.diagnosis.categories.length >= 4);
    assert.equal(def.hints?.length, 3);
  });
});

describe('countRecentLines', () => {
  const at = (ms: number, msg = 'WARN dispatch: n-000001 not delivered, retrying'): string => `${new Date(ms).toISOString()} ${msg}`;
  const now = Date.parse('2025-06-01T12:00:00.000Z');

  it('counts the lines of the window only', () => {
    const text = [at(now - 20_000), at(now - 10_500), at(now - 9_000), at(now - 1), at(now), 'no timestamp'].join('\n');
    assert.deepEqual(countRecentLines(text, now, 10, 3000), { lines: 3, saturated: false, total: 5 });
  });

  it('is saturated only when the tail was full and all of it is recent', () => {
    const lines = Array.from({ length: 100 }, (_, i) => at(now - 5000 + i * 10)).join('\n');
    assert.equal(countRecentLines(lines, now, 10, 100).saturated, true);
    assert.equal(countRecentLines(lines, now, 10, 3000).saturated, false);
  });
});

// ---------------------------------------------------------------------------------------------
// Goals against a fake context

interface Live {
  accepted10s: number;
  rejected10s: number;
  queued: number;
  consecutiveFailures: number;
  linesPerSecond: number;
  restarted: boolean;
}

function fakeContext(p: LogFloodParams, live: Live): ScenarioContext<LogFloodParams> {
  const now = Date.parse('2025-06-01T12:00:00.000Z');
  const state: ContainerState = {
    id: 'c1',
    name: 'sickbay-x-worker',
    running: true,
    startedAt: '2025-06-01T11:50:00Z',
    pid: 4242,
    restartCount: 0,
    oomKilled: false,
    exitCode: 0,
    health: 'healthy',
  };
  const ok = (stdout: string): ExecResult => ({ exitCode: 0, stdout, stderr: '' });
  return {
    sessionId: 's',
    seed: 'seed',
    params: p,
    async exec(service, cmd) {
      if (cmd[0] === 'date') return ok(`${now}\n`);
      const url = cmd[cmd.length - 1] ?? '';
      if (service === 'gateway' && url.endsWith('/stats')) return ok(JSON.stringify({ accepted10s: live.accepted10s, rejected10s: live.rejected10s }));
      if (service === 'worker' && url.endsWith('/status'))
        return ok(JSON.stringify({ queued: live.queued, oldestQueuedSeconds: live.queued ? 300 : 0, consecutiveFailures: live.consecutiveFailures }));
      return { exitCode: 1, stdout: '', stderr: 'unexpected' };
    },
    async inspect() {
      return live.restarted ? { ...state, startedAt: '2025-06-01T11:59:00Z', pid: 5151 } : state;
    },
    async memory() {
      return { usage: 0, limit: 0, percent: 0 };
    },
    async note() {},
    async recall() {
      return null;
    },
    async logs(_service, options) {
      const n = Math.min(live.linesPerSecond * 30, options?.tail ?? 200);
      const step = 30_000 / Math.max(live.linesPerSecond * 30, 1);
      return Array.from({ length: n }, (_, i) => `${new Date(now - (n - 1 - i) * step).toISOString()} WARN dispatch: retrying`).join('\n');
    },
    baseline: () => state,
    async disconnect() {},
    async actions() {
      return [];
    },
    async sleep() {},
    now: () => 0,
  };
}

async function runGoals(p: LogFloodParams, live: Live) {
  const ctx = fakeContext(p, live);
  const out: Record<string, { pass: boolean; evidence: string }> = {};
  for (const g of def.goals) out[g.id] = await g.check(ctx);
  return out;
}

const BROKEN: Live = { accepted10s: 0, rejected10s: 900, queued: 600, consecutiveFailures: 30000, linesPerSecond: 95, restarted: false };
const FIXED: Live = { accepted10s: 21, rejected10s: 0, queued: 1, consecutiveFailures: 0, linesPerSecond: 4, restarted: false };

describe('log-flood goals', () => {
  it('fail on the incident and pass once it is fixed', async () => {
    const p = drawParams(createRng('goals'));
    const broken = await runGoals(p, BROKEN);
    assert.equal(broken['deliveries-flowing']?.pass, false);
    assert.equal(broken['log-rate-normal']?.pass, false);
    assert.equal(broken['worker-not-restarted']?.pass, true);
    const fixed = await runGoals(p, FIXED);
    for (const [id, r] of Object.entries(fixed)) assert.equal(r.pass, true, `${id}: ${r.evidence}`);
  });

  it('see a quieter log that still fails deliveries (a retry delay alone) as half a fix', async () => {
    const p = drawParams(createRng('goals'));
    const r = await runGoals(p, { ...BROKEN, linesPerSecond: 3, rejected10s: 10 });
    assert.equal(r['log-rate-normal']?.pass, true);
    assert.equal(r['deliveries-flowing']?.pass, false);
  });

  it('catch a restart', async () => {
    const p = drawParams(createRng('goals'));
    const r = await runGoals(p, { ...FIXED, restarted: true });
    assert.equal(r['worker-not-restarted']?.pass, false);
  });

  it('never name the culprit in their evidence', async () => {
    for (const seed of SEEDS.slice(0, 40)) {
      const p = drawParams(createRng(seed));
      for (const live of [BROKEN, FIXED]) {
        const results = await runGoals(p, live);
        for (const [id, r] of Object.entries(results)) {
          for (const secret of [p.culpritKey, p.wrongValue, p.rightValue, p.confPath, p.label]) {
            if (secret === 'no' || secret === 'yes' || /^\d+$/.test(secret)) continue; // too short to be a name
            assert.ok(!r.evidence.includes(secret), `${seed} ${id}: "${r.evidence}" names ${secret}`);
          }
        }
      }
    }
  });
});
