import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { classifyEvents } from '@/lib/audit/classify';
import { createRng } from '@/lib/scenario/rng';
import type { LearnerAction, ScenarioContext } from '@/lib/scenario/types';
import { gradeDiagnosis } from '@/lib/scoring/diagnosis';
import { namesIt } from '@/lib/scoring/update';
import scenario, { CAUSES, drawParams, JOB_NAMES, REGIONS, TABLES, type NoShellParams } from '@/scenarios/no-shell-image/scenario';

const FILES = path.join(process.cwd(), 'scenarios/no-shell-image/files');

describe('no-shell-image params', () => {
  it('are deterministic per seed and cover both causes, every job, table and region', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 300; i++) {
      const p = drawParams(createRng(`seed-${i}`));
      assert.deepEqual(p, drawParams(createRng(`seed-${i}`)));
      assert.ok(p.port >= 8000 && p.port <= 8999);
      assert.ok([256, 320, 384, 512].includes(p.maxOpenFiles));
      seen.add(p.cause.kind);
      if (p.cause.kind === 'lock') {
        seen.add(p.cause.job);
        seen.add(p.cause.table);
        assert.ok(p.truth.includes(p.cause.job));
      } else {
        seen.add(p.cause.region);
        assert.ok(p.truth.includes(p.cause.file));
      }
    }
    for (const x of [...CAUSES, ...JOB_NAMES, ...TABLES, ...REGIONS]) assert.ok(seen.has(x), `never drew ${x}`);
  });

  it('name jobs the binary accepts (pricingd valid_name: [a-z][a-z-]{0,14}) and files the image ships', () => {
    for (const j of JOB_NAMES) assert.match(j, /^[a-z][a-z-]{0,14}$/);
    for (const t of TABLES) assert.ok(fs.existsSync(path.join(FILES, 'data', t)), t);
    for (const r of REGIONS) assert.ok(fs.existsSync(path.join(FILES, 'data/regions', `${r}.tbl`)), r);
    const src = fs.readFileSync(path.join(FILES, 'src/pricingd.c'), 'utf8');
    for (const t of TABLES) assert.ok(src.includes(`"${t}"`), `pricingd.c does not read ${t}`);
  });

  it('map each cause to a listed category, and the spellings a learner types name the culprit', () => {
    const ids = scenario.diagnosis.categories.map((c) => c.id);
    for (let i = 0; i < 100; i++) {
      const p = drawParams(createRng(`seed-${i}`));
      const t = scenario.diagnosis.truth(p);
      assert.ok(ids.includes(t.category));
      const names = [t.culprit, ...(t.accept ?? [])];
      const typed =
        p.cause.kind === 'lock'
          ? [p.cause.job, `the ${p.cause.job} job`, `${p.cause.job} --exclusive ${p.cause.file}`]
          : [p.cause.file, `regions/${p.cause.region}.tbl`, `${p.cause.region}.tbl leaked`, `the ${p.cause.region} region table`];
      for (const s of typed) assert.ok(names.some((n) => namesIt(s, n)), `"${s}" should name ${t.culprit}`);
      // The victim the log names is not the culprit.
      assert.ok(!names.some((n) => namesIt('/var/lib/pricing/rates.db', n)) || (p.cause.kind === 'lock' && p.cause.table === 'rates.db'));
    }
  });

  it('a sidecar ls of /proc/1/fd reveals a file culprit, and ps reveals a process culprit', () => {
    const base = { kind: 'typed' as const, where: 'console' as const, approximate: false, sessionId: 's' };
    const evs = [
      { ...base, id: 1, t: 1000, at: 1000, line: 'docker run --rm --user 65532:65532 --pid container:sickbay-abc-pricing sickbay/service:latest ls -l /proc/1/fd' },
      { ...base, id: 2, t: 2000, at: 2000, line: 'docker run --rm --pid container:sickbay-abc-pricing sickbay/service:latest ps -eo pid,stat,args' },
    ];
    const classified = classifyEvents(evs);
    const opts = { affectedServices: ['pricing'], services: ['pricing', 'traffic'] };
    const file = gradeDiagnosis({ category: 'fd-leak', culprit: '/var/lib/pricing/regions/apac.tbl', evidence: [1] }, { category: 'fd-leak', culprit: '/var/lib/pricing/regions/apac.tbl', culpritKind: 'file' }, classified, opts);
    assert.equal(file.evidence.revealing.length, 1, file.reasons.join(' '));
    const proc = gradeDiagnosis({ category: 'lock-held', culprit: 'fx-importer', evidence: [2] }, { category: 'lock-held', culprit: 'fx-importer', culpritKind: 'process' }, classified, opts);
    assert.equal(proc.evidence.revealing.length, 1, proc.reasons.join(' '));
  });
});

describe('no-shell-image sidecar goal', () => {
  const goal = scenario.goals.find((g) => g.id === 'sidecar-joined-pid')!;
  const ctxWith = (actions: LearnerAction[]) => ({ actions: async () => actions }) as unknown as ScenarioContext<NoShellParams>;
  const run = (flags: Record<string, string | boolean>, allowed = true, status = 201): LearnerAction => ({
    atMs: 65_000,
    body: { kind: 'docker', action: 'run', method: 'POST', path: '/containers/create', flags, allowed, status },
    text: 'docker run',
    classification: null,
  });

  it('passes only for an allowed sidecar that joined the pricing PID namespace', async () => {
    assert.equal((await goal.check(ctxWith([]))).pass, false);
    assert.equal((await goal.check(ctxWith([run({ net: 'pricing' })]))).pass, false);
    assert.equal((await goal.check(ctxWith([run({ pid: 'traffic' })]))).pass, false);
    assert.equal((await goal.check(ctxWith([run({ pid: 'pricing' }, false, 403)]))).pass, false);
    const ok = await goal.check(ctxWith([run({ pid: 'pricing', net: 'pricing' })]));
    assert.equal(ok.pass, true);
    assert.match(ok.evidence, /1:05 into the session/);
  });
});
