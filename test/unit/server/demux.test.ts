import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { demuxDockerBuffer } from '@/server/runtime/demux';

function frame(stream: number, text: string): Buffer {
  const payload = Buffer.from(text);
  const head = Buffer.alloc(8);
  head[0] = stream;
  head.writeUInt32BE(payload.length, 4);
  return Buffer.concat([head, payload]);
}

describe('docker stream demux', () => {
  it('splits stdout and stderr frames in order', () => {
    const buf = Buffer.concat([frame(1, 'hello '), frame(2, 'oops\n'), frame(1, 'world\n')]);
    assert.deepEqual(demuxDockerBuffer(buf), { stdout: 'hello world\n', stderr: 'oops\n' });
  });

  it('keeps multi-byte characters whole across frames', () => {
    const bytes = Buffer.from('é');
    const a = Buffer.concat([Buffer.from([1, 0, 0, 0, 0, 0, 0, 1]), bytes.subarray(0, 1)]);
    const b = Buffer.concat([Buffer.from([1, 0, 0, 0, 0, 0, 0, 1]), bytes.subarray(1)]);
    assert.equal(demuxDockerBuffer(Buffer.concat([a, b])).stdout, 'é');
  });

  it('passes unframed (TTY) output through', () => {
    assert.deepEqual(demuxDockerBuffer(Buffer.from('plain text\n')), { stdout: 'plain text\n', stderr: '' });
  });

  it('returns empty strings for an empty buffer', () => {
    assert.deepEqual(demuxDockerBuffer(Buffer.alloc(0)), { stdout: '', stderr: '' });
  });
});
