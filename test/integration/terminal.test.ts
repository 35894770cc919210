/**
 * The learner console and the terminal gateway on the real engine: a hardened console
 * container (as the engine will create it), a throwaway unix socket where the session's Docker
 * proxy will be, the session's terminal socket (the shell runs under sickbay-pty in the console
 * and connects back to it), and the gateway on a loopback HTTP server. Checks refusal at upgrade, the
 * round trip, UTF-8 split across reads, resize, reattach, flow control under `yes`, fd and pty
 * leaks over 200 cycles, the console's isolation, and the recording with Debian's asciinema.
 * Everything is removed by its instance label afterwards, even when a test fails.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as nodePty from 'node-pty';
import WebSocket from 'ws';
import type { TerminalBody, TypedLineBody } from '@/lib/audit/events';
import { LABEL, MANAGED_BY } from '@/lib/lifecycle/labels';
import { encodeClientMessage, parseServerMessage, PROTOCOL_VERSION, terminalUrlPath, type ServerMessage } from '@/lib/terminal/protocol';
import { PROMPT_MARKER } from '@/lib/terminal/typed-lines';
import { AGENT_SOCKET_IN_CONSOLE, listenForAgents, type ShellAgents } from '@/server/terminal/agent-socket';
import { createTerminalGateway, type TerminalGateway, type TerminalTarget } from '@/server/terminal/gateway';
import { docker, removeInstanceObjects, testInstance, waitFor } from './helpers';

const instance = testInstance();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sickbay-term-it-'));
const socketPath = path.join(tmp, 'docker.sock');
const SESSION_A = crypto.randomBytes(6).toString('hex');
const SESSION_B = crypto.randomBytes(6).toString('hex');
const TOKEN_A = crypto.randomBytes(24).toString('base64url');
const MIRROR_A = crypto.randomBytes(24).toString('base64url');
const TOKEN_B = crypto.randomBytes(24).toString('base64url');
const STUB_ANSWER = 'sickbay-test-stub: no proxy here';

let consoleName = '';
let agents: ShellAgents;
let stub: http.Server;
let server: http.Server;
let gateway: TerminalGateway;
let base = '';
let origin = '';
const audits: { sessionId: string; event: TerminalBody | TypedLineBody }[] = [];
const activity: string[] = [];

/** The container create options the engine needs for a console (reported to the lead). */
function consoleCreateOptions(name: string, sessionId: string) {
  return {
    name,
    Image: 'sickbay/console:latest',
    Hostname: 'console',
    User: 'learner',
    WorkingDir: '/home/learner',
    Env: [`SICKBAY_CONSOLE=${name}`],
    Labels: {
      [LABEL.managedBy]: MANAGED_BY,
      [LABEL.instance]: instance,
      [LABEL.session]: sessionId,
      [LABEL.role]: 'console',
      [LABEL.expiresAt]: new Date(Date.now() + 3_600_000).toISOString(),
    },
    HostConfig: {
      NetworkMode: 'none',
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      ReadonlyRootfs: true,
      Tmpfs: {
        '/home/learner': 'rw,nosuid,nodev,size=64m,uid=1000,gid=1000,mode=0700',
        '/tmp': 'rw,nosuid,nodev,size=64m,mode=1777',
      },
      Memory: 256 * 1024 * 1024,
      MemorySwap: 256 * 1024 * 1024,
      NanoCpus: 500_000_000,
      PidsLimit: 128,
      Init: true,
      Binds: [`${socketPath}:/var/run/docker.sock`, `${agents.socketPath}:${AGENT_SOCKET_IN_CONSOLE}`],
      RestartPolicy: { Name: 'no' },
      LogConfig: { Type: 'json-file', Config: { 'max-size': '1m', 'max-file': '1' } },
    },
  };
}

function targetFor(sessionId: string): TerminalTarget | null {
  if (sessionId === SESSION_A) return { sessionId, consoleContainer: consoleName, token: TOKEN_A, mirrorToken: MIRROR_A, recordingPath: path.join(tmp, `${SESSION_A}.cast`), agents };
  if (sessionId === SESSION_B) return { sessionId, consoleContainer: consoleName, token: TOKEN_B, mirrorToken: 'mirror-b', recordingPath: path.join(tmp, `${SESSION_B}.cast`), agents };
  return null;
}

