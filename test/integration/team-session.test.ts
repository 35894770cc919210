/**
 * A session shared by a team (issue #14 item 3) against the real server in team mode, a real
 * console container and the real terminal WebSocket: roles on the routes (a scribe's diagnosis
 * is 403), a non-driver's input frame refused, a one-click handover that turns the old driver's
 * connection into a mirror and the new driver's into the input of the same shell, and the event
 * log naming the handover and the actor of every action, and a watcher's open mirror closed when
 * they are taken off the team while a remaining member's mirror stays open.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { encodeClientMessage, parseServerMessage, type ServerMessage } from '@/lib/terminal/protocol';
import { PROMPT_MARKER } from '@/lib/terminal/typed-lines';
import { freePort, removeInstanceObjects, type ServerProcess, startServer, tempDataDir, testInstance, waitFor } from './helpers';
import { seedAccounts, signIn } from './accounts-helpers';

const instance = testInstance();
const dataDir = tempDataDir();
const PASSWORD = 'correct horse battery';
const PEOPLE = ['fay', 'ann', 'bob', 'cat', 'dan'] as const;
type Who = (typeof PEOPLE)[number];
let server: ServerProcess;
let base = '';
const cookies = {} as Record<Who, string>;
let ids: Record<Who, string>;
let sessionId = '';

async function call(who: Who, method: string, route: string, body?: unknown): Promise<{ status: number; text: string; json: <T>() => T }> {
  const headers: Record<string, string> = { cookie: cookies[who], origin: base, 'sec-fetch-site': 'same-origin' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${base}${route}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, text, json: <T>() => JSON.parse(text) as T };
}

/** A member's terminal connection: what it has seen, decoded, and its control messages. */
class Member {
  readonly ws: WebSocket;
  output = '';
  controls: ServerMessage[] = [];
  private decoder = new TextDecoder();

  /** `watching`: a watcher's /mirror socket, which any frame but a ping closes (so no acks). */
  constructor(who: Who, terminal: { path: string; token: string }, watching = false) {
    this.ws = new WebSocket(`${base.replace('http', 'ws')}${terminal.path}?token=${terminal.token}&cols=120&rows=30`, { origin: base, headers: { cookie: cookies[who] } });
    this.ws.on('message', (data, isBinary) => {
      if (isBinary) {
        const buf = data as Buffer;
        this.output += this.decoder.decode(buf, { stream: true });
        // A driver acknowledges what it rendered (flow control); a mirror's acks are ignored.
        if (!watching) this.ws.send(encodeClientMessage({ type: 'ack', bytes: buf.length }));
      } else {
        const m = parseServerMessage(data.toString());
        if (m) this.controls.push(m);
      }
    });
    this.ws.on('error', () => {});
  }

  opened(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    });
  }

  type(text: string): void {
    this.ws.send(encodeClientMessage({ type: 'input', data: text }));
  }

  attachedCount(mirror: boolean): number {
    return this.controls.filter((m) => m.type === 'attached' && (m.mirror === true) === mirror).length;
  }

  /** Waits for a shell prompt after this point of the output (typed lines are told apart by prompts). */
  prompt(from: number, why: string): Promise<boolean> {
    return waitFor(why, async () => this.output.indexOf(PROMPT_MARKER, from) >= 0, 60_000, 50);
  }

  sees(what: string | RegExp, why: string): Promise<string> {
    return waitFor(why, async () => (typeof what === 'string' ? this.output.includes(what) && what : (what.exec(this.output)?.[0] ?? null)), 60_000, 100);
  }
}

