import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InterruptFlush, skippedNotice } from '@/lib/terminal/interrupt';
import { eventMarkers, markerLabel, mergeMarkerLines, recordingInfo } from '@/lib/terminal/markers';
import { PROMPT_MARKER } from '@/lib/terminal/typed-lines';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array | null) => (b ? new TextDecoder().decode(b) : null);

describe('InterruptFlush', () => {
  it('is wanted only for ^C while the client is behind', () => {
    assert.equal(InterruptFlush.wanted('\x03', true), true);
    assert.equal(InterruptFlush.wanted('\x03', false), false);
    assert.equal(InterruptFlush.wanted('q', true), false);
  });

  it('passes output through while inactive', () => {
    const f = new InterruptFlush();
    assert.equal(dec(f.onOutput(enc('y\r\n'), 0).send), 'y\r\n');
  });

  it('drops output until the prompt marker and resumes at the start of its line', () => {
    const f = new InterruptFlush();
    f.start(1000);
    assert.deepEqual(f.onOutput(enc('y\r\n'.repeat(100)), 1010), { send: null, ended: false });
    const step = f.onOutput(enc(`y\r\ny^C\r\n\x1b[?2004h${PROMPT_MARKER}learner $ `), 1020);
    assert.equal(step.ended, true);
    assert.equal(dec(step.send), `\x1b[?2004h${PROMPT_MARKER}learner $ `);
    assert.equal(f.skipped, 300 + 'y\r\ny^C\r\n'.length);
    assert.equal(f.active, false);
  });

  it('finds a prompt marker split across two chunks, wherever the cut falls', () => {
    const tail = `y\r\ny^C\r\n\x1b[?2004h${PROMPT_MARKER}learner $ `;
    const from = tail.indexOf('\x1b[?2004h');
    for (let cut = from + 1; cut < tail.indexOf('learner'); cut++) {
      const f = new InterruptFlush();
      f.start(1000);
      f.onOutput(enc('y\r\n'.repeat(100)), 1010);
      assert.deepEqual(f.onOutput(enc(tail.slice(0, cut)), 1020), { send: null, ended: false }, `cut at ${cut}`);
      const step = f.onOutput(enc(tail.slice(cut)), 1030);
      assert.equal(step.ended, true, `cut at ${cut}: the marker is found`);
      assert.equal(dec(step.send), tail.slice(from), `cut at ${cut}: the prompt's whole line is sent`);
      assert.equal(f.skipped, 300 + from, `cut at ${cut}: only what came before the prompt's line counts as skipped`);
    }
  });

  it('gives back the unfinished line when the output goes quiet (a program\'s own prompt)', () => {
    const f = new InterruptFlush({ quietMs: 100 });
    f.start(0);
    f.onOutput(enc('y\r\n'.repeat(10)), 10);
    f.onOutput(enc('KeyboardInterrupt\r\n>>> '), 20);
    const step = f.poll(200);
    assert.equal(step.ended, true);
    assert.equal(dec(step.send), '>>> ');
    assert.equal(f.skipped, 30 + 'KeyboardInterrupt\r\n'.length);
  });

  it('keeps at most 4 KiB of an endless line', () => {
    const f = new InterruptFlush({ quietMs: 100 });
    f.start(0);
    for (let i = 0; i < 10; i++) f.onOutput(enc('z'.repeat(1000)), i);
    const step = f.poll(500);
    assert.equal(step.send?.length, 4096);
    assert.equal(f.skipped, 10_000 - 4096);
  });

  it('ends when the output goes quiet, or after the maximum time', () => {
    const quiet = new InterruptFlush({ quietMs: 100, maxMs: 1000 });
    quiet.start(0);
    quiet.onOutput(enc('x'), 50);
    assert.equal(quiet.poll(120).ended, false);
    assert.equal(quiet.poll(150).ended, true);

    const noisy = new InterruptFlush({ quietMs: 100, maxMs: 1000 });
    noisy.start(0);
    for (let t = 10; t < 1000; t += 10) assert.equal(noisy.onOutput(enc('y\n'), t).ended, false);
    assert.equal(noisy.onOutput(enc('y\n'), 1000).ended, true, 'a program ignoring SIGINT: normal flow again');
  });

  it('describes what it skipped', () => {
    assert.match(skippedNotice(1536), /skipped 2 KiB/);
    assert.match(skippedNotice(3 * 1024 * 1024), /skipped 3\.0 MiB/);
  });
});

