import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseProbeOutput, runProbe, trafficService } from '@/lib/scenario/traffic';
import type { ExecOptions } from '@/lib/runtime/container';
import type { ScenarioContext } from '@/lib/scenario/types';

describe('trafficService', () => {
  it('runs loadgen.py from sickbay/service as the lab-owned customers, reporting to the signal socket, with small limits', () => {
    assert.deepEqual(trafficService({ url: 'http://api:8080/x', rps: 4, networks: ['app'] }), {
      image: 'sickbay/service:latest',
      command: ['python3', '/opt/sickbay/loadgen.py', '--url', 'http://api:8080/x', '--rps', '4', '--report', '/run/sickbay/signal.sock'],
      networks: ['app'],
      limits: { memory: '64m', cpus: 0.25, pids: 64 },
      customers: { url: 'http://api:8080/x', rps: 4 },
    });
    const slow = trafficService({ url: 'u', rps: 5, timeoutS: 15, networks: ['backend'], pids: 96 });
    assert.deepEqual(slow.command?.slice(-2), ['--timeout', '15']);
    assert.equal(slow.limits?.pids, 96);
  });
});

describe('probe', () => {
  it('reads probe.py\'s last JSON line and refuses anything else', () => {
    const out = 'noise\n{"requests":3,"ok":1,"failed":2,"statuses":{"500":2,"200":1},"errors":0,"consecutiveOk":1,"firstFailure":"request 2: HTTP 500"}\n';
    assert.equal(parseProbeOutput(out)?.failed, 2);
    assert.equal(parseProbeOutput('not json'), null);
    assert.equal(parseProbeOutput('{"other":1}'), null, 'a JSON line that is not a probe result');
  });

  it('runs from the traffic service with the requested options, and says why when there is no result', async () => {
    const calls: { service: string; cmd: string[]; options?: ExecOptions }[] = [];
    let stdout = '{"requests":2,"ok":2,"failed":0,"consecutiveOk":2}';
    const ctx = {
      exec: async (service: string, cmd: string[], options?: ExecOptions) => {
        calls.push({ service, cmd, options });
        return { exitCode: stdout ? 0 : 2, stdout, stderr: stdout ? '' : 'probe.py: error: bad url' };
      },
    } as unknown as ScenarioContext<unknown>;
    const ok = await runProbe(ctx, { url: 'http://api:8080/x', count: 2, timeoutS: 3 });
    assert.equal(typeof ok === 'string' ? ok : ok.consecutiveOk, 2);
    assert.deepEqual(calls[0]?.cmd, ['python3', '/opt/sickbay/probe.py', '--url', 'http://api:8080/x', '--count', '2', '--timeout', '3', '--stop-on-failure']);
    assert.equal(calls[0]?.service, 'traffic');
    assert.ok((calls[0]?.options?.timeoutMs ?? 0) >= 2 * 3_000, 'the exec outlasts every request timing out');
    stdout = '';
    const failed = await runProbe(ctx, { url: 'x', count: 1, stopOnFailure: false, from: 'api' });
    assert.equal(failed, 'the probe gave no result (exit 2): probe.py: error: bad url');
    assert.equal(calls[1]?.service, 'api');
    assert.ok(!calls[1]?.cmd.includes('--stop-on-failure'));
  });
});
