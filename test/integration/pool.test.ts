/**
 * SICKBAY_POOL on the real engine: a pooled leaky-job session is provisioned ahead of demand,
 * stays invisible to the API, is handed over ready (faults active, terminal open) to the next
 * learner who starts the scenario without a seed, and the pool refills. A chosen seed never
 * comes from the pool. Shutdown leaves nothing labelled, pooled sessions included.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Services } from '@/server/registry';
import { labelledObjects, waitFor, startTestServices, type TestServices } from './helpers';

let lab: TestServices;
let services: Services;

before(async () => {
  lab = await startTestServices({ env: { SICKBAY_POOL: 'leaky-job:1' } });
  services = lab.services;
});

after(async () => {
  await lab?.close();
});

const pooledReady = () => services.store.listSessions({ includePooled: true, statuses: ['ready'] }).filter((s) => s.pooled);

describe('session pool', () => {
  let pooledId = '';
  let claimedId = '';

  it('provisions a pooled session in the background that the API does not show', async () => {
    const [pooled] = await waitFor('a ready pooled session', async () => (pooledReady().length === 1 ? pooledReady() : null), 180_000);
    pooledId = pooled!.id;
    assert.deepEqual(services.engine.list().map((s) => s.id), [], 'the session list leaves pooled sessions out');
    assert.throws(() => services.engine.get(pooledId), /no session/);
    assert.throws(() => services.engine.events(pooledId), /no session/);
    assert.equal(services.engine.terminalTarget(pooledId), null, 'no terminal for an unclaimed session');
    assert.ok(pooled!.consoleId, 'its console is already up');
  });

  it('hands the pooled session over ready, with the clock starting at the claim', async () => {
    const before = Date.now();
    const view = services.engine.create({ scenario: 'leaky-job' });
    claimedId = view.id;
    assert.equal(view.id, pooledId);
    assert.equal(view.status, 'ready');
    assert.ok(view.terminal, 'the terminal is there at once');
    assert.ok(Date.parse(view.readyAt as string) >= before - 5, 'readyAt is the claim time, not the pool time');
    assert.deepEqual(services.engine.list().map((s) => s.id), [pooledId]);
    const ready = services.engine.events(pooledId).filter((e) => e.kind === 'lifecycle' && e.status === 'ready');
    assert.match(JSON.stringify(ready.at(-1)), /taken from the pool/);
    const goals = await services.engine.checkGoals(pooledId);
    assert.equal(goals.results.find((g) => g.id === 'job-stopped')?.pass, false, 'the fault is active');
  });

  it('refills the pool with a new session', async () => {
    const [next] = await waitFor('the pool to refill', async () => (pooledReady().length === 1 ? pooledReady() : null), 180_000);
    assert.notEqual(next!.id, pooledId);
  });

  it('never serves a chosen seed from the pool', () => {
    const view = services.engine.create({ scenario: 'leaky-job', seed: 'pool-it-seed' });
    assert.notEqual(view.status, 'ready');
    assert.equal(view.seed, 'pool-it-seed');
  });

  it('ends a claimed session with a report and leaves nothing labelled at shutdown', async () => {
    await services.engine.end(claimedId);
    assert.equal(services.engine.report(claimedId).sessionId, claimedId, 'the claimed session has its report');
    await services.close();
    assert.deepEqual(await labelledObjects({ instance: lab.instance }), []);
  });
});
