/**
 * Coach mode end to end (issue #15, items 4–5) on the real leaky-job scenario, through the
 * server, the learner's console and its proxy: a drill the learner starts runs in
 * coach mode; `docker restart api` typed at the console is held with the `sickbay coach:`
 * message and nothing restarts (same start time and PID); typed again, it restarts; the coach's
 * next-step hint follows the learner; the report shows "warned, then chose …" next to the rule
 * the restart broke, and that rule is broken as for any restart.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { SessionEvent } from '@/lib/audit/events';
import type { StoredReport } from '@/lib/scoring';
import { TerminalDriver } from '@/scripts/verify/terminal-driver';
import { api, docker, labelledObjects, removeInstanceObjects, startServer, tempDataDir, testInstance, waitFor, type ServerProcess } from './helpers';

const instance = testInstance();
const dataDir = tempDataDir('sickbay-coach-console-it-');
let server: ServerProcess;

interface SessionView {
  id: string;
  status: string;
  statusDetail: string | null;
  coach: boolean;
  services: { name: string; container: string }[];
  terminal: { path: string; token: string } | null;
}

before(async () => {
  server = await startServer({ SICKBAY_DATA_DIR: dataDir, SICKBAY_INSTANCE: instance, SICKBAY_SWEEP_INTERVAL: '1h' });
});

after(async () => {
  await server?.stop('SIGKILL');
  await removeInstanceObjects(instance);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function apiState(container: string): Promise<{ startedAt: string; pid: number }> {
  const c = await docker.getContainer(container).inspect();
  return { startedAt: c.State.StartedAt, pid: c.State.Pid };
}

describe('coach mode through the real console and proxy', () => {
  it('rejects a coach that is not a boolean', async () => {
    const res = await api<{ message: string }>(server.url, 'POST', '/api/sessions', { scenario: 'leaky-job', coach: 'yes' });
    assert.equal(res.status, 400, JSON.stringify(res.body));
  });

  it('holds the first restart, lets the repeat through, and the report says warned, then chose', async () => {
    const created = await api<SessionView>(server.url, 'POST', '/api/sessions', { scenario: 'leaky-job', seed: 'coach-console' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.coach, true, 'a drill a learner starts runs in coach mode by default');
    const id = created.body.id;
    const s = await waitFor(`session ${id} to be ready`, async () => {
      const r = await api<SessionView>(server.url, 'GET', `/api/sessions/${id}`);
      if (r.body.status === 'failed') throw new Error(`provisioning failed: ${r.body.statusDetail}`);
      return r.body.status === 'ready' && r.body.terminal ? (r.body as SessionView & { terminal: { path: string; token: string } }) : null;
    }, 180_000, 500);
    const container = `sickbay-${id}-api`;

    const hint = async () => (await api<{ step: { rule: string; text: string } | null }>(server.url, 'GET', `/api/sessions/${id}/hints`)).body.step;
    assert.equal((await hint())?.rule, 'observe-outside-first');

    const term = new TerminalDriver(server.url, s.terminal, { cols: 200, rows: 50 });
    await term.attached();
    const logs = await term.run('docker logs --tail 20 api');
    assert.ok(logs.trim().length > 0, 'the api has logs');
    await waitFor('the coach to see the logs call', async () => ((await hint())?.rule !== 'observe-outside-first' ? true : null), 30_000, 250);

    const before = await apiState(container);
    const held = await term.run('docker restart api', { timeoutMs: 90_000 });
    assert.match(held, /sickbay coach: this restarts api/, held);
    assert.match(held, /again within 60 s/, held);
    const still = await apiState(container);
    assert.equal(still.startedAt, before.startedAt, 'nothing restarted: same start time');
    assert.equal(still.pid, before.pid, 'nothing restarted: same PID');

    const restartFrom = Math.floor(Date.now() / 1000) - 1;
    const restarted = await term.run('docker restart api', { timeoutMs: 90_000 });
    assert.match(restarted, /^api\s*$/m, restarted);
    assert.notEqual((await apiState(container)).startedAt, before.startedAt, 'the repeat restarted api');
    // Until the restarted API has installed its SIGTERM handler, the kernel drops a SIGTERM sent
    // to it as PID 1: on a busy host `kill 1` three seconds after the restart did nothing for a
    // minute (twice beside a soak). Linux's rule, not the coach's: wait until it serves again.
    await waitFor('the restarted api to listen', async () => {
      const logs = await docker.getContainer(container).logs({ stdout: true, stderr: true, since: restartFrom });
      return logs.toString('utf8').includes('listening on') ? true : null;
    }, 90_000, 250);

    // Inside an interactive exec: `kill 1` is held at its Enter (the shell's line is
    // cancelled and the coach's message printed); typed again, it kills the API's main process.
    const shellPrompt = /[#$] $/;
    await term.run('docker exec -it api sh', { prompt: shellPrompt, timeoutMs: 60_000 });
    const live = await apiState(container);
    const heldKill = await term.run('kill 1', { prompt: shellPrompt, timeoutMs: 30_000 });
    assert.match(heldKill, /sickbay coach: in api this /, heldKill);
    const afterHold = await apiState(container);
    assert.deepEqual([afterHold.startedAt, afterHold.pid], [live.startedAt, live.pid], 'the held kill did nothing');
    const beforeRepeat = term.length;
    term.type('kill 1\r');
    await waitFor('the repeated kill to stop api', async () => ((await docker.getContainer(container).inspect()).State.Running ? null : true), 60_000, 250).catch(async (err: Error) => {
      // Seen once beside a load of 45: say what the terminal and the audit saw, so the next run tells why.
      const events = (await api<{ events: SessionEvent[] }>(server.url, 'GET', `/api/sessions/${id}/events`)).body.events;
      const recent = events.filter((e) => e.kind === 'coached' || e.kind === 'typed').map((e) => JSON.stringify(e)).slice(-6);
      throw new Error(`${err.message}\nterminal since the repeat: ${JSON.stringify(term.since(beforeRepeat))}\ncoached/typed events: ${recent.join('\n')}`);
    });
    await term.run('', { timeoutMs: 30_000 });
    await term.close();

    const log = (await api<{ events: SessionEvent[] }>(server.url, 'GET', `/api/sessions/${id}/events`)).body.events;
    const coached = log.filter((e) => e.kind === 'coached');
    assert.deepEqual(coached.map((e) => (e.kind === 'coached' ? `${e.phase} ${e.action} ${e.target}${e.line ? ` ${e.line}` : ''}` : '')), [
      'warned restart api',
      'chose restart api',
      'warned typed api kill 1',
      'chose typed api kill 1',
    ]);
    const restarts = log.filter((e) => e.kind === 'docker' && e.action === 'restart');
    assert.deepEqual(restarts.map((e) => (e.kind === 'docker' ? [e.allowed, e.status] : [])), [[false, 409], [true, 204]]);

    const ended = await api<SessionView>(server.url, 'DELETE', `/api/sessions/${id}`);
    assert.equal(ended.status, 200, JSON.stringify(ended.body));
    assert.deepEqual(await labelledObjects({ session: id }), [], 'teardown left nothing labelled');
    const report = (await api<StoredReport>(server.url, 'GET', `/api/sessions/${id}/report`)).body;
    const noStateLoss = report.protocol.results.find((r) => r.id === 'no-state-loss');
    assert.equal(noStateLoss?.status, 'broken', 'a warned-then-chosen restart is still a restart');
    const moment = report.coached?.[0];
    assert.equal(moment?.choice, 'went-ahead', JSON.stringify(report.coached));
    assert.ok(moment?.rules.includes('no-state-loss'));
    assert.match(moment?.text ?? '', /^warned, then chose to go ahead: restarts api/);
  });

  it('starts in exam mode when asked, and then gives no coach step', async () => {
    const created = await api<SessionView>(server.url, 'POST', '/api/sessions', { scenario: 'leaky-job', seed: 'coach-exam', coach: false });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.coach, false);
    const hints = await api<{ hints: string[]; step: unknown }>(server.url, 'GET', `/api/sessions/${created.body.id}/hints`);
    assert.equal(hints.status, 200);
    assert.equal(hints.body.step, null);
    await api(server.url, 'DELETE', `/api/sessions/${created.body.id}`);
  });
});
