/**
 * The next drill to suggest: one that teaches the learner's weakest protocol rule. Pure, so the
 * choice can be unit-tested and explained ("because snapshot before invasive: 1 of 4").
 *
 * 1. The weakest rule is the one with the lowest share of its points earned over the window,
 *    among rules that applied at least once and were not always met in full; ties go to the
 *    heavier rule (it costs more), then to the one seen more often, then to report order.
 * 2. The drill is the first step, in track order, whose lessons name that rule and that is not
 *    completed yet; when all such steps are completed, the one with the lowest best score.
 * 3. With no weak rule (no scored attempt yet, or everything met), or when no track teaches it,
 *    the current track's next step; when every track is done, the drill with the lowest best.
 */
import type { Track } from '../tracks/types';
import { metPhrase, type Progress, type RuleProgress } from './aggregate';
import { currentTrack } from './track';

export interface Suggestion {
  scenario: string;
  /** The rule it targets, when the suggestion comes from a weakness. */
  rule: { id: string; title: string; met: number; applicable: number } | null;
  why: 'weakest-rule' | 'next-in-track' | 'lowest-score';
  /** One sentence for the learner. */
  reason: string;
}

export function weakestRule(progress: Progress): RuleProgress | null {
  const order = new Map(progress.rules.map((r, i) => [r.id, i]));
  const weak = progress.rules.filter((r) => r.strength !== null && r.strength < 1);
  weak.sort((a, b) => (a.strength as number) - (b.strength as number) || b.weight - a.weight || b.applicable - a.applicable || (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
  return weak[0] ?? null;
}

const bestOf = (progress: Progress, scenario: string) => progress.scenarios[scenario]?.best?.total ?? -1;

export function suggestNext(progress: Progress, tracks: readonly Track[]): Suggestion | null {
  const steps = tracks.flatMap((t) => t.steps);
  const completed = (scenario: string) => progress.scenarios[scenario]?.completed ?? false;

  const rule = weakestRule(progress);
  if (rule) {
    const teaching = [...new Set(steps.filter((s) => s.lessons.includes(rule.id)).map((s) => s.scenario))];
    const open = teaching.find((s) => !completed(s));
    const scenario = open ?? [...teaching].sort((a, b) => bestOf(progress, a) - bestOf(progress, b))[0];
    if (scenario) {
      return {
        scenario,
        rule: { id: rule.id, title: rule.title, met: rule.met, applicable: rule.applicable },
        why: 'weakest-rule',
        reason: `It practises your weakest habit: "${rule.title}" was met ${metPhrase(rule)} times over your last ${progress.window} scored attempt${progress.window === 1 ? '' : 's'}.`,
      };
    }
  }

  const current = currentTrack(tracks, progress);
  if (current?.next) {
    const first = current.completed === 0 && progress.scores.length === 0;
    return {
      scenario: current.next.scenario,
      rule: null,
      why: 'next-in-track',
      reason: first ? `Start here: it is step 1 of "${current.track.title}".` : `It is the next step of "${current.track.title}" (step ${current.next.position} of ${current.steps.length}).`,
    };
  }

  const played = Object.values(progress.scenarios).filter((s) => s.best !== null);
  played.sort((a, b) => (a.best?.total ?? 0) - (b.best?.total ?? 0));
  const lowest = played[0];
  if (!lowest) return steps[0] ? { scenario: steps[0].scenario, rule: null, why: 'next-in-track', reason: 'Start here.' } : null;
  return { scenario: lowest.scenario, rule: null, why: 'lowest-score', reason: `Your best score here is ${lowest.best?.total}, your lowest: try to beat it.` };
}
