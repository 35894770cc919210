/**
 * Team members' terminal connections in the gateway, with a fake pty (no Docker): only the
 * driver's input reaches the shell, a handover switches the connections in place on the same
 * pty, and a member removed from the team is disconnected, also from a watcher's mirror. Loopback only.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import WebSocket from 'ws';
import { CLOSE, encodeClientMessage, parseServerMessage, type ServerMessage } from '@/lib/terminal/protocol';
import type { TerminalGateway } from '@/server/terminal/gateway';
import { LoopbackGateways } from './loopback';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sickbay-seats-unit-'));
const ID = 'aaaaaaaaaaaa';
let driver = 'ann';
/** Who the gate lets open the read-only mirror (server.ts asks the session's access rules). */
const watchers = new Set<string>();
const gateways = new LoopbackGateways();

function start(): Promise<{ base: string; gateway: TerminalGateway }> {
  const recordingPath = path.join(dir, `${gateways.count}.cast`);
  return gateways.start(
    {
      directory: { terminalTarget: (id) => (id === ID ? { sessionId: id, consoleContainer: 'c', token: 't', mirrorToken: 'm', recordingPath } : null) },
      isAllowedOrigin: () => true,
      audit: () => {},
      onActivity: () => {},
      driverOf: () => driver,
    },
    // The user comes from a header here; server.ts asks the signed-in user's ScopedSessions.
    // No x-user: a plain connection (the owner's before a team was set).
    (gateway, req, socket, head) => {
      const user = req.headers['x-user'] ? String(req.headers['x-user']) : null;
      const gate = (_id: string, mirror: boolean) => (!user ? null : !mirror ? { member: user } : watchers.has(user) ? null : { status: 404, message: 'no session' });
      gateway.handleUpgrade(req, socket, head, gate, user ?? undefined);
    },
  );
}

interface Conn {
  ws: WebSocket;
  out: () => string;
  controls: ServerMessage[];
  closed: { code: number } | null;
}

