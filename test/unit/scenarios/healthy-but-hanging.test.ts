import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyShell } from '@/lib/audit/classify';
import { createRng } from '@/lib/scenario/rng';
import scenario, { DEPENDENCIES, drawParams, parseDumpSummaries, requested } from '@/scenarios/healthy-but-hanging/scenario';

describe('healthy-but-hanging params', () => {
  const all = Array.from({ length: 300 }, (_, i) => drawParams(createRng(`seed-${i}`)));

  it('are deterministic and cover every dependency with both mechanisms', () => {
    assert.deepEqual(drawParams(createRng('x')), drawParams(createRng('x')));
    const seen = new Set(all.map((p) => `${p.frozen}/${p.mechanism}`));
    for (const d of DEPENDENCIES) for (const m of ['pool', 'lock']) assert.ok(seen.has(`${d}/${m}`), `never drew ${d}/${m}`);
  });

  it('the frozen dependency is live for a pool jam and cached for a lock jam; the config never gives it away', () => {
    for (const p of all) {
      assert.equal(p.modes[p.frozen], p.mechanism === 'pool' ? 'live' : 'cached');
      const modes = new Set(Object.values(p.modes));
      assert.equal(modes.size, 2, 'at least one live and one cached dependency');
      for (const d of DEPENDENCIES) assert.equal(p.cacheSeconds[d] > 0, p.modes[d] === 'cached');
      assert.equal(new Set([p.port, ...Object.values(p.depPorts)]).size, 4, 'distinct ports');
      assert.ok(p.workers >= 4 && p.workers <= 8);
    }
  });

  it('the truth follows the mechanism and names the frozen dependency', () => {
    for (const p of all.slice(0, 20)) {
      const t = scenario.diagnosis.truth(p);
      assert.equal(t.category, p.mechanism === 'pool' ? 'pool-exhausted' : 'lock-held');
      assert.equal(t.culprit, p.frozen);
      assert.ok(scenario.diagnosis.categories.some((c) => c.id === t.category));
    }
  });

  it('the API and every dependency are affected services; no restart allowed', () => {
    const affected = scenario.protocol?.affectedServices ?? [];
    for (const d of DEPENDENCIES) assert.ok(affected.includes(d));
    assert.ok(affected.includes('api'));
    assert.equal(scenario.protocol?.restartAllowed, false);
  });
});

describe('healthy-but-hanging goal helpers', () => {
  it('parses the API\u2019s thread-dump summary lines', () => {
    const text = [
      '2026-11-26T12:54:18Z signal=SIGUSR1 threads=57 inflight=48 oldest=11.5',
      'garbage',
      '2026-11-26T12:59:00Z signal=SIGQUIT threads=9 inflight=0 oldest=0.0',
      '',
    ].join('\n');
    assert.deepEqual(parseDumpSummaries(text), [
      { at: '2026-11-26T12:54:18Z', inflight: 48, oldest: 11.5 },
      { at: '2026-11-26T12:59:00Z', inflight: 0, oldest: 0 },
    ]);
  });

  it('recognises requests to /healthz and to the quote endpoint, not log searches', () => {
    const action = (text: string) => ({ text, classification: classifyShell(text) });
    assert.ok(requested(action('docker exec sickbay-x-traffic curl -sS -m 3 http://api:8123/healthz'), '/healthz'));
    assert.ok(requested(action('docker exec sickbay-x-api wget -qO- -T 3 http://127.0.0.1:8123/api/quote?sku=SKU-1001'), '/api/quote'));
    assert.ok(requested(action('docker exec sickbay-x-traffic python3 /opt/sickbay/probe.py --url http://api:8123/api/quote --count 5'), '/api/quote'));
    assert.ok(!requested(action('docker logs sickbay-x-api | grep /api/quote'), '/api/quote'));
    assert.ok(!requested(action('docker exec sickbay-x-traffic curl -sS http://api:8123/healthz'), '/api/quote'));
  });
});
