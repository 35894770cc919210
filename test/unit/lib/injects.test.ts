import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_INJECTS, injectsDue, scheduleInjects } from '@/lib/scenario/injects';
import { validateScenario } from '@/lib/scenario/schema';
import { FILE, messageOf, valid } from './scenario-fixture';

describe('scenario injects', () => {
  it('default to the emergency timeline: a stakeholder at 2:00, a decision at 5:00', () => {
    const def = validateScenario(FILE, valid());
    assert.deepEqual(
      def.injects.map((i) => [i.id, i.atSeconds, i.kind, i.prompts]),
      [
        ['stakeholder-asks', 120, 'stakeholder-update', 'scribe'],
        ['decision-wanted', 300, 'decision', 'commander'],
      ],
    );
    def.injects[0]!.text = 'changed by one scenario';
    assert.notEqual(DEFAULT_INJECTS[0]!.text, 'changed by one scenario', 'each scenario gets its own copy');
  });

  it('are replaced by the author\'s own list, an empty one included', () => {
    const own = [{ id: 'ceo-calls', atSeconds: 60, kind: 'info', text: 'The CEO is on the phone.' }];
    const def = validateScenario(FILE, valid({ injects: own }));
    assert.deepEqual(def.injects, [{ ...own[0], prompts: 'everyone' }]);
    assert.deepEqual(validateScenario(FILE, valid({ injects: [] })).injects, []);
  });

  it('name the file and the field of a wrong inject', () => {
    assert.match(
      messageOf(() => validateScenario(FILE, valid({ injects: [{ id: 'a', atSeconds: 1.5, kind: 'info', text: 'hello there' }] }))),
      /^scenarios\/demo\/scenario\.ts: injects\.0\.atSeconds: /,
    );
    assert.match(
      messageOf(() => validateScenario(FILE, valid({ injects: [{ id: 'a', atSeconds: 1, kind: 'gossip', text: 'hello there' }] }))),
      /injects\.0\.kind: /,
    );
    assert.match(
      messageOf(() => validateScenario(FILE, valid({ injects: [{ id: 'a', atSeconds: 1, kind: 'info', text: 'hello there', prompts: 'intern' }] }))),
      /injects\.0\.prompts: /,
    );
    assert.match(
      messageOf(() => validateScenario(FILE, valid({ injects: [{ id: 'a', atSeconds: 1, kind: 'info', text: 'hello there', colour: 'red' }] }))),
      /injects\.0: .*colour/,
    );
    const twice = { id: 'same', atSeconds: 1, kind: 'info', text: 'hello there' };
    assert.match(messageOf(() => validateScenario(FILE, valid({ injects: [twice, { ...twice, atSeconds: 2 }] }))), /injects\.1\.id: duplicate id "same"/);
  });

  it('are scheduled on the session clock, scaled like the timeline budgets', () => {
    const schedule = scheduleInjects(DEFAULT_INJECTS, 1.5);
    assert.deepEqual(schedule.map((i) => i.atMs), [180_000, 450_000]);
    const unsorted = scheduleInjects([
      { id: 'late', atSeconds: 90, kind: 'info', text: 'later one', prompts: 'everyone' },
      { id: 'early', atSeconds: 10, kind: 'info', text: 'early one', prompts: 'everyone' },
    ]);
    assert.deepEqual(unsorted.map((i) => i.id), ['early', 'late']);
  });

  it('are due once their time has come, with the next one announced', () => {
    const schedule = scheduleInjects(DEFAULT_INJECTS);
    assert.deepEqual(injectsDue(schedule, 0), { due: [], next: schedule[0] });
    assert.deepEqual(injectsDue(schedule, 120_000).due.map((i) => i.id), ['stakeholder-asks']);
    assert.equal(injectsDue(schedule, 120_000).next?.id, 'decision-wanted');
    assert.deepEqual(injectsDue(schedule, 600_000), { due: schedule, next: null });
  });
});
