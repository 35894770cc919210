import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aliasRefusal, endpointBody, planExecCreate, planExecStart, planNetworkEndpoint, planUpdate } from '@/lib/proxy/bodies';
import { LABEL } from '@/lib/lifecycle/labels';
import { imageAllowed, normaliseImage, planSidecar, sidecarBody, sidecarName } from '@/lib/proxy/sidecar';
import { EXEC, EXEC_START, NETWORK_CONNECT, NETWORK_DISCONNECT, RUN_INTERACTIVE, RUN_SIDECAR, UPDATE, edited } from './cli-bodies';

const LIMITS = { images: ['sickbay/service:latest'], labels: { [LABEL.managedBy]: 'sickbay', [LABEL.scenario]: 'leaky-job' }, memoryBytes: 128 * 2 ** 20, nanoCpus: 5e8, pidsLimit: 64 };
const SCOPE = { sessionId: 's1', instance: 'i1' };
const CEILING = { memoryBytes: 512 * 2 ** 20, nanoCpus: 1e9, pidsLimit: 256 };

describe('exec bodies', () => {
  it('re-serialises the CLI exec body from the checked value', () => {
    const plan = planExecCreate(EXEC);
    assert.deepEqual(plan.command, ['ls']);
    assert.equal(plan.user, 'root');
    assert.equal(plan.workdir, '/tmp');
    assert.equal(plan.env, 1);
    assert.deepEqual(plan.body, { User: 'root', Privileged: false, Tty: false, AttachStdin: false, AttachStdout: true, AttachStderr: true, Detach: false, DetachKeys: '', Env: ['A=1'], WorkingDir: '/tmp', Cmd: ['ls'] });
  });

  it('accepts lower-case keys the way Docker would, and forwards canonical ones', () => {
    const plan = planExecCreate('{"cmd":["bash"],"tty":true,"attachstdin":true}');
    assert.equal(plan.tty, true);
    assert.equal(plan.stdin, true);
    assert.deepEqual(plan.body.Cmd, ['bash']);
    assert.ok(!('cmd' in plan.body));
  });

  it('refuses unknown exec fields and privileged in any spelling', () => {
    assert.throws(() => planExecCreate('{"Cmd":["id"],"Evil":1}'), /unknown field Evil/);
    assert.throws(() => planExecCreate('{"Cmd":["id"],"PrIvIlEgEd":true}'), /exec --privileged/);
    assert.throws(() => planExecCreate('{"Cmd":["id"],"Privileged":"yes"}'), /exec --privileged/);
  });

  it('exec start keeps only Detach, Tty and ConsoleSize', () => {
    assert.deepEqual(planExecStart(EXEC_START), { body: { Detach: false, Tty: true }, detach: false, tty: true });
    assert.deepEqual(planExecStart('').body, { Detach: false, Tty: false });
    assert.throws(() => planExecStart('{"Detach":false,"Privileged":true}'), /unknown field Privileged/);
  });
});

