/**
 * pg-blocked-missing-index on the real engine, once per blocking pattern (row-locks,
 * lock-queue, table-lock): provision it, measure the symptoms the briefing promises (Postgres
 * healthy; dozens of queries in flight; a blocking chain rooted in one idle transaction; a Seq
 * Scan for the lookup; customers timing out), see the goals fail without naming the culprit,
 * then fix it by running the scenario's own solutions/reference.sh (which must discover the
 * culprit by itself) and see every goal pass. Each session adds one way of getting it wrong:
 *   row-locks:  an online index build that times out leaves an INVALID index (goal says so);
 *               after the fix, SIGKILL of one backend = crash recovery (goal fails)
 *   lock-queue: after the fix, `docker restart` of the db (goal fails)
 *   table-lock: solutions/reckless.sh instead of the reference (everything passes but the
 *               "Postgres kept running" goal)
 * Teardown must leave nothing labelled. Prints the time to ready and the fix's duration.
 *
 * PG_IT_KINDS=row-locks,table-lock runs a subset (each pattern takes about three minutes).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { drawingSeed } from '@/lib/lifecycle/seed';
import { createRng } from '@/lib/scenario/rng';
import scenario, { BLOCKER_KINDS, type BlockerKind, DATASETS, type PgBlockedParams } from '@/scenarios/pg-blocked-missing-index/scenario';
import type { GoalReport } from '@/server/engine/engine';
import type { Services } from '@/server/registry';
import { docker, labelledObjects, ROOT, tempDataDir, waitFor, startTestServices, type TestServices } from './helpers';

const SLUG = 'pg-blocked-missing-index';
const SOLUTIONS = path.join(ROOT, 'scenarios', SLUG, 'solutions');
const SECRET = 'pg-blocked-it-secret';
const workDir = tempDataDir('sickbay-pg-work-');
let lab: TestServices;
let services: Services;
let instance: string;

const KINDS: BlockerKind[] = (process.env.PG_IT_KINDS ?? BLOCKER_KINDS.join(','))
  .split(',')
  .map((k) => k.trim())
  .filter((k): k is BlockerKind => (BLOCKER_KINDS as string[]).includes(k));

/** The engine draws params from drawingSeed(secret, seed): with a known secret we can pick seeds by pattern. */
function seedFor(kind: BlockerKind, avoid: Set<string>): { seed: string; params: PgBlockedParams } {
  for (let i = 0; i < 500; i++) {
    const seed = `it-${kind}-${i}`;
    const params = scenario.params(createRng(drawingSeed(SECRET, seed)));
    if (params.blocker.kind === kind && !avoid.has(params.dataset)) return { seed, params };
  }
  throw new Error(`no seed gives ${kind}`);
}

before(async () => {
  lab = await startTestServices({ seedSecret: SECRET });
  ({ services, instance } = lab);
});

after(async () => {
  await lab?.close();
  fs.rmSync(workDir, { recursive: true, force: true });
});

// ----------------------------------------------------------------------------- helpers

function session(id: string) {
  const s = services.store.requireSession(id);
  return { ...s, p: s.params as unknown as PgBlockedParams, c: s.containers as Record<'db' | 'app' | 'traffic', string> };
}

/** psql in the db container as postgres; rows as arrays of tab-separated fields. */
async function psql(id: string, query: string, opts: { db?: string; timeoutMs?: number } = {}): Promise<string[][]> {
  const s = session(id);
  const res = await services.runtime.exec(s.c.db, ['psql', '-X', '-q', '-A', '-t', '-F', '\t', '-v', 'ON_ERROR_STOP=1', '-U', 'postgres', '-d', opts.db ?? s.p.database, '-c', query], {
    env: { PGAPPNAME: 'it-observer' },
    timeoutMs: opts.timeoutMs ?? 30_000,
  });
  if (res.exitCode !== 0) throw new Error(`psql failed (${res.exitCode}): ${res.stderr.trim()}`);
  return res.stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split('\t'));
}

