/**
 * The host firewall on the real engine (issue 11, item 6). A root process in a scenario
 * container must not reach the host, neither a listener on 0.0.0.0 nor one bound to the
 * session bridge's own gateway address, while the session's containers still reach each other
 * by name (Docker's embedded DNS) and the host still reaches them. Then the table's life:
 * replaced, not duplicated, on a restart; one instance's shutdown leaves another's table; a
 * table left by a kill -9 goes at the next start.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { bridgeName, BRIDGE_NAME_OPTION, BRIDGE_PREFIX } from '@/lib/lifecycle/bridge';
import { firewallTable } from '@/lib/host/firewall';
import { sessionLabels } from '@/lib/lifecycle/labels';
import { objectName as networkName } from '@/lib/lifecycle/objects';
import { installHostFirewall, listFirewallTables } from '@/server/runtime/host-firewall';
import { docker, ROOT, startTestServices, testInstance, waitFor, type TestServices } from './helpers';

const IMAGE = 'sickbay/service:latest';
/** Prints "connected" or "blocked <why>" for one TCP connect with a 3 s timeout. */
const CONNECT = `import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.settimeout(3)
try:
    s.connect((sys.argv[1], int(sys.argv[2])))
    print("connected")
except Exception as e:
    print("blocked", type(e).__name__)`;

let lab: TestServices;
const session = crypto.randomBytes(6).toString('hex');
const servers: net.Server[] = [];
let arrived = 0;
let gateway = '';
let network = '';
const ids: Record<string, string> = {};

async function listen(host: string): Promise<number> {
  const server = net.createServer((socket) => {
    arrived++;
    socket.destroy();
  });
  servers.push(server);
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, host, () => resolve()));
  return (server.address() as net.AddressInfo).port;
}

async function connectFrom(container: string, host: string, port: number): Promise<string> {
  const run = await lab.services.runtime.exec(container, ['python3', '-c', CONNECT, host, String(port)], { timeoutMs: 20_000 });
  return run.stdout.trim() || run.stderr.trim();
}

before(async () => {
  lab = await startTestServices();
  const runtime = lab.services.runtime;
  const labels = (role: 'service' | 'network', service?: string) =>
    sessionLabels({ instance: lab.instance, sessionId: session, scenario: 'host-firewall-it', role, service, expiresAt: Date.now() + 3_600_000 });
  // The same adapter calls the engine makes for a session: an internal network, then containers.
  network = networkName(session, 'net');
  await runtime.createNetwork(network, labels('network'), true);
  const spec = (service: string, command: string[]) => ({
    name: `sickbay-${session}-${service}`,
    image: IMAGE,
    command,
    env: {},
    labels: labels('service', service),
    hostname: service,
    networks: [{ name: network, aliases: [service] }],
    memoryBytes: 128 * 1024 * 1024,
    nanoCpus: 500_000_000,
    pidsLimit: 64,
    capAdd: ['NET_ADMIN'], // like network-partition's api: it could even add routes to the host
  });
  ids.attacker = await runtime.createContainer(spec('attacker', ['sleep', 'infinity']));
  ids.peer = await runtime.createContainer(spec('peer', ['python3', '-m', 'http.server', '8080']));
  await runtime.startContainer(ids.attacker);
  await runtime.startContainer(ids.peer);
  const info = await docker.getNetwork(network).inspect();
  gateway = info.IPAM?.Config?.[0]?.Gateway ?? '';
  await waitFor('the peer to listen', async () => (await connectFrom(ids.peer as string, '127.0.0.1', 8080)) === 'connected');
});

after(async () => {
  for (const s of servers) s.close();
  await lab?.close();
});

