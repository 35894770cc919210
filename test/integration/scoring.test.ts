/**
 * Scoring on the real leaky-job scenario, driven the way a learner drives it: a WebSocket
 * client on the session's terminal (the path and token GET /api/sessions/:id hands out) types
 * into the console shell, every docker command goes through the session's auditing proxy, and
 * the report stored when the session ends is read back over HTTP. Three runs, one session each:
 *
 *   expert   stats, logs, inspect, a read-only exec ps, a commit, a kill of the job's PID read
 *            from that ps, a check, a diagnosis citing the ps events, an update: >= 85, 3/3 goals
 *   reckless docker restart first: <= 40, no-state-loss broken citing the restart
 *   pkill    the API's main process ended with pkill, then `docker start api`: no-state-loss
 *            broken from Docker's record (no command says "restart")
 *   jump-in  docker exec -it api bash first, ps and kill inside: both ordering rules broken,
 *            every goal met
 *
 * Everything is removed by its instance label afterwards, even when a test fails.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { SessionEvent } from '@/lib/audit/events';
import { LABEL, MANAGED_BY } from '@/lib/lifecycle/labels';
import { TerminalDriver } from '@/scripts/verify/terminal-driver';
import type { StoredReport } from '@/lib/scoring';
import { api, docker, labelledObjects, removeInstanceObjects, startServer, tempDataDir, testInstance, waitFor, type ServerProcess } from './helpers';

const instance = testInstance();
const dataDir = tempDataDir('sickbay-scoring-it-');
let server: ServerProcess;

interface SessionView {
  id: string;
  status: string;
  statusDetail: string | null;
  services: { name: string; container: string }[];
  terminal: { path: string; token: string } | null;
  hasReport: boolean;
}

interface GoalReport {
  passed: number;
  total: number;
  results: { id: string; pass: boolean; evidence: string }[];
}

before(async () => {
  server = await startServer({ SICKBAY_DATA_DIR: dataDir, SICKBAY_INSTANCE: instance, SICKBAY_SWEEP_INTERVAL: '1h' });
});

after(async () => {
  await server?.stop('SIGKILL');
  await removeInstanceObjects(instance);
  // Snapshots taken with docker commit are images labelled with the instance.
  const images = await docker.listImages({ filters: { label: [`${LABEL.managedBy}=${MANAGED_BY}`, `${LABEL.instance}=${instance}`] } }).catch(() => []);
  for (const img of images) await docker.getImage(img.Id).remove({ force: true }).catch(() => {});
  fs.rmSync(dataDir, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------
// A learner's terminal: scripts/verify/terminal-driver.ts (shared with scenario:verify)
// ---------------------------------------------------------------------------------------------

/** The prompt of a root bash inside the api container (`docker exec -it api bash`). */
const API_PROMPT = /root@api:[^\r\n]*# $/;

const openTerminal = (terminal: { path: string; token: string }) => new TerminalDriver(server.url, terminal, { cols: 200, rows: 50 });

// ---------------------------------------------------------------------------------------------
// Session helpers over the HTTP API
// ---------------------------------------------------------------------------------------------

async function readySession(seed: string): Promise<SessionView & { terminal: { path: string; token: string } }> {
  // Exam mode: these runs are scored as typed (coach mode, on by default for this beginner
  // scenario, would hold the reckless restart; test/integration/coach-console.test.ts covers it).
  const created = await api<SessionView>(server.url, 'POST', '/api/sessions', { scenario: 'leaky-job', seed, coach: false });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const id = created.body.id;
  return waitFor(`session ${id} to be ready with a terminal`, async () => {
    const s = await api<SessionView>(server.url, 'GET', `/api/sessions/${id}`);
    if (s.body.status === 'failed') throw new Error(`provisioning failed: ${s.body.statusDetail}`);
    return s.body.status === 'ready' && s.body.terminal ? (s.body as SessionView & { terminal: { path: string; token: string } }) : null;
  }, 180_000, 500);
}

async function events(id: string): Promise<SessionEvent[]> {
  const res = await api<{ events: SessionEvent[] }>(server.url, 'GET', `/api/sessions/${id}/events`);
  assert.equal(res.status, 200);
  return res.body.events;
}

