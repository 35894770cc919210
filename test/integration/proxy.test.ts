/**
 * The per-session Docker proxy against the real engine and the real docker CLI: every allowed
 * command works through it and is audited (action, target service, flags, exec command line,
 * typed lines inside `exec -it`); a refusal table of CLI and crafted raw requests is refused
 * without changing anything on the engine; another session's container is invisible through
 * every endpoint by id, short id and name; `docker events` on the engine agrees with the audit.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pty from 'node-pty';
import type { CoachedBody, DockerCallBody, TypedLineBody } from '@/lib/audit/events';
import { LABEL, MANAGED_BY } from '@/lib/lifecycle/labels';
import { startSessionProxy, type SessionProxy } from '@/server/proxy';
import { docker, testInstance, waitFor } from './helpers';

const ENGINE = '/var/run/docker.sock';
const IMAGE = 'sickbay/service:latest';
const CLI_TIMEOUT_MS = 60_000;

const instance = testInstance();
const otherInstance = `${instance}-other`;
const A = crypto.randomBytes(6).toString('hex');
const B = crypto.randomBytes(6).toString('hex');
const nameOf = (session: string, service: string) => `sickbay-${session}-${service}`;
const WEB = nameOf(A, 'web');
const WORKER = nameOf(A, 'worker');
const NET_A = nameOf(A, 'net');
const NET_B = nameOf(B, 'net');
const WEB_B = nameOf(B, 'web');
const CONSOLE_A = nameOf(A, 'console');
const OTHER_INSTANCE = nameOf(A, 'impostor');
const UNMANAGED = `it-proxy-${A}-unmanaged`;
const SNAPSHOTS = `sickbay-snapshot/${A}`;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sickbay-proxy-it-'));
const socketPath = path.join(tmp, 'sockets', `${A}.sock`);
const dockerConfig = fs.mkdtempSync(path.join(os.tmpdir(), 'sickbay-proxy-cli-'));
const audit: (DockerCallBody | TypedLineBody | CoachedBody)[] = [];
const ids: Record<string, string> = {};
let proxy: SessionProxy | undefined;
const children = new Set<ChildProcess>();

function labels(session: string | null, role: string, service?: string, inst = instance): Record<string, string> {
  const l: Record<string, string> = { [LABEL.managedBy]: MANAGED_BY, [LABEL.instance]: inst, [LABEL.role]: role, [LABEL.scenario]: 'proxy-it' };
  if (session) l[LABEL.session] = session;
  if (service) l[LABEL.service] = service;
  return l;
}

async function createNetwork(name: string, session: string): Promise<string> {
  const net = await docker.createNetwork({ Name: name, Driver: 'bridge', Internal: true, CheckDuplicate: true, Labels: labels(session, 'network') });
  return net.id;
}

async function runContainer(name: string, l: Record<string, string>, cmd: string[], network: string): Promise<string> {
  const c = await docker.createContainer({
    name,
    Image: IMAGE,
    Cmd: cmd,
    Labels: l,
    HostConfig: { NetworkMode: network, Memory: 256 * 2 ** 20, MemorySwap: 256 * 2 ** 20, NanoCpus: 5e8, PidsLimit: 128, SecurityOpt: ['no-new-privileges'] },
    NetworkingConfig: network === 'none' ? undefined : { EndpointsConfig: { [network]: { Aliases: [l[LABEL.service] ?? name] } } },
  });
  await c.start();
  return c.id;
}

async function cleanup(): Promise<void> {
  for (const inst of [instance, otherInstance]) {
    const filters = { label: [`${LABEL.instance}=${inst}`] };
    const containers = await docker.listContainers({ all: true, filters });
    await Promise.all(containers.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => {})));
    const networks = await docker.listNetworks({ filters });
    await Promise.all(networks.map((n) => docker.getNetwork(n.Id).remove().catch(() => {})));
    const images = await docker.listImages({ filters });
    for (const img of images) await docker.getImage(img.Id).remove({ force: true }).catch(() => {});
  }
}

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A clean CLI environment: no DOCKER_HOST/DOCKER_CONTEXT from the caller, no user config or plugins. */
const cliEnv = (): NodeJS.ProcessEnv => ({ PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin', HOME: tmp, DOCKER_CONFIG: dockerConfig, TERM: 'xterm' }) as unknown as NodeJS.ProcessEnv;

/** The real docker CLI, talking to the proxy only. */
function cli(args: string[], options: { input?: string; env?: Record<string, string>; timeoutMs?: number; sock?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('docker', ['-H', `unix://${options.sock ?? socketPath}`, ...args], { env: { ...cliEnv(), ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? CLI_TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      children.delete(child);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** A long-running CLI command (logs -f, stats, events) we read from and then stop. */
function streamingCli(args: string[], sock = socketPath) {
  const child = spawn('docker', ['-H', `unix://${sock}`, ...args], { env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => (children.delete(child), resolve(code))));
  return {
    output: () => out,
    waitFor: (what: string | RegExp, timeoutMs = 30_000) => waitFor(`"${what}" in the output of docker ${args.join(' ')}`, async () => (typeof what === 'string' ? out.includes(what) : what.test(out)), timeoutMs, 100),
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

interface RawResult {
  status: number;
  text: string;
  json: { message?: string } & Record<string, unknown>;
}

/** A hand-made request on a unix socket (the proxy's by default). */
function raw(method: string, target: string, body?: string | Buffer, sock = socketPath): Promise<RawResult> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { Host: 'docker' };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(body));
    }
    const req = http.request({ socketPath: sock, method, path: target, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: RawResult['json'] = {};
        try {
          json = JSON.parse(text);
        } catch {
          /* not JSON */
        }
        resolve({ status: res.statusCode ?? 0, text, json });
      });
    });
    req.setTimeout(30_000, () => req.destroy(new Error(`no answer to ${method} ${target}`)));
    req.on('error', reject);
    req.end(body);
  });
}

const dockerCalls = (from = 0) => audit.slice(from).filter((e): e is DockerCallBody => e.kind === 'docker');

/** The audit event of an allowed call made since `mark`. */
function expectCall(mark: number, action: string, target?: string): DockerCallBody {
  const found = dockerCalls(mark).filter((e) => e.action === action && e.allowed && (target === undefined || e.target === target));
  assert.ok(found.length > 0, `no allowed "${action}" call${target ? ` on ${target}` : ''} audited; saw: ${dockerCalls(mark).map((e) => `${e.action}(${e.target ?? ''}, ${e.allowed})`).join(' ')}`);
  return found[found.length - 1] as DockerCallBody;
}

async function inspect(id: string) {
  return docker.getContainer(id).inspect();
}

/**
 * exec_create events of session A as the engine reports them, recorded live from the start:
 * the engine keeps only its most recent events, and on a busy shared engine a history query
 * at the end would miss the early ones.
 */
const engineExecs: string[] = [];
let engineEvents: http.ClientRequest | undefined;
function recordEngineExecs(): Promise<void> {
  const filters = encodeURIComponent(JSON.stringify({ event: ['exec_create'], label: [`${LABEL.session}=${A}`, `${LABEL.instance}=${instance}`] }));
  return new Promise((resolve, reject) => {
    engineEvents = http.request({ socketPath: ENGINE, method: 'GET', path: `/v1.41/events?filters=${filters}`, headers: { Host: 'docker' } }, (res) => {
      let partial = '';
      res.on('data', (c: Buffer) => {
        const lines = (partial + c.toString('utf8')).split('\n');
        partial = lines.pop() ?? '';
        for (const l of lines) if (l.trim()) engineExecs.push((JSON.parse(l) as { Action: string }).Action);
      });
      resolve();
    });
    engineEvents.on('error', (err) => (engineEvents?.destroyed ? undefined : reject(err)));
    engineEvents.end();
  });
}

before(async () => {
  await cleanup();
  await recordEngineExecs();
  ids.netA = await createNetwork(NET_A, A);
  ids.netB = await createNetwork(NET_B, B);
  ids.web = await runContainer(WEB, labels(A, 'service', 'web'), ['python3', '-u', '-m', 'http.server', '8080'], NET_A);
  ids.worker = await runContainer(WORKER, labels(A, 'service', 'worker'), ['sleep', 'infinity'], NET_A);
  ids.console = await runContainer(CONSOLE_A, labels(A, 'console'), ['sleep', 'infinity'], 'none');
  ids.webB = await runContainer(WEB_B, labels(B, 'service', 'web'), ['sleep', 'infinity'], NET_B);
  ids.impostor = await runContainer(OTHER_INSTANCE, labels(A, 'service', 'impostor', otherInstance), ['sleep', 'infinity'], 'none');
  // Only the inherited image labels (managed-by) and an instance for cleanup: no session.
  ids.unmanaged = await runContainer(UNMANAGED, { [LABEL.instance]: instance }, ['sleep', 'infinity'], 'none');
  proxy = await startSessionProxy({
    sessionId: A,
    instance,
    socketPath,
    engineSocketPath: ENGINE,
    audit: (e) => audit.push(e),
    sidecar: { images: [IMAGE], labels: labels(A, 'sidecar'), memoryBytes: 128 * 2 ** 20, nanoCpus: 5e8, pidsLimit: 64 },
    updateCeiling: { memoryBytes: 512 * 2 ** 20, nanoCpus: 1e9, pidsLimit: 256 },
    commitRepository: SNAPSHOTS,
    // This suite fires hundreds of refusals on purpose; the refusal rate has its own test (proxy-abuse.test.ts).
    auditLimits: { refusalBurst: 100_000 },
  });
});

after(async () => {
  engineEvents?.destroy();
  for (const child of children) child.kill('SIGKILL');
  await proxy?.close().catch(() => {});
  await cleanup();
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.rmSync(dockerConfig, { recursive: true, force: true });
});

describe('the socket', () => {
  it('is world-connectable (0666) inside a private (0700) directory', () => {
    assert.equal(fs.statSync(socketPath).mode & 0o777, 0o666);
    assert.equal(fs.statSync(path.dirname(socketPath)).mode & 0o777, 0o700);
    assert.ok(fs.statSync(socketPath).isSocket());
  });
});

describe('allowed commands through the real docker CLI', () => {
  it('ps lists only the session\'s containers, never the console or other sessions', async () => {
    const mark = audit.length;
    const res = await cli(['ps', '-a', '--format', '{{.Names}}']);
    assert.equal(res.code, 0, res.stderr);
    assert.deepEqual(res.stdout.trim().split('\n').sort(), [WEB, WORKER].sort());
    const filtered = await cli(['ps', '--filter', 'name=worker', '--format', '{{.Names}}']);
    assert.equal(filtered.stdout.trim(), WORKER);
    assert.equal(expectCall(mark, 'ps').status, 200);
  });

  it('logs with --tail and --since, and the service name as a short alias', async () => {
    const mark = audit.length;
    const res = await cli(['logs', '--tail', '5', '--since', '1h', 'web']);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout + res.stderr, /Serving HTTP on/);
    const e = expectCall(mark, 'logs', 'web');
    assert.equal(e.targetId, ids.web);
    assert.equal(e.flags?.tail, 5);
    assert.equal(typeof e.flags?.since, 'number');
  });

  it('logs -f streams new lines as they are written', async () => {
    const mark = audit.length;
    const follow = streamingCli(['logs', '-f', '--tail', '1', WEB]);
    try {
      await follow.waitFor('Serving HTTP');
      const hit = await cli(['exec', 'worker', 'curl', '-s', '-o', '/dev/null', 'http://web:8080/follow-marker']);
      assert.equal(hit.code, 0, hit.stderr);
      await follow.waitFor('follow-marker');
    } finally {
      await follow.stop();
    }
    assert.equal(expectCall(mark, 'logs', 'web').flags?.follow, true);
  });

  it('stats --no-stream with --format, and streaming stats', async () => {
    const mark = audit.length;
    const res = await cli(['stats', '--no-stream', '--format', '{{.Name}} {{.MemUsage}}', WORKER]);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, new RegExp(`^${WORKER} .+/ 256MiB`, 'm'));
    assert.equal(expectCall(mark, 'stats', 'worker').flags?.['no-stream'], true);

    const streaming = streamingCli(['stats', '--format', '{{.Name}}']);
    try {
      await streaming.waitFor(WORKER);
      await streaming.waitFor(WEB);
    } finally {
      await streaming.stop();
    }
    assert.doesNotMatch(streaming.output(), new RegExp(`${WEB_B}|${CONSOLE_A}|${OTHER_INSTANCE}`));
    assert.equal(expectCall(mark, 'stats', 'web').flags?.stream, true);
  });

  it('inspect, port, top and diff', async () => {
    const mark = audit.length;
    const ins = await cli(['inspect', 'web']);
    assert.equal(ins.code, 0, ins.stderr);
    const view = (JSON.parse(ins.stdout) as { Id: string; LogPath: string; GraphDriver: { Data: unknown }; Config: { Labels: Record<string, string> } }[])[0];
    assert.equal(view?.Id, ids.web);
    assert.equal(view?.Config.Labels[LABEL.service], 'web');
    assert.equal(view?.LogPath, '', 'host paths are redacted');
    assert.equal(view?.GraphDriver.Data, null);
    expectCall(mark, 'inspect', 'web');
    assert.equal((await cli(['port', WEB])).code, 0);
    const top = await cli(['top', WEB, '-o', 'pid,comm']);
    assert.equal(top.code, 0, top.stderr);
    assert.match(top.stdout, /python3/);
    assert.equal(expectCall(mark, 'top', 'web').flags?.ps_args, '-o pid,comm');
    await cli(['exec', WORKER, 'touch', '/tmp/diff-marker']);
    const diff = await cli(['diff', WORKER]);
    assert.match(diff.stdout, /A \/tmp\/diff-marker/);
    expectCall(mark, 'diff', 'worker');
  });

  it('exec, non-interactive with -u, -w and -e', async () => {
    const mark = audit.length;
    const res = await cli(['exec', '-u', 'nobody', '-w', '/tmp', '-e', 'FOO=bar', WORKER, 'sh', '-c', 'echo "$FOO $(id -un) $(pwd)"']);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stdout.trim(), 'bar nobody /tmp');
    const e = expectCall(mark, 'exec', 'worker');
    assert.deepEqual(e.command, ['sh', '-c', 'echo "$FOO $(id -un) $(pwd)"']);
    assert.equal(e.flags?.user, 'nobody');
    assert.equal(e.flags?.workdir, '/tmp');
    assert.equal(e.flags?.tty, false);
    assert.equal(e.flags?.interactive, false);
    assert.equal(expectCall(mark, 'exec-start', 'worker').status, 101);
  });

  it('exec records the exit status Docker reports, and the command, on the exec inspect the CLI makes', async () => {
    const mark = audit.length;
    const failed = await cli(['exec', WORKER, 'sh', '-c', 'exit 3']);
    assert.equal(failed.code, 3);
    const inspected = expectCall(mark, 'exec-inspect', 'worker');
    assert.equal(inspected.flags?.exitCode, 3);
    assert.deepEqual(inspected.command, ['sh', '-c', 'exit 3']);
    const mark2 = audit.length;
    const missing = await cli(['exec', WORKER, 'no-such-program-here']);
    assert.notEqual(missing.code, 0);
    const code = expectCall(mark2, 'exec-inspect', 'worker').flags?.exitCode;
    assert.ok(code === 126 || code === 127, `a program that is not installed never ran (126/127), got ${String(code)}`);
  });

  it('exec with piped stdin (half-close keeps the output)', async () => {
    const mark = audit.length;
    const res = await cli(['exec', '-i', WORKER, 'sh'], { input: 'echo piped-$((40+2))\n' });
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stdout.trim(), 'piped-42');
    assert.equal(expectCall(mark, 'exec', 'worker').flags?.interactive, true);
  });

  it('exec -it through a real pty, with the typed lines reconstructed in the audit', async () => {
    const mark = audit.length;
    const term = pty.spawn('docker', ['-H', `unix://${socketPath}`, 'exec', '-it', WORKER, 'bash', '--norc', '--noprofile'], { name: 'xterm', cols: 120, rows: 30, cwd: tmp, env: cliEnv() });
    let out = '';
    term.onData((d) => (out += d));
    const exited = new Promise<number>((resolve) => term.onExit(({ exitCode }) => resolve(exitCode)));
    try {
      await waitFor('a bash prompt', async () => /[#$] $/.test(out), 30_000, 100);
      term.write('echo hi\r');
      await waitFor('the output of echo hi', async () => /[\r\n]hi\r\n/.test(out), 15_000, 100);
      term.write('echo tpyo\x7f\x7f\x7fypo-fixed\r');
      await waitFor('the corrected echo', async () => /[\r\n]typo-fixed\r\n/.test(out), 15_000, 100);
      term.write('exit\r');
      assert.equal(await Promise.race([exited, new Promise<number>((r) => setTimeout(() => r(-1), 15_000))]), 0);
    } finally {
      term.kill();
    }
    const typed = audit.slice(mark).filter((e): e is TypedLineBody => e.kind === 'typed');
    assert.deepEqual(typed.map((t) => [t.where, t.target, t.line, t.approximate]), [
      ['exec', 'worker', 'echo hi', false],
      ['exec', 'worker', 'echo typo-fixed', false],
      ['exec', 'worker', 'exit', false],
    ]);
    const e = expectCall(mark, 'exec', 'worker');
    assert.deepEqual(e.command, ['bash', '--norc', '--noprofile']);
    assert.equal(e.flags?.tty, true);
    assert.equal(e.flags?.interactive, true);
  });

  it('cp in both directions', async () => {
    const mark = audit.length;
    const local = path.join(tmp, 'to-container.txt');
    fs.writeFileSync(local, 'copied in\n');
    const up = await cli(['cp', local, `${WORKER}:/tmp/in.txt`]);
    assert.equal(up.code, 0, up.stderr);
    assert.equal((await cli(['exec', WORKER, 'cat', '/tmp/in.txt'])).stdout, 'copied in\n');
    const outDir = fs.mkdtempSync(path.join(tmp, 'out-'));
    const down = await cli(['cp', `${WEB}:/etc/hostname`, outDir]);
    assert.equal(down.code, 0, down.stderr);
    assert.equal(fs.readFileSync(path.join(outDir, 'hostname'), 'utf8').trim(), ids.web?.slice(0, 12));
    const cps = dockerCalls(mark).filter((e) => e.action === 'cp' && e.allowed);
    assert.ok(cps.some((e) => e.flags?.direction === 'in' && e.target === 'worker'));
    assert.ok(cps.some((e) => e.flags?.direction === 'out' && e.target === 'web' && e.flags?.path === '/etc/hostname'));
  });

  it('commit snapshots into the session\'s repository, labelled', async () => {
    const mark = audit.length;
    const res = await cli(['commit', WEB, 'mysnap:v1']);
    assert.equal(res.code, 0, res.stderr);
    const image = await docker.getImage(`${SNAPSHOTS}:mysnap-v1`).inspect();
    assert.equal(image.Config.Labels?.[LABEL.session], A);
    assert.equal(image.Config.Labels?.[LABEL.instance], instance);
    assert.equal(image.Config.Labels?.[LABEL.role], 'snapshot');
    await assert.rejects(docker.getImage('mysnap:v1').inspect(), 'the learner\'s own name is never created');
    const e = expectCall(mark, 'commit', 'web');
    assert.equal(e.flags?.tag, 'mysnap-v1');
    const listed = await cli(['images', '--format', '{{.Repository}}:{{.Tag}}']);
    assert.deepEqual(listed.stdout.trim().split('\n').sort(), [`${SNAPSHOTS}:mysnap-v1`, IMAGE].sort());
  });

  it('restart, stop, start, kill, pause and unpause an own container', async () => {
    const mark = audit.length;
    const state = async () => (await inspect(ids.worker as string)).State;
    const before = (await state()).StartedAt;
    assert.equal((await cli(['restart', '-t', '1', WORKER])).code, 0);
    assert.notEqual((await state()).StartedAt, before);
    assert.equal((await cli(['pause', WORKER])).code, 0);
    assert.equal((await state()).Paused, true);
    assert.equal((await cli(['unpause', WORKER])).code, 0);
    assert.equal((await state()).Paused, false);
    assert.equal((await cli(['stop', '-t', '1', WORKER])).code, 0);
    assert.equal((await state()).Running, false);
    assert.equal((await cli(['start', WORKER])).code, 0);
    assert.equal((await state()).Running, true);
    // sleep is PID 1 and ignores SIGTERM: only SIGKILL stops it.
    assert.equal((await cli(['kill', '-s', 'SIGKILL', WORKER])).code, 0);
    await waitFor('the worker to stop after SIGKILL', async () => !(await state()).Running, 15_000);
    assert.equal((await cli(['start', WORKER])).code, 0);
    for (const action of ['restart', 'pause', 'unpause', 'stop', 'start', 'kill']) expectCall(mark, action, 'worker');
    assert.equal(expectCall(mark, 'kill', 'worker').flags?.signal, 'SIGKILL');
  });

  it('update within the ceiling', async () => {
    const mark = audit.length;
    const res = await cli(['update', '--memory', '300m', '--memory-swap', '300m', '--cpus', '0.5', '--pids-limit', '50', WORKER]);
    assert.equal(res.code, 0, res.stderr);
    const hc = (await inspect(ids.worker as string)).HostConfig;
    assert.equal(hc.Memory, 300 * 2 ** 20);
    assert.equal(hc.NanoCpus, 5e8);
    assert.equal(hc.PidsLimit, 50);
    assert.equal(expectCall(mark, 'update', 'worker').flags?.memory, 300 * 2 ** 20);
  });

  it('network ls, inspect, disconnect and connect on the session\'s network', async () => {
    const mark = audit.length;
    const ls = await cli(['network', 'ls', '--format', '{{.Name}}']);
    assert.equal(ls.stdout.trim(), NET_A);
    const ins = await cli(['network', 'inspect', NET_A]);
    const endpoints = Object.keys((JSON.parse(ins.stdout) as { Containers: object }[])[0]?.Containers ?? {});
    assert.deepEqual(endpoints.sort(), [ids.web, ids.worker].sort());
    assert.equal((await cli(['network', 'disconnect', NET_A, WORKER])).code, 0);
    assert.ok(!(NET_A in (await inspect(ids.worker as string)).NetworkSettings.Networks));
    // Another container's name as an alias would answer for it on the network: refused, any case,
    // also its short id, the absolute form and <name>.<network> (lib/proxy/bodies.ts aliasRefusal).
    for (const alias of ['web', 'WEB', WEB, 'web.', (ids.web as string).slice(0, 12), `web.${NET_A}`]) {
      const shadow = await cli(['network', 'connect', '--alias', alias, 'net', 'worker']);
      assert.notEqual(shadow.code, 0);
      assert.match(shadow.stderr, /sickbay: the alias ".+" is another container's name in this session/);
    }
    assert.ok(!(NET_A in (await inspect(ids.worker as string)).NetworkSettings.Networks), 'a refused connect changes nothing');
    // Its own service name back (a reconnect loses it), and a new name: allowed.
    const con = await cli(['network', 'connect', '--alias', 'worker', '--alias', 'wk2', 'net', 'worker']);
    assert.equal(con.code, 0, con.stderr);
    assert.ok((await inspect(ids.worker as string)).NetworkSettings.Networks[NET_A]?.Aliases?.includes('wk2'));
    expectCall(mark, 'network-ls');
    expectCall(mark, 'network-inspect', 'net');
    assert.equal(expectCall(mark, 'network-disconnect', 'worker').flags?.network, 'net');
    assert.equal(expectCall(mark, 'network-connect', 'worker').flags?.aliases, 'worker,wk2');
  });

  it('run of a debug sidecar in an own container\'s pid and network namespaces', async () => {
    const mark = audit.length;
    const res = await cli(['run', '--rm', '--pid', `container:${WEB}`, '--net', `container:${WEB}`, IMAGE, 'sh', '-c', 'ps -e -o comm=; curl -s -o /dev/null -w "code=%{http_code}" http://localhost:8080/']);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /python3/);
    assert.match(res.stdout, /code=200/);
    const e = expectCall(mark, 'run');
    assert.equal(e.flags?.pid, 'web');
    assert.equal(e.flags?.net, 'web');
    assert.equal(e.flags?.image, IMAGE);
    assert.deepEqual(e.command, ['sh', '-c', 'ps -e -o comm=; curl -s -o /dev/null -w "code=%{http_code}" http://localhost:8080/']);
  });

  it('a detached sidecar has forced labels, limits and --rm, and is itself an own container', async () => {
    const res = await cli(['run', '-d', '--name', 'dbg', '--net', `container:${WORKER}`, IMAGE, 'sleep', '120']);
    assert.equal(res.code, 0, res.stderr);
    const id = res.stdout.trim();
    const info = await inspect(id);
    assert.equal(info.Name, `/${nameOf(A, 'dbg')}`);
    assert.equal(info.Config.Labels[LABEL.session], A);
    assert.equal(info.Config.Labels[LABEL.instance], instance);
    assert.equal(info.Config.Labels[LABEL.role], 'sidecar');
    assert.equal(info.HostConfig.AutoRemove, true);
    assert.equal(info.HostConfig.Memory, 128 * 2 ** 20);
    assert.equal(info.HostConfig.PidsLimit, 64);
    assert.equal(info.HostConfig.NetworkMode, `container:${ids.worker}`);
    assert.deepEqual(info.HostConfig.SecurityOpt, ['no-new-privileges']);
    assert.equal(info.HostConfig.Privileged, false);
    const mark = audit.length;
    assert.equal((await cli(['exec', 'dbg', 'true'])).code, 0);
    assert.equal(expectCall(mark, 'exec', 'dbg').flags?.sidecar, true);
    assert.match((await cli(['ps', '--format', '{{.Names}}'])).stdout, new RegExp(nameOf(A, 'dbg')));
    const rm = await cli(['rm', '-f', 'dbg']);
    assert.equal(rm.code, 0, rm.stderr);
    await waitFor('the sidecar to be gone', async () => (await docker.listContainers({ all: true, filters: { id: [id] } })).length === 0, 15_000);
  });

  it('refuses a fifth debug sidecar until one is removed', async () => {
    const names = ['s1', 's2', 's3', 's4'];
    try {
      for (const n of names) {
        const res = await cli(['run', '-d', '--name', n, IMAGE, 'sleep', '120']);
        assert.equal(res.code, 0, res.stderr);
      }
      const fifth = await cli(['run', '-d', '--name', 's5', IMAGE, 'sleep', '120']);
      assert.notEqual(fifth.code, 0);
      assert.match(fifth.stderr, /sickbay: a session may have at most 4 debug sidecars/);
    } finally {
      assert.equal((await cli(['rm', '-f', ...names])).code, 0);
    }
    const again = await cli(['run', '--rm', IMAGE, 'true']);
    assert.equal(again.code, 0, again.stderr);
  });

  it('run -it of a sidecar through a pty: attach is hijacked both ways and typed lines are audited', async () => {
    const mark = audit.length;
    const term = pty.spawn('docker', ['-H', `unix://${socketPath}`, 'run', '--rm', '-it', '--name', 'shell', '--pid', `container:${WEB}`, IMAGE, 'bash', '--norc', '--noprofile'], { name: 'xterm', cols: 120, rows: 30, cwd: tmp, env: cliEnv() });
    let out = '';
    term.onData((d) => (out += d));
    const exited = new Promise<number>((resolve) => term.onExit(({ exitCode }) => resolve(exitCode)));
    try {
      await waitFor('a bash prompt in the sidecar', async () => /[#$] $/.test(out), 30_000, 100);
      term.write('echo side-$((20+1))\r');
      await waitFor('the sidecar output', async () => /[\r\n]side-21\r\n/.test(out), 15_000, 100);
      term.write('exit\r');
      assert.equal(await Promise.race([exited, new Promise<number>((r) => setTimeout(() => r(-1), 15_000))]), 0);
    } finally {
      term.kill();
    }
    expectCall(mark, 'attach', 'shell');
    const typed = audit.slice(mark).filter((e): e is TypedLineBody => e.kind === 'typed');
    assert.deepEqual(typed.map((t) => [t.target, t.line]), [['shell', 'echo side-$((20+1))'], ['shell', 'exit']]);
  });

  it('events are filtered to the session, and exec events to execs made through the proxy', async () => {
    const mark = audit.length;
    const stream = streamingCli(['events', '--format', '{{.Type}} {{.Action}} {{.Actor.Attributes.name}}']);
    try {
      await waitFor('the events stream to open', async () => dockerCalls(mark).some((e) => e.action === 'events'), 15_000, 50);
      // Things the learner must not see: another session, the console, the lab's own exec.
      await docker.getContainer(ids.webB as string).pause();
      await docker.getContainer(ids.webB as string).unpause();
      await docker.getContainer(ids.console as string).pause();
      await docker.getContainer(ids.console as string).unpause();
      const labExec = await docker.getContainer(ids.web as string).exec({ Cmd: ['true', 'lab-only-check'] });
      const started: unknown = await labExec.start({ Detach: true });
      (started as { destroy?: () => void } | undefined)?.destroy?.();
      // Things the learner must see.
      await cli(['exec', WORKER, 'true', 'learner-exec']);
      await cli(['pause', WORKER]);
      await cli(['unpause', WORKER]);
      await stream.waitFor(`container unpause ${WORKER}`);
    } finally {
      await stream.stop();
    }
    const out = stream.output();
    assert.match(out, new RegExp(`container exec_create: true learner-exec ${WORKER}`));
    assert.match(out, new RegExp(`container pause ${WORKER}`));
    assert.doesNotMatch(out, new RegExp(`${WEB_B}|${CONSOLE_A}|lab-only-check`));
  });

  it('engine events report exec_create for exactly the commands the proxy audited', async () => {
    await new Promise((r) => setTimeout(r, 1100)); // the last events reach the recorder
    const engineCommands = engineExecs
      // The engine logs "exec_create: <path> <args...>", with a trailing space when there are no args.
      .map((action) => action.replace(/^exec_create: /, '').trim())
      .filter((cmd) => cmd !== 'true lab-only-check') // the lab's own exec, made on the engine directly
      .sort();
    const audited = dockerCalls()
      .filter((e) => e.action === 'exec' && e.allowed && e.status === 201)
      .map((e) => (e.command ?? []).join(' '))
      .sort();
    assert.ok(audited.length >= 8, `only ${audited.length} execs audited`);
    assert.deepEqual(engineCommands, audited);
  });
});

/** Every object on the engine, by kind and id, with the labels that say whose it is. */
async function engineObjects(): Promise<Map<string, Record<string, string>>> {
  const [containers, networks, images, volumes] = await Promise.all([
    docker.listContainers({ all: true }),
    docker.listNetworks(),
    docker.listImages({ all: true }),
    docker.listVolumes(),
  ]);
  const m = new Map<string, Record<string, string>>();
  for (const c of containers) m.set(`container ${c.Id}`, c.Labels ?? {});
  for (const n of networks) m.set(`network ${n.Id}`, n.Labels ?? {});
  for (const i of images) m.set(`image ${i.Id}`, i.Labels ?? {});
  for (const v of volumes.Volumes ?? []) m.set(`volume ${v.Name}`, v.Labels ?? {});
  return m;
}

/**
 * What a refused request changed: our instance's objects must be exactly the same, and no new
 * object may appear that is not another Sickbay instance's (other suites share this engine).
 */
function changes(before: Map<string, Record<string, string>>, after: Map<string, Record<string, string>>): string[] {
  const out: string[] = [];
  const ours = (l: Record<string, string>) => l[LABEL.instance] === instance;
  for (const [key, l] of before) if (ours(l) && !after.has(key)) out.push(`removed ${key}`);
  for (const [key, l] of after) {
    if (before.has(key)) continue;
    const inst = l[LABEL.instance];
    if (inst && inst !== instance && inst !== otherInstance) continue;
    out.push(`new ${key} ${JSON.stringify(l)}`);
  }
  return out;
}

type Refusal = { name: string; status?: number; message?: RegExp } & ({ cli: string[]; input?: string; env?: Record<string, string> } | { method: string; target: string; body?: string });

describe('refusal table', () => {
  const hostConfig = (hc: Record<string, unknown>) => JSON.stringify({ Image: IMAGE, Cmd: ['true'], HostConfig: hc });
  const table: Refusal[] = [
    { name: 'run --privileged', cli: ['run', '--rm', '--privileged', IMAGE, 'true'], message: /privileged/ },
    { name: 'run --cap-add', cli: ['run', '--rm', '--cap-add', 'SYS_ADMIN', IMAGE, 'true'], message: /--cap-add/ },
    { name: 'run --device', cli: ['run', '--rm', '--device', '/dev/kmsg', IMAGE, 'true'], message: /devices/ },
    { name: 'run -v host bind', cli: ['run', '--rm', '-v', '/:/host', IMAGE, 'true'], message: /volume mounts/ },
    { name: 'run --mount type=bind', cli: ['run', '--rm', '--mount', 'type=bind,src=/,dst=/host', IMAGE, 'true'], message: /mounts/ },
    { name: 'run -v named volume', cli: ['run', '--rm', '-v', 'data:/data', IMAGE, 'true'], message: /volume mounts/ },
    { name: 'run --volumes-from', cli: ['run', '--rm', '--volumes-from', WEB, IMAGE, 'true'], message: /--volumes-from/ },
    { name: 'run --pid host', cli: ['run', '--rm', '--pid', 'host', IMAGE, 'true'], message: /--pid=host/ },
    { name: 'run --net host', cli: ['run', '--rm', '--net', 'host', IMAGE, 'true'], message: /--net=host/ },
    { name: 'run --ipc host', cli: ['run', '--rm', '--ipc', 'host', IMAGE, 'true'], message: /--ipc=host/ },
    { name: 'run --uts host', cli: ['run', '--rm', '--uts', 'host', IMAGE, 'true'], message: /--uts=host/ },
    { name: 'run --userns host', cli: ['run', '--rm', '--userns', 'host', IMAGE, 'true'], message: /--userns=host/ },
    { name: 'run seccomp=unconfined', cli: ['run', '--rm', '--security-opt', 'seccomp=unconfined', IMAGE, 'true'], message: /seccomp=unconfined/ },
    { name: 'run apparmor=unconfined', cli: ['run', '--rm', '--security-opt', 'apparmor=unconfined', IMAGE, 'true'], message: /apparmor=unconfined/ },
    { name: 'run --sysctl', cli: ['run', '--rm', '--sysctl', 'net.ipv4.ip_forward=1', IMAGE, 'true'], message: /--sysctl/ },
    { name: 'run --runtime', cli: ['run', '--rm', '--runtime', 'runc', IMAGE, 'true'], message: /--runtime/ },
    { name: 'run --cgroup-parent', cli: ['run', '--rm', '--cgroup-parent', '/escape', IMAGE, 'true'], message: /--cgroup-parent/ },
    { name: 'run -p', cli: ['run', '--rm', '-p', '8080:80', IMAGE, 'true'], message: /publishing ports/ },
    { name: 'run of an image not on the allowlist', cli: ['run', '--rm', 'sickbay/console:latest', 'true'], message: /not allowed for debug sidecars/ },
    { name: 'run joining another session\'s container', cli: ['run', '--rm', '--net', `container:${WEB_B}`, IMAGE, 'true'], message: new RegExp(`No such container: ${WEB_B}`) },
    { name: 'pull', cli: ['pull', 'debian:bookworm'], message: /pulling/ },
    { name: 'import', cli: ['import', '-'], message: /pulling or importing/ },
    { name: 'build (classic builder)', cli: ['build', '-t', 'x', '-'], input: 'FROM scratch\n', env: { DOCKER_BUILDKIT: '0' }, message: /building/ },
    { name: 'save', cli: ['save', '-o', path.join(tmp, 'saved.tar'), IMAGE], message: /saving/ },
    { name: 'load', cli: ['load'], input: '', message: /loading/ },
    { name: 'push', cli: ['push', IMAGE], message: /pushing/ },
    { name: 'tag', cli: ['tag', IMAGE, 'sickbay/service:evil'], message: /tagging/ },
    { name: 'plugin ls', cli: ['plugin', 'ls'], message: /plugins/ },
    { name: 'swarm init', cli: ['swarm', 'init'], message: /swarm/ },
    { name: 'system prune', cli: ['system', 'prune', '-f'], message: /prune/ },
    { name: 'network create', cli: ['network', 'create', 'evil'], message: /creating networks/ },
    { name: 'volume create', cli: ['volume', 'create', 'evil'], message: /volumes/ },
    { name: 'exec --privileged', cli: ['exec', '--privileged', WORKER, 'true'], message: /exec --privileged/ },
    { name: 'update over the ceiling', cli: ['update', '--memory', '4g', '--memory-swap', '4g', WORKER], message: /ceiling/ },
    { name: 'rm of a scenario container', cli: ['rm', '-f', WEB], message: /only debug sidecars/ },
    { name: 'commit --change', cli: ['commit', '--change', 'CMD ["id"]', WEB], message: /--change/ },
    { name: 'export', cli: ['export', '-o', path.join(tmp, 'exported.tar'), WEB], message: /exporting/ },
    { name: 'rename', cli: ['rename', WEB, 'evil'], message: /renaming/ },
    { name: 'raw create, lower-case keys', method: 'POST', target: '/v1.41/containers/create', body: '{"image":"sickbay/service:latest","hostconfig":{"privileged":true}}', message: /privileged/ },
    { name: 'raw create, duplicate keys', method: 'POST', target: '/v1.41/containers/create', body: '{"Image":"sickbay/service:latest","HostConfig":{"Privileged":false,"Privileged":true}}', message: /duplicate key/ },
    { name: 'raw create, case-variant duplicate', method: 'POST', target: '/v1.41/containers/create', body: '{"Image":"sickbay/service:latest","HostConfig":{"Privileged":false,"PRIVILEGED":true}}', message: /duplicate key/ },
    { name: 'raw create, U+017F key', method: 'POST', target: '/v1.41/containers/create', body: '{"Image":"sickbay/service:latest","HostConfig":{"Sy\u017fctls":{"kernel.x":"1"}}}', message: /ASCII/ },
    { name: 'raw create, volume mount', method: 'POST', target: '/v1.41/containers/create', body: hostConfig({ Mounts: [{ Type: 'volume', Source: 'x', Target: '/x' }] }), message: /mounts/ },
    { name: 'raw create, unmasked /proc', method: 'POST', target: '/v1.41/containers/create', body: hostConfig({ MaskedPaths: [], ReadonlyPaths: [] }), message: /masked paths/ },
    { name: 'raw create, unknown field', method: 'POST', target: '/v1.41/containers/create', body: hostConfig({ Annotations: { a: 'b' } }), message: /unknown field/ },
    { name: 'raw create, oversized body', method: 'POST', target: '/v1.41/containers/create', body: JSON.stringify({ Image: IMAGE, Cmd: ['x'.repeat(200 * 1024)] }), message: /larger than/ },
    { name: 'raw exec, lower-case privileged', method: 'POST', target: `/v1.41/containers/${WORKER}/exec`, body: '{"cmd":["id"],"privileged":true}', message: /exec --privileged/ },
    { name: 'raw start with a HostConfig body', method: 'POST', target: `/v1.41/containers/${WORKER}/start`, body: '{"HostConfig":{"Binds":["/:/host"],"Privileged":true}}', message: /no request body/ },
    { name: 'raw start on API 1.23', method: 'POST', target: `/v1.23/containers/${WORKER}/start`, body: '{"HostConfig":{"Binds":["/:/host"]}}', message: /API version/ },
    { name: 'raw /v1.99/ prefix', method: 'GET', target: '/v1.99/containers/json', message: /API version/ },
    { name: 'raw %2e%2e segment', method: 'GET', target: '/v1.41/containers/%2e%2e/images/json', message: /"\.\."/ },
    { name: 'raw encoded slash', method: 'POST', target: '/v1.41/containers/..%2f..%2fimages%2fcreate', message: /encoded/ },
    { name: 'raw double slash', method: 'GET', target: '//v1.41/info', message: /empty path/ },
    { name: 'raw NUL', method: 'GET', target: '/v1.41/containers/json%00', message: /encoded/ },
    { name: 'raw unknown endpoint', method: 'GET', target: '/v1.41/system/df', message: /engine-wide/ },
    { name: 'raw made-up endpoint', method: 'POST', target: '/v1.41/containers/web/escape', message: /not on the allowlist/ },
    { name: 'raw pull', method: 'POST', target: '/v1.41/images/create?fromImage=debian&tag=latest', message: /pulling/ },
    { name: 'raw build', method: 'POST', target: '/v1.41/build?t=evil', message: /building/ },
    { name: 'raw swarm', method: 'POST', target: '/v1.41/swarm/init', body: '{}', message: /swarm/ },
    { name: 'raw plugin pull', method: 'POST', target: '/v1.41/plugins/pull?remote=evil', message: /plugins/ },
    { name: 'raw prune', method: 'POST', target: '/v1.41/containers/prune', message: /prune/ },
    { name: 'raw duplicate query key', method: 'GET', target: '/v1.41/containers/json?all=1&all=0', message: /repeated/ },
  ];

  it('has at least 30 entries, CLI and raw', () => {
    assert.ok(table.length >= 30);
    assert.ok(table.filter((r) => 'cli' in r).length >= 15);
    assert.ok(table.filter((r) => 'method' in r).length >= 15);
  });

  for (const entry of table) {
    it(`refuses ${entry.name}, and nothing changes on the engine`, async () => {
      const before = await engineObjects();
      const mark = audit.length;
      const status = entry.status ?? 403;
      if ('cli' in entry) {
        const res = await cli(entry.cli, { input: entry.input, env: entry.env });
        assert.notEqual(res.code, 0, `docker ${entry.cli.join(' ')} succeeded:\n${res.stdout}`);
        const expected = status === 403 ? /Error response from daemon: sickbay: / : /Error response from daemon: /;
        assert.match(res.stderr, expected);
        if (entry.message) assert.match(res.stderr, entry.message);
      } else {
        const res = await raw(entry.method, entry.target, entry.body);
        assert.equal(res.status, status, res.text);
        if (status === 403) assert.match(res.json.message ?? '', /^sickbay: /);
        if (entry.message) assert.match(res.json.message ?? '', entry.message);
      }
      const refused = dockerCalls(mark).filter((e) => !e.allowed);
      assert.ok(refused.length > 0, 'the refusal was audited');
      assert.ok(refused.every((e) => e.reason?.startsWith('sickbay:') && e.status === status), JSON.stringify(refused));
      assert.deepEqual(changes(before, await engineObjects()), []);
    });
  }

  it('an exec created on the engine (not through the proxy) cannot be started, resized or inspected', async () => {
    const exec = await docker.getContainer(ids.worker as string).exec({ Cmd: ['true', 'lab-only-check'], AttachStdout: true });
    for (const [method, target, body] of [
      ['POST', `/v1.41/exec/${exec.id}/start`, '{"Detach":true,"Tty":false}'],
      ['POST', `/v1.41/exec/${exec.id}/resize?h=10&w=10`, undefined],
      ['GET', `/v1.41/exec/${exec.id}/json`, undefined],
    ] as const) {
      const res = await raw(method, target, body);
      assert.equal(res.status, 404, `${method} ${target}: ${res.text}`);
      assert.match(res.json.message ?? '', /No such exec instance/);
    }
    assert.equal((await exec.inspect()).Running, false);
    assert.equal((await exec.inspect()).Pid, 0, 'never started');
  });
});

describe('another session\'s container is invisible', () => {
  const refs = () => ({ id: ids.webB as string, 'short id': (ids.webB as string).slice(0, 12), name: WEB_B });
  const endpoints: [string, (ref: string) => [string, string, string?]][] = [
    ['inspect', (r) => ['GET', `/v1.41/containers/${r}/json`]],
    ['logs', (r) => ['GET', `/v1.41/containers/${r}/logs?stdout=1&stderr=1`]],
    ['stats', (r) => ['GET', `/v1.41/containers/${r}/stats?stream=0`]],
    ['top', (r) => ['GET', `/v1.41/containers/${r}/top`]],
    ['diff', (r) => ['GET', `/v1.41/containers/${r}/changes`]],
    ['cp stat', (r) => ['HEAD', `/v1.41/containers/${r}/archive?path=%2Fetc`]],
    ['cp out', (r) => ['GET', `/v1.41/containers/${r}/archive?path=%2Fetc%2Fhostname`]],
    ['exec', (r) => ['POST', `/v1.41/containers/${r}/exec`, '{"Cmd":["id"]}']],
    ['attach', (r) => ['POST', `/v1.41/containers/${r}/attach?stream=1&stdout=1`]],
    ['wait', (r) => ['POST', `/v1.41/containers/${r}/wait?condition=not-running`]],
    ['restart', (r) => ['POST', `/v1.41/containers/${r}/restart?t=0`]],
    ['stop', (r) => ['POST', `/v1.41/containers/${r}/stop?t=0`]],
    ['kill', (r) => ['POST', `/v1.41/containers/${r}/kill?signal=SIGKILL`]],
    ['pause', (r) => ['POST', `/v1.41/containers/${r}/pause`]],
    ['update', (r) => ['POST', `/v1.41/containers/${r}/update`, '{"Memory":67108864,"MemorySwap":67108864}']],
    ['rm', (r) => ['DELETE', `/v1.41/containers/${r}?force=1`]],
    ['commit', (r) => ['POST', `/v1.41/commit?container=${r}&repo=x&tag=y`]],
    ['network connect', (r) => ['POST', `/v1.41/networks/${NET_A}/connect`, JSON.stringify({ Container: r })]],
    ['network disconnect', (r) => ['POST', `/v1.41/networks/${NET_A}/disconnect`, JSON.stringify({ Container: r, Force: true })]],
  ];

  it('covers at least 15 endpoints', () => assert.ok(endpoints.length >= 15));

  for (const [endpoint, build] of endpoints) {
    it(`${endpoint}: 404 by id, short id and name`, async () => {
      for (const [kind, ref] of Object.entries(refs())) {
        const [method, target, body] = build(ref);
        const res = await raw(method, target, body);
        assert.equal(res.status, 404, `${endpoint} by ${kind}: ${res.status} ${res.text}`);
        if (method !== 'HEAD') assert.equal(res.json.message, `No such container: ${ref}`, `${endpoint} by ${kind}`);
      }
    });
  }

  it('a sidecar joining it gets the same refusal as for a container that does not exist', async () => {
    const create = (ref: string, mode: 'PidMode' | 'NetworkMode') => raw('POST', '/v1.41/containers/create', JSON.stringify({ Image: IMAGE, Cmd: ['true'], HostConfig: { [mode]: `container:${ref}` } }));
    for (const mode of ['PidMode', 'NetworkMode'] as const) {
      const missing = await create('no-such-container', mode);
      assert.equal(missing.status, 403);
      for (const [kind, ref] of Object.entries(refs())) {
        const res = await create(ref, mode);
        assert.equal(res.status, missing.status, `${mode} by ${kind}`);
        assert.equal(res.json.message, missing.json.message?.replaceAll('no-such-container', ref), `${mode} by ${kind}`);
      }
    }
  });

  it('the other session\'s network, the console, another instance and unmanaged containers are absent too', async () => {
    assert.equal((await raw('GET', `/v1.41/networks/${NET_B}`)).status, 404);
    assert.equal((await raw('GET', `/v1.41/networks/${ids.netB}`)).status, 404);
    for (const ref of [CONSOLE_A, ids.console, OTHER_INSTANCE, ids.impostor, UNMANAGED, ids.unmanaged]) {
      const res = await raw('GET', `/v1.41/containers/${ref}/json`);
      assert.equal(res.status, 404, `${ref}: ${res.text}`);
    }
    const logs = await cli(['logs', WEB_B]);
    assert.match(logs.stderr, new RegExp(`No such container: ${WEB_B}`));
  });

  it('left the other session\'s container running, unpaused and unchanged', async () => {
    const info = await inspect(ids.webB as string);
    assert.equal(info.State.Running, true);
    assert.equal(info.State.Paused, false);
    assert.equal(info.HostConfig.Memory, 256 * 2 ** 20);
    assert.equal(info.RestartCount, 0);
  });
});

describe('closing the proxy', () => {
  it('ends streams and hijacked connections and removes the socket', async () => {
    const second = path.join(tmp, 'sockets', `${A}-second.sock`);
    const p = await startSessionProxy({
      sessionId: A,
      instance,
      socketPath: second,
      engineSocketPath: ENGINE,
      audit: () => {},
      sidecar: { images: [IMAGE], labels: labels(A, 'sidecar'), memoryBytes: 128 * 2 ** 20, nanoCpus: 5e8, pidsLimit: 64 },
      updateCeiling: { memoryBytes: 512 * 2 ** 20, nanoCpus: 1e9, pidsLimit: 256 },
      commitRepository: SNAPSHOTS,
    });
    const follow = streamingCli(['logs', '-f', WEB], second);
    const hijacked = streamingCli(['exec', '-i', WORKER, 'sh', '-c', 'echo ready; sleep 300'], second);
    await follow.waitFor('Serving HTTP');
    await hijacked.waitFor('ready');
    await p.close();
    const bothExited = Promise.all([follow.exited, hijacked.exited]);
    const outcome = await Promise.race([bothExited.then(() => 'exited'), new Promise((r) => setTimeout(() => r('hung'), 10_000))]);
    assert.equal(outcome, 'exited');
    assert.ok(!fs.existsSync(second));
  });

  it('replaces a stale socket file, but never a regular file', async () => {
    const stale = path.join(tmp, 'sockets', 'stale.sock');
    // A process that dies by SIGKILL leaves its socket file behind, like a crashed server.
    const holder = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(stale)}, () => console.log('up'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => holder.stdout.once('data', () => resolve()));
    holder.kill('SIGKILL');
    await new Promise((resolve) => holder.once('close', resolve));
    assert.ok(fs.statSync(stale).isSocket(), 'a stale socket file is left');
    await assert.rejects(raw('GET', '/_ping', undefined, stale), /ECONNREFUSED/);
    const options = {
      sessionId: A,
      instance,
      engineSocketPath: ENGINE,
      audit: () => {},
      sidecar: { images: [IMAGE], labels: {}, memoryBytes: 1, nanoCpus: 1, pidsLimit: 1 },
      updateCeiling: { memoryBytes: 1, nanoCpus: 1, pidsLimit: 1 },
      commitRepository: SNAPSHOTS,
    };
    const p = await startSessionProxy({ ...options, socketPath: stale });
    assert.equal((await raw('GET', '/_ping', undefined, stale)).status, 200);
    await p.close();
    const regular = path.join(tmp, 'sockets', 'regular-file');
    fs.writeFileSync(regular, 'keep me');
    await assert.rejects(startSessionProxy({ ...options, socketPath: regular }), /not a socket/);
    assert.equal(fs.readFileSync(regular, 'utf8'), 'keep me');
  });
});
