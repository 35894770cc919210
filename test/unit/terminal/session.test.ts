import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, beforeEach, describe, it } from 'node:test';
import type { TerminalBody, TypedLineBody } from '@/lib/audit/events';
import { CLOSE } from '@/lib/terminal/protocol';
import { PROMPT_MARKER } from '@/lib/terminal/typed-lines';
import { TerminalSession } from '@/server/terminal/session';
import { FakeClient, FakeMirror, FakePty } from './fakes';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sickbay-term-unit-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

let ptys: FakePty[];
let audits: (TerminalBody | TypedLineBody)[];
let ended: string[];
let activity: number;
let n = 0;

function make(extra: Partial<ConstructorParameters<typeof TerminalSession>[0]> = {}) {
  const recordingPath = path.join(dir, `rec-${++n}.cast`);
  const session = new TerminalSession({
    sessionId: `s${n}`,
    consoleContainer: 'sickbay-abc-console',
    recordingPath,
    audit: (e) => audits.push(e),
    onActivity: () => activity++,
    spawn: (req) => {
      const p = new FakePty(req);
      ptys.push(p);
      return p;
    },
    endShell: async (_c, id) => {
      ended.push(id);
    },
    flow: { highWater: 1000, lowWater: 200 },
    ackEvery: 100,
    scrollbackBytes: 4096,
    activityEveryMs: 0,
    ...extra,
  });
  return { session, recordingPath };
}

beforeEach(() => {
  ptys = [];
  audits = [];
  ended = [];
  activity = 0;
});

