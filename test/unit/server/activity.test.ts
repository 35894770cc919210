/** The learner's activity on a full data disk: reading a session must not fail because its idle deadline could not move. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SickbayError } from '@/lib/errors';
import { SessionActivity } from '@/server/engine/activity';

describe('session activity', () => {
  it('touch() is best effort: a failed write is logged (once a minute), never thrown into a read', () => {
    let now = 0;
    const logged: string[] = [];
    const full = () => {
      throw new SickbayError('storage_full', 'the data directory (/data) is full: nothing was saved');
    };
    const activity = new SessionActivity({ extendExpiry: full, appendEvent: full }, 60_000, () => now, (m) => logged.push(m));
    assert.doesNotThrow(() => activity.touch('aaaaaaaaaaaa'));
    now += 1_000;
    activity.touch('aaaaaaaaaaaa');
    assert.equal(logged.length, 1, 'said once, not on every poll');
    assert.match(logged[0] ?? '', /could not extend the idle deadline of aaaaaaaaaaaa: .*is full/);
    now += 61_000;
    activity.touch('aaaaaaaaaaaa');
    assert.equal(logged.length, 2);
    // Recording an event stays best effort too (the audit path never throws into the learner's call).
    assert.doesNotThrow(() => activity.record('aaaaaaaaaaaa', { kind: 'update', text: 'x' }));
  });
});