before(async () => {
  base = `http://127.0.0.1:${await freePort()}`;
  const seeded = await seedAccounts(dataDir, [
    { email: 'ada@example.com', role: 'admin', password: PASSWORD },
    { email: 'fay@example.com', role: 'facilitator', password: PASSWORD },
    ...(['ann', 'bob', 'cat', 'dan'] as const).map((n) => ({ email: `${n}@example.com`, role: 'learner' as const, password: PASSWORD })),
  ]);
  ids = Object.fromEntries(PEOPLE.map((p) => [p, seeded[`${p}@example.com`] as string])) as Record<Who, string>;
  server = await startServer({ SICKBAY_DATA_DIR: dataDir, SICKBAY_INSTANCE: instance, PORT: new URL(base).port });
  for (const p of PEOPLE) cookies[p] = await signIn(base, `${p}@example.com`, PASSWORD);
  const created = await call('fay', 'POST', '/api/sessions', { scenario: 'leaky-job', seed: 'team' });
  assert.equal(created.status, 201, created.text);
  sessionId = created.json<{ id: string }>().id;
  await waitFor(
    'the session to be ready',
    async () => {
      const s = (await call('fay', 'GET', `/api/sessions/${sessionId}`)).json<{ status: string; statusDetail: string | null }>();
      if (s.status === 'failed') throw new Error(`provisioning failed: ${s.statusDetail}`);
      return s.status === 'ready';
    },
    180_000,
    500,
  );
});

