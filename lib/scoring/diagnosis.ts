/**
 * Diagnosis grading: the right category, the right culprit, and evidence that really showed it.
 *
 * Event outputs are not stored, so "showed it" is judged from what the cited command could
 * have shown: its classification's observations on an affected service. An exec `ps` in the
 * api container or `docker top api` observes processes, so it can show a runaway process;
 * `docker stats api` observes resources — the symptom, not the culprit — and counts as
 * supporting evidence only. A correct culprit with no revealing event anywhere in the session
 * before the submission is treated as a guess.
 */
import { type ClassifiedEvent, commandText, type Observation } from '../audit/classify';
import { callFailed } from '../audit/events';
import type { CulpritKind, DiagnosisTruth } from '../scenario/types';
import { formatClock, resolveService } from './actions';
import type { DiagnosisBody } from './types';
import { namesIt } from './update';

/** What a command must observe to be able to show a culprit of each kind. */
export const REVEALED_BY: Record<CulpritKind, readonly Observation[]> = {
  process: ['processes'],
  query: ['db-activity', 'db-locks', 'db-plan'],
  table: ['db-schema', 'db-plan', 'db-size'],
  network: ['network', 'connectivity', 'firewall', 'traffic-control'],
  container: ['state', 'events', 'resources', 'config'],
  file: ['filesystem', 'disk', 'config'],
  other: ['logs', 'resources', 'processes', 'state', 'config', 'app-state', 'events', 'filesystem', 'disk', 'network', 'connectivity', 'db-activity', 'db-locks', 'db-plan', 'db-schema'],
};

/** Observations that show the symptom around a culprit of each kind. */
export const SUPPORTED_BY: Record<CulpritKind, readonly Observation[]> = {
  process: ['resources', 'logs', 'state', 'app-state'],
  query: ['logs', 'resources', 'db-schema'],
  table: ['db-activity', 'logs', 'resources'],
  network: ['logs', 'config', 'state', 'app-state'],
  container: ['logs', 'processes', 'app-state'],
  file: ['logs', 'resources', 'app-state'],
  other: [],
};

export const DIAGNOSIS_POINTS = { category: 30, culprit: 40, evidence: 30 } as const;

export interface DiagnosisGrade {
  /** 0-100. */
  score: number;
  category: { correct: boolean; points: number };
  culprit: { match: 'exact' | 'partial' | 'none'; guess: boolean; points: number; hedge?: 'all' | 'some' };
  evidence: { points: number; revealing: number[]; supporting: number[]; ignored: number[] };
  reasons: string[];
}

export interface DiagnosisOptions {
  /** Where the culprit lives; evidence must be about one of these. */
  affectedServices?: string[];
  /** All service names, to resolve typed container names. */
  services?: string[];
  /** When the diagnosis was submitted (ms since creation): later events do not count. */
  at?: number;
  /** When the session was ready (ms since creation): the reasons write times on the session clock. */
  readyAt?: number;
  /** The scenario's own declaration of what reveals / supports its culprit (ScenarioProtocol). */
  revealedBy?: readonly Observation[];
  supportedBy?: readonly Observation[];
}

type Judgement = 'revealing' | 'supporting' | 'none';

/** Words that offer a choice rather than an answer. */
const HEDGE = /\b(or|either|one of|any of|some of|maybe|perhaps|possibly|not sure)\b|\w\s*\/\s*\w|\?/i;

/**
 * Does the answer hedge across the run's candidates? Naming every candidate says nothing
 * ('all'); naming the culprit with others in a "this or that" says only part of it ('some').
 * Naming another candidate without offering a choice ("stock answers fine") is an explanation.
 */
function hedgeOf(text: string, truth: DiagnosisTruth, names: readonly string[]): 'all' | 'some' | undefined {
  const candidates = truth.candidates ?? [];
  if (candidates.length < 2) return undefined;
  const others = candidates.filter((c) => !names.some((n) => norm(n) === norm(c)));
  const named = others.filter((c) => namesIt(text, c));
  if (named.length === 0) return undefined;
  if (named.length === others.length) return 'all';
  return HEDGE.test(text) ? 'some' : undefined;
}

