/**
 * kill -9 of the server at random moments, each in one of four phases of a leaky-job session:
 *
 *   provisioning  the session was just created (queued or provisioning)
 *   typing        the learner types at the console (marker lines the recording must keep)
 *   diagnosis     a diagnosis, an update and a hint are being submitted
 *   teardown      the session is being ended (final check, terminal, proxy, containers)
 *
 * Before each kill the client notes what it was told (evidence.ts); after the restart every
 * note must hold, the session must be closed (never stuck live or ending), the docker CLIs the
 * old process ran must be gone, and after the sweep nothing may carry the instance's label.
 */
import fs from 'node:fs';
import { dockerClis, descendants } from '@/bench/lib/proc';
import { TerminalDriver } from '../verify/terminal-driver';
import { Ledger, type Loss, type RecordingCheck } from './evidence';
import type { FaultLab, View } from './lab';

export const KILL_PHASES = ['provisioning', 'typing', 'diagnosis', 'teardown'] as const;
export type KillPhase = (typeof KILL_PHASES)[number];

/** Markers seen by the client this long before the kill must be in the recording (the flush is every 250 ms). */
export const RECORDING_GRACE_MS = 1_000;

export interface KillMoment {
  n: number;
  phase: KillPhase;
  /** How far into the phase the kill came, ms. */
  delayMs: number;
  sessionId: string;
  statusAtKill: string;
  /** Submissions / DELETE that were answered before the kill. */
  answered: string[];
  losses: Loss[];
  recording: RecordingCheck;
  /** Status after the restart. */
  statusAfter: string;
  statusDetailAfter: string | null;
  /** Labelled objects left after the restart and the sweep (should be none). */
  leftovers: string[];
  /** Docker CLI processes of the killed server still running after the restart. */
  orphanClis: number;
  socketDirs: number;
  restartMs: number;
  problems: string[];
}

/** A small seeded generator: a run can be repeated with --seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A docker CLI that is still alive (a zombie waiting to be reaped is not). */
function stillRunning(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) === 'docker' && stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Notes what the API says about the session every ~300 ms until stopped. */
function captureLoop(lab: FaultLab, ledger: Ledger, id: string): () => Promise<void> {
  let on = true;
  const loop = (async () => {
    while (on) {
      await ledger.capture(lab, id).catch(() => {});
      await sleep(300);
    }
  })();
  return async () => {
    on = false;
    await loop;
  };
}

/** Types marker lines one after another until stopped or the terminal goes. */
function typingLoop(term: TerminalDriver, ledger: Ledger, id: string): () => Promise<void> {
  let on = true;
  let k = 0;
  const loop = (async () => {
    while (on && !term.closed) {
      k++;
      try {
        // The output (…-2) differs from the typed line ($((1+1))): only output counts.
        const out = await term.run(`echo mk-${id}-${k}-$((1+1))`, { timeoutMs: 60_000 });
        const marker = `mk-${id}-${k}-2`;
        if (out.includes(marker)) ledger.noteMarker(id, marker, Date.now());
      } catch {
        return;
      }
      await sleep(40);
    }
  })();
  return async () => {
    on = false;
    await loop;
  };
}

async function readyWithTerminal(lab: FaultLab, seed: string): Promise<{ view: View; term: TerminalDriver }> {
  const created = await lab.create('leaky-job', seed);
  const view = await lab.ready(created.id);
  const term = new TerminalDriver(lab.url, view.terminal as { path: string; token: string });
  await term.attached(120_000);
  return { view, term };
}

