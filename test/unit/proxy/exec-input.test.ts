/**
 * Keystrokes into an interactive exec (server/proxy/exec-input.ts): typed lines are logged; in
 * coach mode an evidence-losing line in a scenario service is held at its Enter (the shell's
 * line cancelled with Ctrl-C, the coach's message shown), and the same line typed again runs.
 * The context is a stand-in with only what the filter reads: the options, the coach's memory
 * and the audit sink.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SessionEventBody } from '@/lib/audit/events';
import type { CoachMemory } from '@/lib/proxy/coach';
import type { ProxyContext } from '@/server/proxy/context';
import { execInputFilter, type ExecInput } from '@/server/proxy/exec-input';

function setup(coach: boolean, input: Partial<ExecInput> = {}) {
  const events: SessionEventBody[] = [];
  const ctx = { options: { coach: () => coach }, coached: new Map() as CoachMemory, emit: (e: SessionEventBody) => events.push(e) } as unknown as ProxyContext;
  const filter = execInputFilter(ctx, { target: 'api', role: 'service', command: ['sh'], ...input });
  const type = (text: string) => {
    const out = filter(Buffer.from(text, 'utf8'));
    return { forward: out.forward.toString('utf8'), show: out.show };
  };
  return { events, type };
}

const kinds = (events: SessionEventBody[]) => events.map((e) => (e.kind === 'coached' ? `coached ${e.phase} ${e.line}` : e.kind === 'typed' ? `typed ${e.line}` : e.kind));

describe('keystrokes into an interactive exec', () => {
  it('in exam mode forwards everything and logs each line', () => {
    const { events, type } = setup(false);
    assert.deepEqual(type('kill 1\r'), { forward: 'kill 1\r', show: '' });
    assert.deepEqual(kinds(events), ['typed kill 1']);
  });

  it('in coach mode holds kill 1 at its Enter, cancels the shell line, shows the message; typed again it runs', () => {
    const { events, type } = setup(true);
    const first = type('kill 1\r');
    assert.equal(first.forward, 'kill 1\u0003', 'the Enter is kept back and the half-line cancelled');
    assert.match(first.show, /sickbay coach: in api this .*type the same command again within 60 s/);
    const second = type('kill 1\r');
    assert.deepEqual(second, { forward: 'kill 1\r', show: '' });
    assert.deepEqual(kinds(events), ['coached warned kill 1', 'coached chose kill 1', 'typed kill 1']);
  });

  it('keystrokes split across chunks and keys after the Enter are handled', () => {
    const { events, type } = setup(true);
    assert.deepEqual(type('pkill -f py'), { forward: 'pkill -f py', show: '' });
    const rest = type('thon\rps\r');
    assert.equal(rest.forward, 'thon\u0003ps\r', 'held line cancelled, the next line goes on');
    assert.match(rest.show, /sickbay coach/);
    assert.deepEqual(kinds(events), ['coached warned pkill -f python', 'typed ps']);
  });

  it('never holds harmless lines, lines in a sidecar, or SQL typed into psql', () => {
    for (const [input, line] of [[{}, 'ps aux'], [{ role: 'sidecar' as const }, 'kill 1'], [{ command: ['/usr/bin/psql', '-U', 'postgres'] }, 'kill 1']] as const) {
      const { events, type } = setup(true, input);
      assert.deepEqual(type(`${line}\r`), { forward: `${line}\r`, show: '' }, JSON.stringify(input));
      assert.deepEqual(kinds(events), [`typed ${line}`]);
    }
  });

  it('an Enter inside a bracketed paste is text, not a submit: nothing is held', () => {
    const { type } = setup(true);
    const pasted = '\u001b[200~kill 1\recho hi\u001b[201~';
    assert.deepEqual(type(pasted), { forward: pasted, show: '' });
  });

  it('a line nested beyond reading (2,047 unclosed substitutions) is forwarded, logged, and crashes nothing', () => {
    const { events, type } = setup(true);
    const line = '$('.repeat(2047);
    assert.deepEqual(type(`${line}\r`), { forward: `${line}\r`, show: '' });
    assert.equal(events.filter((e) => e.kind === 'typed').length, 1);
  });
});
