import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AsciicastRecorder,
  AsciicastStream,
  OUTPUT_LIMIT_NOTICE,
  parseAsciicastEvent,
  parseAsciicastHeader,
  wellFormed,
} from '@/lib/terminal/asciicast';

const rec = new AsciicastRecorder();

describe('AsciicastRecorder', () => {
  it('writes a v2 header with a whole-second timestamp, env and title', () => {
    const h = JSON.parse(rec.header(120, 40, 1_700_000_000.9, { TERM: 'xterm-256color' }, 'demo'));
    assert.deepEqual(h, { version: 2, width: 120, height: 40, timestamp: 1_700_000_000, env: { TERM: 'xterm-256color' }, title: 'demo' });
    assert.deepEqual(JSON.parse(rec.header(0, -1, 5)), { version: 2, width: 80, height: 24, timestamp: 5 }, 'bad sizes fall back');
  });

  it('escapes every control character, quotes and backslashes, and keeps UTF-8 literal', () => {
    let all = '';
    for (let c = 0; c < 0x20; c++) all += String.fromCharCode(c);
    all += '\x7f"\\ü€🚑';
    const line = rec.output(1.5, all);
    assert.ok([...line].every((ch) => ch.charCodeAt(0) >= 0x20), 'no raw control character in the line');
    assert.ok(!line.includes('\n'), 'one event is one line');
    assert.deepEqual(JSON.parse(line), [1.5, 'o', all]);
    assert.ok(line.includes('ü€🚑'), 'non-ASCII stays literal');
  });

  it('makes input, resize and marker events; times have microsecond precision and never go negative', () => {
    assert.deepEqual(JSON.parse(rec.input(0.1234567, 'ls\r')), [0.123457, 'i', 'ls\r']);
    assert.deepEqual(JSON.parse(rec.resize(2, 100, 30)), [2, 'r', '100x30']);
    assert.deepEqual(JSON.parse(rec.marker(-1, 'x')), [0, 'm', 'x']);
  });

  it('replaces lone surrogates so UTF-8 readers can print the file', () => {
    assert.equal(wellFormed('a\ud800b\udc00c\ud83d\ude91'), 'a\ufffdb\ufffdc\ud83d\ude91');
    assert.deepEqual(JSON.parse(rec.input(0, '\ud800')), [0, 'i', '\ufffd']);
  });

  it('parses headers and events, rejecting anything else', () => {
    assert.equal(parseAsciicastHeader('{"version":2,"width":80,"height":24,"timestamp":9}')?.timestamp, 9);
    assert.equal(parseAsciicastHeader('{"version":1,"width":80,"height":24}'), null);
    assert.equal(parseAsciicastHeader('not json'), null);
    assert.deepEqual(parseAsciicastEvent('[1.5,"o","x"]'), [1.5, 'o', 'x']);
    assert.equal(parseAsciicastEvent('[1.5,"x","x"]'), null);
    assert.equal(parseAsciicastEvent('[1.5,"o"]'), null);
    assert.equal(parseAsciicastEvent('[1.5,"o","x'), null, 'a torn line');
  });
});

describe('AsciicastStream', () => {
  const T0 = 1_700_000_000_400; // not on a whole second: t = 0 is rounded down to it

  it('counts time from the header timestamp and drains newline-terminated lines', () => {
    const s = new AsciicastStream({ startMs: T0 });
    assert.equal(s.startMs, 1_700_000_000_000);
    assert.equal(JSON.parse(s.header(80, 24)).timestamp, 1_700_000_000);
    s.output(T0 + 100, 'a');
    s.input(T0 + 600, 'b');
    const text = s.drain();
    assert.ok(text.endsWith('\n'));
    assert.deepEqual(text.trimEnd().split('\n').map((l) => JSON.parse(l)), [[0.5, 'o', 'a'], [1, 'i', 'b']]);
    assert.equal(s.drain(), '', 'nothing pending after a drain');
  });

  it('merges output within the merge window, not across input or after it', () => {
    const s = new AsciicastStream({ startMs: 0, mergeWindowMs: 10 });
    s.output(1000, 'a');
    s.output(1005, 'b');
    s.output(1010, 'c');
    s.output(1011, 'd'); // 11 ms after the open event: a new one
    s.input(1012, 'x');
    s.output(1013, 'e');
    const events = s.drain().trimEnd().split('\n').map((l) => JSON.parse(l) as unknown[]);
    assert.deepEqual(events, [[1, 'o', 'abc'], [1.011, 'o', 'd'], [1.012, 'i', 'x'], [1.013, 'o', 'e']]);
  });

  it('keeps time monotonic when the clock steps back', () => {
    const s = new AsciicastStream({ startMs: 0 });
    s.output(5000, 'a');
    s.input(4000, 'b');
    s.resize(4500, 90, 30);
    const times = s.drain().trimEnd().split('\n').map((l) => (JSON.parse(l) as number[])[0]);
    assert.deepEqual(times, [5, 5, 5]);
  });

  it('stops recording output at the limit with one notice, but keeps input and resizes', () => {
    const s = new AsciicastStream({ startMs: 0, maxOutputChars: 5 });
    s.output(1000, 'abc');
    s.output(2000, 'defgh');
    s.output(3000, 'more');
    s.input(4000, 'ls');
    s.resize(5000, 10, 10);
    assert.equal(s.outputLimited, true);
    const events = s.drain().trimEnd().split('\n').map((l) => JSON.parse(l) as unknown[]);
    assert.deepEqual(events, [[1, 'o', 'abc'], [2, 'o', OUTPUT_LIMIT_NOTICE], [4, 'i', 'ls'], [5, 'r', '10x10']]);
  });

  it('continues after a given time when resuming an existing recording', () => {
    const s = new AsciicastStream({ startMs: 0 });
    s.resumeAt(100);
    s.output(50_000, 'late');
    assert.deepEqual(JSON.parse(s.drain().trimEnd()), [100, 'o', 'late']);
  });

  it('reports the pending size for early flushes', () => {
    const s = new AsciicastStream({ startMs: 0 });
    s.output(1, 'x'.repeat(1000));
    assert.ok(s.pendingSize >= 1000);
    s.drain();
    assert.equal(s.pendingSize, 0);
  });
});