export async function killMoment(lab: FaultLab, n: number, phase: KillPhase, random: () => number): Promise<KillMoment> {
  const ledger = new Ledger();
  const answered: string[] = [];
  const problems: string[] = [];
  let id = '';
  let term: TerminalDriver | null = null;
  let delayMs = 0;
  let stopCapture: () => Promise<void> = async () => {};
  let stopTyping: () => Promise<void> = async () => {};
  // The old server's docker CLIs, read before the moment (reading /proc takes a while).
  let clis: number[] = [];
  const noteClis = () => void (clis = descendants(lab.server.pid).filter((p) => p.comm === 'docker').map((p) => p.pid));

  if (phase === 'provisioning') {
    id = (await lab.create('leaky-job', `kill-${n}`)).id;
    stopCapture = captureLoop(lab, ledger, id);
    delayMs = Math.round(random() * 2_500); // a warm leaky-job start takes a few seconds
    noteClis(); // none yet: the terminal opens once it is ready
    await sleep(delayMs);
  } else {
    const s = await readyWithTerminal(lab, `kill-${n}`);
    id = s.view.id;
    term = s.term;
    stopCapture = captureLoop(lab, ledger, id);
    if (phase === 'typing') {
      stopTyping = typingLoop(term, ledger, id);
      noteClis();
      delayMs = 1_000 + Math.round(random() * 5_000);
      await sleep(delayMs);
    } else if (phase === 'diagnosis') {
      await term.run('docker ps', { timeoutMs: 60_000 });
      await term.run('docker top $(docker ps -q --filter name=api)', { timeoutMs: 60_000 }).catch(() => '');
      await ledger.capture(lab, id);
      const events = (await lab.get<{ events: { id: number; kind: string }[] }>(`/api/sessions/${id}/events`)).events;
      const evidence = events.filter((e) => e.kind === 'docker' || e.kind === 'typed').map((e) => e.id).slice(0, 10);
      noteClis();
      const submit = (what: string, route: string, body: unknown) =>
        lab
          .api<{ id?: number; kind?: string; t?: number; at?: number }>('POST', route, body)
          .then((res) => {
            if (res.status === 201 || res.status === 200) {
              answered.push(what);
              if (typeof res.body.id === 'number' && res.body.kind) ledger.noteEvents(id, [res.body as never]);
            }
          })
          .catch(() => {});
      void submit('diagnosis', `/api/sessions/${id}/diagnosis`, { category: 'runaway-process', culprit: 'the background job', evidence, decision: 'fix-in-place', reason: 'memory grows with the job running' });
      void submit('update', `/api/sessions/${id}/update`, { text: 'We found a runaway job in the API; next update in 15 minutes.' });
      void submit('hint', `/api/sessions/${id}/hints`, {});
      delayMs = Math.round(random() * 100); // the answers take a few tens of ms: kill before, among and after them
      await sleep(delayMs);
    } else {
      stopTyping = typingLoop(term, ledger, id);
      await sleep(1_500);
      await stopTyping();
      await ledger.capture(lab, id);
      noteClis();
      void lab
        .api('DELETE', `/api/sessions/${id}`)
        .then(async (res) => {
          if (res.status !== 200) return;
          answered.push('end');
          const report = await lab.api('GET', `/api/sessions/${id}/report`);
          if (report.status === 200) ledger.noteReport(id, report.body);
        })
        .catch(() => {});
      delayMs = Math.round(random() * 1_500); // the final check and teardown take one to a few seconds
      await sleep(delayMs);
    }
  }

  // Nothing awaited between the moment and the kill: the status is the last one the client saw.
  const statusAtKill = ledger.lastStatus(id) ?? '?';
  const killedAt = Date.now();
  const restartStarted = performance.now();
  await lab.killAndRestart();
  const restartMs = Math.round(performance.now() - restartStarted);
  await Promise.all([stopCapture(), stopTyping()]);
  await term?.close().catch(() => {});

  const { losses, recording } = await ledger.verify(lab, killedAt);
  if (losses.length) problems.push(...losses.map((l) => `lost: ${l.what}`));
  if (recording.lost > 0 && recording.windowMs > RECORDING_GRACE_MS) {
    problems.push(`the recording lost output the client saw ${recording.windowMs} ms before the kill (allowed: the last ${RECORDING_GRACE_MS} ms)`);
  }
  const after = await lab.get<View>(`/api/sessions/${id}`);
  if (after.status !== 'ended' && after.status !== 'failed') problems.push(`after the restart the session is ${after.status}, not closed`);
  if (after.readyAt !== null && !after.hasReport) problems.push('a session that had been ready has no report after the restart');
  // The pty's hang-up ends each CLI within a second or two (a zombie until init reaps it).
  let orphanClis = clis.filter(stillRunning).length;
  for (let i = 0; i < 30 && orphanClis > 0; i++) {
    await sleep(500);
    orphanClis = clis.filter(stillRunning).length;
  }
  const leftovers = await lab.waitClean(90_000);
  if (leftovers.length) problems.push(`left after the sweep: ${leftovers.join(', ')}`);
  if (orphanClis) problems.push(`${orphanClis} docker CLI process(es) of the killed server still run 15 s after the restart`);
  const socketDirs = lab.socketDirs().length;
  if (socketDirs) problems.push(`${socketDirs} proxy socket folder(s) left in the data dir`);
  if (dockerClis(lab.server.pid) > 0) problems.push('the new server runs docker CLIs with no session live');
  return {
    n,
    phase,
    delayMs,
    sessionId: id,
    statusAtKill,
    answered,
    losses,
    recording,
    statusAfter: after.status,
    statusDetailAfter: after.statusDetail,
    leftovers,
    orphanClis,
    socketDirs,
    restartMs,
    problems,
  };
}