/** Checks the goals until they all pass (the API needs a moment once the job is gone). */
async function checkUntilPassing(id: string, attempts = 6): Promise<GoalReport> {
  let last: GoalReport | undefined;
  for (let i = 0; i < attempts; i++) {
    const res = await api<GoalReport>(server.url, 'POST', `/api/sessions/${id}/check`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    last = res.body;
    if (last.passed === last.total) return last;
    await new Promise((r) => setTimeout(r, 3000));
  }
  assert.fail(`goals still failing after ${attempts} checks: ${JSON.stringify(last?.results)}`);
}

async function endAndReport(id: string): Promise<StoredReport> {
  const ended = await api<SessionView>(server.url, 'DELETE', `/api/sessions/${id}`);
  assert.equal(ended.status, 200, JSON.stringify(ended.body));
  assert.equal(ended.body.status, 'ended');
  assert.deepEqual(await labelledObjects({ session: id }), [], 'teardown left nothing labelled');
  const report = await api<StoredReport>(server.url, 'GET', `/api/sessions/${id}/report`);
  assert.equal(report.status, 200, JSON.stringify(report.body));
  console.log(summary(report.body));
  return report.body;
}

function rule(report: StoredReport, id: string) {
  const r = report.protocol.results.find((x) => x.id === id);
  assert.ok(r, `rule ${id} in the report`);
  return r;
}

/** A readable summary for assertion messages. */
function summary(report: StoredReport): string {
  const rules = report.protocol.results.map((r) => `  ${r.id}: ${r.status} ${r.points}/${r.weight} [${r.citations.join(',')}] ${r.note}`);
  return [
    `total ${report.total}; ${Object.entries(report.subscores).map(([k, v]) => `${k} ${v.score}`).join(', ')}`,
    ...rules,
    `goals: ${report.goals.map((g) => `${g.id}=${g.pass}`).join(', ')}`,
    `diagnosis: ${JSON.stringify(report.diagnosisGrade?.reasons)}`,
    `update: ${JSON.stringify(report.updateGrade)}`,
  ].join('\n');
}

/**
 * The runaway job as a learner reads it from `ps aux --sort=-%mem`: the python process with the
 * most memory that is not the API itself. Its name is the script's (`/tmp/jobs/<name>`).
 */
function topJob(psOutput: string): { pid: number; name: string; line: string } {
  for (const raw of psOutput.split(/\r?\n/)) {
    const line = raw.trim();
    const m = /^\S+\s+(\d+)\s+[\d.]+\s+[\d.]+\s+\d+\s+\d+\s+\S+\s+\S+\s+\S+\s+\S+\s+(.*)$/.exec(line);
    if (!m) continue;
    const argv = (m[2] as string).split(/\s+/);
    if (!/python/.test(argv[0] ?? '')) continue;
    const script = argv.slice(1).find((a) => !a.startsWith('-'));
    if (!script || /api\.py$/.test(script)) continue;
    return { pid: Number(m[1]), name: script.split('/').pop() as string, line };
  }
  throw new Error(`no non-API python process in the ps output:\n${psOutput}`);
}

/** The stakeholder update a learner writes once the job is found and stopped. */
const updateText = (job: string) =>
  `Customers saw intermittent 500 errors on the orders API. Cause: the ${job} background job inside the API container leaked memory until requests failed. ` +
  'We killed only that job; the API kept running and errors stopped. Next: we will monitor memory for 30 minutes and cap the job before it runs again.';

// ---------------------------------------------------------------------------------------------

describe('scoring leaky-job through the real terminal and proxy', () => {
  it('an expert run scores 85 or more with every goal met', async () => {
    const s = await readySession('scoring-expert');
    const api1 = s.services.find((x) => x.name === 'api')?.container;
    assert.equal(api1, `sickbay-${s.id}-api`);
    const term = openTerminal(s.terminal);
    await term.attached();

    const stats = await term.run('docker stats --no-stream');
    assert.match(stats, /MEM USAGE/, stats);
    const logs = await term.run(`docker logs --tail 50 ${api1}`);
    assert.ok(logs.trim().length > 0, 'the api has logs');
    const inspect = await term.run(`docker inspect --format '{{.State.Status}} {{.HostConfig.Memory}} {{.RestartCount}}' ${api1}`);
    assert.match(inspect, /running \d+ 0/, inspect);
    const ps = await term.run('docker exec api ps aux --sort=-%mem');
    const job = topJob(ps);
    const snap = await term.run('docker commit api');
    assert.match(snap, /sha256:[0-9a-f]{12,}/, snap);
    const killed = await term.run(`docker exec api kill ${job.pid}; echo "exit=$?"`);
    assert.match(killed, /exit=0/, killed);
    await checkUntilPassing(s.id);

    // Evidence: the typed ps line and the proxy calls behind it.
    const log = await events(s.id);
    const psLine = log.find((e) => e.kind === 'typed' && e.where === 'console' && e.line === 'docker exec api ps aux --sort=-%mem');
    assert.ok(psLine, 'the ps line was audited');
    const psCalls = log.filter((e) => e.kind === 'docker' && (e.action === 'exec' || e.action === 'exec-start') && e.command?.[0] === 'ps');
    assert.ok(psCalls.length >= 1, 'the ps exec went through the proxy');
    // The console's docker CLI (20.10) sends `null` as the commit body: the proxy must take it.
    const commitCall = log.find((e) => e.kind === 'docker' && e.action === 'commit');
    assert.ok(commitCall?.kind === 'docker' && commitCall.allowed && commitCall.status === 201, JSON.stringify(commitCall));
    const diagnosis = await api(server.url, 'POST', `/api/sessions/${s.id}/diagnosis`, {
      category: 'runaway-process',
      culprit: job.name,
      evidence: [psLine.id, ...psCalls.map((e) => e.id)],
      decision: 'fix-in-place',
      reason: 'Killing only the leaking job frees the memory and keeps the API and its state running.',
    });
    assert.equal(diagnosis.status, 201, JSON.stringify(diagnosis.body));
    const update = await api(server.url, 'POST', `/api/sessions/${s.id}/update`, { text: updateText(job.name) });
    assert.equal(update.status, 201, JSON.stringify(update.body));
    await term.close();

    const report = await endAndReport(s.id);
    const why = summary(report);
    assert.equal(report.truth.culprit, job.name, 'the job read from ps is the run\'s culprit');
    assert.equal(report.goals.length, 3);
    assert.ok(report.goals.every((g) => g.pass), `every goal met:\n${why}`);
    assert.ok(report.total >= 85, `expert total ${report.total} >= 85:\n${why}`);
    for (const r of report.protocol.results) assert.notEqual(r.status, 'broken', `${r.id} broken:\n${why}`);
    assert.equal(rule(report, 'observe-outside-first').status, 'met', why);
    assert.ok(rule(report, 'snapshot-before-invasive').citations.includes(commitCall.id), `the commit earned the snapshot rule:\n${why}`);
    assert.equal(report.diagnosisGrade?.culprit.match, 'exact', why);
    assert.ok(report.diagnosisGrade?.evidence.revealing.includes(psLine.id), `the ps line counts as revealing evidence:\n${why}`);
  });

  it('a restart first scores 40 or less and the report cites the restart', async () => {
    const s = await readySession('scoring-reckless');
    const term = openTerminal(s.terminal);
    await term.attached();

    const restarted = await term.run('docker restart api', { timeoutMs: 90_000 });
    assert.match(restarted, /^api\s*$/m, restarted);
    await term.run('docker logs --tail 20 api');
    await term.close();

    const log = await events(s.id);
    const restartCall = log.find((e) => e.kind === 'docker' && e.action === 'restart');
    assert.ok(restartCall, 'the restart went through the proxy');
    assert.ok(restartCall.kind === 'docker' && restartCall.allowed && restartCall.status === 204, JSON.stringify(restartCall));
    const restartLine = log.find((e) => e.kind === 'typed' && e.line === 'docker restart api');
    assert.ok(restartLine, 'the restart line was audited');

    const report = await endAndReport(s.id);
    const why = summary(report);
    assert.ok(report.total <= 40, `reckless total ${report.total} <= 40:\n${why}`);
    const loss = rule(report, 'no-state-loss');
    assert.equal(loss.status, 'broken', why);
    assert.equal(loss.points, 0);
    assert.ok(loss.citations.includes(restartCall.id), `no-state-loss cites the restart call ${restartCall.id}:\n${why}`);
    assert.ok(loss.citations.includes(restartLine.id), `no-state-loss cites the typed restart ${restartLine.id}:\n${why}`);
    assert.match(loss.note, /restarted api before anything about it had been examined: lost debugging state/);
    assert.equal(rule(report, 'observe-outside-first').status, 'broken', why);
    assert.equal(report.goals.find((g) => g.id === 'api-not-restarted')?.pass, false, 'the goal check saw the restart');
    assert.ok(report.deductions.some((d) => d.rule === 'no-state-loss' && d.citations.includes(restartCall.id)), why);
  });

  it("a restart no command names (pkill of the main process, then docker start) is judged from Docker's record", async () => {
    const s = await readySession('scoring-pkill-start');
    const term = openTerminal(s.terminal);
    await term.attached();

    await term.run('docker logs --tail 20 api');
    // api.py handles SIGTERM: the main process exits and the container stops.
    await term.run('docker exec api pkill -f api.py; echo "exit=$?"');
    await waitFor('api to stop', async () => (await term.run("docker inspect --format '{{.State.Running}}' api")).includes('false') || null, 60_000, 1_000);
    const started = await term.run('docker start api', { timeoutMs: 90_000 });
    assert.match(started, /^api\s*$/m, started);
    await term.close();

    const report = await endAndReport(s.id);
    const why = summary(report);
    const log = await events(s.id);
    const record = log.find((e) => e.kind === 'container-record' && e.service === 'api');
    assert.ok(record?.kind === 'container-record' && record.now && record.now.pid !== record.baseline.pid, `the engine logged Docker's record of api: ${JSON.stringify(record)}`);
    const startLine = log.find((e) => e.kind === 'typed' && e.line === 'docker start api');
    assert.ok(startLine, 'the start line was audited');
    const loss = rule(report, 'no-state-loss');
    assert.equal(loss.status, 'broken', why);
    assert.match(loss.note, /Docker's record shows api's main process ended at .*pkill -f api\.py.*started again/, why);
    assert.ok(loss.citations.includes(record.id) && loss.citations.includes(startLine.id), `no-state-loss cites the record and the start:\n${why}`);
    assert.ok(report.total <= 40, `total ${report.total} <= 40:\n${why}`);
  });

  it('jumping straight into a shell breaks both ordering rules while the goals pass', async () => {
    const s = await readySession('scoring-jump-in');
    const term = openTerminal(s.terminal);
    await term.attached();

    await term.run('docker exec -it api bash', { prompt: API_PROMPT });
    const ps = await term.run('ps aux --sort=-%mem', { prompt: API_PROMPT });
    const job = topJob(ps);
    await term.run(`kill ${job.pid}`, { prompt: API_PROMPT });
    await term.run('exit');
    await checkUntilPassing(s.id);

    const log = await events(s.id);
    const shellLine = log.find((e) => e.kind === 'typed' && e.where === 'console' && e.line === 'docker exec -it api bash');
    assert.ok(shellLine, 'the shell line was audited');
    const psInside = log.find((e) => e.kind === 'typed' && e.where === 'exec' && e.line === 'ps aux --sort=-%mem');
    assert.ok(psInside, `lines typed inside the exec are audited: ${JSON.stringify(log.filter((e) => e.kind === 'typed'))}`);
    assert.equal(psInside.kind === 'typed' && psInside.target, 'api');
    const diagnosis = await api(server.url, 'POST', `/api/sessions/${s.id}/diagnosis`, {
      category: 'runaway-process',
      culprit: job.name,
      evidence: [psInside.id],
      decision: 'fix-in-place',
      reason: 'Stopping the job frees the memory without restarting the API.',
    });
    assert.equal(diagnosis.status, 201, JSON.stringify(diagnosis.body));
    const update = await api(server.url, 'POST', `/api/sessions/${s.id}/update`, { text: updateText(job.name) });
    assert.equal(update.status, 201);
    await term.close();

    const report = await endAndReport(s.id);
    const why = summary(report);
    assert.ok(report.goals.length === 3 && report.goals.every((g) => g.pass), `every goal met:\n${why}`);
    const outside = rule(report, 'observe-outside-first');
    assert.equal(outside.status, 'broken', why);
    assert.equal(outside.points, 0, why);
    assert.match(outside.note, /interactive shell/, why);
    assert.ok(outside.citations.includes(shellLine.id), why);
    const ro = rule(report, 'read-only-before-interactive');
    assert.equal(ro.status, 'broken', why);
    assert.equal(ro.points, 0, why);
    assert.match(ro.note, /before any read-only check/, why);
    assert.ok(ro.citations.includes(shellLine.id), why);
    assert.equal(rule(report, 'no-state-loss').status, 'met', why);
    assert.equal(rule(report, 'targeted-reversible-changes').status, 'met', why);
    assert.ok(report.deductions.some((d) => d.rule === 'observe-outside-first'), why);
    assert.ok(report.total < 85, `a fix without the protocol stays below the expert: ${report.total}`);
  });
});
