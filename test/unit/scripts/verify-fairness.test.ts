/** The fairness corpus of scenario:verify (issue 17): runs built from the reference, and their targets. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { classifyShell } from '@/lib/audit/classify';
import { actsLikeReference, fairnessFile, fairnessProblems, fairnessSolution, guessAnswers, missingFairnessScript } from '@/scripts/verify/fairness';
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

test('alternative: typed as its own script (solutions/alternative.sh), skipped where a scenario has none, held to the reference targets', () => {
  const alt = parseSolution('docker top $API -eo pid,rss,comm,args\n');
  assert.equal(fairnessSolution('alternative', alt), alt);
  assert.equal(fairnessFile('alternative'), 'alternative.sh');
  assert.equal(fairnessFile('restart-first'), 'reference.sh');
  assert.match(missingFairnessScript('alternative') ?? '', /^skipped/);
  assert.equal(missingFairnessScript('nothing'), null);
  assert.ok(actsLikeReference('alternative') && actsLikeReference('reference') && !actsLikeReference('restart-first'));
  const goals = (pass: boolean) => [{ id: 'job-stopped', title: 'x', pass: true, evidence: '' }, { id: 'api-healthy', title: 'y', pass, evidence: '' }];
  assert.deepEqual(fairnessProblems('alternative', { ...report({ total: 85 }), goals: goals(true) } as StoredReport), []);
  assert.match(fairnessProblems('alternative', { ...report({ total: 84 }), goals: goals(true) } as StoredReport)[0] ?? '', /scored 84 < 85/);
  assert.match(fairnessProblems('alternative', { ...report({ total: 95 }), goals: goals(false) } as StoredReport)[0] ?? '', /goals unmet: api-healthy/);
  assert.match(fairnessProblems('alternative', { ...report({ total: 95 }), goals: [] } as unknown as StoredReport)[0] ?? '', /no final goal check/);
});

/** The scripted alternative paths: they parse, and they really take another way than the reference. */
function scenarioScript(slug: string, name: string): string {
  return fs.readFileSync(path.join(process.cwd(), 'scenarios', slug, 'solutions', name), 'utf8');
}

test('leaky-job alternative finds the job from outside with docker top, never with a read-only exec', () => {
  const alt = parseSolution(scenarioScript('leaky-job', 'alternative.sh'));
  assert.deepEqual(alt.errors, []);
  const evidence = alt.lines.filter((l) => l.evidence);
  assert.equal(evidence.length, 1);
  const cited = classifyShell(evidence[0]?.text ?? '');
  assert.equal(cited.tier, 'external', 'docker top runs nothing in the container');
  assert.ok(cited.observes.includes('processes'), 'and shows the processes: it reveals a process culprit');
  // The only exec is the fix; everything it looked at came from outside.
  const inside = alt.lines.filter((l) => /docker exec/.test(l.text));
  assert.deepEqual(inside.map((l) => classifyShell(l.text).tier), ['change']);
  assert.ok(inside.every((l) => classifyShell(l.text).flags.targeted), 'pkill -x of one exact name is targeted');
  assert.ok(alt.lines.some((l) => /docker commit/.test(l.text)), 'a snapshot before the change');
  assert.ok(alt.lines.some((l) => l.text.includes('SICKBAY_DIAGNOSIS')) && alt.lines.some((l) => l.text.includes('SICKBAY_UPDATE')));
  assert.notDeepEqual(alt.lines.map((l) => l.text), parseSolution(scenarioScript('leaky-job', 'reference.sh')).lines.map((l) => l.text));
});

test('no-shell-image alternative works from one long-lived sidecar: no exec into the service, no one-off sidecars', () => {
  const alt = parseSolution(scenarioScript('no-shell-image', 'alternative.sh'));
  assert.deepEqual(alt.errors, []);
  assert.ok(alt.assigned.includes('DBG'), 'the sidecar id is kept in DBG');
  const runs = alt.lines.filter((l) => /docker run/.test(l.text));
  assert.equal(runs.length, 1, 'one sidecar');
  assert.equal(classifyShell(runs[0]?.text ?? '').tier, 'sidecar');
  assert.match(runs[0]?.text ?? '', /--pid container:\$PRICING/);
  const execs = alt.lines.filter((l) => /docker exec/.test(l.text));
  assert.ok(execs.length > 5 && execs.every((l) => /docker exec \$DBG /.test(l.text)), 'every exec goes into the sidecar');
  const evidence = alt.lines.filter((l) => l.evidence).map((l) => classifyShell(l.text));
  assert.ok(evidence.some((c) => c.observes.includes('process-state')), 'cites process state (/proc/locks, the fd list)');
  const saved = alt.lines.filter((l) => /> pricing-(fds|locks)-before\.txt/.test(l.text)).map((l) => classifyShell(l.text).tier);
  assert.deepEqual(saved, ['snapshot', 'snapshot'], 'the process state is saved before the change');
});

test("oom-limit alternative reads the worker's own state, never parses its log, keeps it with docker cp", () => {
  const alt = parseSolution(scenarioScript('oom-limit', 'alternative.sh'));
  assert.deepEqual(alt.errors, []);
  // As typed: the placeholder becomes the container's name (docker cp needs it to tell the sides apart).
  const typed = (text: string) => classifyShell(text.replaceAll('$WORKER', 'sickbay-3f2a9c0b1d4e-worker'));
  const evidence = alt.lines.filter((l) => l.evidence).map((l) => typed(l.text));
  assert.ok(evidence.length >= 1 && evidence.every((c) => c.tier === 'read-only' && c.observes.includes('app-state')), 'cites status.json');
  // The only log read is a short look at the start: nothing is measured from the log.
  const logs = alt.lines.filter((l) => /docker logs/.test(l.text));
  assert.deepEqual(logs.map((l) => l.text), ['docker logs --tail 12 $WORKER']);
  assert.ok(!alt.lines.some((l) => /docker commit/.test(l.text)), 'no commit: the evidence is copied out');
  const copies = alt.lines.filter((l) => /^docker cp \$WORKER:/.test(l.text)).map((l) => typed(l.text).tier);
  assert.ok(copies.length >= 2 && copies.every((t) => t === 'snapshot'));
  const firstChange = alt.lines.findIndex((l) => typed(l.text).tier === 'change');
  const firstCopy = alt.lines.findIndex((l) => /^docker cp \$WORKER:/.test(l.text));
  assert.ok(firstCopy >= 0 && firstCopy < firstChange, 'copied out before the first change');
  assert.ok(alt.lines.some((l) => /docker cp \.\/worker\.conf\.new \$WORKER:/.test(l.text)), 'the config goes back in with docker cp, not sed -i in place');
  assert.ok(!alt.lines.some((l) => /docker exec .*sed -i/.test(l.text)));
  assert.ok(alt.lines.some((l) => l.text.includes('SICKBAY_DIAGNOSIS')) && alt.lines.some((l) => l.text.includes('SICKBAY_UPDATE')));
});