const norm = (s: string) => s.trim().toLowerCase();

/** Why a cited event did not count, in the learner's words. */
type Why = 'not-a-command' | 'failed' | 'change' | 'other-service' | 'irrelevant';

const WHY_WORDS: Record<Why | 'later' | 'unknown', string> = {
  'not-a-command': 'not a command',
  failed: 'refused or failed',
  change: 'a change, not an observation',
  'other-service': 'about another service than the affected one',
  irrelevant: 'could not show this kind of cause',
  later: 'after the diagnosis',
  unknown: 'not in this session',
};

interface Verdict {
  j: Judgement;
  why: Why;
}

const none = (why: Why): Verdict => ({ j: 'none', why });

function judge(c: ClassifiedEvent, truth: DiagnosisTruth, opts: DiagnosisOptions): Verdict {
  const cl = c.classification;
  const e = c.event;
  if (!cl || cl.pending) return none('not-a-command');
  if (e.kind === 'docker' && callFailed(e)) return none('failed');
  if (cl.tier !== 'external' && cl.tier !== 'read-only' && cl.tier !== 'interactive' && cl.tier !== 'sidecar' && cl.tier !== 'snapshot') {
    // A change can still have shown something (a kill by name shows its target was found),
    // but it is not an observation: it never counts as evidence.
    return none('change');
  }
  const affected = opts.affectedServices ?? [];
  // A sidecar's run, and what is typed in it, are about the container it joined (actsOn).
  const targets = c.actsOn ? [c.actsOn] : e.kind === 'typed' && e.where === 'exec' ? [e.target] : e.kind === 'docker' ? [e.target ?? e.targetId] : cl.targets;
  const resolved = targets.filter((t): t is string => !!t).map((t) => resolveService(t, opts.services ?? affected) ?? t);
  const onAffected = affected.length === 0 || resolved.length === 0 || resolved.some((t) => t === '*' || affected.includes(t));
  if (!onAffected) return none('other-service');
  const observes = new Set(cl.observes);
  if ((opts.revealedBy ?? REVEALED_BY[truth.culpritKind]).some((o) => observes.has(o))) return { j: 'revealing', why: 'irrelevant' };
  if ((opts.supportedBy ?? SUPPORTED_BY[truth.culpritKind]).some((o) => observes.has(o))) return { j: 'supporting', why: 'irrelevant' };
  return none('irrelevant');
}

