import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConsoleLineTracker, createLineReader, PROMPT_MARKER, PromptMarkerScanner } from '@/lib/terminal/typed-lines';

describe('PromptMarkerScanner', () => {
  it('finds markers, also when split across chunks', () => {
    const s = new PromptMarkerScanner();
    assert.equal(s.scan(`out${PROMPT_MARKER}$ `), 1);
    assert.equal(s.scan(PROMPT_MARKER.slice(0, 5)), 0);
    assert.equal(s.scan(`${PROMPT_MARKER.slice(5)}$ ${PROMPT_MARKER}`), 2);
    assert.equal(s.scan('\x1b]697;other\x07'), 0);
  });
});

describe('ConsoleLineTracker', () => {
  it('records lines typed at the prompt and ignores input to running programs', () => {
    const t = new ConsoleLineTracker();
    assert.deepEqual(t.onInput('typed before any prompt\r'), []);
    t.onOutput(`motd\r\n${PROMPT_MARKER}learner@console:~ $ `);
    assert.equal(t.atPrompt, true);
    assert.deepEqual(t.onInput('psql -h db\r'), [{ line: 'psql -h db', approximate: false }]);
    assert.equal(t.atPrompt, false);
    assert.deepEqual(t.onInput('SELECT 1;\r'), [], 'input to psql is not a console command');
    t.onOutput(`\r\n${PROMPT_MARKER}$ `);
    assert.deepEqual(t.onInput('docker ps\r'), [{ line: 'docker ps', approximate: false }]);
  });

  it('keeps what was typed when the prompt is redrawn (a resize)', () => {
    const t = new ConsoleLineTracker();
    t.onOutput(`${PROMPT_MARKER}$ `);
    t.onInput('docker p');
    t.onOutput(`\r\x1b[K\r${PROMPT_MARKER}$ docker p`);
    assert.deepEqual(t.onInput('s\r'), [{ line: 'docker ps', approximate: false }]);
  });

  it('returns every line of a multi-line chunk typed at the prompt', () => {
    const t = new ConsoleLineTracker();
    t.onOutput(PROMPT_MARKER);
    assert.deepEqual(
      t.onInput('uptime\rfree -m\r').map((l) => l.line),
      ['uptime', 'free -m'],
    );
  });

  it('uses the project line editor: editing keys apply, history recall is approximate', () => {
    const t = new ConsoleLineTracker(createLineReader);
    t.onOutput(PROMPT_MARKER);
    assert.deepEqual(t.onInput('dockr\x7fer logs wrong\x17api\r'), [{ line: 'docker logs api', approximate: false }]);
    t.onOutput(PROMPT_MARKER);
    assert.deepEqual(t.onInput('half\x03'), []);
    t.onOutput(`^C\r\n${PROMPT_MARKER}`);
    assert.deepEqual(t.onInput('\x1b[A\r'), [{ line: 'docker logs api', approximate: true }], 'arrow-up recalls the last line');
  });

  it('forgets a half-typed line when a fresh prompt appears', () => {
    const t = new ConsoleLineTracker();
    t.onOutput(PROMPT_MARKER);
    t.onInput('sleep 100\r');
    t.onInput('typed while sleeping');
    t.onOutput(PROMPT_MARKER);
    assert.deepEqual(t.onInput('ls\r'), [{ line: 'ls', approximate: false }]);
  });
});
