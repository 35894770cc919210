import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SickbayError } from '@/lib/errors';
import { AGENT_MAX_PAYLOAD, AgentFrameDecoder, encodeInput, encodeResize, parseAgentHello } from '@/lib/terminal/agent-wire';

const frame = (type: string, payload: Buffer) => Buffer.concat([Buffer.from([type.charCodeAt(0), payload.length >> 8, payload.length & 0xff]), payload]);

describe('the wire to sickbay-pty', () => {
  it('reads the token off a hello line, and nothing else', () => {
    const token = 'abcDEF0123456789_-xyz';
    assert.equal(parseAgentHello(`SICKBAY-PTY 1 ${token}`), token);
    assert.equal(parseAgentHello(`SICKBAY-PTY 2 ${token}`), null, 'another version');
    assert.equal(parseAgentHello('SICKBAY-PTY 1 short'), null, 'too short to be ours');
    assert.equal(parseAgentHello(`SICKBAY-PTY 1 ${token} extra`), null);
    assert.equal(parseAgentHello('GET / HTTP/1.1'), null);
  });

  it('frames input in pieces of at most 64 KiB, and a resize as two 16-bit numbers', () => {
    const big = Buffer.alloc(AGENT_MAX_PAYLOAD + 10, 0x61);
    const wire = encodeInput(big);
    assert.equal(wire.length, big.length + 6, 'two frames');
    assert.deepEqual([wire[0], wire.readUInt16BE(1)], ['i'.charCodeAt(0), AGENT_MAX_PAYLOAD]);
    const second = 3 + AGENT_MAX_PAYLOAD;
    assert.deepEqual([String.fromCharCode(wire[second]!), wire.readUInt16BE(second + 1)], ['i', 10]);
    assert.deepEqual([...encodeResize(300, 80)], ['r'.charCodeAt(0), 0, 4, 1, 44, 0, 80]);
    assert.equal(encodeInput(Buffer.alloc(0)).length, 0);
  });

  it('decodes output, pid and exit frames however the stream is cut', () => {
    const pid = Buffer.alloc(4);
    pid.writeUInt32BE(4242);
    const exit = Buffer.alloc(8);
    exit.writeInt32BE(3, 0);
    exit.writeInt32BE(0, 4);
    const stream = Buffer.concat([frame('p', pid), frame('o', Buffer.from('héllo')), frame('o', Buffer.alloc(0)), frame('x', exit)]);
    for (let cut = 0; cut <= stream.length; cut++) {
      const d = new AgentFrameDecoder();
      const frames = [...d.push(stream.subarray(0, cut)), ...d.push(stream.subarray(cut))];
      assert.deepEqual(
        frames.map((f) => (f.type === 'output' ? { output: f.data.toString('utf8') } : f)),
        [{ type: 'pid', pid: 4242 }, { output: 'héllo' }, { output: '' }, { type: 'exit', code: 3, signal: 0 }],
        `cut at ${cut}`,
      );
    }
  });

  it('refuses frames the agent never sends', () => {
    assert.throws(() => new AgentFrameDecoder().push(frame('i', Buffer.from('x'))), SickbayError, 'input goes the other way');
    assert.throws(() => new AgentFrameDecoder().push(frame('p', Buffer.alloc(3))), /unexpected frame/, 'a pid of 3 bytes');
    assert.throws(() => new AgentFrameDecoder().push(frame('x', Buffer.alloc(4))), /unexpected frame/);
  });
});
