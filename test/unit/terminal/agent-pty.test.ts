/**
 * The gateway's side of sickbay-pty on a real unix socket in a temp folder, with the agent's side
 * played by this test (the real agent runs in the console: test/integration/terminal.test.ts).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AgentPty, type StartAgent } from '@/server/terminal/agent-pty';
import { listenForAgents, type ShellAgents } from '@/server/terminal/agent-socket';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sickbay-agent-'));
let agents: ShellAgents;
/** Everything a test opened, closed afterwards even when it failed (open sockets would keep the file running). */
const opened: { destroy(): void }[] = [];

before(async () => {
  agents = await listenForAgents(path.join(dir, 'term.sock'), { helloTimeoutMs: 400 });
});
after(async () => {
  for (const o of opened) o.destroy();
  await agents.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const frame = (type: string, payload: Buffer) => Buffer.concat([Buffer.from([type.charCodeAt(0), payload.length >> 8, payload.length & 0xff]), payload]);

/** Plays the agent: connects with the token and records the frames the gateway sends. */
class PlayedAgent {
  readonly socket: net.Socket;
  received = Buffer.alloc(0);
  closed: Promise<void>;
  constructor(token: string) {
    this.socket = net.connect(agents.socketPath, () => this.socket.write(`SICKBAY-PTY 1 ${token}\n`));
    opened.push(this.socket);
    this.socket.on('data', (d) => (this.received = Buffer.concat([this.received, d])));
    this.socket.on('error', () => {});
    this.closed = new Promise((r) => this.socket.on('close', () => r()));
  }
  /** Frames received so far, as [type, payload]. */
  frames(): [string, Buffer][] {
    const out: [string, Buffer][] = [];
    for (let at = 0; at + 3 <= this.received.length; ) {
      const n = this.received.readUInt16BE(at + 1);
      out.push([String.fromCharCode(this.received[at]!), this.received.subarray(at + 3, at + 3 + n)]);
      at += 3 + n;
    }
    return out;
  }
}

async function until(what: string, check: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** An AgentPty whose start "runs" the played agent, after `delayMs`. */
function open(delayMs = 0, fail?: string) {
  let agent: PlayedAgent | null = null;
  const start: StartAgent = async (_console, { token }) => {
    await new Promise((r) => setTimeout(r, delayMs));
    if (fail) throw new Error(fail);
    agent = new PlayedAgent(token);
  };
  const pty = new AgentPty({ consoleContainer: 'c', shellId: 's1', cols: 80, rows: 24 }, { agents, startAgent: start, connectTimeoutMs: 2000 });
  opened.push(pty);
  let output = '';
  const exits: { exitCode: number; signal?: number }[] = [];
  pty.onData((d) => (output += d.toString('utf8')));
  pty.onExit((e) => exits.push(e));
  return { pty, agent: () => agent, output: () => output, exits };
}

describe('AgentPty over the terminal socket', () => {
  it('keeps input and the size typed before the agent is there, then relays both ways and reports the exit', async () => {
    const t = open(100);
    t.pty.write('ls\r');
    t.pty.resize(120, 40);
    await until('the agent', () => t.agent() !== null);
    const agent = t.agent()!;
    await until('the early frames', () => agent.frames().length >= 2);
    assert.deepEqual(agent.frames().map(([type, p]) => [type, [...p]]), [
      ['r', [0, 120, 0, 40]],
      ['i', [...Buffer.from('ls\r')]],
    ]);
    const pid = Buffer.alloc(4);
    pid.writeUInt32BE(77);
    agent.socket.write(Buffer.concat([frame('p', pid), frame('o', Buffer.from('file-a\r\n'))]));
    await until('the output', () => t.output() === 'file-a\r\n');
    assert.equal(t.pty.pid, 77);
    t.pty.write('é');
    await until('the next input', () => agent.frames().length === 3);
    assert.equal(agent.frames()[2]![1].toString('utf8'), 'é');
    const exit = Buffer.alloc(8);
    exit.writeInt32BE(3, 0);
    agent.socket.end(frame('x', exit));
    await until('the exit', () => t.exits.length === 1);
    assert.deepEqual(t.exits, [{ exitCode: 3 }]);
  });

  it('hangs up the agent on destroy, and ends once', async () => {
    const t = open();
    t.pty.write('x');
    await until('the agent', () => t.agent() !== null);
    await until('the pairing', () => t.agent()!.frames().length === 1);
    t.pty.destroy();
    await t.agent()!.closed;
    await until('the exit', () => t.exits.length === 1);
    t.pty.destroy();
    assert.equal(t.exits.length, 1);
  });

  it('says why when the agent cannot start, or never connects', async () => {
    const failed = open(0, 'OCI runtime exec failed: sickbay-pty not found');
    await until('the exit', () => failed.exits.length === 1);
    assert.match(failed.output(), /the console's shell did not start: OCI runtime exec failed/);
    assert.deepEqual(failed.exits, [{ exitCode: 1 }]);
    const socketless = new AgentPty({ consoleContainer: 'c', shellId: 's4', cols: 80, rows: 24 }, { agents: undefined, startAgent: async () => assert.fail('nothing to start without a socket') });
    let why = '';
    const socketlessExit: unknown[] = [];
    socketless.onData((d) => (why += d.toString()));
    socketless.onExit((e) => socketlessExit.push(e));
    await until('the socketless exit', () => socketlessExit.length === 1);
    assert.match(why, /no terminal socket/);
    const silent = new AgentPty({ consoleContainer: 'c', shellId: 's2', cols: 80, rows: 24 }, { agents, startAgent: async () => {}, connectTimeoutMs: 200 });
    let out = '';
    silent.onData((d) => (out += d.toString()));
    await until('the timeout', () => out.includes('did not connect'));
  });

  it('ends a shell whose agent went away between its hello and the start returning', async () => {
    let agent: net.Socket | null = null;
    const pty = new AgentPty({ consoleContainer: 'c', shellId: 's3', cols: 80, rows: 24 }, {
      agents,
      connectTimeoutMs: 2000,
      startAgent: async (_c, { token }) => {
        agent = net.connect(agents.socketPath, () => agent!.end(`SICKBAY-PTY 1 ${token}\n`));
        agent.on('error', () => {});
        await new Promise((r) => agent!.once('close', r));
        await new Promise((r) => setTimeout(r, 50));
      },
    });
    opened.push(pty);
    let out = '';
    const exits: unknown[] = [];
    pty.onData((d) => (out += d.toString()));
    pty.onExit((e) => exits.push(e));
    await until('the exit', () => exits.length === 1);
    assert.match(out, /ended it before it started/);
  });

  it('drops input beyond 1 MiB the agent has not taken', async () => {
    const t = open();
    t.pty.write('x');
    await until('the agent', () => t.agent() !== null);
    const agent = t.agent()!;
    await until('the pairing', () => agent.frames().length === 1);
    agent.socket.pause();
    const chunk = 'y'.repeat(64 * 1024);
    for (let i = 0; i < 48; i++) t.pty.write(chunk); // 3 MiB
    agent.socket.resume();
    await until('the kept input', () => agent.received.length > 1024 * 1024, 5000);
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(agent.received.length < 2.5 * 1024 * 1024, `${agent.received.length} bytes arrived of 3 MiB typed`);
  });

  it('closes a connection that sends a frame the agent never sends', async () => {
    const t = open();
    await until('the agent', () => t.agent() !== null);
    await new Promise((r) => setTimeout(r, 50));
    t.agent()!.socket.write(frame('i', Buffer.from('not from an agent')));
    await t.agent()!.closed;
    await until('the exit', () => t.exits.length === 1);
  });
});

describe('the terminal socket', () => {
  const connectAndWait = (write: string | null) =>
    new Promise<'closed' | 'open'>((resolve) => {
      const s = net.connect(agents.socketPath, () => write !== null && s.write(write));
      s.on('error', () => {});
      s.on('close', () => resolve('closed'));
      setTimeout(() => {
        resolve('open');
        s.destroy();
      }, 500).unref();
    });

  it('closes a stranger: not a hello, an unknown token, an overlong line', async () => {
    assert.equal(await connectAndWait('GET / HTTP/1.1\r\n\r\n'), 'closed');
    assert.equal(await connectAndWait('SICKBAY-PTY 1 nobodywaitsforthistoken\n'), 'closed');
    assert.equal(await connectAndWait('x'.repeat(400)), 'closed');
  });

  it('lets 8 connections wait to say their token: a ninth pushes out the oldest', async () => {
    const silent: { socket: net.Socket; closed: boolean }[] = [];
    try {
      for (let i = 0; i < 9; i++) {
        const entry = { socket: net.connect(agents.socketPath), closed: false };
        entry.socket.on('error', () => {});
        entry.socket.on('close', () => (entry.closed = true));
        silent.push(entry);
        await new Promise((r) => entry.socket.once('connect', r));
        await new Promise((r) => setTimeout(r, 10));
      }
      await until('the oldest to be closed', () => silent[0]!.closed, 1000);
      assert.deepEqual(silent.slice(1).map((e) => e.closed), Array(8).fill(false), 'the other eight wait');
    } finally {
      for (const e of silent) e.socket.destroy();
    }
  });

  it('closes a connection that trickles: the time to say the token runs from the connection', async () => {
    const s = net.connect(agents.socketPath);
    s.on('error', () => {});
    let closed = false;
    s.on('close', () => (closed = true));
    const trickle = setInterval(() => s.write('S'), 100);
    try {
      await until('the deadline', () => closed, 2000);
    } finally {
      clearInterval(trickle);
      s.destroy();
    }
  });
});
