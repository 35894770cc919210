/**
 * `npm run scenario:verify` on every shipped scenario, one seed each: a real session per
 * solution script, typed line by line into the console through the terminal gateway and the
 * session's proxy. The reference must meet every goal and score >= 85, the reckless script
 * <= 40, and teardown must leave nothing labelled. Prints the verify table.
 *
 * Time: about 11 min for the eight scenarios in a clean-clone run (648 s) — from under a
 * minute each (leaky-job, log-flood: two sessions) to ~3 min (pg-blocked-missing-index, whose
 * reference builds an index on ~2.5 M rows under load). VERIFY_IT_SCENARIOS=leaky-job,log-flood runs a subset.
 * Then a subset of the fairness corpus on leaky-job: doing nothing, restart first, the docker-top
 * alternative path (solutions/alternative.sh), and no-shell-image's one-long-lived-sidecar alternative.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { InProcessLab } from '@/scripts/verify/lab';
import { formatResults, verifyScenarios, type RunResult } from '@/scripts/verify/verify';
import { labelledObjects, removeInstanceObjects, ROOT, tempDataDir, testInstance } from './helpers';

const instance = testInstance();
const dataDir = tempDataDir('sickbay-verify-it-');
let lab: InProcessLab;

const wanted = (process.env.VERIFY_IT_SCENARIOS ?? '')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);

before(async () => {
  lab = await InProcessLab.start({ dataDir, instance });
});

after(async () => {
  await lab?.close();
  await removeInstanceObjects(instance);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('scenario:verify', () => {
  it('every scenario: the reference fixes it well, the reckless script scores low, nothing is left', { timeout: 30 * 60_000 }, async () => {
    const all = await lab.scenarios();
    const scenarios = wanted.length ? all.filter((s) => wanted.includes(s)) : all;
    assert.ok(scenarios.length > 0, `scenarios to verify (served: ${all.join(', ')})`);
    const started = Date.now();
    const results: RunResult[] = await verifyScenarios({
      lab,
      scenariosDir: path.join(ROOT, 'scenarios'),
      scenarios,
      seeds: ['it-verify-1'],
      transcriptDir: path.join(dataDir, 'transcripts'),
      log: (line) => console.log(line),
    });
    const table = formatResults(results);
    console.log(`${table}\n(${((Date.now() - started) / 1000).toFixed(0)} s)`);
    assert.equal(results.length, scenarios.length * 2, 'a reference and a reckless run per scenario');
    for (const r of results) {
      assert.ok(r.ok, `${r.scenario} ${r.solution}:\n${table}`);
      assert.ok(r.symptoms && r.symptoms.failing > 0, `${r.scenario} ${r.solution}: symptoms present`);
      assert.equal(r.lines.length, r.linesTotal, `${r.scenario} ${r.solution}: every line ran`);
      if (r.solution === 'reference') {
        assert.ok(r.report?.diagnosisGrade, 'the reference submitted a diagnosis');
        assert.equal(r.report?.diagnosisGrade?.culprit.match, 'exact', `${r.scenario}: the culprit the reference found is the run's`);
      }
    }
    assert.deepEqual(await labelledObjects({ instance }), [], 'nothing labelled left for the lab instance');
  });

  // A subset of the fairness corpus (scripts/verify/fairness.ts; the whole of it: --fairness),
  // on the quickest scenario. restart-first used to score 42 there (the restart also ends the
  // job): the goals a restart meets by itself now earn nothing after it (restartMeets).
  it('the fairness corpus on leaky-job: nothing <= 10, restart first <= 40, the docker-top path >= 85', { timeout: 20 * 60_000 }, async () => {
    const results = await verifyScenarios({
      lab,
      scenariosDir: path.join(ROOT, 'scenarios'),
      scenarios: ['leaky-job'],
      seeds: ['it-fair-1'],
      solutions: ['nothing', 'restart-first', 'alternative'],
      transcriptDir: path.join(dataDir, 'transcripts'),
      log: (line) => console.log(line),
    });
    const table = formatResults(results);
    console.log(table);
    assert.deepEqual(results.map((r) => r.solution), ['nothing', 'restart-first', 'alternative']);
    const [nothing, restartFirst, alternative] = results;
    assert.ok(nothing?.ok && nothing.total !== null && nothing.total <= 10, table);
    assert.equal(nothing.lines.length, 0, 'nothing was typed');
    assert.equal(nothing.report?.diagnosisGrade, null, 'nothing was submitted');
    assert.ok(restartFirst?.ok && restartFirst.total !== null && restartFirst.total <= 40, table);
    assert.match(restartFirst.report?.subscores.outcome.notes.join('\n') ?? '', /no credit: .*meets it by itself/, table);
    assert.ok(alternative?.ok && alternative.total !== null && alternative.total >= 85, table);
  });

  it('the fairness corpus on no-shell-image: the one-long-lived-sidecar path >= 85, every goal met', { timeout: 15 * 60_000 }, async () => {
    const results = await verifyScenarios({
      lab,
      scenariosDir: path.join(ROOT, 'scenarios'),
      scenarios: ['no-shell-image'],
      seeds: ['it-fair-1'],
      solutions: ['alternative'],
      transcriptDir: path.join(dataDir, 'transcripts'),
      log: (line) => console.log(line),
    });
    const table = formatResults(results);
    console.log(table);
    const [alternative] = results;
    assert.ok(alternative?.ok && alternative.total !== null && alternative.total >= 85, table);
  });
});
