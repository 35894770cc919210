/**
 * The gateway's checks with a fake pty (no Docker): refusals at upgrade, message validation,
 * rate limits, heartbeat, idle timeout and closing. Loopback only.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import type http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import WebSocket from 'ws';
import type { TerminalBody, TypedLineBody } from '@/lib/audit/events';
import { CLOSE, encodeClientMessage } from '@/lib/terminal/protocol';
import { tokensEqual, type TerminalGateway, type TerminalGatewayOptions } from '@/server/terminal/gateway';
import { LoopbackGateways } from './loopback';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sickbay-gw-unit-'));
const TOKENS: Record<string, string> = { aaaaaaaaaaaa: 'token-a', bbbbbbbbbbbb: 'token-b' };
const gateways = new LoopbackGateways();
let audits: { id: string; e: TerminalBody | TypedLineBody }[] = [];

/** Starts a gateway on loopback; `audits` is reset to collect only this gateway's events. */
async function start(extra: Partial<TerminalGatewayOptions> = {}): Promise<{ base: string; gateway: TerminalGateway }> {
  const mine: typeof audits = [];
  audits = mine;
  const n = gateways.count;
  return gateways.start({
    directory: { terminalTarget: (id) => (TOKENS[id] ? { sessionId: id, consoleContainer: `c-${id}`, token: TOKENS[id]!, mirrorToken: `m-${TOKENS[id]!}`, recordingPath: path.join(dir, `${id}-${n}.cast`) } : null) },
    isAllowedOrigin: (origin) => origin !== undefined && /^http:\/\/127\.0\.0\.1:\d+$/.test(origin),
    audit: (id, e) => mine.push({ id, e }),
    onActivity: () => {},
    ...extra,
  });
}

function status(base: string, p: string, origin?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${base}${p}`, { origin: origin ?? base.replace('ws', 'http') });
    ws.on('unexpected-response', (_q, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
      ws.terminate();
    });
    ws.on('open', () => {
      resolve(101);
      ws.close();
    });
    ws.on('error', reject);
  });
}

function connect(base: string, id = 'aaaaaaaaaaaa', options: WebSocket.ClientOptions = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${base}/ws/terminal/${id}?token=${TOKENS[id]}`, { origin: base.replace('ws', 'http'), ...options });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** Polls `cond` (every 10 ms, 5 s at most): fixed sleeps fail on a busy host. */
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond(), 'condition not met in time');
}

function closed(ws: WebSocket): Promise<number> {
  return new Promise((resolve) => {
    if (ws.readyState === WebSocket.CLOSED) return resolve(-1);
    ws.once('close', (code) => resolve(code));
  });
}

