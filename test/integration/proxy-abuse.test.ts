/**
 * The holes issue #11 found in the session proxy, closed and kept closed, on a real leaky-job
 * session: the learner's own console container runs the real docker CLI (and curl) against
 * its real proxy, and what happened is read back from the real engine and the session's store.
 * Raw requests that need a held connection go to the same proxy socket from the host.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DockerCallBody } from '@/lib/audit/events';
import { LABEL } from '@/lib/lifecycle/labels';
import type { ProxyEvent } from '@/lib/proxy/audit-budget';
import { engineSocketPath } from '@/server/engine/console';
import { startSessionProxy } from '@/server/proxy';
import type { Services } from '@/server/registry';
import { docker, startTestServices, tarHeader, waitFor, type TestServices } from './helpers';

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

interface Raw {
  status: number;
  text: string;
  json: { message?: string } & Record<string, unknown>;
}

function readAnswer(res: http.IncomingMessage): Promise<Raw> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let json: Raw['json'] = {};
      try {
        json = JSON.parse(text);
      } catch {
        /* not JSON */
      }
      resolve({ status: res.statusCode ?? 0, text, json });
    });
  });
}

/** A chunked upload (as the docker CLI sends them) into the api's /tmp, from the host. */
function startUpload(): { request: http.ClientRequest; answer: Promise<Raw> } {
  const request = http.request({ socketPath, method: 'PUT', path: `/v1.41/containers/api/archive?path=${encodeURIComponent('/tmp')}`, headers: { Host: 'docker', 'Content-Type': 'application/x-tar' } });
  const answer = new Promise<Raw>((resolve, reject) => {
    request.once('response', (res) => void readAnswer(res).then(resolve));
    request.once('error', reject);
  });
  answer.catch(() => {});
  return { request, answer };
}

