/**
 * The gateway's checks with a fake pty (no Docker): refusals at upgrade, message validation,
 * rate limits, heartbeat, idle timeout and closing. Loopback only.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import WebSocket from 'ws';
import type { TerminalBody, TypedLineBody } from '@/lib/audit/events';
import { CLOSE, encodeClientMessage } from '@/lib/terminal/protocol';
import { createTerminalGateway, tokensEqual, type TerminalGateway, type TerminalGatewayOptions } from '@/server/terminal/gateway';
import { FakePty } from './fakes';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sickbay-gw-unit-'));
const TOKENS: Record<string, string> = { aaaaaaaaaaaa: 'token-a', bbbbbbbbbbbb: 'token-b' };
let ptys: FakePty[] = [];
let audits: { id: string; e: TerminalBody | TypedLineBody }[] = [];
const servers: { server: http.Server; gateway: TerminalGateway }[] = [];

/** Starts a gateway on loopback; `audits` is reset to collect only this gateway's events. */
async function start(extra: Partial<TerminalGatewayOptions> = {}): Promise<{ base: string; gateway: TerminalGateway }> {
  const mine: typeof audits = [];
  audits = mine;
  const gateway = createTerminalGateway({
    directory: { terminalTarget: (id) => (TOKENS[id] ? { sessionId: id, consoleContainer: `c-${id}`, token: TOKENS[id]!, recordingPath: path.join(dir, `${id}-${servers.length}.cast`) } : null) },
    isAllowedOrigin: (origin) => origin !== undefined && /^http:\/\/127\.0\.0\.1:\d+$/.test(origin),
    audit: (id, e) => mine.push({ id, e }),
    onActivity: () => {},
    spawn: (req) => {
      const p = new FakePty(req);
      ptys.push(p);
      return p;
    },
    endShell: async () => {},
    log: () => {},
    ...extra,
  });
  const server = http.createServer((_q, s) => s.writeHead(404).end());
  server.on('upgrade', (req, socket, head) => {
    if (!gateway.handleUpgrade(req, socket, head)) socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push({ server, gateway });
  return { base: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`, gateway };
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

function closed(ws: WebSocket): Promise<number> {
  return new Promise((resolve) => {
    if (ws.readyState === WebSocket.CLOSED) return resolve(-1);
    ws.once('close', (code) => resolve(code));
  });
}

before(() => {});
beforeEach(() => {
  ptys = [];
  audits = [];
});
after(async () => {
  for (const { server, gateway } of servers) {
    await gateway.closeAll();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
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
    assert.equal(ptys.length, 1, 'only the accepted connection started a shell');
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
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(texts.some((t) => JSON.parse(t).type === 'pong'));
    assert.deepEqual(ptys[0]!.writes, ['ls\r']);
    assert.deepEqual(ptys[0]!.resizes, [[120, 50]]);
    ws.close(1000);
    await closed(ws);
    await new Promise((r) => setTimeout(r, 50));
    const details = audits.filter((a) => a.e.kind === 'terminal').map((a) => (a.e as TerminalBody).detail);
    assert.deepEqual(details, ['new shell', 'the browser closed the terminal']);
  });

  it('drops a connection that stops answering pings', async () => {
    const { base } = await start({ heartbeatMs: 50 });
    const ws = await connect(base, 'aaaaaaaaaaaa', { autoPong: false });
    const code = await closed(ws);
    assert.equal(code, 1006, 'terminated without a close frame');
    await new Promise((r) => setTimeout(r, 20));
    assert.ok(audits.some((a) => a.e.kind === 'terminal' && a.e.detail === 'no answer to ping'));
    assert.equal(ptys[0]!.destroyed, false, 'the shell stays for a reconnect');
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
    assert.equal(ptys[0]!.destroyed, true);
    assert.equal(gateway.sessions().size, 0);
    const again = await connect(base);
    assert.equal(ptys.length, 2, 'a new terminal after the old one was closed');
    const wait2 = closed(again);
    await gateway.closeAll();
    assert.equal(await wait2, CLOSE.goingAway);
    assert.equal(await status(base, '/ws/terminal/aaaaaaaaaaaa?token=token-a'), 503);
  });
});