describe('replay markers', () => {
  const created = 1_000_000;
  const start = created + 5000; // the terminal opened 5 s into the session

  it('labels the events worth a marker, as the session page describes them', () => {
    assert.equal(markerLabel({ kind: 'typed', where: 'console', line: 'docker ps', approximate: false }), 'typed: docker ps');
    assert.equal(markerLabel({ kind: 'typed', where: 'exec', target: 'api', line: 'ps aux', approximate: true }), 'typed in api: ps aux (approximate)');
    assert.equal(markerLabel({ kind: 'docker', method: 'POST', path: '/containers/x/restart', action: 'restart', target: 'api', allowed: false, reason: 'sickbay: no' }), 'docker restart api — refused (sickbay: no)');
    assert.equal(markerLabel({ kind: 'goals', final: false, passed: 1, total: 3, results: [] }), 'goals checked: 1/3 met');
    assert.equal(markerLabel({ kind: 'provision', phase: 'start', ms: 5 }), null);
    assert.equal(markerLabel({ kind: 'terminal', action: 'resize' }), null);
    assert.equal(markerLabel({ kind: 'typed', where: 'console', approximate: false, line: 'x'.repeat(200) })?.length, 80);
  });

  it('places events on the recording\'s time line, by wall clock when known', () => {
    const markers = eventMarkers(
      [
        { id: 1, kind: 'lifecycle', t: 0, at: created, status: 'queued' }, // before the recording
        { id: 2, kind: 'typed', t: 7000, at: created + 7000, where: 'console', approximate: false, line: 'docker ps' },
        { id: 3, kind: 'docker', t: 6500, method: 'GET', path: '/containers/json', action: 'ps', allowed: true }, // no `at`: from t
        { id: 4, kind: 'goals', t: 99_000, at: created + 99_000, final: false, passed: 0, total: 3, results: [] }, // after the end
      ],
      { recordingStartMs: start, sessionCreatedMs: created, durationSeconds: 30 },
    );
    assert.deepEqual(markers, [
      { time: 1.5, label: 'docker ps', kind: 'docker', eventId: 3 },
      { time: 2, label: 'typed: docker ps', kind: 'typed', eventId: 2 },
    ]);
  });

  it('caps the number of markers', () => {
    const many = Array.from({ length: 50 }, (_, i) => ({ kind: 'typed' as const, where: 'console' as const, approximate: false, t: 6000 + i, line: `cmd ${i}` }));
    assert.equal(eventMarkers(many, { recordingStartMs: start, sessionCreatedMs: created, limit: 10 }).length, 10);
  });

  it('reads start, size and duration from a recording', () => {
    const text = '{"version":2,"width":100,"height":30,"timestamp":1000}\n[0.5,"o","a"]\n[12.25,"i","b"]\n';
    assert.deepEqual(recordingInfo(text), { startMs: 1_000_000, cols: 100, rows: 30, duration: 12.25 });
    assert.equal(recordingInfo('{"version":1}'), null);
    assert.equal(recordingInfo('{"version":2,"width":80,"height":24,"timestamp":1}\n[1,"o"')?.duration, 0, 'torn last line');
  });
});

describe('markers in the recording data', () => {
  it('inserts "m" events in time order', () => {
    const cast = '{"version":2,"width":80,"height":24,"timestamp":1}\n[0.5,"o","a"]\n[2,"i","b"]\n[3.25,"o","c"]\n';
    const merged = mergeMarkerLines(cast, [
      { time: 2.5, label: '$ ls', kind: 'typed' },
      { time: 0.1, label: 'first', kind: 'docker' },
      { time: 9, label: 'after the end', kind: 'goals' },
      { time: 2, label: 'same time', kind: 'docker' },
    ]);
    const lines = merged.trimEnd().split('\n');
    assert.deepEqual(lines.slice(1).map((l) => JSON.parse(l) as unknown[]), [
      [0.1, 'm', 'first'],
      [0.5, 'o', 'a'],
      [2, 'm', 'same time'],
      [2, 'i', 'b'],
      [2.5, 'm', '$ ls'],
      [3.25, 'o', 'c'],
      [9, 'm', 'after the end'],
    ]);
    assert.equal(lines[0], '{"version":2,"width":80,"height":24,"timestamp":1}');
  });
});