// ---------------------------------------------------------------------------------------------
// A test client speaking the protocol
// ---------------------------------------------------------------------------------------------

interface ClientOptions {
  token?: string;
  origin?: string;
  cols?: number;
  rows?: number;
  /** Bytes per second the client "renders" (acks); undefined = ack everything at once. */
  ackRate?: number;
}

class TestClient {
  readonly ws: WebSocket;
  /** Output decoded so far, without the first `dropped` characters (kept bounded under `yes`). */
  private kept = '';
  private dropped = 0;
  received = 0;
  controls: ServerMessage[] = [];
  closed: { code: number; reason: string } | null = null;
  private decoder = new TextDecoder('utf-8');
  /** Bytes received and not yet "rendered" (acknowledged). */
  pendingAck = 0;
  private ackTimer: NodeJS.Timeout | null = null;

  constructor(sessionId: string, options: ClientOptions = {}) {
    const size = options.cols && options.rows ? { cols: options.cols, rows: options.rows } : undefined;
    const url = `${base.replace('http', 'ws')}${terminalUrlPath(sessionId, options.token ?? TOKEN_A, size)}`;
    this.ws = new WebSocket(url, { origin: options.origin ?? origin });
    this.ws.binaryType = 'nodebuffer';
    this.ws.on('message', (data, isBinary) => {
      if (isBinary) {
        const buf = data as Buffer;
        this.received += buf.length;
        this.kept += this.decoder.decode(buf, { stream: true });
        if (this.kept.length > 1_000_000) {
          this.dropped += this.kept.length - 200_000;
          this.kept = this.kept.slice(-200_000);
        }
        this.pendingAck += buf.length;
        if (options.ackRate === undefined) this.flushAck(this.pendingAck);
      } else {
        const m = parseServerMessage(data.toString());
        if (m) this.controls.push(m);
      }
    });
    this.ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      if (this.ackTimer) clearInterval(this.ackTimer);
    });
    this.ws.on('error', () => {});
    if (options.ackRate !== undefined) {
      const perTick = Math.max(1, Math.round(options.ackRate / 20));
      this.ackTimer = setInterval(() => this.flushAck(Math.min(perTick, this.pendingAck)), 50);
    }
  }

  /** Output length so far (positions are absolute, across the trimming). */
  get length(): number {
    return this.dropped + this.kept.length;
  }

  /** Output from absolute position `from` (what is still kept of it). */
  since(from = 0): string {
    return this.kept.slice(Math.max(0, from - this.dropped));
  }

  private flushAck(bytes: number): void {
    if (bytes <= 0 || this.ws.readyState !== WebSocket.OPEN) return;
    this.pendingAck -= bytes;
    this.ws.send(encodeClientMessage({ type: 'ack', bytes }));
  }

  opened(): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.ws.readyState === WebSocket.OPEN) return resolve();
      this.ws.once('open', () => resolve());
      this.ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      this.ws.once('error', reject);
    });
  }

  async attached(): Promise<Extract<ServerMessage, { type: 'attached' }>> {
    await this.opened();
    return waitFor('the attached message', async () => this.controls.find((m) => m.type === 'attached'), 15_000, 20) as Promise<
      Extract<ServerMessage, { type: 'attached' }>
    >;
  }

  /** Waits until the output since `from` matches. */
  async expect(pattern: RegExp | string, from = 0, timeoutMs = 15_000): Promise<string> {
    await waitFor(
      `${String(pattern)} in the terminal`,
      async () => {
        const t = this.since(from);
        return typeof pattern === 'string' ? t.includes(pattern) : pattern.test(t);
      },
      timeoutMs,
      20,
    );
    return this.since(from);
  }

  /** Waits for the next prompt after `from`. */
  prompt(from = 0, timeoutMs = 15_000): Promise<string> {
    return this.expect(PROMPT_MARKER, from, timeoutMs);
  }

  send(data: string): void {
    this.ws.send(encodeClientMessage({ type: 'input', data }));
  }

  /** Types a command and returns its output up to the next prompt. */
  async run(command: string, timeoutMs = 15_000): Promise<string> {
    const from = this.length;
    this.send(`${command}\r`);
    // The prompt after the command's output: past the echoed command line (a resize redraws
    // the current prompt, marker included, before that).
    const echoed = await this.expect('\n', from, timeoutMs);
    const start = from + echoed.indexOf('\n');
    const out = await this.prompt(start, timeoutMs);
    return this.since(from).slice(0, start - from) + out.slice(0, out.indexOf(PROMPT_MARKER));
  }

  resize(cols: number, rows: number): void {
    this.ws.send(encodeClientMessage({ type: 'resize', cols, rows }));
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.ws.readyState === WebSocket.CLOSED) return resolve();
      this.ws.once('close', () => resolve());
      this.ws.close(1000);
    });
  }
}