async function checkGoals(id: string): Promise<Record<string, { pass: boolean; evidence: string }>> {
  const report: GoalReport = await services.engine.checkGoals(id);
  return Object.fromEntries(report.results.map((r) => [r.id, { pass: r.pass, evidence: r.evidence }]));
}

/** Goals are checked when a learner asks; after a fix the last in-flight scans need a moment to drain. */
async function goalsEventually(id: string, want: Record<string, boolean>, timeoutMs = 90_000): Promise<Record<string, { pass: boolean; evidence: string }>> {
  let last: Record<string, { pass: boolean; evidence: string }> = {};
  try {
    return await waitFor(
      'the goals to settle',
      async () => {
        last = await checkGoals(id);
        return Object.entries(want).every(([goal, pass]) => last[goal]?.pass === pass) ? last : null;
      },
      timeoutMs,
      3000,
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}\nlast check:\n${Object.entries(last).map(([g, r]) => `  ${g}: ${r.pass} — ${r.evidence}`).join('\n')}`);
  }
}

function culpritWords(p: PgBlockedParams): string[] {
  const words = [p.table, p.column, p.sideTable, p.blocker.application, p.blocker.script, p.blocker.script.replace(/\.py$/, '')];
  if (p.blocker.waiter) words.push(p.blocker.waiter.application, p.blocker.waiter.script);
  return words;
}

interface ScriptRun {
  code: number | null;
  output: string;
  seconds: number;
}

/**
 * Runs a solution script the way a learner would type it: bash, docker CLI, container names as
 * $DB/$APP/$TRAFFIC. Ten minutes at most: the online index build shares the db's one CPU with
 * every lookup in flight and took 81-261 s of the reference at load 30 (its verify directive
 * allows that line 600 s too).
 */
function runSolution(id: string, file: 'reference.sh' | 'reckless.sh', cwd: string, timeoutMs = 600_000): Promise<ScriptRun> {
  const s = session(id);
  const names = Object.fromEntries(Object.keys(s.c).map((svc) => [svc, `sickbay-${id}-${svc}`]));
  fs.mkdirSync(cwd, { recursive: true });
  const started = Date.now();
  return new Promise((resolve, reject) => {
    // Traced (set -x) with every command stamped by the script's elapsed seconds (see slowestSteps).
    // PS4 is set inside: bash running as root ignores a PS4 from the environment.
    const child = spawn('bash', ['-e', '-u', '-o', 'pipefail', '-c', `PS4='+[\${SECONDS}s] '; set -x; . "$1"`, 'bash', path.join(SOLUTIONS, file)], {
      cwd,
      // CUSTOMERS_URL: what the customers call, as scenario:verify fills it in (scripts/verify/solution.ts).
      env: { ...process.env, DB: names.db as string, APP: names.app as string, TRAFFIC: names.traffic as string, CUSTOMERS_URL: `http://app:${s.p.port}${s.p.path}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output, seconds: (Date.now() - started) / 1000 });
    });
  });
}

/** The solution's slowest commands, from the PS4 stamps of `set -x` (its own lines run at depth 2, inside `.`). */
function slowestSteps(output: string, n = 3): string {
  const steps = [...output.matchAll(/^\+\+\[(\d+)s\] (.*)$/gm)].map((m) => ({ at: Number(m[1]), cmd: m[2] as string }));
  const end = steps.length ? Math.max(...steps.map((st) => st.at)) : 0;
  return steps
    .map((st, i) => ({ secs: (steps[i + 1]?.at ?? end) - st.at, cmd: st.cmd }))
    .sort((a, b) => b.secs - a.secs)
    .slice(0, n)
    .map((st) => `${st.secs}s ${st.cmd.slice(0, 90)}`)
    .join(' | ');
}

interface Probe {
  requests: number;
  ok: number;
  failed: number;
  p95Ms: number | null;
  statuses: Record<string, number>;
}

