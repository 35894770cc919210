import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LineEditor } from '@/lib/terminal/line-editor';

const exact = (line: string) => ({ line, approximate: false });
const approx = (line: string) => ({ line, approximate: true });

function typed(...chunks: string[]) {
  const editor = new LineEditor();
  return chunks.flatMap((c) => editor.feed(c));
}

describe('LineEditor', () => {
  it('submits on CR, LF, and treats CR LF as one Enter', () => {
    assert.deepEqual(typed('echo hi\r'), [exact('echo hi')]);
    assert.deepEqual(typed('ls\n'), [exact('ls')]);
    assert.deepEqual(typed('a\r\nb\r\n'), [exact('a'), exact('b')]);
    assert.deepEqual(typed('\r\r   \r'), [], 'empty lines are not commands');
  });

  it('keeps state across chunks, also inside escape sequences', () => {
    assert.deepEqual(typed('ec', 'ho h', 'i', '\r'), [exact('echo hi')]);
    assert.deepEqual(typed('ab\x1b', '[', 'D', 'X\r'), [approx('aXb')]);
  });

  it('handles backspace (DEL and BS), Ctrl-U and Ctrl-W', () => {
    assert.deepEqual(typed('echo hx\x7fi\r'), [exact('echo hi')]);
    assert.deepEqual(typed('echo hx\x08i\r'), [exact('echo hi')]);
    assert.deepEqual(typed('\x7f\x7fls\r'), [exact('ls')], 'backspace on an empty line does nothing');
    assert.deepEqual(typed('rm -rf /\x15ls -l\r'), [exact('ls -l')]);
    assert.deepEqual(typed('kill -9 1234  \x17\x17 1\r'), [exact('kill  1')]);
    assert.deepEqual(typed('cat /etc/pass\x17/etc/hosts\r'), [exact('cat /etc/hosts')]);
  });

  it('discards the line on Ctrl-C', () => {
    assert.deepEqual(typed('rm -rf /tmp/x\x03ls\r'), [exact('ls')]);
    assert.deepEqual(typed('\x1b[Arm\x03echo ok\r'), [exact('echo ok')], 'Ctrl-C also clears the approximate mark');
  });

  it('recalls history from lines it saw, marking the line approximate', () => {
    assert.deepEqual(typed('ps aux\r', '\x1b[A\r'), [exact('ps aux'), approx('ps aux')]);
    assert.deepEqual(typed('one\r', 'two\r', '\x1b[A\x1b[A\r'), [exact('one'), exact('two'), approx('one')]);
    assert.deepEqual(typed('one\r', 'draft\x1b[A\x1b[B\r'), [exact('one'), approx('draft')], 'down returns to the draft');
    assert.deepEqual(typed('\x1bOA\r'), [approx('')], 'recall from history we never saw still ran something');
    assert.deepEqual(typed('x\r', '\x10\r'), [exact('x'), approx('x')], 'Ctrl-P recalls too');
  });

  it('follows cursor movement (approximate) and edits at the cursor', () => {
    assert.deepEqual(typed('ehco\x1b[D\x1b[D\x7f\x1b[Ch\r'), [approx('echo')]);
    assert.deepEqual(typed('world\x01hello \r'), [approx('hello world')]);
    assert.deepEqual(typed('abc\x1b[H\x1b[3~\r'), [approx('bc')]);
    assert.deepEqual(typed('abcdef\x1b[D\x1b[D\x0b\r'), [approx('abcd')]);
  });

  it('marks completion and reverse search as approximate', () => {
    assert.deepEqual(typed('cat /etc/hos\t\r'), [approx('cat /etc/hos')]);
    assert.deepEqual(typed('\x12kill\r'), [approx('kill')]);
    assert.deepEqual(typed('ls \x1b.\r'), [approx('ls ')]);
  });

  it('inserts bracketed paste literally and submits each pasted row', () => {
    assert.deepEqual(typed('\x1b[200~echo a\recho b\x1b[201~\r'), [exact('echo a'), exact('echo b')]);
    assert.deepEqual(typed('\x1b[200~x\x7fy\x1b[201~\r'), [exact('xy')], 'control characters in a paste are not editing');
    assert.deepEqual(typed('\x1b[200~a\x1b[20', '1~b\r'), [exact('ab')], 'the end marker may be split across chunks');
    assert.deepEqual(typed('\x1b[200~a\x1b[2Xb\x1b[201~\r'), [exact('a[2Xb')], 'a partial end marker is content');
  });

  it('ignores focus reports and screen clears, drops over-long input as approximate', () => {
    assert.deepEqual(typed('l\x1b[I\x0cs\r'), [exact('ls')]);
    const editor = new LineEditor({ maxLineLength: 5 });
    assert.deepEqual(editor.feed('abcdefgh\r'), [approx('abcde')]);
  });

  it('handles Ctrl-V literal insertion, Ctrl-Y yank and Alt-Backspace', () => {
    assert.deepEqual(typed('a\x16\tb\r'), [exact('a\tb')]);
    assert.deepEqual(typed('foo bar\x17baz \x19\r'), [approx('foo baz bar')]);
    assert.deepEqual(typed('git commit-msg\x1b\x7f\r'), [approx('git commit-')]);
  });

  it('reports the pending line and can be reset', () => {
    const editor = new LineEditor();
    editor.feed('partial');
    assert.equal(editor.pending, 'partial');
    editor.reset();
    assert.equal(editor.pending, '');
    assert.deepEqual(editor.feed('ok\r'), [exact('ok')]);
  });

  it('keeps multi-byte characters whole', () => {
    assert.deepEqual(typed('echo 😀é\x7f\r'), [exact('echo 😀')]);
  });
});
