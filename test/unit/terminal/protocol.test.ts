import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  encodeClientMessage,
  encodeServerMessage,
  MAX_INPUT_CHARS,
  parseClientMessage,
  parseServerMessage,
  parseTerminalPath,
  sizeFromQuery,
  splitInput,
  terminalUrlPath,
} from '@/lib/terminal/protocol';

describe('client messages', () => {
  it('parses the four message types', () => {
    assert.deepEqual(parseClientMessage('{"type":"input","data":"ls\\r"}'), { ok: true, message: { type: 'input', data: 'ls\r' } });
    assert.deepEqual(parseClientMessage('{"type":"resize","cols":120,"rows":40}'), { ok: true, message: { type: 'resize', cols: 120, rows: 40 } });
    assert.deepEqual(parseClientMessage('{"bytes":4096,"type":"ack"}'), { ok: true, message: { type: 'ack', bytes: 4096 } });
    assert.deepEqual(parseClientMessage('{"type":"ping"}'), { ok: true, message: { type: 'ping' } });
  });

  it('round-trips through the encoder', () => {
    for (const m of [{ type: 'input', data: '€\x03' }, { type: 'resize', cols: 2, rows: 1 }, { type: 'ack', bytes: 0 }, { type: 'ping' }] as const) {
      assert.deepEqual(parseClientMessage(encodeClientMessage(m)), { ok: true, message: m });
    }
  });

  it('refuses anything else', () => {
    const bad = [
      'not json',
      '[]',
      'null',
      '"input"',
      '{"type":"exec","data":"x"}',
      '{"type":"input"}',
      '{"type":"input","data":5}',
      '{"type":"input","data":"x","extra":1}',
      '{"type":"resize","cols":1,"rows":10}',
      '{"type":"resize","cols":80.5,"rows":10}',
      '{"type":"resize","cols":80,"rows":501}',
      '{"type":"resize","cols":"80","rows":24}',
      '{"type":"ack","bytes":-1}',
      '{"type":"ack","bytes":1e12}',
      '{"type":"ping","x":1}',
      JSON.stringify({ type: 'input', data: 'x'.repeat(MAX_INPUT_CHARS + 1) }),
    ];
    for (const text of bad) assert.equal(parseClientMessage(text).ok, false, text.slice(0, 60));
  });

  it('splits long input without separating a surrogate pair', () => {
    const parts = splitInput('ab🚑cd', 3);
    assert.deepEqual(parts, ['ab', '🚑c', 'd']);
    assert.equal(parts.join(''), 'ab🚑cd');
    assert.deepEqual(splitInput(''), []);
    const big = 'x'.repeat(MAX_INPUT_CHARS * 2 + 5);
    assert.deepEqual(splitInput(big).map((p) => p.length), [MAX_INPUT_CHARS, MAX_INPUT_CHARS, 5]);
  });
});

describe('server messages', () => {
  it('round-trips attached, exit and pong', () => {
    const attached = { type: 'attached', protocol: 1, shell: 'existing', replayBytes: 10, cols: 80, rows: 24, ackEvery: 16384 } as const;
    assert.deepEqual(parseServerMessage(encodeServerMessage(attached)), attached);
    assert.deepEqual(parseServerMessage(encodeServerMessage({ type: 'exit', code: 130, signal: 2 })), { type: 'exit', code: 130, signal: 2 });
    assert.deepEqual(parseServerMessage('{"type":"pong"}'), { type: 'pong' });
    assert.equal(parseServerMessage('{"type":"attached"}'), null);
    assert.equal(parseServerMessage('garbage'), null);
  });
});

describe('URLs', () => {
  it('recognises only /ws/terminal/<id>', () => {
    assert.deepEqual(parseTerminalPath('/ws/terminal/3f2a9c0b1d4e'), { sessionId: '3f2a9c0b1d4e', mirror: false });
    assert.deepEqual(parseTerminalPath('/ws/terminal/3f2a9c0b1d4e/mirror'), { sessionId: '3f2a9c0b1d4e', mirror: true });
    assert.equal(parseTerminalPath('/ws/terminal/3f2a9c0b1d4e/mirror/x'), null);
    assert.equal(parseTerminalPath('/ws/terminal//mirror'), null);
    assert.equal(parseTerminalPath('/ws/terminal/'), null);
    assert.equal(parseTerminalPath('/ws/terminal/../x'), null);
    assert.equal(parseTerminalPath('/ws/terminal/a/b'), null);
    assert.equal(parseTerminalPath('/_next/webpack-hmr'), null);
  });

  it('builds the connect path with the token and size, and reads the size back clamped', () => {
    const p = terminalUrlPath('abc', 'tok+/=', { cols: 100, rows: 30 });
    assert.equal(p, '/ws/terminal/abc?token=tok%2B%2F%3D&cols=100&rows=30');
    const q = new URL(p, 'http://x').searchParams;
    assert.equal(q.get('token'), 'tok+/=');
    assert.deepEqual(sizeFromQuery(q), { cols: 100, rows: 30 });
    assert.deepEqual(sizeFromQuery(new URLSearchParams('cols=99999&rows=-3')), { cols: 80, rows: 24 });
    assert.deepEqual(sizeFromQuery(new URLSearchParams('')), { cols: 80, rows: 24 });
  });
});
