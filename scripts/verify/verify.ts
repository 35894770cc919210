/**
 * `npm run scenario:verify`: proves that a scenario is broken, fixable and fairly scored, on the
 * real engine, the way a learner would do it. For each scenario and seed, and for each of its
 * two solution scripts (docs/scenarios.md, "Verifying a scenario"):
 *
 *   1. start a session and wait until it is ready;
 *   2. the symptoms: at least one goal must fail before anything is done;
 *   3. type the script into the session's console, line by line, through the terminal gateway
 *      (the console's Docker CLI reaches the containers only through the session's proxy),
 *      stopping at the first line that fails;
 *   4. reference only: check the goals until they all pass (as a learner presses "Check goals");
 *   5. submit the diagnosis and update the script printed (SICKBAY_* lines), citing the events of
 *      its `#@ evidence` lines; end the session; read the report;
 *   6. teardown: nothing labelled with the session may be left (snapshot images the script took
 *      are removed and counted);
 *   7. expectations: reference — every goal met and total >= 85; reckless — total <= 40.
 */
import fs from 'node:fs';
import path from 'node:path';
import Docker from 'dockerode';
import type { SessionEvent } from '@/lib/audit/events';
import { LABEL, MANAGED_BY } from '@/lib/lifecycle/labels';
import type { GoalReport, Lab, SessionView, StoredReport } from './lab';
import { parseReportLines, parseSolution, placeholders, substitute, type ReportedAnswers } from './solution';
import { DEFAULT_EXPECTATIONS, clip, learnerCaused, mitigatedAt, secs, summariseReport, type Expectations } from './format';
import { actsLikeReference, fairnessFile, fairnessProblems, FAIRNESS_KINDS, fairnessSolution, guessAnswers, missingFairnessScript, type FairnessKind } from './fairness';
import { outputLines, TerminalDriver, TerminalTimeout } from './terminal-driver';

export { DEFAULT_EXPECTATIONS, formatResults, summariseReport, type Expectations } from './format';

export type SolutionKind = 'reference' | 'reckless' | FairnessKind;
/** The scenario's own scripts (the default); the fairness corpus (fairness.ts) is built from the reference. */
export const SOLUTION_KINDS: readonly SolutionKind[] = ['reference', 'reckless'];
export const ALL_KINDS: readonly SolutionKind[] = [...SOLUTION_KINDS, ...FAIRNESS_KINDS];
const isFairness = (k: SolutionKind): k is FairnessKind => (FAIRNESS_KINDS as readonly string[]).includes(k);


export interface VerifyOptions {
  lab: Lab;
  /** Scenario folders (scenarios/<slug>/solutions/*.sh live there). */
  scenariosDir: string;
  /** Default: every scenario the lab serves. */
  scenarios?: string[];
  seeds: string[];
  solutions?: readonly SolutionKind[];
  expect?: Expectations;
  /** How long the reference's goals may take to settle after its last line (default 120 s). */
  settleMs?: number;
  /** How long provisioning may take (default 300 s). */
  readyTimeoutMs?: number;
  /** Progress lines. */
  log?: (line: string) => void;
  /** Also print every line's output. */
  verbose?: boolean;
  /** Where each run's transcript goes (<slug>-<seed>-<solution>.txt); null: nowhere. */
  transcriptDir?: string | null;
  docker?: Docker;
  /**
   * Called after the script, the goal checks and the submissions, with the terminal at its
   * prompt, before the session is ended: keeps it live meanwhile (the soak tool samples
   * keystroke echo here while other sessions still work).
   */
  hold?: (session: { id: string; terminal: TerminalDriver }) => Promise<void>;
}

export interface LineRun {
  lineNo: number;
  typed: string;
  exitCode: number | null;
  ms: number;
}

export interface RunResult {
  scenario: string;
  seed: string;
  solution: SolutionKind;
  sessionId: string | null;
  ok: boolean;
  problems: string[];
  notes: string[];
  /** Goals failing / total before the script (the symptoms). */
  symptoms: { failing: number; total: number } | null;
  lines: LineRun[];
  linesTotal: number;
  /** The final goal check, from the report. */
  goals: { passed: number; total: number } | null;
  total: number | null;
  /** The per-run answer, from the report. */
  culprit: string | null;
  report: StoredReport | null;
  ms: { ready: number | null; script: number | null; end: number | null; run: number };
  transcript: string | null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function lastId(events: SessionEvent[]): number {
  return events.reduce((max, e) => Math.max(max, e.id), 0);
}

async function waitReady(lab: Lab, id: string, timeoutMs: number): Promise<SessionView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await lab.get(id);
    if (s.status === 'ready' && s.terminal) return s;
    if (s.status === 'failed') throw new Error(`provisioning failed: ${s.statusDetail ?? 'no detail'}`);
    if (s.status === 'ended' || s.status === 'ending') throw new Error(`the session ${s.status} before it was ready: ${s.statusDetail ?? ''}`);
    if (Date.now() > deadline) throw new Error(`not ready after ${timeoutMs / 1000} s (status ${s.status})`);
    await sleep(500);
  }
}

