import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { LABEL } from '@/lib/lifecycle/labels';
import { EventGate } from '@/server/proxy/event-stream';

const SCOPE = { sessionId: 's1', instance: 'i1' };
const own = { [LABEL.session]: 's1', [LABEL.instance]: 'i1', name: 'sickbay-s1-web' };
const line = (action: string, attrs: Record<string, string> = own) => `${JSON.stringify({ Type: 'container', Action: action, Actor: { ID: 'c', Attributes: attrs } })}\n`;

function collect(out: PassThrough): () => string[] {
  let text = '';
  out.on('data', (c: Buffer) => (text += c.toString()));
  return () => text.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { Action: string }).Action);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('EventGate (docker events filter)', () => {
  it('passes own events in order, drops others and garbage, across chunk boundaries', async () => {
    const out = new PassThrough();
    const seen = collect(out);
    const gate = new EventGate(out, SCOPE, () => false, 100);
    const text = line('start') + 'not json\n' + line('die', { ...own, [LABEL.session]: 's2' }) + line('stop');
    gate.write(text.slice(0, 30));
    gate.write(text.slice(30));
    gate.end();
    await sleep(10);
    assert.deepEqual(seen(), ['start', 'stop']);
  });

  it('holds an exec event until the proxy registers its exec id, keeping later events behind it', async () => {
    const out = new PassThrough();
    const seen = collect(out);
    const known = new Set<string>();
    const gate = new EventGate(out, SCOPE, (id) => known.has(id), 1_000);
    gate.write(line('exec_create: ls', { ...own, execID: 'e1' }) + line('pause'));
    await sleep(30);
    assert.deepEqual(seen(), [], 'nothing overtakes the held exec event');
    known.add('e1');
    await sleep(60);
    assert.deepEqual(seen(), ['exec_create: ls', 'pause']);
    gate.close();
  });

  it('drops an exec event whose id never shows up (the lab\'s own exec) after the grace period', async () => {
    const out = new PassThrough();
    const seen = collect(out);
    const gate = new EventGate(out, SCOPE, () => false, 80);
    gate.write(line('exec_create: cat /check', { ...own, execID: 'lab' }) + line('unpause'));
    await sleep(200);
    assert.deepEqual(seen(), ['unpause']);
    gate.close();
  });

  it('asks to cut a stream whose unterminated line grows past 1 MiB', () => {
    const gate = new EventGate(new PassThrough(), SCOPE, () => false, 10);
    assert.equal(gate.write('x'.repeat(1024)), true);
    assert.equal(gate.write('x'.repeat(1024 * 1024)), false);
    gate.close();
  });
});
