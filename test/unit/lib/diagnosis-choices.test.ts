import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diagnosisChoices } from '@/lib/scenario/types';
import leakyJob from '@/scenarios/leaky-job/scenario';

describe('diagnosisChoices', () => {
  it('hands the page the culprit label and the categories, never the truth', () => {
    const choices = diagnosisChoices(leakyJob.diagnosis);
    assert.deepEqual(Object.keys(choices).sort(), ['categories', 'culpritLabel']);
    assert.equal(choices.culpritLabel, leakyJob.diagnosis.culpritLabel);
    assert.ok(choices.categories.some((c) => c.id === 'runaway-process'));
    assert.doesNotThrow(() => JSON.stringify(choices), 'plain data a client component can receive');
  });
});
