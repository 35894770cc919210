/**
 * Coached moments for the report (issue #15, item 4): each time coach mode held a call, what
 * the learner chose. The protocol score is computed from what really happened and is never
 * changed here: a warned-then-chosen restart is still a restart. This only says, next to the
 * rule the call concerns, that the learner had been warned.
 */
import type { CoachedBody, DockerCallBody, SessionEvent, TypedLineBody } from '../audit/events';
import type { RuleResult } from './types';

export interface CoachedMoment {
  action: string;
  target: string | null;
  /** The classifier's summary of the held call. */
  summary: string;
  /** When the warning came (ms since the session was created). */
  warnedT: number;
  choice: 'went-ahead' | 'held-back';
  /** The call that went through after the warning (went-ahead only). */
  callId: number | null;
  /** The rules the moment concerns: the one for its tier, and any that cite the call. */
  rules: string[];
  /** What the report prints next to those rules. */
  text: string;
}

type Coached = CoachedBody & { id: number; t: number };
type Docker = DockerCallBody & { id: number; t: number };
type Typed = TypedLineBody & { id: number; t: number };

/** The rule a held call speaks to when nothing cites it (a call held back is no action). */
function ruleForTier(action: string, tier: string): string {
  return action === 'update' || tier === 'change' ? 'targeted-reversible-changes' : 'no-state-loss';
}

type Held = { action: string; target?: string; line?: string };
const same = (a: Held, b: Held) => a.action === b.action && (a.target ?? '') === (b.target ?? '') && (a.line ?? '').trim() === (b.line ?? '').trim();

/** What went through after the learner chose: the docker call, or the typed line inside the exec. */
function wentThrough(events: readonly SessionEvent[], chose: Coached): { id: number } | null {
  if (chose.line !== undefined) {
    return events.find((e): e is SessionEvent & Typed => e.kind === 'typed' && e.id > chose.id && e.where === 'exec' && e.target === chose.target && e.line.trim() === chose.line?.trim()) ?? null;
  }
  return events.find((e): e is SessionEvent & Docker => e.kind === 'docker' && e.id > chose.id && e.allowed && same(e, chose)) ?? null;
}

export function coachedMoments(events: readonly SessionEvent[], results: readonly RuleResult[]): CoachedMoment[] {
  const open: Coached[] = [];
  const moments: CoachedMoment[] = [];
  const known = new Set(results.map((r) => r.id));
  const moment = (w: Coached, chose: Coached | null): CoachedMoment => {
    const call = chose ? wentThrough(events, chose) : null;
    const citing = call ? results.filter((r) => r.citations.includes(call.id)).map((r) => r.id) : [];
    const rules = [...new Set([ruleForTier(w.action, w.tier), ...citing])].filter((id) => known.has(id));
    const text = chose ? `warned, then chose to go ahead: ${w.summary}` : `warned, then chose not to: ${w.summary}`;
    return { action: w.action, target: w.target ?? null, summary: w.summary, warnedT: w.t, choice: chose ? 'went-ahead' : 'held-back', callId: call?.id ?? null, rules, text };
  };
  for (const e of events) {
    if (e.kind !== 'coached') continue;
    if (e.phase === 'warned') {
      open.push(e);
      continue;
    }
    // The choice answers the latest warning about the same call.
    const i = open.map((w) => same(w, e)).lastIndexOf(true);
    if (i < 0) continue;
    const [w] = open.splice(i, 1);
    moments.push(moment(w as Coached, e));
  }
  for (const w of open) moments.push(moment(w, null));
  return moments.sort((a, b) => a.warnedT - b.warnedT);
}
