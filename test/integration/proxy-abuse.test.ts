/**
 * The holes issue #11 found in the session proxy, closed and kept closed, on a real leaky-job
 * session: the learner's own console container runs the real docker CLI (and curl) against
 * its real proxy, and what happened is read back from the real engine and the session's store.
 * Raw requests that need a held connection go to the same proxy socket from the host.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import type { DockerCallBody } from '@/lib/audit/events';
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

/** PIDs (host view) of a container's processes, from the engine directly. */
async function enginePids(id: string): Promise<Set<string>> {
  const top = (await docker.getContainer(id).top({ ps_args: '-o pid' })) as { Processes: string[][] };
  return new Set(top.Processes.map((row) => row[0] as string));
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
      const own = await enginePids(apiId);
      for (const pid of shown) assert.ok(own.has(pid), `pid ${pid} is not one of the api container's (${[...own].join(',')})`);
      assert.doesNotMatch(res.stdout, /dockerd|containerd|sickbay-console|bash -l/, 'no host or console process');
    });
  }
});
