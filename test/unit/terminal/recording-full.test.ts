/**
 * A recording on a disk that fills up and frees again: the chunks that could not be written
 * are dropped (a half-written one is cut off the file), recording goes on once there is room,
 * and a marker event says how much was lost. Every line of the file stays valid asciicast.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { RecordingWriter } from '@/server/terminal/recording';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sickbay-recfull-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('recording on a full disk', () => {
  it('drops what it cannot write, keeps the file whole, and resumes with a marker once there is room', async () => {
    const file = path.join(dir, 'full.cast');
    let full = false;
    let now = 1_000_000;
    const w = new RecordingWriter({
      path: file,
      cols: 80,
      rows: 24,
      clock: () => now,
      flushMs: 60_000, // flushed by hand below
      // While "full", half of the chunk lands on disk before ENOSPC: a torn line to cut off.
      writeChunk: (fd, buf, done) => {
        if (!full) return fs.write(fd, buf, 0, buf.length, null, (err) => done(err));
        fs.writeSync(fd, buf.subarray(0, Math.floor(buf.length / 2)));
        done(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }));
      },
    });
    w.output('before the disk filled\r\n');
    await w.flush();
    full = true;
    now += 1000;
    w.output('lost while full\r\n');
    await w.flush();
    now += 1000;
    w.output('also lost\r\n');
    await w.flush();
    full = false;
    now += 1000;
    w.output('after there was room again\r\n');
    await w.close();

    const lines = fs.readFileSync(file, 'utf8').split('\n');
    assert.equal(lines.pop(), '', 'the file ends with a complete line');
    const events = lines.slice(1).map((l) => JSON.parse(l) as [number, string, string]);
    const text = events.map((e) => e[2]).join('');
    assert.match(text, /before the disk filled/);
    assert.match(text, /after there was room again/);
    assert.doesNotMatch(text, /lost while full|also lost/);
    const marker = events.find((e) => e[1] === 'm');
    assert.ok(marker, 'a marker notes the gap');
    assert.match(marker[2], /^\d+ bytes of this recording were lost/);
    assert.ok(Number(/^(\d+)/.exec(marker[2])?.[1]) > 20, 'it counts both dropped chunks');
  });
});
