/**
 * leaky-job on the real engine: provision it, measure the symptoms the briefing promises,
 * fix it the way a learner would (kill the job through docker exec), see the goals pass,
 * and see a restart fail the "not restarted" goal. Teardown must leave nothing labelled.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CONSOLE_CPU_SHARES } from '@/server/engine/console';
import type { Services } from '@/server/registry';
import { docker, labelledObjects, waitFor, startTestServices, type TestServices } from './helpers';

interface Probe {
  requests: number;
  ok: number;
  failed: number;
  consecutiveOk: number;
  statuses: Record<string, number>;
}

let lab: TestServices;
let services: Services;
let instance: string;

before(async () => {
  lab = await startTestServices();
  ({ services, instance } = lab);
});

after(async () => {
  await lab?.close();
});

async function probe(sessionId: string, count: number): Promise<Probe> {
  const s = services.store.requireSession(sessionId);
  const port = s.params.port as number;
  const res = await services.runtime.exec(s.containers.traffic as string, [
    'python3', '/opt/sickbay/probe.py', '--url', `http://api:${port}/api/orders`, '--count', String(count),
  ], { timeoutMs: 60_000 });
  return JSON.parse(res.stdout.trim().split('\n').pop() as string) as Probe;
}

describe('leaky-job on the real engine', () => {
  let id: string;

  it('provisions to ready with every object labelled and limited', async () => {
    const view = services.engine.create({ scenario: 'leaky-job', seed: 'integration-1' });
    id = view.id;
    assert.equal(view.status, 'queued');
    await services.engine.settled(id);
    const s = services.store.requireSession(id);
    assert.equal(s.status, 'ready', `session ended up ${s.status}: ${s.statusDetail}`);
    assert.deepEqual(Object.keys(s.containers).sort(), ['api', 'traffic']);
    for (const cid of Object.values(s.containers)) {
      const info = await docker.getContainer(cid).inspect();
      assert.equal(info.Config.Labels['sickbay.session'], id);
      assert.equal(info.Config.Labels['sickbay.instance'], instance);
      assert.ok(info.Config.Labels['sickbay.expires-at'], 'has a hard expiry');
      assert.ok(info.HostConfig.Memory && info.HostConfig.Memory > 0, 'memory limited');
      assert.equal(info.HostConfig.MemorySwap, info.HostConfig.Memory, 'no swap beyond the limit');
      assert.ok(info.HostConfig.NanoCpus && info.HostConfig.NanoCpus > 0, 'cpu limited');
      assert.ok(info.HostConfig.PidsLimit && info.HostConfig.PidsLimit > 0, 'pids limited');
      assert.equal(info.HostConfig.LogConfig?.Config?.['max-size'], '10m');
      assert.deepEqual(info.HostConfig.SecurityOpt, ['no-new-privileges']);
    }
    const nets = await docker.listNetworks({ filters: { label: [`sickbay.session=${id}`] } });
    assert.equal(nets.length, 1);
    assert.equal(nets[0]!.Internal, true, 'the session network has no route out');
    const phases = services.store.listEvents(id).flatMap((e) => (e.kind === 'provision' ? [e.phase] : []));
    // The console is built alongside readiness and faults, so its event may land anywhere after start.
    assert.deepEqual(phases.filter((p) => p !== 'console'), ['network', 'create', 'start', 'readiness', 'faults', 'baseline']);
    assert.equal(phases.filter((p) => p === 'console').length, 1);
    assert.ok(phases.indexOf('console') > phases.indexOf('start'), 'the console comes after the services started');
    // The learner's console: no network, no capabilities, read-only root, only the proxy and terminal sockets.
    assert.ok(s.consoleId && s.terminalToken && s.recordingPath, 'console, token and recording are recorded');
    const consoleInfo = await docker.getContainer(s.consoleId).inspect();
    assert.equal(consoleInfo.HostConfig.NetworkMode, 'none');
    assert.deepEqual(consoleInfo.HostConfig.CapDrop, ['ALL']);
    assert.equal(consoleInfo.HostConfig.ReadonlyRootfs, true);
    assert.equal(consoleInfo.HostConfig.CpuShares, CONSOLE_CPU_SHARES, 'the learner\'s shell outweighs the services on a busy host');
    assert.equal(consoleInfo.Config.User, 'learner');
    assert.equal(consoleInfo.Config.Labels['sickbay.role'], 'console');
    assert.equal(consoleInfo.HostConfig.Binds?.length, 2);
    assert.match(consoleInfo.HostConfig.Binds?.[0] ?? '', /docker\.sock:\/var\/run\/docker\.sock$/);
    assert.match(consoleInfo.HostConfig.Binds?.[1] ?? '', /\/term\.sock:\/run\/sickbay\/term\.sock$/, 'the terminal socket, for sickbay-pty');
    const ps = await services.runtime.exec(s.consoleId, ['docker', 'ps', '--format', '{{.Names}}']);
    assert.equal(ps.exitCode, 0, ps.stderr);
    assert.deepEqual(ps.stdout.trim().split('\n').sort(), [`sickbay-${id}-api`], 'the console sees exactly its services (the customers are the lab\u2019s own)');
  });

  it('shows the symptoms: memory at 89%+ of the limit, allocation errors in the log, a share of 5xx', async () => {
    const s = services.store.requireSession(id);
    // One stats sample can land on a dip while the API frees a buffer (or the job has not topped
    // up yet): take the best of samples spread over a few seconds, not several in the same instant.
    let mem = await services.runtime.memory(s.containers.api as string);
    for (let i = 0; i < 12 && mem.percent < 89; i++) {
      await new Promise((r) => setTimeout(r, 500));
      const next = await services.runtime.memory(s.containers.api as string);
      if (next.percent > mem.percent) mem = next;
    }
    console.log(`api memory: ${(mem.usage / 2 ** 20).toFixed(1)} / ${(mem.limit / 2 ** 20).toFixed(0)} MiB = ${mem.percent.toFixed(1)}%`);
    assert.ok(mem.percent >= 89, `memory only at ${mem.percent.toFixed(1)}%`);
    const result = await probe(id, 40);
    const fivexx = Object.entries(result.statuses).filter(([code]) => code.startsWith('5')).reduce((n, [, v]) => n + v, 0);
    console.log(`probe before the fix: ${JSON.stringify(result.statuses)} (${((fivexx / result.requests) * 100).toFixed(0)}% 5xx)`);
    assert.ok(fivexx > 0, 'some requests fail with 5xx');
    assert.ok(result.ok > 0, 'but not all: the failure is intermittent');
    const logs = await waitFor('allocation errors in the API log', async () => {
      const text = await services.runtime.logs(s.containers.api as string, 500);
      return /Cannot allocate memory/.test(text) ? text : null;
    }, 20_000);
    assert.match(logs, /ERROR/);
  });

  it('fails the goals while the job runs, without giving the culprit away', async () => {
    const report = await services.engine.checkGoals(id);
    const byId = Object.fromEntries(report.results.map((r) => [r.id, r]));
    assert.equal(byId['job-stopped']?.pass, false);
    assert.match(byId['job-stopped']!.evidence, /still holds the memory/);
    // Live goal titles and evidence are outcomes: they name no mechanism (forbidden-words.txt).
    for (const r of report.results) assert.doesNotMatch(`${r.title} ${r.evidence}`, /\b(job|leak|runaway|background)/i, `${r.id}: ${r.title} — ${r.evidence}`);
    const jobName = services.store.requireSession(id).params.jobName as string;
    for (const r of report.results) assert.ok(!r.evidence.includes(jobName), `goal evidence gives the culprit away: ${r.evidence}`);
    const events = JSON.stringify(services.engine.events(id));
    assert.ok(!events.includes(jobName) && !events.includes('never frees'), 'the live event log gives nothing away');
    assert.equal(byId['api-healthy']?.pass, false);
    assert.equal(byId['api-not-restarted']?.pass, true);
  });

  it('never lets the job and the API together past the limit: the job regrows under busy customers, no OOM kill', async () => {
    // The API checks the room before each buffer and the job before each batch; unless both
    // hold one lock, each can see the same free memory and the kernel's OOM killer ends the job,
    // which ends the incident by itself (seen in e2e at stop 24: a drill met every goal untouched).
    const s = services.store.requireSession(id);
    const api = s.containers.api as string;
    const job = s.params.jobName as string;
    // Eight customers at once, threads of one process: the customers' container has 64 MiB.
    const customers = [
      'import sys, threading, urllib.request',
      'def customer():',
      '    for _ in range(25):',
      '        try:',
      '            urllib.request.urlopen(sys.argv[1], timeout=10).read()',
      '        except Exception:',
      '            pass',
      'threads = [threading.Thread(target=customer) for _ in range(8)]',
      'for t in threads: t.start()',
      'for t in threads: t.join()',
    ].join('\n');
    for (let round = 0; round < 4; round++) {
      await services.runtime.exec(api, ['pkill', '-x', job]);
      await waitFor('memory to fall', async () => (await services.runtime.memory(api)).percent < 60, 20_000);
      // Batches of 48 MiB instead of 16: an overshoot needs a batch bigger than the API's 6%
      // reserve, and bigger batches widen the moments in which one can happen.
      await services.runtime.exec(api, ['/srv/app/start-job.sh', job], { detach: true, env: { JOB_CHUNK_MIB: '48' } });
      // While the job grows back (the traffic service's own four a second go on).
      const busy = await services.runtime.exec(s.containers.traffic as string, ['python3', '-c', customers, `http://api:${s.params.port}/api/orders`], { timeoutMs: 120_000 });
      assert.equal(busy.exitCode, 0, busy.stderr);
    }
    const oom = await services.runtime.exec(api, ['sh', '-c', 'grep -h oom_kill /sys/fs/cgroup/memory/memory.oom_control /sys/fs/cgroup/memory.events 2>/dev/null']);
    const kills = Number(/oom_kill (\d+)/.exec(oom.stdout)?.[1] ?? NaN);
    assert.equal(kills, 0, `OOM kills in the API container: ${oom.stdout.trim()}`);
    assert.equal((await services.runtime.exec(api, ['pgrep', '-x', job])).exitCode, 0, 'the job still runs');
    await waitFor('the job to hold 89% again', async () => (await services.runtime.memory(api)).percent >= 89, 60_000);
  });

  it('passes every goal after the job is killed through docker exec', async () => {
    const s = services.store.requireSession(id);
    const kill = await services.runtime.exec(s.containers.api as string, ['pkill', '-x', s.params.jobName as string]);
    assert.equal(kill.exitCode, 0, `pkill failed: ${kill.stderr}`);
    await waitFor('memory to fall', async () => (await services.runtime.memory(s.containers.api as string)).percent < 60, 20_000);
    const report = await services.engine.checkGoals(id);
    assert.deepEqual(
      report.results.filter((r) => !r.pass).map((r) => `${r.id}: ${r.evidence}`),
      [],
    );
    assert.equal(report.passed, 3);
  });

  it('serves a burst of connections from a bounded set of threads and recovers (PID limit 128)', async () => {
    const s = services.store.requireSession(id);
    const api = s.containers.api as string;
    const pids = async () => {
      const r = await services.runtime.exec(api, ['sh', '-c', 'cat /sys/fs/cgroup/pids/pids.current 2>/dev/null || cat /sys/fs/cgroup/pids.current']);
      return Number(r.stdout.trim());
    };
    // 200 connections at once from one process of the customers' container (its own PID
    // limit is 64): each sends a request and every answer is read only after all were sent.
    const flood = [
      'import json, socket, sys',
      'socks = []',
      'for i in range(200):',
      '    c = socket.create_connection(("api", int(sys.argv[1])), timeout=20)',
      '    c.sendall(b"GET /api/orders HTTP/1.0\\r\\nHost: api\\r\\n\\r\\n")',
      '    socks.append(c)',
      'codes = {}',
      'for c in socks:',
      '    try:',
      '        code = c.recv(64).split(b" ")[1].decode()',
      '    except Exception:',
      '        code = "none"',
      '    codes[code] = codes.get(code, 0) + 1',
      '    c.close()',
      'print(json.dumps(codes))',
    ].join('\n');
    const done = services.runtime.exec(s.containers.traffic as string, ['python3', '-c', flood, String(s.params.port)], { timeoutMs: 120_000 });
    let finished = false;
    void done.finally(() => (finished = true));
    let peak = 0;
    for (let i = 0; i < 300 && !finished; i++) {
      peak = Math.max(peak, await pids());
      await new Promise((r) => setTimeout(r, 200));
    }
    const result = await done;
    assert.equal(result.exitCode, 0, `the burst failed: ${result.stderr}`);
    const codes = JSON.parse(result.stdout.trim().split('\n').pop() as string) as Record<string, number>;
    console.log(`burst of 200: ${JSON.stringify(codes)}, peak ${peak} PIDs in the API container`);
    assert.ok((codes['200'] ?? 0) > 0, 'some requests of the burst were answered');
    assert.ok(peak > 0 && peak <= 24, `the API stays far from its 128-PID limit (peak ${peak})`);
    const logs = await services.runtime.logs(api, 2000);
    assert.doesNotMatch(logs, /can't start new thread/);
    // The backlog drains: the goal's 50 requests in a row pass again once the burst is over.
    await waitFor('the API to answer 50 requests in a row again', async () => {
      const report = await services.engine.checkGoals(id);
      return report.results.find((r) => r.id === 'api-healthy')?.pass === true;
    }, 90_000);
  });

  it("serves oldest first while it keeps up, newest first once backed up, and closes what clients gave up on (the image's own code)", async () => {
    // The API's Backlog with a fake clock, run by the image's Python: on a starved CPU,
    // oldest-first answered only requests whose clients had left (soak 20: none for minutes).
    const script = [
      'import json, sys',
      'sys.path.insert(0, "/srv/app")',
      'import api',
      'now = [0.0]',
      'b = api.Backlog(clock=lambda: now[0])',
      'for name in ("r0", "r1", "r2"):',
      '    b.put(name, None)',
      '    now[0] += 0.1',
      'out = {"keeping_up": b.take()[0][0]}',
      'now[0] += 1.0',
      'out["backed_up"] = b.take()[0][0]',
      'now[0] += api.STALE_AFTER_S',
      'b.put("r3", None)',
      'item, stale = b.take()',
      'out["after_stale"] = [item[0], [x[0] for x in stale]]',
      'b.close()',
      'out["closed"] = b.take()[0]',
      'print(json.dumps(out))',
    ].join('\n');
    const api = services.store.requireSession(id).containers.api as string;
    const r = await services.runtime.exec(api, ['python3', '-c', script], { timeoutMs: 30_000 });
    assert.equal(r.exitCode, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout.trim().split('\n').pop() as string), {
      keeping_up: 'r0',
      backed_up: 'r2',
      after_stale: ['r3', ['r1']],
      closed: null,
    });
  });

  it('fails "not restarted" once the API container is restarted', async () => {
    const s = services.store.requireSession(id);
    await docker.getContainer(s.containers.api as string).restart({ t: 1 });
    const report = await services.engine.checkGoals(id);
    const goal = report.results.find((r) => r.id === 'api-not-restarted');
    assert.equal(goal?.pass, false);
    assert.match(goal!.evidence, /started again|PID changed/);
  });

  it('tears down to zero labelled objects and keeps the event log', async () => {
    const ended = await services.engine.end(id);
    assert.equal(ended.status, 'ended');
    assert.deepEqual(await labelledObjects({ session: id }), []);
    const kinds = services.store.listEvents(id).map((e) => e.kind);
    assert.ok(kinds.includes('goals') && kinds.includes('fault'));
    assert.ok(kinds.includes('docker'), 'the console’s docker ps went through the proxy and was audited');
    const report = services.engine.report(id);
    assert.equal(report.truth.culprit, services.store.requireSession(id).params.jobName, 'the report reveals the truth');
    assert.ok(report.total >= 0 && report.total <= 100);
    assert.ok(report.goals.length === 3, 'the final goal check ran before teardown');
  });

  it('ends a session that is still provisioning without leaving anything behind', async () => {
    const view = services.engine.create({ scenario: 'leaky-job', seed: 'integration-2' });
    await waitFor('provisioning to start', async () => services.store.requireSession(view.id).status === 'provisioning', 10_000, 20);
    const ended = await services.engine.end(view.id, 'changed my mind');
    assert.equal(ended.status, 'ended');
    assert.deepEqual(await labelledObjects({ session: view.id }), []);
  });
});
