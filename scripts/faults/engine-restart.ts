/**
 * The Docker engine restarted while sessions are live — on a private dockerd (private-dockerd.ts),
 * never the shared one. Expected: the live sessions are marked interrupted with a message that
 * says the engine went away, their terminals close, a start while the engine is away is refused
 * with 503, nothing the client was told is lost, once the engine is back the sweep leaves no
 * object of the instance, and the server goes on serving: a new session starts, works and ends.
 */
import { TerminalDriver } from '../verify/terminal-driver';
import { Ledger } from './evidence';
import { FaultLab, type View } from './lab';
import { PrivateDockerd } from './private-dockerd';

export const ENGINE_RESTART_IMAGES = ['sickbay/scenario-leaky-job:latest', 'sickbay/service:latest', 'sickbay/console:latest'];

export interface EngineRestartResult {
  skipped: string | null;
  sessions: { id: string; statusAfter: string; detail: string | null; hasReport: boolean; terminalClosed: string | null }[];
  /** From the engine stopping to every session closed, ms. */
  interruptedWithinMs: number | null;
  startWhileDown: { status: number; code: string | null; message: string | null } | null;
  leftovers: string[];
  newSessionWorked: boolean;
  problems: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function engineRestart(opts: { log: (l: string) => void; sessions?: number }): Promise<EngineRestartResult> {
  const result: EngineRestartResult = { skipped: null, sessions: [], interruptedWithinMs: null, startWhileDown: null, leftovers: [], newSessionWorked: false, problems: [] };
  const why = PrivateDockerd.unavailable();
  if (why) return { ...result, skipped: why };
  const dockerd = new PrivateDockerd();
  let lab: FaultLab | null = null;
  const terms: TerminalDriver[] = [];
  try {
    opts.log('starting the private dockerd');
    await dockerd.start();
    await dockerd.ensureImages(ENGINE_RESTART_IMAGES, opts.log);
    lab = await FaultLab.start({ env: { DOCKER_HOST: dockerd.dockerHost } });
    const ledger = new Ledger();
    const views: View[] = [];
    for (let i = 0; i < (opts.sessions ?? 2); i++) views.push(await lab.ready((await lab.create('leaky-job', `engine-${i}`)).id));
    for (const v of views) {
      const t = new TerminalDriver(lab.url, v.terminal as { path: string; token: string });
      await t.attached(120_000);
      const out = await t.run('echo before-restart-$((2+3))', { timeoutMs: 60_000 });
      if (out.includes('before-restart-5')) ledger.noteMarker(v.id, 'before-restart-5', Date.now());
      terms.push(t);
      await ledger.capture(lab, v.id);
    }

    opts.log('stopping the private dockerd with sessions live');
    const stopped = Date.now();
    await dockerd.stop();
    const live = async () => (await Promise.all(views.map((v) => lab!.get<View>(`/api/sessions/${v.id}`)))).filter((v) => v.status === 'ready' || v.status === 'ending');
    for (let i = 0; i < 120 && (await live()).length > 0; i++) await sleep(500);
    if ((await live()).length === 0) result.interruptedWithinMs = Date.now() - stopped;
    else result.problems.push('the sessions were still live 60 s after the engine stopped');
    const down = await lab.api<{ error?: { code: string; message: string } }>('POST', '/api/sessions', { scenario: 'leaky-job', seed: 'while-down' });
    result.startWhileDown = { status: down.status, code: down.body.error?.code ?? null, message: down.body.error?.message ?? null };
    if (down.status !== 503) result.problems.push(`a start while the engine is away answered ${down.status}, not 503`);

    opts.log('starting the private dockerd again');
    await dockerd.start();
    for (const v of views) {
      const after = await lab.get<View>(`/api/sessions/${v.id}`);
      const term = terms[views.indexOf(v)] as TerminalDriver;
      result.sessions.push({ id: v.id, statusAfter: after.status, detail: after.statusDetail, hasReport: after.hasReport, terminalClosed: term.closed ? `${term.closed.code} ${term.closed.reason}` : null });
      if (after.status !== 'ended') result.problems.push(`session ${v.id} is ${after.status} after the engine restart`);
      if (!/interrupted: the Docker engine/.test(after.statusDetail ?? '')) result.problems.push(`session ${v.id} does not say the engine went away: ${after.statusDetail}`);
      if (!after.hasReport) result.problems.push(`session ${v.id} has no report`);
      if (!term.closed) result.problems.push(`the terminal of ${v.id} is still open`);
    }
    const { losses, recording } = await ledger.verify(lab, Date.now());
    result.problems.push(...losses.map((l) => `lost: ${l.what}`));
    if (recording.lost) result.problems.push(`${recording.lost} terminal marker(s) missing from the recordings`);
    result.leftovers = await lab.waitClean(120_000);
    if (result.leftovers.length) result.problems.push(`left after the engine came back: ${result.leftovers.join(', ')}`);

    // The server goes on: a new session on the restarted engine, used and ended.
    let fresh: View | null = null;
    for (let i = 0; i < 30 && !fresh; i++) {
      const res = await lab.api<View>('POST', '/api/sessions', { scenario: 'leaky-job', seed: 'after-restart' });
      if (res.status === 201) fresh = res.body;
      else await sleep(1_000); // the watch may not have seen the engine come back yet
    }
    if (!fresh) result.problems.push('no session could start after the engine came back');
    else {
      const ready = await lab.ready(fresh.id);
      const t = new TerminalDriver(lab.url, ready.terminal as { path: string; token: string });
      await t.attached(120_000);
      const out = await t.run("docker ps --format '{{.Names}}'", { timeoutMs: 60_000 });
      await t.close();
      const ended = await lab.api<View>('DELETE', `/api/sessions/${fresh.id}`);
      result.newSessionWorked = out.includes(fresh.id) && ended.status === 200 && ended.body.hasReport;
      if (!result.newSessionWorked) result.problems.push(`the session after the restart did not work (docker ps: ${out.slice(0, 200)}; end: ${ended.status})`);
    }
  } finally {
    for (const t of terms) await t.close().catch(() => {});
    await lab?.close().catch(() => {});
    await dockerd.dispose().catch(() => {});
  }
  return result;
}