describe('TerminalSession', () => {
  it('starts one shell on first attach and forwards its output as bytes', () => {
    const { session } = make();
    const c = new FakeClient();
    session.attach(c, { cols: 100, rows: 30 });
    assert.equal(ptys.length, 1);
    assert.equal(ptys[0]!.request.cols, 100);
    assert.match(ptys[0]!.request.shellId, /^[0-9a-f]{16}$/);
    assert.deepEqual(c.controls()[0], { type: 'attached', protocol: 1, shell: 'new', replayBytes: 0, cols: 100, rows: 30, ackEvery: 100 });
    ptys[0]!.emit('héllo');
    assert.equal(c.output, 'héllo');
    assert.deepEqual(audits[0], { kind: 'terminal', action: 'open', cols: 100, rows: 30, detail: 'new shell' });
  });

  it('pauses the pty above the high-water mark and resumes when the client catches up', () => {
    const { session } = make();
    const c = new FakeClient();
    session.attach(c, { cols: 80, rows: 24 });
    const pty = ptys[0]!;
    pty.emit('x'.repeat(900));
    assert.equal(pty.paused, false);
    pty.emit('x'.repeat(200));
    assert.equal(pty.paused, true, '1100 unacknowledged bytes > 1000');
    session.ack(c, 800);
    assert.equal(pty.paused, true, '300 still in flight > 200');
    session.ack(c, 100);
    assert.equal(pty.paused, false);
    assert.equal(session.unacked, 200);
  });

  it('keeps the shell across a detach (paused) and replays recent output on reattach', () => {
    const { session } = make();
    const c1 = new FakeClient();
    session.attach(c1, { cols: 80, rows: 24 });
    const pty = ptys[0]!;
    pty.emit(`line one\r\n${PROMPT_MARKER}$ `);
    session.detach(c1, 'the browser closed the terminal');
    assert.equal(pty.paused, true, 'nobody reads: the pty waits');
    const c2 = new FakeClient();
    session.attach(c2, { cols: 90, rows: 24 });
    assert.equal(ptys.length, 1, 'same shell');
    const hello = c2.controls()[0] as { shell: string; replayBytes: number };
    assert.equal(hello.shell, 'existing');
    assert.equal(hello.replayBytes, Buffer.byteLength(`line one\r\n${PROMPT_MARKER}$ `));
    assert.match(c2.output, /line one/);
    assert.equal(pty.paused, false);
    assert.deepEqual(pty.resizes, [[90, 24]], 'the new window size applies');
    assert.deepEqual(
      audits.filter((a) => a.kind === 'terminal').map((a) => (a as TerminalBody).detail),
      ['new shell', 'the browser closed the terminal', 'reattached'],
    );
  });

  it('lets a second connection take over: the first is closed with 4000 and gets nothing more', () => {
    const { session } = make();
    const c1 = new FakeClient();
    const c2 = new FakeClient();
    session.attach(c1, { cols: 80, rows: 24 });
    session.attach(c2, { cols: 80, rows: 24 });
    assert.equal(c1.closed?.code, CLOSE.replaced);
    ptys[0]!.emit('only for c2');
    assert.doesNotMatch(c1.output, /only for c2/);
    assert.match(c2.output, /only for c2/);
    session.input(c1, 'ignored\r');
    assert.deepEqual(ptys[0]!.writes, [], 'a replaced client cannot type');
  });

  it('writes input to the pty, counts activity, and audits lines typed at the prompt', () => {
    const { session } = make();
    const c = new FakeClient();
    session.attach(c, { cols: 80, rows: 24 });
    const pty = ptys[0]!;
    session.input(c, 'too early\r');
    pty.emit(`${PROMPT_MARKER}$ `);
    session.input(c, 'docker ps');
    session.input(c, '\r');
    session.input(c, 'input to a program\r');
    pty.emit(`out\r\n${PROMPT_MARKER}$ `);
    session.input(c, '\r'); // an empty line is not worth an event
    assert.deepEqual(pty.writes, ['too early\r', 'docker ps', '\r', 'input to a program\r', '\r']);
    assert.deepEqual(
      audits.filter((a) => a.kind === 'typed'),
      [{ kind: 'typed', where: 'console', line: 'docker ps', approximate: false }],
    );
    assert.equal(activity, 5);
  });

  it('on ^C behind a flood, drops buffered output up to the prompt and says so', () => {
    const { session } = make();
    const c = new FakeClient();
    session.attach(c, { cols: 80, rows: 24 });
    const pty = ptys[0]!;
    pty.emit('y\n'.repeat(600)); // 1200 bytes: paused
    assert.equal(pty.paused, true);
    const before = c.bytes;
    session.input(c, '\x03');
    assert.equal(pty.paused, false, 'the pty is drained at full speed');
    pty.emit('y\n'.repeat(5000));
    assert.equal(c.bytes, before, 'nothing forwarded while flushing');
    pty.emit(`y^C\r\n${PROMPT_MARKER}$ `);
    assert.match(c.output.slice(-200), /\[sickbay: skipped \d+ KiB of output that was still on its way\]/);
    assert.ok(c.output.endsWith(`${PROMPT_MARKER}$ `));
  });

  it('tells the client when the shell exits, and starts a new one on the next attach', () => {
    const { session } = make();
    const c = new FakeClient();
    session.attach(c, { cols: 80, rows: 24 });
    ptys[0]!.exit(0);
    assert.deepEqual(c.controls().at(-1), { type: 'exit', code: 0 });
    assert.equal(c.closed?.code, CLOSE.shellExited);
    assert.equal(session.hasShell, false);
    const c2 = new FakeClient();
    session.attach(c2, { cols: 80, rows: 24 });
    assert.equal(ptys.length, 2);
    assert.equal((c2.controls()[0] as { shell: string }).shell, 'new');
  });

  it('destroys the pty, ends the shell in the console and closes a valid recording', async () => {
    const { session, recordingPath } = make();
    const c = new FakeClient();
    session.attach(c, { cols: 80, rows: 24 });
    const pty = ptys[0]!;
    pty.emit('out €');
    session.input(c, 'in\r');
    session.resize(c, 100, 40);
    await session.destroy();
    assert.equal(pty.destroyed, true, 'destroyed, not just killed');
    assert.deepEqual(ended, [pty.request.shellId]);
    assert.equal(c.closed?.code, CLOSE.sessionEnded);
    assert.equal(session.isDestroyed, true);
    const lines = fs.readFileSync(recordingPath, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as unknown);
    assert.equal((lines[0] as { version: number }).version, 2);
    assert.deepEqual(lines.slice(1).map((e) => (e as unknown[]).slice(1)), [['o', 'out €'], ['i', 'in\r'], ['r', '100x40']]);
    const late = new FakeClient();
    session.attach(late, { cols: 80, rows: 24 });
    assert.equal(late.closed?.code, CLOSE.sessionEnded, 'a destroyed terminal cannot be reattached');
  });

  it('continues an existing recording instead of starting a second header', async () => {
    const recordingPath = path.join(dir, 'continued.cast');
    for (const word of ['first', 'second']) {
      const { session } = make({ recordingPath });
      const c = new FakeClient();
      session.attach(c, { cols: 80, rows: 24 });
      ptys.at(-1)!.emit(word);
      await session.destroy();
    }
    const lines = fs.readFileSync(recordingPath, 'utf8').trimEnd().split('\n');
    assert.equal(lines.filter((l) => l.startsWith('{')).length, 1, 'one header');
    assert.ok(lines.some((l) => l.includes('"first"')) && lines.some((l) => l.includes('"second"')));
  });

  it('mirrors: same output as the owner, never flow control; a lagging one is dropped, the owner unharmed', async () => {
    const { session } = make();
    const owner = new FakeClient();
    session.attach(owner, { cols: 80, rows: 24 });
    ptys[0]!.emit('hello ');
    const fast = new FakeMirror();
    const slow = new FakeMirror();
    session.attachMirror(fast);
    session.attachMirror(slow);
    assert.equal(fast.output, 'hello ', 'the screen so far');
    assert.equal(session.attached, owner, 'a mirror never takes the terminal over');
    slow.lag = 2 * 1024 * 1024;
    ptys[0]!.emit('world');
    assert.equal(owner.output, 'hello world');
    assert.equal(fast.output, 'hello world');
    assert.equal(slow.closed?.code, CLOSE.mirrorBehind);
    assert.equal(session.mirrorCount, 1);
    // Flow control counts the owner's bytes only: mirrors never pause the pty.
    assert.equal(session.unacked, 'hello world'.length);
    assert.equal(ptys[0]!.paused, false);
    await session.destroy();
    assert.equal(fast.closed?.code, CLOSE.sessionEnded);
  });
});

