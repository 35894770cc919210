/** Coach mode's hint (issue #15, item 5): the next protocol step not taken yet. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextProtocolStep } from '@/lib/scoring';
import { LEAKY, Log } from './helpers';

describe('nextProtocolStep', () => {
  it('walks the protocol: outside first, then a snapshot, a diagnosis, an update, then nothing', () => {
    const log = new Log();
    log.ready(0);
    assert.equal(nextProtocolStep(log.input(LEAKY))?.rule, 'observe-outside-first');
    assert.match(nextProtocolStep(log.input(LEAKY))?.text ?? '', /not looked from outside yet/);
    log.typed(1_000, 'docker stats --no-stream api');
    log.docker(1_100, 'stats', { target: 'api', flags: { 'no-stream': true } });
    assert.equal(nextProtocolStep(log.input(LEAKY))?.rule, 'snapshot-before-invasive');
    assert.match(nextProtocolStep(log.input(LEAKY))?.text ?? '', /docker commit api/);
    log.typed(2_000, 'docker commit api');
    log.docker(2_100, 'commit', { target: 'api' });
    assert.equal(nextProtocolStep(log.input(LEAKY))?.rule, 'decision-recorded');
    log.diagnosis(3_000, { category: 'memory-leak', culprit: 'job', evidence: [], decision: 'fix-in-place', reason: 'kill the job' });
    assert.equal(nextProtocolStep(log.input(LEAKY))?.rule, 'stakeholder-update');
    log.update(4_000, 'api slow because of a job; stopped it');
    assert.equal(nextProtocolStep(log.input(LEAKY)), null);
  });

  it('a refused look does not count, and no snapshot step where none is expected', () => {
    const log = new Log();
    log.ready(0);
    log.docker(1_000, 'logs', { target: 'api', allowed: false, status: 403 });
    assert.equal(nextProtocolStep(log.input(LEAKY))?.rule, 'observe-outside-first');
    log.docker(2_000, 'logs', { target: 'api' });
    assert.equal(nextProtocolStep(log.input({ ...LEAKY, snapshotExpected: false }))?.rule, 'decision-recorded');
  });
});