/** Writes `bytes` zero bytes with backpressure; stops early when the request is gone. */
async function writeZeros(request: http.ClientRequest, bytes: number): Promise<void> {
  const chunk = Buffer.alloc(256 * 1024);
  const closed = new Promise<void>((resolve) => request.once('close', () => resolve()));
  for (let left = bytes; left > 0 && !request.destroyed; left -= chunk.length) {
    if (!request.write(left >= chunk.length ? chunk : chunk.subarray(0, left))) {
      await Promise.race([new Promise<void>((resolve) => request.once('drain', () => resolve())), closed]);
    }
  }
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

describe('sidecar limits and the session PID budget (item 7)', () => {
  const MIB = 2 ** 20;
  const limitsOf = async (ref: string) => (await docker.getContainer(ref).inspect()).HostConfig;
  const sidecar = (name: string) => `sickbay-${sessionId}-${name}`;

  before(async () => {
    const res = await inConsole('docker run -d --name dbg sickbay/service:latest sleep 600');
    assert.equal(res.code, 0, res.stderr);
  });

  after(async () => {
    await inConsole('docker rm -f dbg dbg2 >/dev/null 2>&1; docker update --pids-limit 128 api >/dev/null 2>&1; true');
  });

  for (const args of ['--memory 512m --memory-swap 512m', '--cpus 1', '--pids-limit 256', '--memory-reservation 256m']) {
    it(`docker update ${args} on a sidecar is refused, and its forced limits hold`, async () => {
      const res = await inConsole(`docker update ${args} dbg`);
      assert.notEqual(res.code, 0, res.stdout);
      assert.match(res.stderr, /sickbay: .* above the debug sidecar limit/);
      const hc = await limitsOf(sidecar('dbg'));
      assert.equal(hc.Memory, 128 * MIB);
      assert.equal(hc.MemorySwap, 128 * MIB);
      assert.equal(hc.NanoCpus, 250_000_000);
      assert.equal(hc.PidsLimit, 64);
    });
  }

  it('a sidecar can still be given less', async () => {
    const res = await inConsole('docker update --memory 64m --memory-swap 64m --pids-limit 32 dbg');
    assert.equal(res.code, 0, res.stderr);
    const hc = await limitsOf(sidecar('dbg'));
    assert.equal(hc.Memory, 64 * MIB);
    assert.equal(hc.PidsLimit, 32);
    assert.equal((await inConsole('docker update --pids-limit 64 dbg')).code, 0);
  });

  it('--cpu-shares above 1024 is refused on run and on update; 512 is fine', async () => {
    const run = await inConsole('docker run --rm --cpu-shares 262144 sickbay/service:latest true');
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /sickbay: --cpu-shares above 1024/);
    for (const target of ['api', 'dbg']) {
      const res = await inConsole(`docker update --cpu-shares 262144 ${target}`);
      assert.notEqual(res.code, 0, `${target}: ${res.stdout}`);
      assert.match(res.stderr, /sickbay: --cpu-shares above 1024/);
    }
    assert.notEqual((await limitsOf(apiId)).CpuShares, 262144);
    const ok = await inConsole('docker update --cpu-shares 512 api');
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal((await limitsOf(apiId)).CpuShares, 512);
  });

  it('docker update --pids-limit past the session budget is refused, even under the per-container ceiling', async () => {
    // api 128 + dbg 64 of 1024 (the customers' container is the lab's, not counted): api may go up to 960.
    const res = await inConsole('docker update --pids-limit 1000 api');
    assert.notEqual(res.code, 0, res.stdout);
    assert.match(res.stderr, /sickbay: the session's PID budget is 1024 .* so api can have at most 960, not 1000/);
    assert.equal((await limitsOf(apiId)).PidsLimit, 128);
    const within = await inConsole('docker update --pids-limit 960 api');
    assert.equal(within.code, 0, within.stderr);
    assert.equal((await limitsOf(apiId)).PidsLimit, 960);
  });

  it('a new sidecar that would pass the budget is refused', async () => {
    const res = await inConsole('docker run -d --name dbg2 sickbay/service:latest sleep 600');
    assert.notEqual(res.code, 0, res.stdout);
    assert.match(res.stderr, /sickbay: the session's PID budget is 1024 .* so a new debug sidecar \(dbg2\) can have at most 0, not 64/);
    assert.equal((await docker.listContainers({ all: true, filters: { name: [sidecar('dbg2')] } })).length, 0);
    assert.equal((await inConsole('docker update --pids-limit 128 api')).code, 0);
    const again = await inConsole('docker run -d --name dbg2 sickbay/service:latest sleep 600');
    assert.equal(again.code, 0, again.stderr);
  });
});

describe('snapshots: at most 3 per session, and docker rmi of the session\'s own (item 4, snapshots)', () => {
  const repo = () => `sickbay-snapshot/${sessionId}`;
  const snapshots = async () =>
    docker.listImages({ all: true, filters: { label: [`${LABEL.session}=${sessionId}`, `${LABEL.instance}=${lab.instance}`, `${LABEL.role}=snapshot`] } });

  it('commits three snapshots, then refuses a fourth with the way out', async () => {
    for (const tag of ['s1', 's2', 's3']) {
      const res = await inConsole(`docker exec api sh -c 'echo ${tag} > /tmp/${tag}' && docker commit api ${tag}`);
      assert.equal(res.code, 0, res.stderr);
    }
    assert.equal((await snapshots()).length, 3);
    const fourth = await inConsole('docker commit api s4');
    assert.notEqual(fourth.code, 0, fourth.stdout);
    assert.match(fourth.stderr, /sickbay: a session may keep at most 3 snapshots .*:s1-latest \d+ KiB.*docker rmi/);
    assert.equal((await snapshots()).length, 3, 'no fourth image');
  });

  it('docker rmi removes an own snapshot by name and by short id, which makes room again', async () => {
    const byName = await inConsole(`docker rmi ${repo()}:s1-latest`);
    assert.equal(byName.code, 0, byName.stderr);
    assert.match(byName.stdout, /Untagged: .*:s1-latest/);
    const s2 = (await docker.getImage(`${repo()}:s2-latest`).inspect()).Id;
    const byId = await inConsole(`docker rmi ${s2.replace('sha256:', '').slice(0, 12)}`);
    assert.equal(byId.code, 0, byId.stderr);
    await assert.rejects(docker.getImage(s2).inspect(), 'removed on the engine');
    const again = await inConsole('docker commit api s4');
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual((await snapshots()).flatMap((i) => i.RepoTags ?? []).sort(), [`${repo()}:s3-latest`, `${repo()}:s4-latest`]);
    assert.ok(dockerEvents().some((e) => e.action === 'rmi' && e.allowed && e.status === 200));
  });

  it('docker rmi of anything else is refused or answered like a missing image', async () => {
    const lab = await inConsole('docker rmi sickbay/service:latest');
    assert.notEqual(lab.code, 0);
    assert.match(lab.stderr, /sickbay: only this session's snapshots .* can be removed/);
    const scenario = await inConsole('docker rmi sickbay/scenario-leaky-job:latest');
    assert.match(scenario.stderr, /No such image: sickbay\/scenario-leaky-job:latest/);
    const forced = await inConsole(`docker rmi -f ${repo()}:s3-latest`);
    assert.match(forced.stderr, /sickbay: docker rmi --force is not allowed/);
    await docker.getImage('sickbay/service:latest').inspect();
    await docker.getImage('sickbay/scenario-leaky-job:latest').inspect();
    await docker.getImage(`${repo()}:s3-latest`).inspect();
    const missing = await inConsole(`docker rmi ${repo()}:never-made`);
    assert.match(missing.stderr, /No such image: /);
  });
});

describe('docker cp uploads stream through under limits (item 5)', () => {
  const MIB = 2 ** 20;
  const fileSize = async (path: string) => {
    const res = await services.runtime.exec(apiId, ['sh', '-c', `stat -c %s ${path} 2>/dev/null || echo none`]);
    return res.stdout.trim();
  };

  it('docker cp into a container works end to end, and is audited with its size', async () => {
    const res = await inConsole("printf 'copied in\\n' > /tmp/in.txt && mkdir -p /tmp/tree/sub && echo deep > /tmp/tree/sub/f && docker cp /tmp/in.txt api:/tmp/in.txt && docker cp /tmp/tree api:/tmp/");
    assert.equal(res.code, 0, res.stderr);
    assert.equal((await services.runtime.exec(apiId, ['cat', '/tmp/in.txt', '/tmp/tree/sub/f'])).stdout, 'copied in\ndeep\n');
    const cps = dockerEvents().filter((e) => e.action === 'cp' && e.allowed && e.flags?.direction === 'in');
    assert.ok(cps.length >= 2 && cps.every((e) => typeof e.flags?.bytes === 'number' && (e.flags.bytes as number) > 0), JSON.stringify(cps));
  });

  it('a third upload while two are in flight is refused with a clear message; it works again after', async () => {
    // The engine locks a container while it extracts into it (exec, cp stat and a second
    // upload wait), so the held uploads go to the api and the third to the learner's debug
    // sidecar (dbg, made above); the first held file is watched in the api's writable layer.
    const upper = ((await docker.getContainer(apiId).inspect()).GraphDriver.Data as unknown as { UpperDir: string }).UpperDir;
    const onDisk = (name: string) => fs.existsSync(`${upper}/tmp/${name}`) && fs.statSync(`${upper}/tmp/${name}`).size >= MIB;
    const dbgName = `sickbay-${sessionId}-dbg`;
    const held = [startUpload(), startUpload()];
    try {
      held.forEach((u, i) => {
        u.request.write(tarHeader(`held-${i}.bin`, 32 * MIB));
        u.request.write(Buffer.alloc(MIB));
      });
      // Streamed, not buffered: the engine is already writing the first file (the second waits for its lock).
      await waitFor('a held upload to reach the engine', async () => onDisk('held-0.bin') || onDisk('held-1.bin'), 20_000, 100);
      const third = await inConsole('echo third > /tmp/third && docker cp /tmp/third dbg:/tmp/third');
      assert.notEqual(third.code, 0, third.stdout);
      assert.match(third.stderr, /sickbay: docker cp: at most 2 uploads into containers at once per session; wait for one to finish/);
    } finally {
      for (const u of held) u.request.destroy();
    }
    await waitFor('docker cp to work again once the held uploads are gone', async () => (await inConsole('docker cp /tmp/third dbg:/tmp/third')).code === 0, 30_000, 500);
    assert.equal((await services.runtime.exec(dbgName, ['cat', '/tmp/third'])).stdout, 'third\n');
  });

  it('an upload past 64 MiB is cut off at the cap and refused', async () => {
    const up = startUpload();
    up.request.write(tarHeader('big.bin', 80 * MIB));
    await writeZeros(up.request, 80 * MIB).catch(() => {});
    up.request.end();
    const answer = await up.answer;
    assert.equal(answer.status, 403, answer.text);
    assert.match(answer.json.message ?? '', /^sickbay: docker cp: an upload may be at most 64 MiB/);
    // The engine extracts as it reads: what reached it before the cap stays, cut short.
    const size = await fileSize('/tmp/big.bin');
    assert.ok(size === 'none' || Number(size) <= 64 * MIB, `big.bin is ${size} bytes`);
    const refused = dockerEvents().filter((e) => e.action === 'cp' && !e.allowed);
    assert.ok(refused.some((e) => /at most 64 MiB/.test(e.reason ?? '')), 'the refusal is audited');
    await waitFor('docker cp to work again', async () => (await inConsole('echo after > /tmp/after && docker cp /tmp/after api:/tmp/after-big')).code === 0, 30_000, 500);
  });

  /** Sends `start`, then `drip` every second, until the proxy closes the connection (or 90 s pass). */
  async function trickle(start: string, drip: string): Promise<{ outcome: string; answer: string }> {
    const socket = net.connect(socketPath);
    let answer = '';
    socket.on('data', (d: Buffer) => (answer += d.toString()));
    socket.on('error', () => {});
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write(start);
    const timer = setInterval(() => socket.writable && socket.write(drip), 1_000);
    try {
      const outcome = await Promise.race([closed.then(() => 'closed'), new Promise<string>((r) => setTimeout(() => r('still open after 90 s'), 90_000))]);
      return { outcome, answer };
    } finally {
      clearInterval(timer);
      socket.destroy();
    }
  }

  it('a client that trickles its request headers is cut off (slowloris)', async () => {
    const { outcome, answer } = await trickle('GET /v1.41/containers/json HTTP/1.1\r\nHost: docker\r\n', 'X-Slow: 1\r\n');
    assert.equal(outcome, 'closed');
    assert.match(answer, /^HTTP\/1\.1 408/);
  });

  it('an upload that trickles its body is cut off, and its slot is freed', async () => {
    const start = `PUT /v1.41/containers/api/archive?path=%2Ftmp HTTP/1.1\r\nHost: docker\r\nContent-Type: application/x-tar\r\nTransfer-Encoding: chunked\r\n\r\n`;
    const header = tarHeader('slow.bin', 1024);
    const { outcome, answer } = await trickle(`${start}${header.length.toString(16)}\r\n${header.toString('latin1')}\r\n`, '1\r\nx\r\n');
    assert.equal(outcome, 'closed');
    assert.match(answer, /^HTTP\/1\.1 408/);
    await waitFor('docker cp to work after the slow upload', async () => (await inConsole('echo after > /tmp/after && docker cp /tmp/after api:/tmp/after-slow')).code === 0, 30_000, 500);
  });
});

describe('the audit log cannot be flooded (item 9)', () => {
  it('200 refused creates with 60 000-character commands: commands cut at 4 KiB, refusals past the rate answered 429 and logged in aggregate', async () => {
    const before = services.store.listEvents(sessionId);
    const mark = before.length ? (before[before.length - 1]?.id ?? 0) : 0;
    const script = [
      `big=$(head -c 60000 /dev/zero | tr '\\0' a)`,
      `printf '{"Image":"sickbay/service:latest","Cmd":["%s"],"HostConfig":{"NetworkMode":"container:no-such-thing"}}' "$big" > /tmp/flood.json`,
      'start=$(date +%s)',
      'for i in $(seq 200); do curl -s -o /dev/null -w "%{http_code}\\n" --unix-socket /var/run/docker.sock -H "Content-Type: application/json" --data-binary @/tmp/flood.json http://docker/v1.41/containers/create; done > /tmp/codes',
      'echo "seconds $(( $(date +%s) - start ))"; sort /tmp/codes | uniq -c',
    ].join('\n');
    const res = await inConsole(script, 300_000);
    assert.equal(res.code, 0, res.stderr);
    const count = (code: number) => Number(new RegExp(`(\\d+) ${code}\\n`).exec(res.stdout)?.[1] ?? 0);
    const seconds = Number(/seconds (\d+)/.exec(res.stdout)?.[1]);
    assert.equal(count(403) + count(429), 200, res.stdout);
    assert.ok(count(403) <= 60 + Math.ceil(seconds / 5) + 1, `at most the burst and one every 5 s answered 403: ${res.stdout}`);
    assert.ok(count(429) > 0, res.stdout);

    // The next call after a quiet spell (5 s) ends the streak: its summary is logged first.
    await new Promise((r) => setTimeout(r, 6_000));
    const last = await inConsole('docker run --rm --privileged sickbay/service:latest true');
    assert.match(last.stderr, /sickbay: privileged containers are not allowed/);

    const added = services.store.listEvents(sessionId, mark);
    const bytes = Buffer.byteLength(JSON.stringify(added));
    assert.ok(bytes < 1024 ** 2, `the log grew by ${bytes} bytes`);
    const runs = added.filter((e): e is DockerCallBody & { id: number; sessionId: string; t: number; at: number } => e.kind === 'docker' && e.action === 'run' && !e.allowed);
    const flooded = runs.filter((e) => e.command);
    assert.equal(flooded.length, count(403));
    for (const e of flooded) {
      const text = (e.command ?? []).join('');
      assert.match(text, /^a{4096}…\[sickbay: 55904 more characters not logged\]$/);
    }
    const notices = added.filter((e): e is DockerCallBody & { id: number; sessionId: string; t: number; at: number } => e.kind === 'docker' && e.action === 'refusal-rate');
    assert.equal(notices.length, 2, JSON.stringify(notices));
    assert.match(notices[0]?.reason ?? '', /more than 60 refused calls in a burst/);
    assert.match(notices[1]?.reason ?? '', new RegExp(`^sickbay: ${count(429)} refused calls were answered 429 and not logged one by one \\(run ×${count(429)}\\)$`));
  });

  it('a refusal past the rate says so in the CLI', async () => {
    const res = await inConsole('for i in $(seq 80); do docker run --rm --privileged sickbay/service:latest true 2>&1 | grep -m1 "Error response"; done | sort | uniq -c');
    assert.match(res.stdout, /sickbay: too many refused calls from this session \(more than 60 at once, then one every 5 s\): wait a moment\. This one was refused too: privileged containers are not allowed/);
  });

  it('past the per-session event budget, proxy events are counted, not stored, and the count is logged at the end', async () => {
    const events: ProxyEvent[] = [];
    const sock = `${path.dirname(socketPath)}/budget.sock`;
    const proxy = await startSessionProxy({
      sessionId,
      instance: lab.instance,
      socketPath: sock,
      engineSocketPath: engineSocketPath(),
      audit: (e) => events.push(e),
      sidecar: { images: ['sickbay/service:latest'], labels: {}, memoryBytes: 128 * 2 ** 20, nanoCpus: 25e7, pidsLimit: 64 },
      updateCeiling: { memoryBytes: 2 ** 30, nanoCpus: 1e9, pidsLimit: 1024 },
      commitRepository: `sickbay-snapshot/${sessionId}`,
      auditLimits: { maxEvents: 20 },
    });
    try {
      for (let i = 0; i < 50; i++) {
        const res = await new Promise<number>((resolve, reject) => {
          const req = http.request({ socketPath: sock, method: 'GET', path: '/v1.41/containers/json', headers: { Host: 'docker' } }, (r) => {
            r.resume();
            r.on('end', () => resolve(r.statusCode ?? 0));
          });
          req.on('error', reject);
          req.end();
        });
        assert.equal(res, 200, 'calls past the budget still work');
      }
    } finally {
      await proxy.close();
    }
    const ps = events.filter((e) => e.kind === 'docker' && e.action === 'ps');
    assert.equal(ps.length, 20);
    const notices = events.filter((e): e is DockerCallBody => e.kind === 'docker' && e.action === 'audit-budget');
    assert.equal(notices.length, 2, JSON.stringify(notices));
    assert.match(notices[0]?.reason ?? '', /audit budget is reached \(20 proxy events/);
    assert.match(notices[1]?.reason ?? '', /^sickbay: 30 more proxy events of this session were counted, not stored/);
  });
});
