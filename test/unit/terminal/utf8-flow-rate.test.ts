import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FlowControl } from '@/lib/terminal/flow';
import { TokenBucket } from '@/lib/terminal/rate';
import { createStreamDecoder, isContinuationByte, utf8CharStart } from '@/lib/terminal/utf8';

describe('streaming UTF-8 decoding', () => {
  const text = 'a€ü🚑z — 日本';
  const bytes = new TextEncoder().encode(text);

  it('keeps characters whole wherever the stream is cut', () => {
    for (let cut = 0; cut <= bytes.length; cut++) {
      const d = createStreamDecoder();
      const out = d.decode(bytes.subarray(0, cut)) + d.decode(bytes.subarray(cut)) + d.flush();
      assert.equal(out, text, `cut at byte ${cut}`);
    }
  });

  it('survives one byte at a time', () => {
    const d = createStreamDecoder();
    let out = '';
    for (const b of bytes) out += d.decode(Uint8Array.of(b));
    assert.equal(out + d.flush(), text);
  });

  it('turns a dangling tail into U+FFFD only at the end of the stream', () => {
    const d = createStreamDecoder();
    assert.equal(d.decode(Uint8Array.of(0x61, 0xe2, 0x82)), 'a');
    assert.equal(d.flush(), '\ufffd');
  });

  it('finds character starts', () => {
    const euro = new TextEncoder().encode('€x'); // e2 82 ac 78
    assert.equal(isContinuationByte(euro[1] as number), true);
    assert.equal(utf8CharStart(euro, 0), 0);
    assert.equal(utf8CharStart(euro, 1), 3);
    assert.equal(utf8CharStart(euro, 2), 3);
    assert.equal(utf8CharStart(Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x41), 0), 3, 'gives up after 3 continuation bytes');
  });
});

describe('FlowControl', () => {
  it('pauses above the high-water mark and resumes at the low-water mark, once each', () => {
    const f = new FlowControl({ highWater: 100, lowWater: 20 });
    assert.equal(f.onSent(60), null);
    assert.equal(f.onSent(40), null, 'exactly at the mark is not above it');
    assert.equal(f.onSent(1), 'pause');
    assert.equal(f.onSent(50), null, 'already paused: no second decision');
    assert.equal(f.unacked, 151);
    assert.equal(f.onAcked(100), null, 'still above the low mark');
    assert.equal(f.onAcked(31), 'resume');
    assert.equal(f.onAcked(10), null);
    assert.equal(f.isPaused, false);
  });

  it('caps acknowledgements at what was sent (no credit banking)', () => {
    const f = new FlowControl({ highWater: 100, lowWater: 20 });
    f.onSent(10);
    f.onAcked(1_000_000);
    assert.equal(f.unacked, 0);
    assert.equal(f.onSent(101), 'pause', 'the surplus ack did not buy headroom');
  });

  it('starts over on reset', () => {
    const f = new FlowControl({ highWater: 10, lowWater: 5 });
    f.onSent(50);
    f.reset();
    assert.equal(f.unacked, 0);
    assert.equal(f.isPaused, false);
  });

  it('rejects marks that could never resume', () => {
    assert.throws(() => new FlowControl({ highWater: 10, lowWater: 10 }), RangeError);
    assert.throws(() => new FlowControl({ highWater: 10, lowWater: -1 }), RangeError);
  });
});

describe('TokenBucket', () => {
  it('allows a burst, then the refill rate', () => {
    const b = new TokenBucket(10, 5, 0);
    for (let i = 0; i < 5; i++) assert.equal(b.take(0), true);
    assert.equal(b.take(0), false);
    assert.equal(b.take(100), true, '100 ms refills one token');
    assert.equal(b.take(100), false);
    assert.equal(b.take(10_000, 5), true, 'refill is capped at the burst');
    assert.equal(b.take(10_000), false);
  });

  it('charges costs and ignores a clock stepping back', () => {
    const b = new TokenBucket(1000, 1000, 5000);
    assert.equal(b.take(5000, 800), true);
    assert.equal(b.take(4000, 300), false);
    assert.equal(b.take(5100, 300), true);
  });
});
