import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { playbackMap, playerTimeAt, recordingTimeAt } from '@/lib/terminal/playback';

// Events at 1, 2, 12 (a 10 s pause), 12.5 and 40 (a 27.5 s pause) seconds into the recording.
const cast = ['{"version":2,"width":80,"height":24,"timestamp":1000}', '[1,"o","a"]', '[2,"i","b"]', '[12,"m","docker ps"]', '[12.5,"o","c"]', '[40,"o","d"]', ''].join('\n');

describe('the player\'s clock against the recording\'s', () => {
  it('is the same clock when no pause is skipped', () => {
    const map = playbackMap(cast);
    assert.deepEqual(map.player, map.recording);
    assert.equal(recordingTimeAt(map, 30), 30);
    assert.equal(playerTimeAt(map, 30), 30);
  });

  it('shortens every pause longer than the limit to the limit, as asciinema-player does', () => {
    const map = playbackMap(cast, 2);
    assert.deepEqual(map.recording, [1, 2, 12, 12.5, 40]);
    assert.deepEqual(map.player, [1, 2, 4, 4.5, 6.5]);
  });

  it('maps a player position back to the recording, jumping over a shortened pause', () => {
    const map = playbackMap(cast, 2);
    assert.equal(recordingTimeAt(map, 0.5), 0.5, 'before the first event');
    assert.equal(recordingTimeAt(map, 4), 12, 'on an event');
    assert.equal(recordingTimeAt(map, 4.25), 12.25);
    assert.equal(recordingTimeAt(map, 5.5), 13.5, 'inside the shortened pause, played at normal speed');
    assert.equal(recordingTimeAt(map, 6.5), 40);
    assert.equal(recordingTimeAt(map, 7), 40.5, 'after the last event');
  });

  it('maps a moment of the recording to the player\'s clock', () => {
    const map = playbackMap(cast, 2);
    assert.equal(playerTimeAt(map, 12), 4);
    assert.equal(playerTimeAt(map, 12.25), 4.25);
    assert.equal(playerTimeAt(map, 30), 6.5, 'deep inside a skipped pause: where the pause ends on the player');
    assert.equal(playerTimeAt(map, 0.5), 0.5);
    for (const t of [0.5, 1, 2, 12, 12.25, 40, 41]) assert.equal(recordingTimeAt(map, playerTimeAt(map, t)), t, `round trip at ${t}`);
  });

  it('reads the time of each event line and skips other lines', () => {
    const map = playbackMap('{"version":2}\n[1,"o","a"]\n[2,"o"\nnot json\n[3,"o","c"]\n', 1);
    assert.deepEqual(map.recording, [1, 2, 3]);
  });
});
