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

describe('leaky-job: the job-stopped goal', () => {
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