/** Connects and returns the HTTP status of the refused upgrade (or 101). */
function upgradeStatus(pathAndQuery: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${base.replace('http', 'ws')}${pathAndQuery}`, { headers, origin: headers.origin ?? origin });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
      ws.terminate();
    });
    ws.on('open', () => {
      resolve(101);
      ws.close();
    });
    ws.on('error', (err) => reject(err));
  });
}

const countDir = (dir: string) => fs.readdirSync(dir).length;
function ownPtys(): number {
  let n = 0;
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    try {
      if (fs.readlinkSync(`/proc/self/fd/${fd}`) === '/dev/ptmx') n++;
    } catch {
      /* closed meanwhile */
    }
  }
  return n;
}

async function consoleExec(cmd: string[]): Promise<string> {
  const exec = await docker.getContainer(consoleName).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true, Tty: true });
  const stream = await exec.start({ hijack: true, stdin: false, Tty: true });
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  await new Promise<void>((resolve) => stream.on('end', () => resolve()));
  stream.destroy();
  return Buffer.concat(chunks).toString('utf8');
}

// ---------------------------------------------------------------------------------------------

before(async () => {
  // The stand-in for the session's Docker proxy: answers every request with 503.
  stub = http.createServer((req, res) => {
    res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ message: STUB_ANSWER }));
  });
  await new Promise<void>((resolve) => stub.listen(socketPath, resolve));
  fs.chmodSync(socketPath, 0o666);
  agents = await listenForAgents(path.join(tmp, 'term.sock'));

  consoleName = `sickbay-${SESSION_A}-console`;
  const container = await docker.createContainer(consoleCreateOptions(consoleName, SESSION_A));
  await container.start();

  gateway = createTerminalGateway({
    directory: { terminalTarget: targetFor },
    isAllowedOrigin: (o) => o !== undefined && o === origin,
    audit: (sessionId, event) => audits.push({ sessionId, event }),
    onActivity: (sessionId) => activity.push(sessionId),
    log: () => {},
  });
  server = http.createServer((_req, res) => res.writeHead(404).end());
  server.on('upgrade', (req, socket, head) => {
    if (!gateway.handleUpgrade(req, socket, head)) socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
  origin = base;
});

after(async () => {
  await gateway?.closeAll().catch(() => {});
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await new Promise<void>((resolve) => (stub ? stub.close(() => resolve()) : resolve()));
  await agents?.close();
  await removeInstanceObjects(instance);
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('terminal gateway and console on the real engine', () => {
  it('refuses a missing, wrong or other session\'s token, a foreign origin and unknown sessions', async () => {
    assert.equal(await upgradeStatus(`/ws/terminal/${SESSION_A}`), 401, 'no token');
    assert.equal(await upgradeStatus(`/ws/terminal/${SESSION_A}?token=`), 401, 'empty token');
    const wrong = TOKEN_A.slice(0, -1) + (TOKEN_A.endsWith('x') ? 'y' : 'x');
    assert.equal(await upgradeStatus(`/ws/terminal/${SESSION_A}?token=${wrong}`), 401, 'wrong token (one character off)');
    assert.equal(await upgradeStatus(`/ws/terminal/${SESSION_A}?token=${TOKEN_A}${TOKEN_A}`), 401, 'wrong token (longer)');
    assert.equal(await upgradeStatus(`/ws/terminal/${SESSION_A}?token=${TOKEN_B}`), 401, "session B's token on session A");
    assert.equal(await upgradeStatus(`/ws/terminal/${SESSION_A}?token=${TOKEN_A}`, { origin: 'http://evil.example' }), 403, 'foreign origin');
    assert.equal(await upgradeStatus(`/ws/terminal/000000000000?token=${TOKEN_A}`), 404, 'unknown session');
    assert.equal(await upgradeStatus(`/ws/terminal/../etc?token=${TOKEN_A}`), 404, 'not a session id');
    assert.equal(await upgradeStatus(`/ws/other?token=${TOKEN_A}`), 404, 'not our path: left to the server');
    assert.equal(gateway.sessions().size, 0, 'no refused attempt started a shell');
  });

  it('round-trips input and output, and audits the typed line', async () => {
    const c = new TestClient(SESSION_A, { cols: 100, rows: 30 });
    const hello = await c.attached();
    assert.equal(hello.protocol, PROTOCOL_VERSION);
    assert.equal(hello.shell, 'new');
    const first = await c.prompt();
    assert.match(first, /this Docker CLI sees only this session's containers|sees only this session's containers/);
    assert.match(first, /learner@sickbay-[0-9a-f]{12}-console/);
    const out = await c.run('echo hello-$((6*7))');
    assert.match(out, /hello-42/);
    await c.close();
    const typed = audits.filter((a) => a.event.kind === 'typed').map((a) => a.event as TypedLineBody);
    assert.deepEqual(typed.at(-1), { kind: 'typed', where: 'console', line: 'echo hello-$((6*7))', approximate: false });
    assert.ok(audits.some((a) => a.event.kind === 'terminal' && a.event.action === 'open' && a.event.detail === 'new shell'));
    assert.ok(activity.includes(SESSION_A), 'input counts as activity');
  });

  it('runs the shell under sickbay-pty; the terminal socket closes anyone without a waiting token', async () => {
    const c = new TestClient(SESSION_A);
    await c.attached();
    await c.prompt();
    assert.match(await c.run('pgrep -c -x sickbay-pty'), /^\s*1\s*$/m, 'one relay for the one shell');
    // The learner can reach the socket from the console: an HTTP request is not a hello.
    assert.match(await c.run('curl -s --max-time 20 --unix-socket /run/sickbay/term.sock http://x/; echo "curl=$?"'), /curl=52/, 'empty reply: the connection was closed');
    await c.close();
    // From the host: a line that is not a hello, and a hello with a token nobody waits for.
    for (const line of ['GET / HTTP/1.1\r\n\r\n', `SICKBAY-PTY 1 ${crypto.randomBytes(24).toString('base64url')}\n`]) {
      const closed = await new Promise<boolean>((resolve) => {
        const s = net.connect(agents.socketPath, () => s.write(line));
        s.on('error', () => {});
        s.on('close', () => resolve(true));
        setTimeout(() => resolve(false), 5000).unref();
      });
      assert.ok(closed, `closed after ${JSON.stringify(line.slice(0, 20))}`);
    }
  });

  it('keeps UTF-8 intact when a character is split across two reads, both ways', async () => {
    const c = new TestClient(SESSION_A);
    await c.attached();
    await c.prompt();
    // The euro sign's three bytes leave the shell in two writes 300 ms apart: two pty reads.
    const out = await c.run(String.raw`printf 'split:\xe2\x82'; sleep 0.3; printf '\xac:end\n'`);
    assert.match(out, /split:€:end/);
    assert.doesNotMatch(out, /\uFFFD/);
    const echoed = await c.run('echo ünïcødé-✓-🚑');
    assert.match(echoed, /\nünïcødé-✓-🚑\r?\n|^ünïcødé-✓-🚑/m);
    await c.close();
  });

  it('follows a resize: tput cols and lines report the new size', async () => {
    const c = new TestClient(SESSION_A, { cols: 90, rows: 25 });
    await c.attached();
    await c.prompt();
    c.resize(132, 41);
    await new Promise((r) => setTimeout(r, 300));
    const out = await c.run('echo size=$(tput cols)x$(tput lines)');
    assert.match(out, /size=132x41/);
    c.resize(77, 19);
    await new Promise((r) => setTimeout(r, 300));
    assert.match(await c.run('echo size=$(tput cols)x$(tput lines) stty=$(stty size)'), /size=77x19 stty=19 77/);
    await c.close();
  });

  it('reattaches to the same shell with recent scrollback; a second tab takes over', async () => {
    const c1 = new TestClient(SESSION_A);
    const a1 = await c1.attached();
    assert.equal(a1.shell, 'existing');
    await c1.prompt();
    const pid1 = (await c1.run('echo pid=$$')).match(/pid=(\d+)/)?.[1];
    await c1.run('export SB_KEEP=kept-$((40+2)); echo marker-before-reload');
    await c1.close();

    const c2 = new TestClient(SESSION_A);
    const a2 = await c2.attached();
    assert.equal(a2.shell, 'existing');
    assert.ok(a2.replayBytes > 0, 'recent output is replayed');
    await c2.expect('marker-before-reload');
    const pid2 = (await c2.run('echo pid=$$ var=$SB_KEEP')).match(/pid=(\d+) var=(\S+)/);
    assert.equal(pid2?.[1], pid1, 'the same shell process');
    assert.equal(pid2?.[2], 'kept-42', 'a variable set before the reload is still set');

    const c3 = new TestClient(SESSION_A);
    await c3.attached();
    await waitFor('the first tab to be closed', async () => c2.closed, 5000, 20);
    assert.equal(c2.closed?.code, 4000, 'replaced');
    assert.match(await c3.run('echo still=$SB_KEEP'), /still=kept-42/);
    await c3.close();
  });

  it('keeps server memory bounded under `yes` with a slow reader, and Ctrl-C answers within a second', async () => {
    const ACK_RATE = 1024 * 1024; // the client renders 1 MiB/s
    const c = new TestClient(SESSION_A, { ackRate: ACK_RATE });
    await c.attached();
    await c.prompt();
    await new Promise((r) => setTimeout(r, 200));
    global.gc?.();
    const startRss = process.memoryUsage().rss;
    let peakRss = startRss;
    let peakUnacked = 0;
    const terminal = gateway.sessions().get(SESSION_A);
    assert.ok(terminal);
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      peakUnacked = Math.max(peakUnacked, terminal.unacked);
    }, 100);
    // A failure must not leave the sampler (or `yes`) running: the test file would never exit.
    let ctrlCMs = 0;
    let renderedMs = 0;
    let peakAt10s = 0;
    let received = 0;
    let beforeCtrlC = 0;
    try {
      const from = c.length;
      c.send('yes\r');
      await c.expect('y\r\ny\r\ny', from);
      const receivedAtStart = c.received;
      await new Promise((r) => setTimeout(r, 10_000));
      peakAt10s = peakRss;
      await new Promise((r) => setTimeout(r, 10_000));
      received = c.received - receivedAtStart;

      beforeCtrlC = c.length;
      const sentAt = performance.now();
      c.send('\x03');
      await c.prompt(beforeCtrlC, 10_000);
      ctrlCMs = performance.now() - sentAt;
      // What a slow browser shows lags what it received: wait until it has "rendered" it all.
      await waitFor('the reader to catch up', async () => c.pendingAck === 0, 10_000, 10);
      renderedMs = performance.now() - sentAt;
    } finally {
      clearInterval(sampler);
      if (!ctrlCMs) c.send('\x03');
      await c.close();
    }
    const mib = (n: number) => (n / 1024 / 1024).toFixed(1);
    console.log(
      `# yes for 20 s through a 1 MiB/s reader: rss start ${mib(startRss)} MiB, peak ${mib(peakRss)} MiB (+${mib(peakRss - startRss)}; ` +
        `peak in the first 10 s ${mib(peakAt10s)} MiB), ` +
        `received ${mib(received)} MiB, peak unacked ${(peakUnacked / 1024).toFixed(0)} KiB; Ctrl-C to prompt received ${ctrlCMs.toFixed(0)} ms, ` +
        `rendered by the 1 MiB/s reader ${renderedMs.toFixed(0)} ms`,
    );
    assert.ok(peakUnacked <= 128 * 1024 + 64 * 1024, `in-flight bytes stay near the high-water mark (peak ${peakUnacked})`);
    assert.ok(peakRss - startRss < 64 * 1024 * 1024, `server RSS grew by ${mib(peakRss - startRss)} MiB`);
    assert.ok(peakRss - peakAt10s < 16 * 1024 * 1024, 'RSS does not keep growing with the duration');
    assert.ok(received < 40 * 1024 * 1024, 'the producer was held to the reader\'s pace');
    assert.ok(ctrlCMs < 1000, `Ctrl-C took ${ctrlCMs.toFixed(0)} ms to reach a prompt`);
    assert.ok(renderedMs < 1000, `Ctrl-C took ${renderedMs.toFixed(0)} ms to show the prompt at 1 MiB/s`);
    assert.match(c.since(beforeCtrlC), /\[sickbay: skipped [\d.]+ (KiB|MiB) of output/);
  });

  it('leaves file descriptors and ptys at baseline after 200 open/close cycles', async () => {
    await gateway.closeSession(SESSION_A);
    await new Promise((r) => setTimeout(r, 300));
    const fds0 = countDir('/proc/self/fd');
    const pts0 = countDir('/dev/pts');
    const own0 = ownPtys();
    const started = Date.now();
    for (let i = 0; i < 200; i++) {
      const c = new TestClient(SESSION_A);
      await c.attached();
      await c.prompt(0, 20_000);
      await c.close();
      // Every other cycle ends the terminal too, so ptys are created and destroyed 100 times.
      if (i % 2 === 1) await gateway.closeSession(SESSION_A);
    }
    await gateway.closeSession(SESSION_A);
    await new Promise((r) => setTimeout(r, 500));
    const fds1 = countDir('/proc/self/fd');
    const pts1 = countDir('/dev/pts');
    const own1 = ownPtys();
    const shells = (await consoleExec(['pgrep', '-c', '-x', 'bash'])).trim();
    const relays = (await consoleExec(['pgrep', '-c', '-x', 'sickbay-pty'])).trim();
    console.log(
      `# 200 cycles in ${((Date.now() - started) / 1000).toFixed(1)} s: fds ${fds0} -> ${fds1}, own ptys ${own0} -> ${own1}, ` +
        `/dev/pts ${pts0} -> ${pts1}, bash processes left in the console: ${shells}, sickbay-pty: ${relays}`,
    );
    assert.equal(relays, '0', 'every sickbay-pty in the console ended with its terminal');
    assert.equal(own1, own0, 'no pty master left open');
    assert.ok(fds1 <= fds0 + 2, `fds ${fds0} -> ${fds1}`);
    assert.ok(pts1 <= pts0, `/dev/pts ${pts0} -> ${pts1}`);
    assert.equal(shells, '0', 'every shell inside the console was ended');
  });

  it('gives the console no network, no capabilities and no host socket', async () => {
    const info = await docker.getContainer(consoleName).inspect();
    assert.equal(info.HostConfig.NetworkMode, 'none');
    assert.deepEqual(info.HostConfig.CapDrop, ['ALL']);
    assert.equal(info.HostConfig.ReadonlyRootfs, true);
    assert.equal(info.HostConfig.Privileged, false);
    assert.deepEqual(info.HostConfig.SecurityOpt, ['no-new-privileges']);
    assert.equal(info.Config.User, 'learner');
    assert.deepEqual(
      // Docker lists mounts in no fixed order.
      info.Mounts.map((m) => `${m.Type}:${m.Source}:${m.Destination}`).sort(),
      [`bind:${socketPath}:/var/run/docker.sock`, `bind:${agents.socketPath}:${AGENT_SOCKET_IN_CONSOLE}`].sort(),
      'the session proxy and the terminal socket, nothing else of the host',
    );

    const c = new TestClient(SESSION_A);
    await c.attached();
    await c.prompt();
    const links = await c.run('ip -o link | cut -d: -f2 | tr -d " " | paste -sd, -');
    assert.match(links, /^\s*lo\s*$/m, `only loopback: ${links}`);
    const curl = await c.run('curl -sS -m 3 http://127.0.0.1:9/ ; echo "curl-exit=$?"');
    assert.match(curl, /curl-exit=(7|28)/);
    const ids = await c.run('id -u; grep -E "^(CapEff|NoNewPrivs)" /proc/self/status | tr -s "\\t " " "');
    assert.match(ids, /^1000\s*$/m);
    assert.match(ids, /CapEff: 0000000000000000/);
    assert.match(ids, /NoNewPrivs: 1/);
    const cgroup = await c.run('cat /proc/1/cgroup | head -3; cat /proc/1/cmdline | tr "\\0" " "; echo');
    assert.match(cgroup, new RegExp(`/docker/${info.Id}`), 'PID 1 lives in the container\'s cgroup');
    assert.match(cgroup, /docker-init -- sleep infinity/, 'PID 1 is the container\'s init, not the host\'s');
    const mounts = await c.run('command grep -E " / | /var/run/docker.sock | /run/docker.sock " /proc/self/mounts');
    assert.match(mounts, /^overlay \/ overlay ro,/m, 'read-only overlay root');
    const write = await c.run('touch /usr/x 2>&1; touch ~/ok && echo home-writable');
    assert.match(write, /Read-only file system/);
    assert.match(write, /home-writable/);
    // The socket at /var/run/docker.sock is the stand-in, not the host's engine.
    const sock = await c.run('curl -sS -m 3 --unix-socket /var/run/docker.sock http://docker/_ping; echo');
    assert.match(sock, new RegExp(STUB_ANSWER));
    const cli = await c.run('docker ps 2>&1 | head -3');
    assert.doesNotMatch(cli, /CONTAINER ID/);
    await c.close();
  });

  it('records every byte as asciicast v2 that Debian\'s `asciinema cat` accepts', async () => {
    const c = new TestClient(SESSION_A);
    await c.attached();
    await c.prompt();
    await c.run('echo recorded-$((1+1))-ünï');
    await c.close();
    await gateway.closeSession(SESSION_A);

    const file = path.join(tmp, `${SESSION_A}.cast`);
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    assert.equal(lines.pop(), '', 'ends with a newline');
    const header = JSON.parse(lines[0] as string) as { version: number; width: number; height: number; timestamp: number };
    assert.equal(header.version, 2);
    assert.ok(header.width > 0 && header.height > 0 && Number.isInteger(header.timestamp));
    let lastT = 0;
    const codes = new Set<string>();
    for (const line of lines.slice(1)) {
      const [t, code, data] = JSON.parse(line) as [number, string, string];
      assert.ok(t >= lastT, 'times never go back');
      lastT = t;
      codes.add(code);
      assert.equal(typeof data, 'string');
    }
    assert.deepEqual([...codes].sort(), ['i', 'o', 'r']);
    assert.ok(lines.some((l) => l.includes('"i","echo recorded-$((1+1))-ünï\\r"') || l.includes('recorded-$((1+1))')), 'input recorded');

    // asciinema cat reads /dev/tty, so it runs under a pty of its own.
    const cat = nodePty.spawn('asciinema', ['cat', file], { cols: 120, rows: 40, env: { PATH: process.env.PATH ?? '', LANG: 'C.UTF-8', HOME: tmp } });
    let out = '';
    cat.onData((d) => (out += d));
    const code = await new Promise<number>((resolve) => cat.onExit(({ exitCode }) => resolve(exitCode)));
    assert.equal(code, 0, `asciinema cat failed:\n${out.slice(-2000)}`);
    assert.match(out, /recorded-2-ünï/);
    assert.match(out, /hello-42/);
    assert.match(out, /split:€:end/);
  });
});