describe('update bodies', () => {
  it('forwards only the limits the learner set', () => {
    const plan = planUpdate(UPDATE, CEILING);
    assert.deepEqual(plan.body, { Memory: 209715200, MemorySwap: 209715200, NanoCpus: 500000000, PidsLimit: 100 });
    assert.deepEqual(plan.flags, { memory: 209715200, memorySwap: 209715200, nanoCpus: 500000000, pidsLimit: 100 });
  });

  it('allows exactly the ceiling and refuses one byte more', () => {
    assert.equal(planUpdate(edited(UPDATE, (b) => ((b.Memory = CEILING.memoryBytes), (b.MemorySwap = CEILING.memoryBytes))), CEILING).body.Memory, CEILING.memoryBytes);
    assert.throws(() => planUpdate(edited(UPDATE, (b) => (b.MemorySwap = CEILING.memoryBytes + 1)), CEILING), /--memory-swap above the lab's ceiling of 512 MiB/);
    assert.throws(() => planUpdate(edited(UPDATE, (b) => (b.NanoCpus = 2e9)), CEILING), /--cpus above/);
    assert.throws(() => planUpdate(edited(UPDATE, (b) => (b.PidsLimit = 257)), CEILING), /--pids-limit above/);
    assert.throws(() => planUpdate(edited(UPDATE, (b) => ((b.CpuQuota = 300000), (b.CpuPeriod = 100000))), CEILING), /--cpu-quota above/);
    assert.deepEqual(planUpdate(edited(UPDATE, (b) => ((b.CpuQuota = 50000), (b.CpuPeriod = 100000))), CEILING).body.CpuQuota, 50000);
  });

  it('refuses device, cgroup and OOM-killer changes', () => {
    assert.throws(() => planUpdate(edited(UPDATE, (b) => (b.Devices = [{ PathOnHost: '/dev/sda' }])), CEILING), /devices/);
    assert.throws(() => planUpdate(edited(UPDATE, (b) => (b.OomKillDisable = true)), CEILING), /OOM killer/);
    assert.throws(() => planUpdate(edited(UPDATE, (b) => (b.CpusetCpus = '0')), CEILING), /pinning CPUs/);
  });
});

describe('network endpoint bodies', () => {
  it('keeps the container reference and aliases, nothing else', () => {
    const plan = planNetworkEndpoint(NETWORK_CONNECT, 'network-connect');
    assert.deepEqual(plan, { containerRef: 'sickbay-s1-web', aliases: ['web2'], force: false });
    assert.deepEqual(endpointBody(plan, 'f'.repeat(64), 'network-connect'), { Container: 'f'.repeat(64), EndpointConfig: { Aliases: ['web2'] } });
    const d = planNetworkEndpoint(NETWORK_DISCONNECT, 'network-disconnect');
    assert.deepEqual(endpointBody(d, 'abc', 'network-disconnect'), { Container: 'abc', Force: false });
  });

  it('refuses an alias that is another container’s DNS name in any form; a container takes back its own', () => {
    const DB_ID = '0123456789ab';
    const APP_ID = 'a1b2c3d4e5f6';
    const inUse = { names: ['db', 'app', 'traffic', 'sickbay-s1-db', 'sickbay-s1-app', DB_ID, APP_ID], networks: ['sickbay-s1-net', 'sickbay-s1-back'] };
    const app = ['app', 'sickbay-s1-app', APP_ID];
    const refused = (alias: string) => aliasRefusal(['ok', alias], inUse, app) ?? '';
    assert.equal(aliasRefusal(['web2'], inUse, app), null, 'a new name');
    assert.equal(aliasRefusal(['app', 'App', 'app.', APP_ID, 'app.sickbay-s1-net'], inUse, app), null, 'a container takes back its own names (network-partition’s fix)');
    assert.match(refused('DB'), /^the alias "DB" is another container's name in this session/);
    assert.match(refused('traffic'), /"traffic"/, "the lab's own customers too");
    assert.match(refused(DB_ID), /"0123456789ab"/, 'a short id answers DNS like a name');
    assert.match(refused(DB_ID.toUpperCase()), /"0123456789AB"/);
    assert.match(refused('db.'), /"db\."/, 'the absolute form of the same name');
    assert.match(refused('DB..'), /"DB\.\."/);
    assert.match(refused('db.sickbay-s1-back'), /"db\.sickbay-s1-back"/, 'would replace the answer to <name>.<network>');
    assert.match(refused(`${DB_ID}.Sickbay-S1-Net.`), /is another container's name/);
    assert.equal(aliasRefusal(['db.x', 'db.sickbay-s2-net', 'db-2', '0123456789a', '0123456789abc'], inUse, app), null, 'other forms answer only themselves');
  });

  it('refuses static addresses and driver options', () => {
    assert.throws(() => planNetworkEndpoint(edited(NETWORK_CONNECT, (b) => (b.EndpointConfig.IPAMConfig = { IPv4Address: '10.0.0.5' })), 'network-connect'), /static addresses/);
    assert.throws(() => planNetworkEndpoint(edited(NETWORK_CONNECT, (b) => (b.EndpointConfig.DriverOpts = { a: '' })), 'network-connect'), /driver options/);
    assert.throws(() => planNetworkEndpoint('{"Container":"../x"}', 'network-connect'), /container name or id/);
  });
});

describe('debug sidecars', () => {
  it('accepts the CLI bodies of `docker run --pid/--net container:` and `run -it`', () => {
    const plan = planSidecar(RUN_SIDECAR, 'dbg1', LIMITS);
    assert.equal(plan.pidRef, 'web');
    assert.equal(plan.netRef, 'web');
    assert.equal(plan.name, 'dbg1');
    assert.deepEqual(plan.command, ['ps', '-e']);
    const it2 = planSidecar(RUN_INTERACTIVE, undefined, LIMITS);
    assert.equal(it2.netRef, undefined);
    assert.equal(it2.tty, true);
    assert.equal(it2.interactive, true);
  });

  it('forces labels, limits, AutoRemove, no-new-privileges and namespaces by full id', () => {
    const plan = planSidecar(edited(RUN_SIDECAR, (b) => (b.Labels = { purpose: 'debug' })), 'dbg1', LIMITS);
    const body = sidecarBody(plan, { pidId: 'p'.repeat(64), netId: 'n'.repeat(64) }, LIMITS, SCOPE) as { Labels: Record<string, string>; HostConfig: Record<string, unknown> };
    assert.deepEqual(body.Labels, { purpose: 'debug', [LABEL.managedBy]: 'sickbay', [LABEL.scenario]: 'leaky-job', [LABEL.session]: 's1', [LABEL.instance]: 'i1', [LABEL.role]: 'sidecar' });
    assert.equal(body.HostConfig.NetworkMode, `container:${'n'.repeat(64)}`);
    assert.equal(body.HostConfig.PidMode, `container:${'p'.repeat(64)}`);
    assert.equal(body.HostConfig.AutoRemove, true);
    assert.equal(body.HostConfig.Memory, LIMITS.memoryBytes);
    assert.equal(body.HostConfig.MemorySwap, LIMITS.memoryBytes);
    assert.equal(body.HostConfig.NanoCpus, LIMITS.nanoCpus);
    assert.equal(body.HostConfig.PidsLimit, LIMITS.pidsLimit);
    assert.deepEqual(body.HostConfig.SecurityOpt, ['no-new-privileges']);
    for (const k of ['Privileged', 'CapAdd', 'Binds', 'Mounts', 'Devices', 'MaskedPaths']) assert.ok(!(k in body.HostConfig), k);
  });

  it('puts a sidecar without a join on no network at all (the default bridge reaches out)', () => {
    const plan = planSidecar(RUN_INTERACTIVE, undefined, LIMITS);
    const body = sidecarBody(plan, {}, LIMITS, SCOPE) as { HostConfig: Record<string, unknown> };
    assert.equal(body.HostConfig.NetworkMode, 'none');
    assert.ok(!('PidMode' in body.HostConfig));
  });

  it('keeps a lower limit the learner asked for, refuses a higher one', () => {
    const low = planSidecar(edited(RUN_SIDECAR, (b) => (b.HostConfig.Memory = 64 * 2 ** 20)), undefined, LIMITS);
    assert.equal((sidecarBody(low, {}, LIMITS, SCOPE) as { HostConfig: { Memory: number } }).HostConfig.Memory, 64 * 2 ** 20);
    assert.throws(() => planSidecar(edited(RUN_SIDECAR, (b) => (b.HostConfig.PidsLimit = 1000)), undefined, LIMITS), /--pids-limit above/);
    assert.throws(() => planSidecar(edited(RUN_SIDECAR, (b) => (b.HostConfig.PidsLimit = -1)), undefined, LIMITS), /unlimited/);
  });

  it('treats a map with keys as set even when its values are empty', () => {
    assert.throws(() => planSidecar(edited(RUN_SIDECAR, (b) => (b.HostConfig.PortBindings = { '80/tcp': [] })), undefined, LIMITS), /publishing ports/);
    assert.throws(() => planSidecar(edited(RUN_SIDECAR, (b) => (b.HostConfig.Sysctls = { 'kernel.x': '' })), undefined, LIMITS), /--sysctl/);
    assert.throws(() => planSidecar(edited(RUN_SIDECAR, (b) => (b.Volumes = { '/data': {} })), undefined, LIMITS), /anonymous volumes/);
  });

  it('joins only container:<name> namespaces', () => {
    assert.throws(() => planSidecar(edited(RUN_SIDECAR, (b) => (b.HostConfig.PidMode = 'container:../x')), undefined, LIMITS), /--pid container:\.\.\/x is not allowed/);
    assert.throws(() => planSidecar(edited(RUN_SIDECAR, (b) => (b.HostConfig.NetworkMode = 'sickbay-s1-net')), undefined, LIMITS), /--net sickbay-s1-net is not allowed/);
  });

  it('names sidecars under the session prefix', () => {
    const plan = planSidecar(RUN_SIDECAR, '/dbg', LIMITS);
    assert.equal(sidecarName(plan, 'sickbay-s1-', 'abc123'), 'sickbay-s1-dbg');
    assert.equal(sidecarName(planSidecar(RUN_SIDECAR, 'sickbay-s1-dbg', LIMITS), 'sickbay-s1-', 'x'), 'sickbay-s1-dbg');
    assert.equal(sidecarName(planSidecar(RUN_SIDECAR, undefined, LIMITS), 'sickbay-s1-', 'abc123'), 'sickbay-s1-debug-abc123');
  });

  it('matches images by their short form, and allows the session\'s snapshots', () => {
    assert.equal(normaliseImage('docker.io/library/debian'), 'debian:latest');
    assert.equal(normaliseImage('sickbay/service'), 'sickbay/service:latest');
    assert.equal(normaliseImage('localhost:5000/x'), 'localhost:5000/x:latest');
    assert.ok(imageAllowed('sickbay/service', LIMITS.images));
    assert.ok(!imageAllowed('sickbay/service:other', LIMITS.images));
    assert.ok(imageAllowed('sickbay-snapshot/s1:mysnap-v1', LIMITS.images, 'sickbay-snapshot/s1'));
    assert.ok(!imageAllowed('sickbay-snapshot/s2:mysnap-v1', LIMITS.images, 'sickbay-snapshot/s1'));
  });
});
