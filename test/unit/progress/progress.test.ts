/**
 * Progress as a pure aggregation over hand-written attempts: per scenario (attempts, best, last,
 * completed, live), per rule over the last attempts ("1 of 4"), the track's next step, and the
 * suggestion that targets the weakest rule.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { culpritKey, pickNewCulprit } from '@/lib/lifecycle/new-culprit';
import { currentTrack, metPhrase, suggestNext, summarizeProgress, trackProgress, weakestRule, type Attempt, type RuleSummary } from '@/lib/progress';
import type { Track } from '@/lib/tracks';

const RULES = { outside: 'observe-outside-first', snapshot: 'snapshot-before-invasive', restart: 'no-state-loss', update: 'stakeholder-update' } as const;
const WEIGHTS: Record<string, number> = { [RULES.outside]: 15, [RULES.snapshot]: 10, [RULES.restart]: 20, [RULES.update]: 5 };

type Marks = Partial<Record<keyof typeof RULES, 'met' | 'partial' | 'broken' | 'na'>>;

function rules(marks: Marks): RuleSummary[] {
  return (Object.keys(RULES) as (keyof typeof RULES)[]).map((k) => {
    const id = RULES[k];
    const weight = WEIGHTS[id]!;
    const m = marks[k] ?? 'met';
    const status = m === 'na' ? 'not-applicable' : m === 'met' ? 'met' : 'broken';
    const points = m === 'met' ? weight : m === 'partial' ? weight / 2 : 0;
    return { id, title: `Rule ${k}`, status, points, weight };
  });
}

let n = 0;
function attempt(scenario: string, options: { total?: number; goals?: [number, number]; marks?: Marks; status?: Attempt['status']; ready?: boolean } = {}): Attempt {
  n += 1;
  const at = new Date(Date.UTC(2026, 10, 1, 9, n)).toISOString();
  const status = options.status ?? 'ended';
  const scored = status === 'ended' && options.ready !== false;
  return {
    id: `s${String(n).padStart(11, '0')}`,
    scenario,
    status,
    createdAt: at,
    readyAt: options.ready === false ? null : at,
    endedAt: status === 'ended' || status === 'failed' ? at : null,
    report: scored
      ? { total: options.total ?? 50, goals: { passed: options.goals?.[0] ?? 3, total: options.goals?.[1] ?? 3 }, ruleSetVersion: 'protocol/2', rules: rules(options.marks ?? {}) }
      : null,
  };
}

const track: Track = {
  slug: 'first-week',
  file: 'tracks/first-week.ts',
  title: 'First week',
  summary: 'A track for the tests.',
  order: 1,
  steps: [
    { scenario: 'leaky-job', lessons: [RULES.outside, RULES.restart], focus: 'The basic loop.' },
    { scenario: 'log-flood', lessons: [RULES.outside], focus: 'Logs without load.' },
    { scenario: 'oom-limit', lessons: [RULES.snapshot], focus: 'A reversible experiment.' },
    { scenario: 'disk-full', lessons: [RULES.snapshot, RULES.update], focus: 'When du disagrees.' },
  ],
};

describe('progress aggregation', () => {
  it('counts attempts, best and last score per scenario, completion and a live session to resume', () => {
    const list = [
      attempt('leaky-job', { total: 40, goals: [2, 3] }),
      attempt('leaky-job', { total: 72, goals: [3, 3] }),
      attempt('leaky-job', { total: 61, goals: [1, 3] }),
      attempt('leaky-job', { status: 'failed', ready: false }),
      attempt('log-flood', { total: 35, goals: [0, 3] }),
      attempt('log-flood', { status: 'ready' }),
    ];
    // Input order does not matter: newest first, as the engine returns it.
    const p = summarizeProgress([...list].reverse());
    const leaky = p.scenarios['leaky-job']!;
    assert.equal(leaky.attempts, 3, 'a start that never became ready is no attempt');
    assert.equal(leaky.scored, 3);
    assert.equal(leaky.best?.total, 72);
    assert.equal(leaky.best?.sessionId, list[1]!.id);
    assert.equal(leaky.last?.total, 61);
    assert.equal(leaky.completed, true, 'one attempt met every goal');
    assert.equal(leaky.live, null);
    const flood = p.scenarios['log-flood']!;
    assert.equal(flood.attempts, 2);
    assert.equal(flood.completed, false);
    assert.deepEqual(flood.live, { sessionId: list[5]!.id, status: 'ready' });
    assert.deepEqual(p.scores.map((s) => s.total), [40, 72, 61, 35], 'the score chart, oldest first');
  });

  it('counts each rule over the last N scored attempts: met, partial, broken, not applicable', () => {
    const list = [
      attempt('leaky-job', { marks: { snapshot: 'broken' } }), // falls out of a window of 4
      attempt('leaky-job', { marks: { snapshot: 'met', outside: 'partial' } }),
      attempt('log-flood', { marks: { snapshot: 'broken', restart: 'na' } }),
      attempt('oom-limit', { marks: { snapshot: 'partial', restart: 'broken' } }),
      attempt('oom-limit', { marks: { snapshot: 'broken' } }),
    ];
    const p = summarizeProgress(list, { window: 4 });
    assert.equal(p.window, 4);
    const snap = p.rules.find((r) => r.id === RULES.snapshot)!;
    assert.deepEqual([snap.met, snap.partial, snap.broken, snap.applicable], [1, 1, 2, 4]);
    assert.equal(metPhrase(snap), '1 of 4');
    assert.deepEqual(snap.recent.map((r) => r.outcome), ['met', 'broken', 'partial', 'broken'], 'oldest first');
    assert.equal(snap.strength, (1 + 0 + 0.5 + 0) / 4);
    const restart = p.rules.find((r) => r.id === RULES.restart)!;
    assert.equal(metPhrase(restart), '2 of 3', 'the not-applicable attempt is left out');
    assert.equal(restart.recent[1]?.outcome, 'not-applicable');
    assert.equal(restart.recent[1]?.fraction, null);
    assert.equal(metPhrase(p.rules.find((r) => r.id === RULES.outside)!), '3 of 4');
  });

  it('has nothing to say about rules before any scored attempt', () => {
    const p = summarizeProgress([attempt('leaky-job', { status: 'ready' })]);
    assert.equal(p.window, 0);
    assert.deepEqual(p.rules, []);
    assert.equal(weakestRule(p), null);
  });
});

describe('track progress', () => {
  it('the next step is the first not completed with every goal met', () => {
    const p = summarizeProgress([attempt('leaky-job', { goals: [3, 3] }), attempt('log-flood', { goals: [2, 3] }), attempt('oom-limit', { goals: [4, 4] })]);
    const t = trackProgress(track, p);
    assert.deepEqual(t.steps.map((s) => s.completed), [true, false, true, false]);
    assert.equal(t.completed, 2);
    assert.equal(t.next?.scenario, 'log-flood');
    assert.equal(t.next?.position, 2);
  });

  it('the current track is the first unfinished one, else the last', () => {
    const done: Track = { ...track, slug: 'intro', order: 0, steps: [track.steps[0]!] };
    const p = summarizeProgress([attempt('leaky-job', { goals: [3, 3] })]);
    assert.equal(currentTrack([done, track], p)?.track.slug, 'first-week');
    assert.equal(currentTrack([done], p)?.track.slug, 'intro');
    assert.equal(currentTrack([done], p)?.next, null);
    assert.equal(currentTrack([], p), null);
  });
});

describe('next suggestion', () => {
  it('a new learner starts at step 1 of the track', () => {
    const s = suggestNext(summarizeProgress([]), [track]);
    assert.equal(s?.scenario, 'leaky-job');
    assert.equal(s?.why, 'next-in-track');
    assert.equal(s?.rule, null);
    assert.match(s!.reason, /step 1 of "First week"/);
  });

  it('targets the weakest rule: the first uncompleted drill that teaches it', () => {
    const p = summarizeProgress([
      attempt('leaky-job', { goals: [3, 3], marks: { snapshot: 'broken', update: 'partial' } }),
      attempt('log-flood', { goals: [3, 3], marks: { snapshot: 'partial', update: 'partial' } }),
    ]);
    assert.equal(weakestRule(p)?.id, RULES.snapshot, 'snapshot: 0.25 of its points, update: 0.5');
    const s = suggestNext(p, [track]);
    assert.equal(s?.scenario, 'oom-limit', 'the first drill whose lessons name it, not completed yet');
    assert.equal(s?.why, 'weakest-rule');
    assert.deepEqual(s?.rule, { id: RULES.snapshot, title: 'Rule snapshot', met: 0, applicable: 2 });
    assert.match(s!.reason, /"Rule snapshot" was met 0 of 2 times over your last 2 scored attempts/);
  });

  it('breaks a tie between equally weak rules by weight', () => {
    const p = summarizeProgress([attempt('oom-limit', { goals: [1, 3], marks: { snapshot: 'broken', restart: 'broken' } })]);
    assert.equal(weakestRule(p)?.id, RULES.restart, 'both at 0: no-state-loss weighs 20, snapshot 10');
    assert.equal(suggestNext(p, [track])?.scenario, 'leaky-job');
  });

  it('when every drill teaching the weak rule is completed, picks the one with the lowest best score', () => {
    const p = summarizeProgress([
      attempt('oom-limit', { total: 90, goals: [3, 3], marks: { snapshot: 'broken' } }),
      attempt('disk-full', { total: 55, goals: [3, 3], marks: { snapshot: 'broken' } }),
    ]);
    const s = suggestNext(p, [track]);
    assert.equal(s?.rule?.id, RULES.snapshot);
    assert.equal(s?.scenario, 'disk-full');
  });

  it('with every rule met in full, the next step of the track; with the track done, the lowest best score', () => {
    const p = summarizeProgress([attempt('leaky-job', { goals: [3, 3] })]);
    assert.equal(weakestRule(p), null);
    const s = suggestNext(p, [track]);
    assert.equal(s?.scenario, 'log-flood');
    assert.equal(s?.why, 'next-in-track');
    const all = summarizeProgress(track.steps.map((st, i) => attempt(st.scenario, { total: 90 - i * 10, goals: [2, 2] })));
    const last = suggestNext(all, [track]);
    assert.equal(last?.why, 'lowest-score');
    assert.equal(last?.scenario, 'disk-full');
  });
});

describe('a new culprit', () => {
  const c = (key: string, seed: string) => ({ key, seed });
  it('picks a culprit the learner has not met, else one other than the last, else what there is', () => {
    const candidates = [c('a', '1'), c('b', '2'), c('a', '3'), c('c', '4')];
    assert.equal(pickNewCulprit(candidates, [])?.seed, '1');
    assert.equal(pickNewCulprit(candidates, ['a'])?.seed, '2');
    assert.equal(pickNewCulprit(candidates, ['b', 'a'])?.seed, '4');
    assert.equal(pickNewCulprit(candidates, ['a', 'b', 'c'])?.seed, '2', 'all met: differ from the latest (a)');
    assert.equal(pickNewCulprit([c('a', '1')], ['a'])?.seed, '1', 'a single culprit cannot change');
    assert.equal(pickNewCulprit([], ['a']), null);
  });
  it('a culprit is the category and the culprit together', () => {
    assert.notEqual(culpritKey({ category: 'lock', culprit: 'orders' }), culpritKey({ category: 'index', culprit: 'orders' }));
    assert.equal(culpritKey({ category: 'lock', culprit: 'orders' }), culpritKey({ category: 'lock', culprit: 'orders' }));
  });
});
