import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import scenario from '@/scenarios/leaky-job/scenario';

const goal = scenario.goals.find((g) => g.id === 'job-stopped')!;
type Ctx = Parameters<typeof goal.check>[0];

/** A goal context whose `pgrep` exits `pgrep` and whose OOM counters read `counters`. */
function ctx(pgrep: number, counters: string): Ctx {
  return {
    params: { jobName: 'feed-indexer', port: 8100, memoryMb: 192 },
    exec: async (_svc: string, argv: string[]) => (argv[0] === 'pgrep' ? { exitCode: pgrep, stdout: '', stderr: '' } : { exitCode: 0, stdout: counters, stderr: '' }),
    memory: async () => ({ usage: 10, limit: 100, percent: pgrep === 0 ? 91 : 5 }),
  } as unknown as Ctx;
}

/** pgrep over a process table, as procps reads it: `-x` exact names, `-r` only these states. */
function pgrepOver(table: { comm: string; state: string }[]) {
  return async (_svc: string, argv: string[]) => {
    if (argv[0] !== 'pgrep') return { exitCode: 0, stdout: 'oom_kill 0\n', stderr: '' };
    const states = argv.includes('-r') ? (argv[argv.indexOf('-r') + 1] as string).split(',') : null;
    const name = argv.at(-1);
    const found = table.some((p) => p.comm === name && (!states || states.includes(p.state)));
    return { exitCode: found ? 0 : 1, stdout: '', stderr: '' };
  };
}

describe('leaky-job: the job-stopped goal', () => {
  it('takes a killed job that PID 1 has not reaped yet (a zombie) for gone, a stopped one for running', async () => {
    const withJob = (state: string): Ctx =>
      ({ ...ctx(1, ''), exec: pgrepOver([{ comm: 'python3', state: 'S' }, { comm: 'feed-indexer', state }]) }) as unknown as Ctx;
    assert.equal((await goal.check(withJob('Z'))).pass, true, 'a zombie holds no memory');
    assert.equal((await goal.check(withJob('T'))).pass, false, 'a stopped job still holds it all');
    assert.equal((await goal.check(withJob('S'))).pass, false);
  });


  it('fails while the process runs, passes once it is gone', async () => {
    assert.equal((await goal.check(ctx(0, 'oom_kill 0\n'))).pass, false);
    assert.equal((await goal.check(ctx(1, 'oom_kill_disable 0\nunder_oom 0\noom_kill 0\n'))).pass, true);
  });

  it('gives no credit when the kernel OOM killer ended it: the incident ended itself', async () => {
    const r = await goal.check(ctx(1, 'oom_kill_disable 0\nunder_oom 0\noom_kill 1\n'));
    assert.equal(r.pass, false);
    assert.match(r.evidence, /OOM killer ended 1 process in the API container/);
  });
});