before(() => {});
beforeEach(() => {
  gateways.ptys = [];
  audits = [];
});
after(async () => {
  await gateways.closeAll();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('terminal gateway (fake pty)', () => {
  it('compares tokens in constant time and exactly', () => {
    assert.equal(tokensEqual('abc', 'abc'), true);
    assert.equal(tokensEqual('abc', 'abd'), false);
    assert.equal(tokensEqual('abc', 'abcd'), false);
    assert.equal(tokensEqual('', ''), true);
  });

  it('refuses bad tokens, origins, paths and unknown sessions before upgrading', async () => {
    const { base } = await start();
    assert.equal(await status(base, '/ws/terminal/aaaaaaaaaaaa'), 401);
    assert.equal(await status(base, '/ws/terminal/aaaaaaaaaaaa?token=token-b'), 401, "another session's token");
    assert.equal(await status(base, '/ws/terminal/aaaaaaaaaaaa?token=token-a', 'http://evil.example'), 403);
    assert.equal(await status(base, '/ws/terminal/cccccccccccc?token=token-a'), 404);
    assert.equal(await status(base, '/ws/terminal/a%2Fb?token=token-a'), 404);
    assert.equal(await status(base, '/ws/terminal/aaaaaaaaaaaa?token=token-a'), 101);
    assert.equal(gateways.ptys.length, 1, 'only the accepted connection started a shell');
  });

  it('leaves other paths to the server', async () => {
    const { gateway } = await start();
    const req = { url: '/_next/webpack-hmr', headers: {} } as http.IncomingMessage;
    assert.equal(gateway.handleUpgrade(req, null as never, Buffer.alloc(0)), false);
  });

  it('closes on a binary frame (1003), a malformed message (1008) and an oversized one (1009)', async () => {
    const { base } = await start();
    const a = await connect(base);
    a.send(Buffer.from('raw'));
    assert.equal(await closed(a), CLOSE.unsupportedData);
    const b = await connect(base);
    b.send('{"type":"input","data":"x","sudo":true}');
    assert.equal(await closed(b), CLOSE.policy);
    const c = await connect(base);
    c.send(JSON.stringify({ type: 'input', data: 'x'.repeat(70 * 1024) }));
    assert.equal(await closed(c), CLOSE.tooBig);
  });

  it('caps a message reassembled from fragments at maxPayload', async () => {
    const { base } = await start({ maxPayload: 1024 });
    const ws = await connect(base);
    for (let i = 0; i < 4; i++) ws.send('x'.repeat(400), { fin: i === 3 });
    assert.equal(await closed(ws), CLOSE.tooBig);
  });

  it('rate-limits messages and input bytes', async () => {
    const { base } = await start({ messageRate: { perSecond: 10, burst: 20 }, inputRate: { perSecond: 1000, burst: 2000 } });
    const a = await connect(base);
    for (let i = 0; i < 50; i++) a.send(encodeClientMessage({ type: 'ack', bytes: 0 }));
    assert.equal(await closed(a), CLOSE.policy);
    const b = await connect(base);
    b.send(encodeClientMessage({ type: 'input', data: 'y'.repeat(3000) }));
    assert.equal(await closed(b), CLOSE.policy);
  });

  it('answers pings, forwards input and resizes, and audits open and close', async () => {
    const { base } = await start();
    const ws = await connect(base);
    const texts: string[] = [];
    ws.on('message', (d, bin) => !bin && texts.push(d.toString()));
    ws.send(encodeClientMessage({ type: 'ping' }));
    ws.send(encodeClientMessage({ type: 'input', data: 'ls\r' }));
    ws.send(encodeClientMessage({ type: 'resize', cols: 120, rows: 50 }));
    await until(() => texts.some((t) => JSON.parse(t).type === 'pong') && (gateways.ptys[0]?.resizes.length ?? 0) > 0);
    assert.deepEqual(gateways.ptys[0]!.writes, ['ls\r']);
    assert.deepEqual(gateways.ptys[0]!.resizes, [[120, 50]]);
    ws.close(1000);
    await closed(ws);
    await until(() => audits.filter((a) => a.e.kind === 'terminal').length >= 2);
    const details = audits.filter((a) => a.e.kind === 'terminal').map((a) => (a.e as TerminalBody).detail);
    assert.deepEqual(details, ['new shell', 'the browser closed the terminal']);
  });

  it('drops a connection that stops answering pings', async () => {
    const { base } = await start({ heartbeatMs: 50 });
    const ws = await connect(base, 'aaaaaaaaaaaa', { autoPong: false });
    const code = await closed(ws);
    assert.equal(code, 1006, 'terminated without a close frame');
    await until(() => audits.some((a) => a.e.kind === 'terminal' && a.e.detail === 'no answer to ping'));
    assert.ok(audits.some((a) => a.e.kind === 'terminal' && a.e.detail === 'no answer to ping'));
    assert.equal(gateways.ptys[0]!.destroyed, false, 'the shell stays for a reconnect');
  });

  it('closes an idle connection with 4001 but keeps the shell', async () => {
    const { base, gateway } = await start({ idleTimeoutMs: 100 });
    const ws = await connect(base);
    assert.equal(await closed(ws), CLOSE.idle);
    assert.equal(gateway.sessions().get('aaaaaaaaaaaa')?.hasShell, true);
  });

  it('closeSession closes the socket with 4002 and destroys the pty; closeAll refuses new upgrades', async () => {
    const { base, gateway } = await start();
    const ws = await connect(base);
    const wait = closed(ws);
    await gateway.closeSession('aaaaaaaaaaaa');
    assert.equal(await wait, CLOSE.sessionEnded);
    assert.equal(gateways.ptys[0]!.destroyed, true);
    assert.equal(gateway.sessions().size, 0);
    const again = await connect(base);
    assert.equal(gateways.ptys.length, 2, 'a new terminal after the old one was closed');
    const wait2 = closed(again);
    await gateway.closeAll();
    assert.equal(await wait2, CLOSE.goingAway);
    assert.equal(await status(base, '/ws/terminal/aaaaaaaaaaaa?token=token-a'), 503);
  });

  describe('read-only mirrors', () => {
    type Received = { bytes: Buffer[]; texts: string[] };
    const received = new WeakMap<WebSocket, Received>();
    const collect = (ws: WebSocket): Received => {
      const got = received.get(ws) ?? { bytes: [], texts: [] };
      if (!received.has(ws)) {
        received.set(ws, got);
        ws.on('message', (data, isBinary) => (isBinary ? got.bytes.push(data as Buffer) : got.texts.push(String(data))));
      }
      return got;
    };
    // Listening starts before the socket opens: the greeting and the screen come right away.
    const openMirror = (base: string, token = 'm-token-a'): Promise<WebSocket> =>
      new Promise((resolve, reject) => {
        const ws = new WebSocket(`${base}/ws/terminal/aaaaaaaaaaaa/mirror?token=${token}`, { origin: base.replace('ws', 'http') });
        collect(ws);
        ws.once('open', () => resolve(ws));
        ws.once('error', reject);
      });

    it('needs the mirror token: the owner token and wrong tokens are refused', async () => {
      const { base } = await start();
      assert.equal(await status(base, '/ws/terminal/aaaaaaaaaaaa/mirror?token=token-a'), 401, 'the owner token opens no mirror');
      assert.equal(await status(base, '/ws/terminal/aaaaaaaaaaaa/mirror?token=m-token-b'), 401, "another session's mirror token");
      assert.equal(await status(base, '/ws/terminal/aaaaaaaaaaaa?token=m-token-a'), 401, 'the mirror token opens no owner terminal');
      assert.equal(await status(base, '/ws/terminal/aaaaaaaaaaaa/mirror?token=m-token-a', 'http://evil.example'), 403);
      assert.equal(await status(base, '/ws/terminal/aaaaaaaaaaaa/mirror?token=m-token-a'), 101);
    });

    it('sees the screen so far and the live output, while the owner stays attached and in charge', async () => {
      const { base } = await start();
      const owner = await connect(base);
      const ownerGot = collect(owner);
      await until(() => gateways.ptys.length === 1);
      gateways.ptys[0]!.emit('before$ ');
      await until(() => Buffer.concat(ownerGot.bytes).toString().includes('before$'));
      const mirror = await openMirror(base);
      const got = collect(mirror);
      await until(() => Buffer.concat(got.bytes).toString().includes('before$'));
      assert.equal(JSON.parse(got.texts[0]!).mirror, true);
      gateways.ptys[0]!.emit('live output');
      await until(() => Buffer.concat(got.bytes).toString().includes('live output'));
      assert.equal(owner.readyState, WebSocket.OPEN, 'the owner was not replaced');
      owner.send(encodeClientMessage({ type: 'resize', cols: 120, rows: 40 }));
      await until(() => got.texts.some((t) => JSON.parse(t).type === 'size'));
      assert.deepEqual(JSON.parse(got.texts.find((t) => JSON.parse(t).type === 'size')!), { type: 'size', cols: 120, rows: 40 });
      owner.close();
      mirror.close();
    });

    it('accepts no input frame at all: input, resize or ack close the mirror and reach no shell', async () => {
      const { base } = await start();
      const owner = await connect(base);
      await until(() => gateways.ptys.length === 1);
      for (const message of [
        encodeClientMessage({ type: 'input', data: 'rm -rf /\r' }),
        encodeClientMessage({ type: 'resize', cols: 10, rows: 5 }),
        encodeClientMessage({ type: 'ack', bytes: 100 }),
      ]) {
        const mirror = await openMirror(base);
        mirror.send(message);
        assert.equal(await closed(mirror), CLOSE.policy);
      }
      assert.deepEqual(gateways.ptys[0]!.writes, [], 'nothing a mirror sent reached the shell');
      assert.deepEqual(gateways.ptys[0]!.resizes, [], 'no mirror resized the shell');
      assert.equal(owner.readyState, WebSocket.OPEN);
      owner.close();
    });
  });
});