export interface KillSweep {
  seed: number;
  moments: KillMoment[];
  /** Totals over the sweep. */
  lostEvents: number;
  recordingWindowMaxMs: number;
  leftovers: number;
  problems: string[];
}

/** `count` kills, the phases in turn (so each gets its share), each at a random point of its phase. */
export async function killSweep(lab: FaultLab, count: number, seed: number, log: (line: string) => void): Promise<KillSweep> {
  const random = rng(seed);
  const moments: KillMoment[] = [];
  for (let n = 1; n <= count; n++) {
    const phase = KILL_PHASES[(n - 1) % KILL_PHASES.length] as KillPhase;
    let m: KillMoment;
    try {
      m = await killMoment(lab, n, phase, random);
    } catch (err) {
      log(`kill ${n}/${count} (${phase}): could not run: ${(err as Error).message}`);
      if (!lab.server.running) await lab.killAndRestart().catch(() => {});
      moments.push({ n, phase, delayMs: 0, sessionId: '', statusAtKill: '?', answered: [], losses: [], recording: { kept: 0, lost: 0, windowMs: 0 }, statusAfter: '?', statusDetailAfter: null, leftovers: [], orphanClis: 0, socketDirs: 0, restartMs: 0, problems: [`could not run: ${(err as Error).message}`] });
      continue;
    }
    moments.push(m);
    log(
      `kill ${n}/${count} (${phase}, ${m.delayMs} ms in, ${m.statusAtKill}${m.answered.length ? `, answered: ${m.answered.join(' ')}` : ''}): ` +
        `restart ${(m.restartMs / 1000).toFixed(1)} s, now ${m.statusAfter}; recording kept ${m.recording.kept}/${m.recording.kept + m.recording.lost} markers` +
        `${m.recording.lost ? ` (lost window ${m.recording.windowMs} ms)` : ''}; ${m.problems.length ? `PROBLEMS: ${m.problems.join('; ')}` : 'nothing lost, nothing left'}`,
    );
  }
  const final = await lab.waitClean(120_000);
  const problems = moments.flatMap((m) => m.problems.map((p) => `kill ${m.n} (${m.phase}): ${p}`));
  if (final.length) problems.push(`left at the end of the sweep: ${final.join(', ')}`);
  return {
    seed,
    moments,
    lostEvents: moments.reduce((s, m) => s + m.losses.length, 0),
    recordingWindowMaxMs: Math.max(0, ...moments.map((m) => m.recording.windowMs)),
    leftovers: final.length,
    problems,
  };
}