function connect(base: string, user: string | null, mirror = false): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${base}/ws/terminal/${ID}${mirror ? '/mirror?token=m' : '?token=t'}`, { headers: user ? { 'x-user': user } : {} });
    const bytes: Buffer[] = [];
    const conn: Conn = { ws, out: () => Buffer.concat(bytes).toString(), controls: [], closed: null };
    ws.on('message', (data, isBinary) => {
      if (isBinary) bytes.push(data as Buffer);
      else conn.controls.push(parseServerMessage(String(data)) as ServerMessage);
    });
    ws.on('close', (code) => (conn.closed = { code }));
    ws.once('open', () => resolve(conn));
    ws.once('error', reject);
  });
}

const until = async (what: string, cond: () => boolean) => {
  for (let i = 0; i < 300 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond(), what);
};
const greetings = (c: Conn) => c.controls.filter((m) => m.type === 'attached').map((m) => (m.type === 'attached' && m.mirror ? 'mirror' : 'input'));
const input = (c: Conn, data: string) => c.ws.send(encodeClientMessage({ type: 'input', data }));

after(async () => {
  await gateways.closeAll();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('team seats in the terminal gateway (fake pty)', () => {
  it('takes input from the driver only; a handover switches both connections on the same pty', async () => {
    driver = 'ann';
    const { base, gateway } = await start();
    const ann = await connect(base, 'ann');
    const bob = await connect(base, 'bob');
    await until('both greeted', () => greetings(ann).length === 1 && greetings(bob).length === 1);
    assert.deepEqual([greetings(ann), greetings(bob)], [['input'], ['mirror']]);
    assert.equal(gateways.ptys.length, 1);
    const pty = gateways.ptys[0]!;

    input(bob, 'bob-early\r');
    await until('bob refused', () => bob.controls.some((m) => m.type === 'refused'));
    input(ann, 'ann-types\r');
    await until('ann’s input written', () => pty.writes.join('').includes('ann-types'));
    assert.doesNotMatch(pty.writes.join(''), /bob-early/);
    pty.emit('screen-from-ann ');
    await until('bob mirrors ann', () => bob.out().includes('screen-from-ann'));

    driver = 'bob';
    gateway.seatDriver(ID, 'bob', ['ann', 'bob']);
    await until('seats switched', () => greetings(ann).length === 2 && greetings(bob).length === 2);
    assert.deepEqual([greetings(ann), greetings(bob)], [['input', 'mirror'], ['mirror', 'input']]);
    input(ann, 'ann-late\r');
    await until('ann refused', () => ann.controls.some((m) => m.type === 'refused'));
    input(bob, 'bob-types\r');
    await until('bob’s input written', () => pty.writes.join('').includes('bob-types'));
    assert.doesNotMatch(pty.writes.join(''), /ann-late/);
    assert.equal(gateways.ptys.length, 1, 'the same shell');
    assert.equal(pty.destroyed, false);
    pty.emit('screen-from-bob ');
    await until('ann mirrors bob', () => ann.out().includes('screen-from-bob'));
    assert.equal(ann.closed, null, 'the old driver stays connected');
    ann.ws.close();
    bob.ws.close();
  });

  it('closes the connections of a member removed from the team', async () => {
    driver = 'ann';
    const { base, gateway } = await start();
    const ann = await connect(base, 'ann');
    const cat = await connect(base, 'cat');
    await until('both greeted', () => greetings(ann).length === 1 && greetings(cat).length === 1);
    gateway.seatDriver(ID, 'ann', ['ann']);
    await until('cat disconnected', () => cat.closed !== null);
    assert.equal(cat.closed?.code, CLOSE.policy);
    assert.equal(ann.closed, null);
    ann.ws.close();
  });

  it('asks every open mirror again on a team change: one no longer allowed closes (1008), the others stay', async () => {
    driver = 'ann';
    const { base, gateway } = await start();
    watchers.clear();
    for (const w of ['dan', 'eve']) watchers.add(w);
    const dan = await connect(base, 'dan', true);
    const eve = await connect(base, 'eve', true);
    await until('both mirrors greeted', () => greetings(dan).length === 1 && greetings(eve).length === 1);
    watchers.delete('dan');
    assert.equal(dan.closed === null, true, 'nothing is re-checked before the team changes');
    gateway.seatDriver(ID, 'ann', ['ann']);
    await until('dan’s mirror closed', () => dan.closed !== null);
    assert.equal(dan.closed?.code, CLOSE.policy);
    eve.ws.send(encodeClientMessage({ type: 'ping' }));
    await until('eve’s mirror still answers', () => eve.controls.some((m) => m.type === 'pong'));
    assert.equal(eve.closed, null);
    eve.ws.close();
  });

  it('a removed driver loses the input path at once, not when its socket has finished closing', async () => {
    driver = 'ann';
    const { base, gateway } = await start();
    const ann = await connect(base, 'ann');
    await until('ann greeted', () => greetings(ann).length === 1);
    const pty = gateways.ptys[gateways.ptys.length - 1]!;
    driver = 'bob';
    gateway.seatDriver(ID, 'bob', ['bob']);
    // Sent before ann's browser has seen the close frame: the server's socket is closing.
    input(ann, 'after-removal\r');
    await until('ann disconnected', () => ann.closed !== null);
    await new Promise((r) => setTimeout(r, 50));
    assert.doesNotMatch(pty.writes.join(''), /after-removal/);
  });

  it('once a team is set, the owner’s plain connection loses the shell at once: only the driver types', async () => {
    driver = 'bob';
    const { base, gateway } = await start();
    const owner = await connect(base, null);
    await until('owner greeted', () => greetings(owner).length === 1);
    const pty = gateways.ptys[gateways.ptys.length - 1]!;
    gateway.seatDriver(ID, 'bob', ['bob']);
    input(owner, 'owner-after-team\r');
    await until('owner disconnected', () => owner.closed !== null);
    assert.equal(owner.closed?.code, CLOSE.policy);
    const bob = await connect(base, 'bob');
    await until('bob greeted as the input', () => greetings(bob).includes('input'));
    input(bob, 'bob-drives\r');
    await until('bob’s input written', () => pty.writes.join('').includes('bob-drives'));
    assert.doesNotMatch(pty.writes.join(''), /owner-after-team/);
    bob.ws.close();
  });
});