after(async () => {
  await server?.stop('SIGTERM');
  await removeInstanceObjects(instance);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('a session shared by a team', () => {
  const terminals: Member[] = [];
  after(() => {
    for (const t of terminals) t.ws.close();
  });

  it('is set up by its owner; only members and the owner see it', async () => {
    const denied = await call('ann', 'PUT', `/api/sessions/${sessionId}/team`, { members: [] });
    assert.equal(denied.status, 404, 'not a member yet, not the owner');
    const bad = await call('fay', 'PUT', `/api/sessions/${sessionId}/team`, { members: [{ userId: ids.ann, role: 'commander' }] });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /exactly one driver/);
    const set = await call('fay', 'PUT', `/api/sessions/${sessionId}/team`, {
      members: [
        { userId: ids.ann, role: 'driver' },
        { userId: ids.bob, role: 'commander' },
        { userId: ids.cat, role: 'scribe' },
      ],
    });
    assert.equal(set.status, 200, set.text);
    const team = (await call('cat', 'GET', `/api/sessions/${sessionId}/team`)).json<{ driver: string; you: string; members: { name: string }[] }>();
    assert.equal(team.driver, ids.ann);
    assert.equal(team.you, 'scribe');
    assert.equal((await call('dan', 'GET', `/api/sessions/${sessionId}/team`)).status, 404, 'a learner outside the team sees nothing');
    const listed = (await call('bob', 'GET', '/api/sessions')).json<{ sessions: { id: string }[] }>();
    assert.ok(listed.sessions.some((s) => s.id === sessionId));
  });

  it('splits the forms by role: a scribe’s diagnosis is 403 with the reason, the commander’s goes in', async () => {
    const diagnosis = { category: 'x', culprit: 'y', decision: 'restart', reason: 'because' };
    const scribe = await call('cat', 'POST', `/api/sessions/${sessionId}/diagnosis`, diagnosis);
    assert.equal(scribe.status, 403, scribe.text);
    assert.match(scribe.text, /you are the scribe: only the commander submits the diagnosis and decision/);
    const driver = await call('ann', 'POST', `/api/sessions/${sessionId}/update`, { text: 'We are looking into the slow API right now.' });
    assert.equal(driver.status, 403, driver.text);
    const update = await call('cat', 'POST', `/api/sessions/${sessionId}/update`, { text: 'We are looking into the slow API right now.' });
    assert.equal(update.status, 201, update.text);
    const owner = await call('fay', 'POST', `/api/sessions/${sessionId}/hints`);
    assert.equal(owner.status, 403, 'the owner of a team session watches it');
  });

  it('takes input from the driver only, and hands the seat over without a new shell', async () => {
    const view = (who: Who) => call(who, 'GET', `/api/sessions/${sessionId}`).then((r) => r.json<{ terminal: { path: string; token: string } | null }>().terminal);
    const annTerminal = await view('ann');
    const bobTerminal = await view('bob');
    assert.ok(annTerminal && bobTerminal, 'members get the terminal');
    assert.equal(await view('fay'), null, 'the owner of a team session watches through the mirror');
    const ann = new Member('ann', annTerminal);
    const bob = new Member('bob', bobTerminal);
    terminals.push(ann, bob);
    await Promise.all([ann.opened(), bob.opened()]);
    await waitFor('both greeted', async () => ann.attachedCount(false) === 1 && bob.attachedCount(true) === 1, 30_000, 50);

    bob.type('echo NOT-$((40+2))-BOB\r');
    await waitFor('bob’s input refused', async () => bob.controls.some((m) => m.type === 'refused' && /only the driver types/.test(m.message)), 30_000, 50);
    await ann.prompt(0, 'the first prompt');
    ann.type('echo SHELL-PID=$$ DRIVER-$((6*7))\r');
    const pid = await ann.sees(/SHELL-PID=\d+ DRIVER-42/, 'the driver’s command to run');
    await bob.sees(pid, 'the teammate’s mirror to show it');
    assert.doesNotMatch(ann.output + bob.output, /NOT-42-BOB/, 'the refused input never reached the shell');

    await ann.prompt(ann.output.indexOf(pid) + pid.length, 'the prompt after the command');
    const bobBefore = bob.output.length;
    const handover = await call('bob', 'POST', `/api/sessions/${sessionId}/driver`, { to: ids.bob });
    assert.equal(handover.status, 200, handover.text);
    assert.equal(handover.json<{ driver: string }>().driver, ids.bob);
    await waitFor('the seats to switch', async () => ann.attachedCount(true) === 1 && bob.attachedCount(false) === 1, 30_000, 50);

    await bob.prompt(bobBefore, 'the new driver’s screen to show the prompt');
    ann.type('echo OLD-DRIVER-$((1+1))X\r');
    await waitFor('the old driver’s input refused', async () => ann.controls.some((m) => m.type === 'refused'), 30_000, 50);
    bob.type('echo SHELL-PID=$$ NEW-DRIVER-$((7*6))\r');
    const again = await bob.sees(/SHELL-PID=\d+ NEW-DRIVER-42/, 'the new driver’s command to run');
    assert.equal(again.split(' ')[0], pid.split(' ')[0], 'the same shell, not a new one');
    await ann.sees(again, 'the old driver now mirrors the new one');
    await bob.prompt(bob.output.lastIndexOf(again) + again.length, 'the prompt after the command');
    bob.type('docker ps -q >/dev/null && echo DOCKER-$((2*21))-DONE\r');
    await bob.sees('DOCKER-42-DONE', 'a docker call through the proxy while bob drives');
    assert.doesNotMatch(ann.output + bob.output, /OLD-DRIVER-2X/);
    assert.ok(!ann.ws.readyState || ann.ws.readyState === WebSocket.OPEN, 'the old driver stays connected, as a mirror');
  });

  it('logs the handover and credits every action to its person', async () => {
    type Ev = { kind: string; actor?: string; line?: string; action?: string; by?: string; from?: string; to?: string; allowed?: boolean };
    const events = await waitFor(
      'the typed lines to be logged',
      async () => {
        const all = (await call('ann', 'GET', `/api/sessions/${sessionId}/events`)).json<{ events: Ev[] }>().events;
        return all.some((e) => e.kind === 'typed' && e.line?.includes('DOCKER-')) ? all : null;
      },
      30_000,
      250,
    );
    const handover = events.find((e) => e.kind === 'team' && e.action === 'handover');
    assert.deepEqual(handover && [handover.by, handover.from, handover.to], [ids.bob, ids.ann, ids.bob]);
    const typed = (marker: string) => events.find((e) => e.kind === 'typed' && e.line?.includes(marker));
    assert.equal(typed('DRIVER-$((6*7))')?.actor, ids.ann);
    assert.equal(typed('NEW-DRIVER')?.actor, ids.bob);
    assert.equal(typed('NOT-'), undefined, 'refused input is not a command');
    assert.equal(events.find((e) => e.kind === 'update')?.actor, ids.cat);
    const afterHandover = events.slice(events.indexOf(handover as Ev));
    const dockerCall = afterHandover.find((e) => e.kind === 'docker' && e.action === 'ps');
    assert.equal(dockerCall?.actor, ids.bob, 'the proxy’s audit credits the driver of the moment');
    assert.ok(events.filter((e) => e.kind === 'typed').every((e) => e.actor === ids.ann || e.actor === ids.bob));
  });

  it('closes the open mirror of a member taken off the team; a remaining member’s mirror stays open', async () => {
    const team = [
      { userId: ids.bob, role: 'driver' },
      { userId: ids.ann, role: 'commander' },
      { userId: ids.cat, role: 'scribe' },
    ];
    const withDan = await call('fay', 'PUT', `/api/sessions/${sessionId}/team`, { members: [...team, { userId: ids.dan, role: 'watcher' }] });
    assert.equal(withDan.status, 200, withDan.text);
    const open = async (who: Who) => {
      const where = await call(who, 'GET', `/api/sessions/${sessionId}/mirror`);
      assert.equal(where.status, 200, where.text);
      const mirror = new Member(who, where.json<{ path: string; token: string }>(), true);
      terminals.push(mirror);
      await mirror.opened();
      await waitFor(`${who}’s mirror greeted`, async () => mirror.attachedCount(true) === 1, 30_000, 50);
      return mirror;
    };
    const dan = await open('dan');
    const cat = await open('cat');
    const danClosed = new Promise<{ code: number; reason: string }>((resolve) => dan.ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));

    const without = await call('fay', 'PUT', `/api/sessions/${sessionId}/team`, { members: team });
    assert.equal(without.status, 200, without.text);
    const closed = await Promise.race([danClosed, new Promise<null>((r) => setTimeout(() => r(null), 10_000))]);
    assert.equal(closed?.code, 1008, 'the removed member’s mirror is closed');
    assert.match(closed?.reason ?? '', /no longer watch/);
    cat.ws.send(encodeClientMessage({ type: 'ping' }));
    await waitFor('cat’s mirror to answer a ping', async () => cat.controls.some((m) => m.type === 'pong'), 10_000, 50);
    assert.equal(cat.ws.readyState, WebSocket.OPEN, 'a remaining member keeps their mirror');
    assert.equal((await call('dan', 'GET', `/api/sessions/${sessionId}/mirror`)).status, 404, 'and cannot open it again');
  });

  it('is ended by its owner, and its report credits each action to its person', async () => {
    const ended = await call('fay', 'DELETE', `/api/sessions/${sessionId}`);
    assert.equal(ended.status, 200, ended.text);
    type Credit = { userId: string; name: string; commands: number; dockerCalls: number; updates: number; handovers: number };
    const report = await waitFor(
      'the report',
      async () => {
        const r = await call('cat', 'GET', `/api/sessions/${sessionId}/report`);
        return r.status === 200 ? r.json<{ credit?: Credit[] }>() : null;
      },
      120_000,
      500,
    );
    const of = (who: Who) => report.credit?.find((p) => p.userId === ids[who]);
    assert.ok((of('ann')?.commands ?? 0) >= 1, JSON.stringify(report.credit));
    assert.ok((of('bob')?.commands ?? 0) >= 2 && (of('bob')?.dockerCalls ?? 0) >= 1 && of('bob')?.handovers === 1, JSON.stringify(report.credit));
    assert.equal(of('cat')?.updates, 1);
    assert.equal(of('cat')?.name, 'cat@example.com', 'named (an account without a name goes by its e-mail)');
  });
});
