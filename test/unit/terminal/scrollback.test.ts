import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ScrollbackBuffer } from '@/lib/terminal/scrollback';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder('utf-8', { fatal: true }).decode(b);

describe('ScrollbackBuffer', () => {
  it('returns everything while under the limit', () => {
    const s = new ScrollbackBuffer({ maxBytes: 100 });
    s.push(enc('abc'));
    s.push(enc('déf'));
    assert.equal(dec(s.snapshot()), 'abcdéf');
  });

  it('never holds more than maxBytes and keeps the newest bytes', () => {
    const s = new ScrollbackBuffer({ maxBytes: 1000 });
    for (let i = 0; i < 500; i++) s.push(enc(`line ${i}\n`));
    assert.ok(s.size <= 1000);
    const text = dec(s.snapshot());
    assert.ok(text.endsWith('line 499\n'));
    assert.ok(!text.includes('line 1\n'));
  });

  it('starts a truncated replay at a line start', () => {
    const s = new ScrollbackBuffer({ maxBytes: 20 });
    s.push(enc('0123456789\nabcdefghij\nXYZ'));
    // Kept: '56789\nabcdefghij\nXYZ'; the partial first line is not replayed.
    assert.equal(dec(s.snapshot()), 'abcdefghij\nXYZ');
  });

  it('without a newline nearby, starts at a character boundary (no broken UTF-8)', () => {
    const s = new ScrollbackBuffer({ maxBytes: 10, lineLookahead: 4 });
    s.push(enc('€€€€€€€€')); // 24 bytes, no newline
    const snap = s.snapshot();
    assert.ok(snap.length <= 10);
    assert.doesNotThrow(() => dec(snap), 'decodes strictly');
    assert.match(dec(snap), /^€+$/);
  });

  it('copies pushed chunks (the caller may reuse its buffer) and handles a chunk bigger than the limit', () => {
    const s = new ScrollbackBuffer({ maxBytes: 8 });
    const buf = enc('abcd');
    s.push(buf);
    buf.fill(0x7a);
    assert.equal(dec(s.snapshot()), 'abcd');
    s.push(enc('0123456789\n12'));
    assert.equal(dec(s.snapshot()), '12');
    s.clear();
    assert.equal(s.snapshot().length, 0);
  });

  it('merges tiny pushes (echoed keystrokes) without losing order', () => {
    const s = new ScrollbackBuffer({ maxBytes: 64 });
    for (const ch of 'hello world') s.push(enc(ch));
    assert.equal(dec(s.snapshot()), 'hello world');
  });
});