describe('host firewall', () => {
  it('names the session bridge with the prefix the rule matches', async () => {
    const info = await docker.getNetwork(network).inspect();
    assert.equal(info.Options?.[BRIDGE_NAME_OPTION], bridgeName(network));
    assert.ok(bridgeName(network).startsWith(BRIDGE_PREFIX) && bridgeName(network).length <= 15);
  });

  it('keeps a root process in a scenario container off the host', async () => {
    assert.match(gateway, /^\d+\.\d+\.\d+\.\d+$/);
    const anyPort = await listen('0.0.0.0');
    const gatewayPort = await listen(gateway);
    assert.equal(await connectFrom(ids.attacker as string, gateway, anyPort), 'blocked TimeoutError'); // dropped: no answer at all, not even a reset
    assert.equal(await connectFrom(ids.attacker as string, gateway, gatewayPort), 'blocked TimeoutError');
    // With NET_ADMIN it can route to any host address through the bridge: still input, still dropped.
    assert.equal(arrived, 0, 'no connection reached the host listeners');
  });

  it('still lets the session containers reach each other by name, and the host reach them', async () => {
    assert.equal(await connectFrom(ids.attacker as string, 'peer', 8080), 'connected');
    const peer = await docker.getContainer(ids.peer as string).inspect();
    const address = peer.NetworkSettings.Networks[network]?.IPAddress as string;
    const reached = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: address, port: 8080, timeout: 5_000 }, () => (socket.destroy(), resolve(true)));
      socket.on('error', () => resolve(false)).on('timeout', () => (socket.destroy(), resolve(false)));
    });
    assert.equal(reached, true, 'replies to the host’s own connections pass');
  });

  it('drops IPv6 too (containers on an IPv6 bridge reach the host’s [::] listeners otherwise)', async () => {
    // Session networks are IPv4 today; the rule is `inet`, so one made with IPv6 is covered as well.
    const name = networkName(session, 'v6');
    const subnet = `fd${crypto.randomBytes(1).toString('hex')}:${crypto.randomBytes(2).toString('hex')}::/64`;
    const labels = sessionLabels({ instance: lab.instance, sessionId: session, scenario: 'host-firewall-it', role: 'network', expiresAt: Date.now() + 3_600_000 });
    const v6 = await docker.createNetwork({
      Name: name,
      Driver: 'bridge',
      Internal: true,
      EnableIPv6: true,
      IPAM: { Config: [{ Subnet: subnet }] },
      Labels: labels,
      Options: { [BRIDGE_NAME_OPTION]: bridgeName(name) },
    });
    await docker.getNetwork(v6.id).connect({ Container: ids.attacker as string });
    const gw6 = (await docker.getNetwork(v6.id).inspect()).IPAM?.Config?.find((c) => c.Subnet === subnet)?.Gateway ?? subnet.replace('::/64', '::1');
    const port = await listen('::');
    const CONNECT6 = CONNECT.replace('socket.AF_INET,', 'socket.AF_INET6,');
    const run = await lab.services.runtime.exec(ids.attacker as string, ['python3', '-c', CONNECT6, gw6, String(port)], { timeoutMs: 20_000 });
    assert.equal(run.stdout.trim(), 'blocked TimeoutError', run.stderr);
    assert.equal(arrived, 0);
  });

  it('replaces its table on a restart instead of adding a second one', async () => {
    const own = firewallTable(lab.instance);
    const again = await installHostFirewall({ docker, instance: lab.instance, mode: 'required', listenHost: '127.0.0.1', log: () => {} });
    assert.equal(again.installed, true);
    const tables = await listFirewallTables(docker, lab.instance);
    assert.equal(tables.filter((t) => t.table === own).length, 1);
    assert.equal(tables.find((t) => t.table === own)?.owner?.pid, process.pid);
  });

  it('leaves another instance’s table alone when one shuts down', async () => {
    const other = testInstance();
    const fw = await installHostFirewall({ docker, instance: other, mode: 'required', listenHost: '127.0.0.1', log: () => {} });
    await fw.remove();
    const tables = (await listFirewallTables(docker, lab.instance)).map((t) => t.table);
    assert.ok(!tables.includes(firewallTable(other)));
    assert.ok(tables.includes(firewallTable(lab.instance)));
    assert.equal(await connectFrom(ids.attacker as string, gateway, await listen('0.0.0.0')), 'blocked TimeoutError');
  });

  it('removes the table of a server killed with -9 at the next start, and only that one', async () => {
    const killed = testInstance();
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/integration/fixtures/firewall-holder.ts'), killed], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    try {
      await waitFor('the stand-in server to install its table', async () => out.includes('installed'), 90_000, 100);
    } finally {
      child.kill('SIGKILL');
    }
    await new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(null) : child.once('exit', resolve)));
    assert.ok((await listFirewallTables(docker, lab.instance)).some((t) => t.table === firewallTable(killed)), 'kill -9 leaves the table');

    const next = testInstance();
    const fw = await installHostFirewall({ docker, instance: next, mode: 'required', listenHost: '127.0.0.1', log: () => {} });
    try {
      const tables = (await listFirewallTables(docker, lab.instance)).map((t) => t.table);
      assert.ok(!tables.includes(firewallTable(killed)), 'the dead server’s table is gone');
      assert.ok(tables.includes(firewallTable(lab.instance)), 'a live server’s table stays');
    } finally {
      await fw.remove();
    }
  });

  it('removes its own table when the services close', async () => {
    await lab.services.close();
    const tables = (await listFirewallTables(docker, lab.instance)).map((t) => t.table);
    assert.ok(!tables.includes(firewallTable(lab.instance)));
  });
});
