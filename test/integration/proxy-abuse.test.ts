/**
 * The holes issue #11 found in the session proxy, closed and kept closed, on a real leaky-job
 * session: the learner's own console container runs the real docker CLI (and curl) against
 * its real proxy, and what happened is read back from the real engine and the session's store.
 * Raw requests that need a held connection go to the same proxy socket from the host.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { DockerCallBody } from '@/lib/audit/events';
import { LABEL } from '@/lib/lifecycle/labels';
import type { Services } from '@/server/registry';
import { docker, startTestServices, type TestServices } from './helpers';

const CLI_TIMEOUT_MS = 120_000;

let lab: TestServices;
let services: Services;
let sessionId = '';
let consoleId = '';
let apiId = '';
let socketPath = '';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A shell command inside the session's console, as the learner's terminal would run it. */
function inConsole(script: string, timeoutMs = CLI_TIMEOUT_MS): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('docker', ['exec', consoleId, 'bash', '-c', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function dockerEvents(): (DockerCallBody & { id: number })[] {
  return services.store.listEvents(sessionId).filter((e): e is DockerCallBody & { id: number; sessionId: string; t: number; at: number } => e.kind === 'docker');
}

/**
 * Whether a host pid is one of the container's processes: its cgroup names the container. A
 * process that is gone already (the lab's health checks are short execs) cannot be checked.
 */
function inContainer(pid: string, containerId: string): boolean | 'gone' {
  let cgroups: string;
  try {
    cgroups = fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8');
  } catch {
    return 'gone';
  }
  return cgroups.includes(containerId);
}

before(async () => {
  lab = await startTestServices();
  services = lab.services;
  const view = services.engine.create({ scenario: 'leaky-job', seed: 'proxy-abuse' });
  sessionId = view.id;
  await services.engine.settled(sessionId);
  const s = services.store.requireSession(sessionId);
  assert.equal(s.status, 'ready', `session ended up ${s.status}: ${s.statusDetail}`);
  consoleId = s.consoleId as string;
  apiId = s.containers.api as string;
  const bind = (await docker.getContainer(consoleId).inspect()).HostConfig.Binds?.[0] ?? '';
  socketPath = bind.split(':')[0] as string;
  assert.ok(socketPath.endsWith('.sock'), `the console mounts the proxy socket (${bind})`);
});

after(async () => {
  await lab?.close();
});

describe('docker top: ps options from an allowlist (item 1)', () => {
  for (const args of ['-orss=PID', '-o rss=PID', '-o pid=PID', '-otrs=PID,pid=HOSTPID,args -e', '--format pid', '--format=pid=PID']) {
    it(`refuses docker top api ${args}`, async () => {
      const res = await inConsole(`docker top api ${args}`);
      assert.notEqual(res.code, 0, `docker top api ${args} succeeded:\n${res.stdout}`);
      assert.match(res.stderr, /Error response from daemon: sickbay: docker top: /);
      assert.doesNotMatch(res.stdout, /\S/, 'no process is listed');
      const refused = dockerEvents().filter((e) => e.action === 'top' && !e.allowed);
      assert.ok(refused.some((e) => /docker top/.test(e.reason ?? '')), 'the refusal is audited');
    });
  }

  for (const args of ['', 'aux', '-eo pid,rss,args']) {
    it(`docker top api ${args || '(no options)'} still works and shows only the container's processes`, async () => {
      const res = await inConsole(`docker top api ${args}`);
      assert.equal(res.code, 0, res.stderr);
      const lines = res.stdout.trim().split('\n');
      const header = (lines[0] ?? '').trim().split(/\s+/);
      const pidColumn = header.indexOf('PID');
      assert.ok(pidColumn >= 0, `a PID column: ${lines[0]}`);
      const shown = lines.slice(1).map((l) => l.trim().split(/\s+/)[pidColumn] as string);
      assert.ok(shown.length >= 2, `the api's processes are listed:\n${res.stdout}`);
      for (const pid of shown) assert.notEqual(inContainer(pid, apiId), false, `pid ${pid} is not one of the api container's:\n${res.stdout}`);
      assert.ok(shown.filter((pid) => inContainer(pid, apiId) === true).length >= 2, 'the api\'s long-lived processes are there');
      assert.doesNotMatch(res.stdout, /dockerd|containerd|sickbay-console|bash -l/, 'no host or console process');
    });
  }
});

describe('old API versions cannot undo what the proxy forces (item 8)', () => {
  it('POST /v1.24/containers/create with raw curl still gets AutoRemove and a private IPC namespace', async () => {
    const body = JSON.stringify({ Image: 'sickbay/service:latest', Cmd: ['sleep', '300'] });
    const res = await inConsole(`curl -s --unix-socket /var/run/docker.sock -H 'Content-Type: application/json' -d '${body}' 'http://docker/v1.24/containers/create?name=old-api'`);
    assert.equal(res.code, 0, res.stderr);
    const id = (JSON.parse(res.stdout) as { Id?: string }).Id;
    assert.ok(id, `created: ${res.stdout}`);
    try {
      const info = await docker.getContainer(id).inspect();
      assert.equal(info.Config.Labels[LABEL.role], 'sidecar');
      assert.equal(info.HostConfig.AutoRemove, true, 'AutoRemove is kept');
      assert.notEqual(info.HostConfig.IpcMode, 'shareable', 'the IPC namespace is not made shareable');
      assert.equal(info.HostConfig.PidsLimit, 64);
    } finally {
      await docker.getContainer(id).remove({ force: true }).catch(() => {});
    }
  });

  it('an exec created on /v1.24 runs and is audited like any other', async () => {
    const create = await inConsole(`curl -s --unix-socket /var/run/docker.sock -H 'Content-Type: application/json' -d '{"Cmd":["true","old-api-exec"],"AttachStdout":true}' http://docker/v1.24/containers/api/exec`);
    assert.equal(create.code, 0, create.stderr);
    assert.ok((JSON.parse(create.stdout) as { Id?: string }).Id, create.stdout);
    assert.ok(dockerEvents().some((e) => e.action === 'exec' && e.allowed && e.command?.join(' ') === 'true old-api-exec'));
  });
});