async function probe(id: string, count: number, timeoutS: number): Promise<Probe> {
  const s = session(id);
  const res = await services.runtime.exec(s.c.traffic, ['python3', '/opt/sickbay/probe.py', '--url', `http://app:${s.p.port}${s.p.path}`, '--count', String(count), '--timeout', String(timeoutS)], {
    timeoutMs: count * timeoutS * 1000 + 20_000,
  });
  return JSON.parse(res.stdout.trim().split('\n').pop() as string) as Probe;
}

// ----------------------------------------------------------------------------- the suite

describe('pg-blocked-missing-index on the real engine', () => {
  const usedDatasets = new Set<string>();

  for (const kind of KINDS) {
    describe(`blocking pattern ${kind}`, () => {
      let id: string;
      let p: PgBlockedParams;

      it('provisions to ready, every object labelled and limited', async () => {
        const picked = seedFor(kind, usedDatasets);
        usedDatasets.add(picked.params.dataset);
        const started = Date.now();
        id = services.engine.create({ scenario: SLUG, seed: picked.seed }).id;
        await services.engine.settled(id);
        const s = session(id);
        assert.equal(s.status, 'ready', `session ended up ${s.status}: ${s.statusDetail}`);
        p = s.p;
        assert.deepEqual(p, picked.params, 'the engine drew the params we computed from the seed');
        const phases = services.store.listEvents(id).flatMap((e) =>
          e.kind === 'provision' ? [`${e.phase} ${(e.ms / 1000).toFixed(1)}s`] : e.kind === 'fault' ? [`[${e.fault} ${(e.ms / 1000).toFixed(1)}s]`] : [],
        );
        console.log(
          `[${kind}] ${p.dataset}: ${p.rows.toLocaleString('en-US')} rows, blocker "${p.blocker.application}"` +
            `${p.blocker.waiter ? ` + "${p.blocker.waiter.application}"` : ''}; ready after ${((Date.now() - started) / 1000).toFixed(1)}s (${phases.join(', ')})`,
        );
        assert.deepEqual(Object.keys(s.c).sort(), ['app', 'db', 'traffic']);
        for (const cid of Object.values(s.c)) {
          const info = await docker.getContainer(cid).inspect();
          assert.equal(info.Config.Labels['sickbay.session'], id);
          assert.equal(info.Config.Labels['sickbay.instance'], instance);
          assert.ok(info.HostConfig.Memory && info.HostConfig.Memory > 0, 'memory limited');
          assert.ok(info.HostConfig.NanoCpus && info.HostConfig.NanoCpus > 0, 'cpu limited');
          assert.ok(info.HostConfig.PidsLimit && info.HostConfig.PidsLimit > 0, 'pids limited');
        }
        const nets = await docker.listNetworks({ filters: { label: [`sickbay.session=${id}`] } });
        assert.equal(nets.length, 1);
        assert.equal(nets[0]!.Internal, true, 'the session network has no route out');
      });

      it('ships the same data sets in the image as scenario.ts', async () => {
        const s = session(id);
        const res = await services.runtime.exec(s.c.app, ['python3', '/srv/common/datasets.py']);
        const py = JSON.parse(res.stdout) as Record<string, Record<string, unknown>>;
        assert.deepEqual(Object.keys(py).sort(), Object.keys(DATASETS).sort());
        for (const [name, ts] of Object.entries(DATASETS)) {
          const d = py[name] as Record<string, unknown> & { side: { table: string; rows: number } };
          for (const field of ['database', 'table', 'column', 'kind', 'app', 'path', 'param', 'newColumn'] as const) {
            assert.equal(d[field], ts[field], `${name}.${field}`);
          }
          assert.deepEqual({ table: d.side.table, rows: d.side.rows }, ts.side, `${name}.side`);
        }
      });

      it('shows the symptoms: healthy Postgres, dozens of queries in flight, a blocking chain, a seq scan, customers timing out', async () => {
        const s = session(id);
        // Docker's first check comes one interval (5 s) after the container's start; on a busy
        // host one check may take seconds.
        await waitFor('the health check to be green', async () => (await docker.getContainer(s.c.db).inspect()).State.Health?.Status === 'healthy', 60_000);
        const ready = await services.runtime.exec(s.c.db, ['pg_isready', '-h', '127.0.0.1', '-U', 'postgres']);
        assert.equal(ready.exitCode, 0, 'Postgres accepts connections');

        // The pile-up builds as customers keep arriving; on a busy host it can take a few
        // seconds longer to reach a dozen, so look a few times (bounded) before judging.
        let active = 0;
        for (let attempt = 0; attempt < 10 && active < 12; attempt++) {
          if (attempt > 0) await new Promise((r) => setTimeout(r, 2_000));
          const activity = await psql(id, `SELECT state, coalesce(wait_event_type, '-'), count(*) FROM pg_stat_activity WHERE application_name = '${p.appName}' GROUP BY 1, 2 ORDER BY 3 DESC`);
          active = activity.filter((r) => r[0] === 'active').reduce((n, r) => n + Number(r[2]), 0);
          console.log(`[${kind}] app sessions: ${activity.map((r) => `${r[0]}/${r[1]}=${r[2]}`).join(', ')}`);
        }
        assert.ok(active >= 12, `only ${active} application queries in flight`);

        const chain = await psql(
          id,
          `SELECT r.pid, r.state, r.application_name,
                  (SELECT count(*) FROM pg_stat_activity w WHERE r.pid = ANY (pg_blocking_pids(w.pid))) AS direct_waiters,
                  (SELECT count(*) FROM pg_stat_activity w WHERE cardinality(pg_blocking_pids(w.pid)) > 0) AS all_waiters
             FROM pg_stat_activity r
            WHERE r.pid IN (SELECT unnest(pg_blocking_pids(pid)) FROM pg_stat_activity) AND cardinality(pg_blocking_pids(r.pid)) = 0
              AND r.state LIKE 'idle in transaction%'`,
        );
        console.log(`[${kind}] root blockers: ${chain.map((r) => r.join(' ')).join(' | ')}`);
        assert.equal(chain.length, 1, 'exactly one idle transaction at the root of the chain');
        const [, , application, direct, all] = chain[0]!;
        assert.equal(application, p.blocker.application);
        assert.ok(Number(all) >= 3, `only ${all} sessions wait`);
        if (p.blocker.waiter) {
          assert.equal(Number(direct), 1, 'lock-queue: the root blocks only the migration directly');
          const queued = await psql(id, `SELECT count(*) FROM pg_stat_activity w, pg_stat_activity m WHERE m.application_name = '${p.blocker.waiter.application}' AND m.pid = ANY (pg_blocking_pids(w.pid))`);
          assert.ok(Number(queued[0]![0]) >= 3, 'lock-queue: the application queues behind the migration');
        } else {
          assert.ok(Number(direct) >= 3, `only ${direct} sessions wait on the root directly`);
        }

        if (kind !== 'lock-queue') {
          // (In the lock queue even EXPLAIN would wait for the table's lock.)
          const plan = await psql(id, `EXPLAIN SELECT id FROM ${p.table} WHERE ${p.column} = ${DATASETS[p.dataset].kind === 'bigint' ? '42' : "'x'"}`);
          assert.match(plan.map((r) => r.join(' ')).join('\n'), /Seq Scan on/, 'the lookup is a full table scan');
        }
        const before = await probe(id, 5, 3);
        console.log(`[${kind}] probe before the fix: ${JSON.stringify(before.statuses)} ok=${before.ok}/${before.requests} p95=${before.p95Ms}`);
        assert.ok(before.failed > 0 || (before.p95Ms ?? 0) > p.p95TargetMs, 'customers see failures or slow answers');
        const logs = await services.runtime.logs(s.c.app, 400);
        assert.match(logs, /statement timeout|slow query/, 'the app log shows timeouts or slow queries');
        const dbLogs = await services.runtime.logs(s.c.db, 2000);
        assert.match(dbLogs, /still waiting for \w+Lock/, 'the db log shows lock waits (log_lock_waits)');
      });

      it('fails the goals while broken, without giving the culprit away', async () => {
        const goals = await checkGoals(id);
        for (const [goal, r] of Object.entries(goals)) console.log(`[${kind}]   ${goal}: ${r.pass} — ${r.evidence}`);
        assert.equal(goals['blocking-cleared']?.pass, false);
        assert.match(goals['blocking-cleared']!.evidence, /waited on a lock|idle in a transaction/);
        assert.equal(goals['index-valid']?.pass, false);
        assert.equal(goals['lookups-fast']?.pass, false);
        assert.equal(goals['postgres-not-restarted']?.pass, true, goals['postgres-not-restarted']?.evidence);
        // Counting rows needs the table's lock, which the lock queue does not grant.
        assert.equal(goals['data-intact']?.pass, kind !== 'lock-queue', goals['data-intact']?.evidence);
        const words = culpritWords(p);
        for (const [goal, r] of Object.entries(goals)) {
          for (const w of words) assert.ok(!r.evidence.includes(w), `goal ${goal} names "${w}": ${r.evidence}`);
        }
        // The side table is not the culprit, and one data set calls it "customers", the everyday
        // word the goals' outcome titles use ("fast for customers again"): not a giveaway there.
        const events = JSON.stringify(services.engine.events(id));
        for (const w of [...words.filter((w) => w !== p.sideTable), 'no index', 'forgotten']) assert.ok(!events.includes(w), `the live event log gives away "${w}"`);
      });

      if (kind === 'row-locks') {
        it('an online index build that gives up leaves an INVALID index, and the goal says so', async () => {
          const s = session(id);
          const res = await services.runtime.exec(
            s.c.db,
            ['psql', '-X', '-U', 'postgres', '-d', p.database, '-c', `CREATE INDEX CONCURRENTLY it_attempt_idx ON ${p.table} (${p.column})`],
            { env: { PGOPTIONS: '-c lock_timeout=3000' }, timeoutMs: 60_000 },
          );
          assert.notEqual(res.exitCode, 0, 'CREATE INDEX CONCURRENTLY cannot finish while the forgotten transaction lives');
          assert.match(res.stderr, /lock timeout/);
          const valid = await psql(id, `SELECT indisvalid FROM pg_index WHERE indexrelid = 'it_attempt_idx'::regclass`);
          assert.equal(valid[0]?.[0], 'f');
          const goals = await checkGoals(id);
          assert.equal(goals['index-valid']?.pass, false);
          assert.match(goals['index-valid']!.evidence, /not valid/);
        });
      }

      const fixWith: 'reference.sh' | 'reckless.sh' = kind === 'table-lock' ? 'reckless.sh' : 'reference.sh';

      it(`is fixed by solutions/${fixWith}`, async () => {
        const cwd = path.join(workDir, kind);
        const run = await runSolution(id, fixWith, cwd);
        console.log(`[${kind}] ${fixWith} finished with ${run.code} in ${run.seconds.toFixed(1)}s; slowest: ${slowestSteps(run.output)}`);
        assert.equal(run.code, 0, `${fixWith} failed:\n${run.output.slice(-4000)}`);
        if (fixWith === 'reference.sh') {
          // It found the culprit itself, and kept the evidence before ending it.
          assert.match(run.output, /\] ROOT=\d+$/m);
          const saved = fs.readFileSync(path.join(cwd, 'incident-activity.csv'), 'utf8');
          assert.ok(saved.includes(p.blocker.application), 'the snapshot shows the blocker');
          assert.match(run.output, /Seq Scan on/, 'EXPLAIN showed the full scan before the index');
          assert.match(run.output, /Index Scan|Bitmap Index Scan/, 'and an index scan after it');
        } else {
          assert.match(run.output, /restart/);
        }
      });

      it(fixWith === 'reference.sh' ? 'passes every goal' : 'passes every goal but "Postgres kept running"', async () => {
        const want = {
          'blocking-cleared': true,
          'index-valid': true,
          'lookups-fast': true,
          'data-intact': true,
          'postgres-not-restarted': fixWith === 'reference.sh',
        };
        const goals = await goalsEventually(id, want);
        for (const [goal, r] of Object.entries(goals)) console.log(`[${kind}]   ${goal}: ${r.pass} — ${r.evidence}`);
        if (fixWith === 'reckless.sh') assert.match(goals['postgres-not-restarted']!.evidence, /started again/);
        const after = await probe(id, 20, 2);
        console.log(`[${kind}] probe after the fix: ok=${after.ok}/${after.requests} p95=${after.p95Ms} ms`);
        const counts = await psql(id, `SELECT (SELECT count(*) FROM ${p.table}), (SELECT count(*) FROM ${p.sideTable})`);
        assert.deepEqual(counts[0]!.map(Number), [p.rows, p.sideRows], 'no row lost or added');
        // The app computes the keys it asks for in Python; the data set was made in SQL: same keys?
        // (Checked now: while the lock queue stands, even this read would wait.)
        const ids = [1, 4242, p.rows];
        const pyKeys = await services.runtime.exec(session(id).c.app, [
          'python3', '-c',
          `import sys; sys.path.insert(0, "/srv/common"); import datasets as d; ds = d.get("${p.dataset}"); print("\\n".join(str(d.key_for_id(ds, i)) for i in ${JSON.stringify(ids)}))`,
        ]);
        const sqlKeys = await psql(id, `SELECT ${p.column} FROM ${p.table} WHERE id IN (${ids.join(',')}) ORDER BY id`);
        assert.deepEqual(sqlKeys.map((r) => r[0]), pyKeys.stdout.trim().split('\n'), 'lookup keys agree between SQL and Python');
        if (kind === 'row-locks') {
          // The leftover from the failed attempt does not make the goal fail once a valid index exists; clean it up.
          await psql(id, 'DROP INDEX CONCURRENTLY it_attempt_idx', { timeoutMs: 60_000 });
        }
      });

      if (kind === 'row-locks') {
        it('fails "Postgres kept running" after one backend is SIGKILLed (crash recovery, same container)', async () => {
          const s = session(id);
          const victim = await psql(id, `SELECT pid FROM pg_stat_activity WHERE application_name = '${p.appName}' LIMIT 1`);
          const kill = await services.runtime.exec(s.c.db, ['kill', '-9', victim[0]![0]!]);
          assert.equal(kill.exitCode, 0, kill.stderr);
          // While recovery runs, the check cannot connect (and fails for that); once it is over it names the crash.
          const goals = await waitFor('the goal to name the crash recovery', async () => {
            const g = await checkGoals(id);
            return g['postgres-not-restarted']?.pass === false && /crash recovery/.test(g['postgres-not-restarted'].evidence) ? g : null;
          }, 30_000, 1000);
          console.log(`[${kind}]   postgres-not-restarted: ${goals['postgres-not-restarted']!.evidence}`);
          const state = await docker.getContainer(s.c.db).inspect();
          assert.equal(state.State.Running, true, 'the container itself never stopped');
        });
      }

      if (kind === 'lock-queue') {
        it('fails "Postgres kept running" once the db container is restarted, and the data survives the restart', async () => {
          const s = session(id);
          await docker.getContainer(s.c.db).restart({ t: 10 });
          await waitFor('Postgres to accept connections again', async () => (await services.runtime.exec(s.c.db, ['pg_isready', '-q', '-h', '127.0.0.1', '-U', 'postgres'])).exitCode === 0, 60_000, 500);
          const goals = await goalsEventually(id, { 'postgres-not-restarted': false, 'data-intact': true }, 60_000);
          assert.match(goals['postgres-not-restarted']!.evidence, /started again|PID changed/);
        });
      }

      it('tears down to zero labelled objects', async () => {
        const ended = await services.engine.end(id);
        assert.equal(ended.status, 'ended');
        assert.deepEqual(await labelledObjects({ session: id }), []);
      });
    });
  }

  it('leaves nothing of this instance behind', async () => {
    assert.deepEqual(await labelledObjects({ instance }), []);
  });
});