export function gradeDiagnosis(
  submission: Pick<DiagnosisBody, 'category' | 'culprit' | 'evidence'>,
  truth: DiagnosisTruth,
  events: readonly ClassifiedEvent[],
  opts: DiagnosisOptions = {},
): DiagnosisGrade {
  const reasons: string[] = [];
  const before = events.filter((c) => opts.at === undefined || c.event.t <= opts.at);

  const categoryOk = submission.category === truth.category;
  const categoryPoints = categoryOk ? DIAGNOSIS_POINTS.category : 0;
  reasons.push(categoryOk ? `Right category (${truth.category}).` : `Category "${submission.category}" — the cause was "${truth.category}".`);

  const names = [truth.culprit, ...(truth.accept ?? [])];
  const exact = names.some((n) => namesIt(submission.culprit, n));
  const sub = submission.culprit.trim();
  const partial = !exact && sub.length >= 4 && names.some((n) => n.toLowerCase().includes(sub.toLowerCase()) || namesIt(n, sub));
  const match: DiagnosisGrade['culprit']['match'] = exact ? 'exact' : partial ? 'partial' : 'none';

  const judged = before.map((c) => ({ id: c.event.id, ...judge(c, truth, opts) }));
  const anyRevealing = judged.filter((x) => x.j === 'revealing').map((x) => x.id);
  const guess = match !== 'none' && anyRevealing.length === 0;
  let culpritPoints = match === 'exact' ? DIAGNOSIS_POINTS.culprit : match === 'partial' ? DIAGNOSIS_POINTS.culprit / 2 : 0;
  if (guess) culpritPoints /= 2;
  const hedge = match === 'none' ? undefined : hedgeOf(submission.culprit, truth, names);
  if (hedge === 'all') culpritPoints = 0;
  else if (hedge === 'some') culpritPoints = Math.min(culpritPoints, DIAGNOSIS_POINTS.culprit / 2);
  reasons.push(
    match === 'exact'
      ? `Named the culprit (${truth.culprit}).`
      : match === 'partial'
        ? `The culprit was only partly named ("${submission.culprit}" for ${truth.culprit}).`
        : `"${submission.culprit}" is not the culprit (${truth.culprit}).`,
  );
  if (guess) reasons.push('Nothing in the session could have shown it before the diagnosis: it counts as a guess.');
  if (hedge === 'all') reasons.push('The answer names every candidate, so it does not say which one it was: no culprit credit.');
  if (hedge === 'some') reasons.push('The answer offers a choice between candidates: half the culprit credit at most.');

  const byId = new Map(judged.map((x) => [x.id, x]));
  // Steps are named by their command and time, never by event number.
  const eventsById = new Map(events.map((c) => [c.event.id, c.event]));
  const named = (list: readonly number[]) =>
    list
      .map((id) => {
        const e = eventsById.get(id);
        if (!e) return 'a step not in this session';
        const text = commandText(e);
        return `"${text.length > 80 ? `${text.slice(0, 77)}...` : text}" at ${formatClock(e.t - (opts.readyAt ?? 0))}`;
      })
      .join(', ');
  const inSession = new Set(events.map((c) => c.event.id));
  const revealing: number[] = [];
  const supporting: number[] = [];
  const ignored: number[] = [];
  const ignoredWhy = new Map<string, number[]>();
  for (const id of submission.evidence) {
    const x = byId.get(id);
    if (x?.j === 'revealing') revealing.push(id);
    else if (x?.j === 'supporting') supporting.push(id);
    else {
      ignored.push(id);
      const why = WHY_WORDS[x ? x.why : inSession.has(id) ? 'later' : 'unknown'];
      ignoredWhy.set(why, [...(ignoredWhy.get(why) ?? []), id]);
    }
  }
  let evidencePoints: number;
  if (revealing.length > 0) {
    evidencePoints = DIAGNOSIS_POINTS.evidence;
    reasons.push(`${named(revealing)} could show the culprit.`);
  } else if (supporting.length > 0) {
    evidencePoints = 12;
    reasons.push(`${named(supporting)} ${supporting.length === 1 ? 'shows' : 'show'} the symptom, not the culprit.`);
  } else if (anyRevealing.length > 0) {
    evidencePoints = 10;
    reasons.push(`${named(anyRevealing.slice(0, 1))} could show the culprit but was not cited.`);
  } else {
    evidencePoints = 0;
    reasons.push('No evidence that could show the culprit.');
  }
  // Each ignored citation with its own reason: a blanket one misleads ("not of the affected service" for one that was).
  if (ignored.length > 0) reasons.push(`Not counted as evidence: ${[...ignoredWhy].map(([why, ids]) => `${named(ids)} (${why})`).join('; ')}.`);
  // Evidence cannot support a wrong answer.
  if (match === 'none') evidencePoints = Math.min(evidencePoints, 10);

  const score = Math.round(categoryPoints + culpritPoints + evidencePoints);
  return {
    score,
    category: { correct: categoryOk, points: categoryPoints },
    culprit: { match, guess, points: culpritPoints, ...(hedge ? { hedge } : {}) },
    evidence: { points: evidencePoints, revealing, supporting, ignored },
    reasons,
  };
}
