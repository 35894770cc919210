import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { learnerActions } from '@/lib/scenario/actions';
import { Log } from '../scoring/helpers';

describe('learnerActions', () => {
  it('keeps docker calls and typed lines in order, with time, text and tier, and drops the rest', () => {
    const log = new Log();
    log.ready(0);
    log.typed(1_000, 'docker logs --tail 20 api');
    log.docker(1_100, 'logs', { target: 'api', flags: { tail: 20 } });
    log.inside(5_000, 'api', 'curl -sv http://inventory:9000/health');
    const actions = learnerActions(log.events);
    assert.deepEqual(actions.map((a) => a.atMs), [1_000, 1_100, 5_000]);
    assert.deepEqual(actions.map((a) => a.body.kind), ['typed', 'docker', 'typed']);
    assert.equal(actions[1]?.text, 'docker logs api');
    assert.equal(actions[1]?.classification?.tier, 'external');
    assert.equal(actions[2]?.text, 'curl -sv http://inventory:9000/health');
    assert.equal(actions[2]?.classification?.tier, 'read-only');
    assert.ok(actions.every((a) => !('id' in a.body) && !('sessionId' in a.body)), 'bodies carry no log bookkeeping');
  });

  it('times actions on the session clock when its zero is known', () => {
    const log = new Log();
    log.ready(12_000);
    log.typed(15_500, 'docker ps');
    assert.deepEqual(learnerActions(log.events, 12_000).map((a) => a.atMs), [3_500]);
    assert.deepEqual(learnerActions(log.events).map((a) => a.atMs), [15_500], 'no zero: since creation');
  });
});
