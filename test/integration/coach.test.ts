/**
 * Coach mode (issue #15, item 4) through the real docker CLI and the session proxy on the real
 * engine: in coach mode `docker restart <service>` is held with the `sickbay coach:` message and
 * nothing restarts (same start time and PID); the same command again restarts; both moments are
 * `coached` events next to the docker calls. In exam mode the same restart happens at once.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CoachedBody, DockerCallBody, TypedLineBody } from '@/lib/audit/events';
import { LABEL, MANAGED_BY } from '@/lib/lifecycle/labels';
import { startSessionProxy, type SessionProxy } from '@/server/proxy';
import { docker, testInstance } from './helpers';

const ENGINE = '/var/run/docker.sock';
const IMAGE = 'sickbay/service:latest';
const instance = testInstance();
const COACHED = crypto.randomBytes(6).toString('hex');
const EXAM = crypto.randomBytes(6).toString('hex');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sickbay-coach-it-'));
const dockerConfig = fs.mkdtempSync(path.join(os.tmpdir(), 'sickbay-coach-cli-'));

type Event = DockerCallBody | TypedLineBody | CoachedBody;
interface Lab {
  session: string;
  socket: string;
  api: string;
  audit: Event[];
  proxy?: SessionProxy;
}
const labs: Record<'coach' | 'exam', Lab> = {
  coach: { session: COACHED, socket: path.join(tmp, 'coach.sock'), api: '', audit: [] },
  exam: { session: EXAM, socket: path.join(tmp, 'exam.sock'), api: '', audit: [] },
};

function labels(session: string, role: string, service?: string): Record<string, string> {
  const l: Record<string, string> = { [LABEL.managedBy]: MANAGED_BY, [LABEL.instance]: instance, [LABEL.role]: role, [LABEL.scenario]: 'coach-it', [LABEL.session]: session };
  if (service) l[LABEL.service] = service;
  return l;
}

async function cleanup(): Promise<void> {
  const containers = await docker.listContainers({ all: true, filters: { label: [`${LABEL.instance}=${instance}`] } });
  await Promise.all(containers.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => {})));
}

function cli(lab: Lab, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tmp, DOCKER_CONFIG: dockerConfig } as unknown as NodeJS.ProcessEnv;
    const child = spawn('docker', ['-H', `unix://${lab.socket}`, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

async function state(id: string): Promise<{ startedAt: string; pid: number; memory: number }> {
  const c = await docker.getContainer(id).inspect();
  return { startedAt: c.State.StartedAt, pid: c.State.Pid, memory: c.HostConfig.Memory ?? 0 };
}

const coachedEvents = (lab: Lab) => lab.audit.filter((e): e is CoachedBody => e.kind === 'coached');
const calls = (lab: Lab, action: string) => lab.audit.filter((e): e is DockerCallBody => e.kind === 'docker' && e.action === action);

before(async () => {
  await cleanup();
  for (const lab of Object.values(labs)) {
    const c = await docker.createContainer({
      name: `sickbay-${lab.session}-api`,
      Image: IMAGE,
      Cmd: ['sleep', 'infinity'],
      Labels: labels(lab.session, 'service', 'api'),
      HostConfig: { NetworkMode: 'none', Memory: 256 * 2 ** 20, MemorySwap: 256 * 2 ** 20, NanoCpus: 5e8, PidsLimit: 64, SecurityOpt: ['no-new-privileges'] },
    });
    await c.start();
    lab.api = c.id;
    lab.proxy = await startSessionProxy({
      sessionId: lab.session,
      instance,
      socketPath: lab.socket,
      engineSocketPath: ENGINE,
      audit: (e) => lab.audit.push(e),
      sidecar: { images: [IMAGE], labels: labels(lab.session, 'sidecar'), memoryBytes: 128 * 2 ** 20, nanoCpus: 5e8, pidsLimit: 64 },
      updateCeiling: { memoryBytes: 512 * 2 ** 20, nanoCpus: 1e9, pidsLimit: 256 },
      commitRepository: `sickbay-snapshot/${lab.session}`,
      ...(lab === labs.coach ? { coach: () => true } : {}),
    });
  }
});

after(async () => {
  for (const lab of Object.values(labs)) await lab.proxy?.close();
  await cleanup();
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.rmSync(dockerConfig, { recursive: true, force: true });
});

describe('coach mode through the proxy (real docker CLI, real engine)', () => {
  it('holds docker restart of a service once with the coach message; nothing restarts', async () => {
    const lab = labs.coach;
    const before = await state(lab.api);
    const r = await cli(lab, ['restart', '-t', '0', 'api']);
    assert.notEqual(r.code, 0, 'the CLI reports the held call as an error');
    assert.match(r.stderr, /sickbay coach: this restarts api/);
    assert.match(r.stderr, /docker commit api/);
    assert.match(r.stderr, /again within 60 s/);
    const after = await state(lab.api);
    assert.equal(after.startedAt, before.startedAt, 'same start time');
    assert.equal(after.pid, before.pid, 'same PID');
    const [warned] = coachedEvents(lab);
    assert.equal(warned?.phase, 'warned');
    assert.equal(warned?.action, 'restart');
    assert.equal(warned?.target, 'api');
    assert.equal(warned?.tier, 'state-losing');
    const held = calls(lab, 'restart');
    assert.equal(held.length, 1);
    assert.equal(held[0]?.allowed, false);
    assert.equal(held[0]?.status, 409);
    assert.match(held[0]?.reason ?? '', /^sickbay coach: /);
  });

  it('lets the same restart through when repeated, and logs the choice', async () => {
    const lab = labs.coach;
    const before = await state(lab.api);
    const r = await cli(lab, ['restart', '-t', '0', 'api']);
    assert.equal(r.code, 0, r.stderr);
    const after = await state(lab.api);
    assert.notEqual(after.startedAt, before.startedAt, 'restarted');
    const chose = coachedEvents(lab).filter((e) => e.phase === 'chose');
    assert.equal(chose.length, 1);
    assert.equal(chose[0]?.action, 'restart');
    assert.equal(typeof chose[0]?.warnedAt, 'number');
    const restarts = calls(lab, 'restart');
    assert.equal(restarts.length, 2);
    assert.equal(restarts[1]?.allowed, true, 'the restart itself is audited as it happened');
    // The order in the log: warned, held call, chose, the call that went through.
    const order = lab.audit.flatMap((e) => (e.kind === 'coached' ? [e.phase] : e.kind === 'docker' && e.action === 'restart' ? [e.allowed ? 'restart' : 'held'] : []));
    assert.deepEqual(order, ['warned', 'held', 'chose', 'restart']);
  });

  it('holds a docker update of the limits once, and lets a harmless signal through at once', async () => {
    const lab = labs.coach;
    const held = await cli(lab, ['update', '--memory', '200m', '--memory-swap', '200m', 'api']);
    assert.notEqual(held.code, 0);
    assert.match(held.stderr, /sickbay coach: this changes the limits of api.*hide the symptom/);
    assert.equal((await state(lab.api)).memory, 256 * 2 ** 20, 'the limit is unchanged');
    const again = await cli(lab, ['update', '--memory', '200m', '--memory-swap', '200m', 'api']);
    assert.equal(again.code, 0, again.stderr);
    assert.equal((await state(lab.api)).memory, 200 * 2 ** 20);
    const hup = await cli(lab, ['kill', '-s', 'HUP', 'api']);
    assert.doesNotMatch(hup.stderr, /sickbay coach/);
    assert.equal(coachedEvents(lab).filter((e) => e.action === 'kill').length, 0);
  });

  it('restarts at once in exam mode, with no coached event', async () => {
    const lab = labs.exam;
    const before = await state(lab.api);
    const r = await cli(lab, ['restart', '-t', '0', 'api']);
    assert.equal(r.code, 0, r.stderr);
    assert.notEqual((await state(lab.api)).startedAt, before.startedAt);
    assert.equal(coachedEvents(lab).length, 0);
    assert.equal(calls(lab, 'restart')[0]?.allowed, true);
  });
});
