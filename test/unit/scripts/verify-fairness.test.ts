/** The fairness corpus of scenario:verify (issue 17): runs built from the reference, and their targets. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fairnessProblems, fairnessSolution, guessAnswers } from '@/scripts/verify/fairness';
import type { StoredReport } from '@/scripts/verify/lab';
import { parseSolution } from '@/scripts/verify/solution';

const REFERENCE = parseSolution('docker logs --tail 20 $API\n#@ evidence\ndocker exec $API ps aux\ndocker exec $API kill 42\n');

function report(over: { total?: number; culpritPoints?: number; candidates?: string[] }): StoredReport {
  return {
    total: over.total ?? 0,
    truth: { category: 'network', categoryLabel: 'Network', culprit: 'inventory', culpritKind: 'network', ...(over.candidates ? { candidates: over.candidates } : {}) },
    diagnosisGrade: over.culpritPoints === undefined ? null : { culprit: { points: over.culpritPoints } },
  } as unknown as StoredReport;
}

test('nothing and guess type nothing; restart-first restarts every container, then types the reference, each line allowed to fail', () => {
  assert.deepEqual(fairnessSolution('nothing', REFERENCE).lines, []);
  assert.deepEqual(fairnessSolution('guess', REFERENCE).lines, []);
  const r = fairnessSolution('restart-first', REFERENCE);
  assert.equal(r.lines[0]?.text, 'docker restart $(docker ps -q)');
  assert.deepEqual(r.lines.slice(1).map((l) => l.text), REFERENCE.lines.map((l) => l.text));
  assert.ok(r.lines.slice(1).every((l) => l.mayFail));
  assert.equal(r.lines[2]?.evidence, true, 'the reference keeps its evidence lines');
});

test('the guess names every candidate of the run, and needs the reference report', () => {
  assert.match(guessAnswers(null) as string, /needs the reference run/);
  assert.match(guessAnswers(report({})) as string, /^skipped/);
  const g = guessAnswers(report({ candidates: ['accounts', 'inventory', 'pricing'] }));
  assert.ok(typeof g !== 'string');
  assert.equal(g.diagnosis?.culprit, 'one of accounts, inventory or pricing');
  assert.equal(g.diagnosis?.category, 'network');
});

test('targets: nothing <= 10, restart first <= 40, a guess at most half the culprit credit', () => {
  assert.deepEqual(fairnessProblems('nothing', report({ total: 10 })), []);
  assert.match(fairnessProblems('nothing', report({ total: 11 }))[0] ?? '', /doing nothing scored 11/);
  assert.deepEqual(fairnessProblems('restart-first', report({ total: 40 })), []);
  assert.match(fairnessProblems('restart-first', report({ total: 53 }))[0] ?? '', /53 > 40/);
  assert.deepEqual(fairnessProblems('guess', report({ culpritPoints: 20 })), []);
  assert.match(fairnessProblems('guess', report({ culpritPoints: 40 }))[0] ?? '', /40 culprit points > 20/);
  assert.match(fairnessProblems('guess', report({}))[0] ?? '', /not graded/);
});