function failingGoals(report: GoalReport | { results: { id: string; pass: boolean; evidence: string }[] }): string {
  return report.results
    .filter((r) => !r.pass)
    .map((r) => `${r.id} (${r.evidence})`)
    .join('; ');
}

/** Evidence to cite: the typed line first, then the proxy calls it made; at most 20 (the API's limit). */
function evidenceIds(events: SessionEvent[]): number[] {
  const typed = events.filter((e) => e.kind === 'typed').map((e) => e.id);
  const calls = events.filter((e) => e.kind === 'docker').map((e) => e.id);
  return [...typed, ...calls];
}

async function leftovers(docker: Docker, sessionId: string): Promise<{ objects: string[]; snapshots: string[] }> {
  const label = [`${LABEL.managedBy}=${MANAGED_BY}`, `${LABEL.session}=${sessionId}`];
  const [containers, networks, images] = await Promise.all([
    docker.listContainers({ all: true, filters: { label } }),
    docker.listNetworks({ filters: { label } }),
    docker.listImages({ filters: { label } }),
  ]);
  return {
    objects: [...containers.map((c) => `container ${c.Names[0] ?? c.Id}`), ...networks.map((n) => `network ${n.Name}`)],
    snapshots: images.map((i) => i.Id),
  };
}

/** One (scenario, seed, solution) run from start to teardown; never throws (problems are in the result). */
export async function runOne(opts: VerifyOptions, slug: string, seed: string, kind: SolutionKind, earlier: readonly RunResult[] = []): Promise<RunResult> {
  const { lab } = opts;
  const log = opts.log ?? (() => {});
  const expect = opts.expect ?? DEFAULT_EXPECTATIONS;
  const started = Date.now();
  const result: RunResult = {
    scenario: slug,
    seed,
    solution: kind,
    sessionId: null,
    ok: false,
    problems: [],
    notes: [],
    symptoms: null,
    lines: [],
    linesTotal: 0,
    goals: null,
    total: null,
    culprit: null,
    report: null,
    ms: { ready: null, script: null, end: null, run: 0 },
    transcript: null,
  };
  const transcript: string[] = [];
  const note = (line: string) => {
    transcript.push(line);
    log(line);
  };
  const file = path.join(opts.scenariosDir, slug, 'solutions', isFairness(kind) ? fairnessFile(kind) : `${kind}.sh`);
  if (!fs.existsSync(file)) {
    const skipped = isFairness(kind) ? missingFairnessScript(kind) : null;
    if (skipped) result.notes.push(skipped);
    else result.problems.push(`${path.relative(process.cwd(), file)} is missing`);
    result.ok = result.problems.length === 0;
    result.ms.run = Date.now() - started;
    return result;
  }
  const own = parseSolution(fs.readFileSync(file, 'utf8'));
  const parsed = isFairness(kind) && own.errors.length === 0 ? fairnessSolution(kind, own) : own;
  const guess = kind === 'guess' ? guessAnswers(earlier.find((r) => r.scenario === slug && r.seed === seed && r.solution === 'reference')?.report ?? null) : null;
  if (typeof guess === 'string') {
    (guess.startsWith('skipped') ? result.notes : result.problems).push(guess);
    result.ok = result.problems.length === 0;
    result.ms.run = Date.now() - started;
    return result;
  }
  result.linesTotal = parsed.lines.length;
  if (parsed.errors.length) {
    result.problems.push(...parsed.errors.map((e) => `${path.relative(process.cwd(), file)}: ${e}`));
    result.ms.run = Date.now() - started;
    return result;
  }

  let session: SessionView;
  try {
    session = await lab.create(slug, seed);
  } catch (err) {
    result.problems.push(`could not start a session: ${(err as Error).message}`);
    result.ms.run = Date.now() - started;
    return result;
  }
  const id = session.id;
  result.sessionId = id;
  note(`[${slug} ${seed} ${kind}] session ${id}`);
  let answers: ReportedAnswers = { diagnosis: null, reason: null, update: null, errors: [] };
  let term: TerminalDriver | null = null;
  try {
    const readyStart = Date.now();
    const ready = await waitReady(lab, id, opts.readyTimeoutMs ?? 300_000);
    result.ms.ready = Date.now() - readyStart;
    note(`  ready in ${secs(result.ms.ready)}; services: ${ready.services.map((s) => `${s.name}=${s.container}`).join(', ')}`);
    // What the customers call, as the session page's chart shows it (they are the lab's own).
    const target = (await lab.customers(id)).target;
    const values = { ...placeholders(ready.services, parsed.assigned), ...(target && !parsed.assigned.includes('CUSTOMERS_URL') ? { CUSTOMERS_URL: target.url } : {}) };
    term = new TerminalDriver(lab.baseUrl, ready.terminal as NonNullable<SessionView['terminal']>, { cols: 1000, rows: 50 });
    const t = term;
    // The symptom check and the console's login run side by side: the timeline starts at ready.
    const [before] = await Promise.all([lab.checkGoals(id), t.attached()]);
    const failing = before.results.filter((r) => !r.pass).length;
    result.symptoms = { failing, total: before.total };
    if (failing === 0) result.problems.push(`no symptoms: every goal passes before the script ran (${before.results.map((r) => r.evidence).join(' | ')})`);
    note(`  symptoms: ${failing}/${before.total} goals fail — ${failingGoals(before) || 'none'}`);
    await t.reportExitStatus();

    const scriptStart = Date.now();
    const outputs: string[] = [];
    const evidence: number[] = [];
    for (const line of parsed.lines) {
      const typed = substitute(line.text, values);
      const mark = line.evidence ? lastId(await lab.events(id)) : 0;
      const at = secs(Date.now() - scriptStart);
      let exitCode: number | null;
      let ms: number;
      try {
        const res = await t.exec(typed, line.timeoutMs);
        exitCode = res.exitCode;
        ms = res.ms;
        outputs.push(...outputLines(res.output));
        transcript.push(`$ ${typed}`, res.output.replace(/\r\n/g, '\n').replace(/\n$/, ''), `  (line ${line.lineNo}, exit ${exitCode}, ${secs(ms)})`);
        if (opts.verbose) log(res.output.replace(/\r\n/g, '\n').replace(/\n$/, '').replace(/^/gm, '      | '));
      } catch (err) {
        const partial = err instanceof TerminalTimeout ? err.partialOutput : '';
        transcript.push(`$ ${typed}`, partial, `  (line ${line.lineNo}: ${(err as Error).message})`);
        result.lines.push({ lineNo: line.lineNo, typed, exitCode: null, ms: line.timeoutMs });
        result.problems.push(`line ${line.lineNo} of ${kind}.sh: ${(err as Error).message}`);
        log(`  ${at} line ${line.lineNo}: ${(err as Error).message}`);
        break;
      }
      result.lines.push({ lineNo: line.lineNo, typed, exitCode, ms });
      log(`  ${at.padStart(6)} ${exitCode === 0 ? ' ' : '!'} ${clip(typed, 110)}  (${secs(ms)}${exitCode === 0 ? '' : `, exit ${exitCode}`})`);
      if (line.evidence) {
        await sleep(300); // the proxy logs a call as it completes; give the last one a moment
        evidence.push(...evidenceIds((await lab.events(id, mark)).filter((e) => e.kind === 'typed' || e.kind === 'docker')));
      }
      if (exitCode !== 0 && !line.mayFail) {
        result.problems.push(`line ${line.lineNo} of ${kind}.sh exited with status ${exitCode}: ${typed}`);
        break;
      }
    }
    result.ms.script = Date.now() - scriptStart;
    // Fairness runs submit nothing of the reference's (restart-first keeps its answers: it fixed too).
    answers = guess ?? (kind === 'nothing' ? answers : parseReportLines(outputs));
    // A restart may hide what the reference looks for: its lines may fail and its answers come
    // out empty (then nothing is submitted); the score is the test.
    if (kind === 'restart-first') result.problems = result.problems.filter((p) => !p.startsWith('line '));
    else result.problems.push(...answers.errors);

    if (actsLikeReference(kind) && result.problems.length === 0) {
      // A learner checks the goals until they pass; the last in-flight work needs a moment to drain.
      const settleStart = Date.now();
      let last: GoalReport | null = null;
      while (Date.now() - settleStart < (opts.settleMs ?? 120_000)) {
        last = await lab.checkGoals(id);
        if (last.passed === last.total) break;
        await sleep(3000);
      }
      if (last) note(`  goals after the script: ${last.passed}/${last.total}${last.passed === last.total ? '' : ` — ${failingGoals(last)}`} (${secs(Date.now() - settleStart)})`);
    }
    if (answers.diagnosis && answers.reason && answers.errors.length === 0) {
      const cited = [...new Set(evidence)].slice(0, 20);
      await lab
        .submitDiagnosis(id, { ...answers.diagnosis, evidence: cited, reason: answers.reason })
        .then(() => note(`  diagnosis: ${answers.diagnosis?.category}, culprit "${answers.diagnosis?.culprit}", ${answers.diagnosis?.decision}, ${cited.length} evidence event(s)`))
        .catch((err: Error) => result.problems.push(`the diagnosis was refused: ${err.message}`));
    } else if (!answers.diagnosis) note('  diagnosis: none (no SICKBAY_DIAGNOSIS line)');
    if (answers.update) {
      await lab
        .submitUpdate(id, answers.update)
        .then(() => note('  update sent'))
        .catch((err: Error) => result.problems.push(`the update was refused: ${err.message}`));
    } else note('  update: none (no SICKBAY_UPDATE line)');
    if (opts.hold) await opts.hold({ id, terminal: t });
  } catch (err) {
    result.problems.push((err as Error).message);
  } finally {
    await term?.close().catch(() => {});
    const endStart = Date.now();
    try {
      await lab.end(id);
    } catch (err) {
      result.problems.push(`ending the session failed: ${(err as Error).message}`);
    }
    result.ms.end = Date.now() - endStart;
  }

  try {
    const report = await lab.report(id);
    result.report = report;
    result.total = report.total;
    result.culprit = report.truth.culprit;
    const passed = report.goals.filter((g) => g.pass).length;
    result.goals = { passed, total: report.goals.length };
    if (isFairness(kind)) {
      result.problems.push(...fairnessProblems(kind, report));
    } else if (kind === 'reference') {
      if (report.goals.length === 0 || passed < report.goals.length) result.problems.push(`goals at the end: ${passed}/${report.goals.length} — ${failingGoals({ results: report.goals })}`);
      if (report.total < expect.referenceMin) result.problems.push(`total ${report.total} < ${expect.referenceMin}`);
      // The careful path never makes it worse for the customers (docs/scoring.md, customer impact).
      if (learnerCaused(report) !== 'none' && learnerCaused(report) !== '-') result.problems.push(`the reference run hurt the customers: ${learnerCaused(report)}`);
    } else if (report.total > expect.recklessMax) {
      result.problems.push(`total ${report.total} > ${expect.recklessMax}`);
    }
    note(`  report: total ${report.total}, goals ${passed}/${report.goals.length}, culprit was "${report.truth.culprit}"; customers served normally again from ${mitigatedAt(report)}, caused by the learner: ${learnerCaused(report)}`);
    transcript.push('', summariseReport(report));
  } catch (err) {
    if (result.symptoms) result.problems.push(`no report: ${(err as Error).message}`);
  }

  const docker = opts.docker ?? new Docker();
  try {
    const left = await leftovers(docker, id);
    if (left.objects.length) result.problems.push(`teardown left ${left.objects.join(', ')}`);
    if (left.snapshots.length) {
      for (const img of left.snapshots) await docker.getImage(img).remove({ force: true }).catch(() => {});
      result.notes.push(`${left.snapshots.length} snapshot image(s) removed`);
    }
  } catch (err) {
    result.problems.push(`could not look for leftovers: ${(err as Error).message}`);
  }

  result.ok = result.problems.length === 0;
  result.ms.run = Date.now() - started;
  if (!result.ok) note(`  FAILED: ${result.problems.join(' | ')}`);
  if (opts.transcriptDir) {
    fs.mkdirSync(opts.transcriptDir, { recursive: true });
    const out = path.join(opts.transcriptDir, `${slug}-${seed}-${kind}.txt`);
    fs.writeFileSync(out, `${transcript.join('\n')}\n${result.problems.length ? `\nproblems:\n${result.problems.map((p) => `  - ${p}`).join('\n')}\n` : ''}`);
    result.transcript = out;
  }
  return result;
}

/** Runs every (scenario, seed, solution) in turn; sessions never overlap. */
export async function verifyScenarios(opts: VerifyOptions): Promise<RunResult[]> {
  const slugs = opts.scenarios ?? (await opts.lab.scenarios());
  const served = new Set(await opts.lab.scenarios());
  const results: RunResult[] = [];
  for (const slug of slugs) {
    for (const seed of opts.seeds) {
      for (const kind of opts.solutions ?? SOLUTION_KINDS) {
        if (!served.has(slug)) {
          results.push({
            scenario: slug, seed, solution: kind, sessionId: null, ok: false, problems: [`unknown scenario "${slug}" (served: ${[...served].join(', ')})`], notes: [],
            symptoms: null, lines: [], linesTotal: 0, goals: null, total: null, culprit: null, report: null, ms: { ready: null, script: null, end: null, run: 0 }, transcript: null,
          });
          continue;
        }
        results.push(await runOne(opts, slug, seed, kind, results));
      }
    }
  }
  return results;
}
