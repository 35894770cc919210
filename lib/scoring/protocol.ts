/**
 * scoreProtocol: runs the rules over a session and totals them. The total is the share of
 * applicable weight earned, 0-100; rules that do not apply leave the denominator.
 */
import { CLASSIFIER_VERSION } from '../audit/classify';
import { buildActions } from './actions';
import { recordedLosses } from './container-record';
import { relabelSafeSignals } from './safe-signals';
import { STANDARD_RULES } from './rules';
import { type ProtocolInput, type ProtocolScore, RULE_SET_VERSION, type Rule, type RuleContext, type RuleResult } from './types';

/** The clock for timeline budgets: the timing given, else the lifecycle "ready" event, else 0. */
export function readyAtOf(input: ProtocolInput): number {
  if (input.timing?.readyAt !== undefined) return input.timing.readyAt;
  const ready = input.events.find(({ event }) => event.kind === 'lifecycle' && event.status === 'ready');
  return ready ? ready.event.t : 0;
}

export function ruleContext(input: ProtocolInput): RuleContext {
  const readyAt = readyAtOf(input);
  const actions = buildActions(relabelSafeSignals(input.events, input.expectations.safeSignals, input.services), { services: input.services });
  // The notes name an action by its command and its time on the session clock, never by event number.
  for (const a of actions) a.sinceReady = a.t - readyAt;
  return {
    input,
    expectations: input.expectations,
    actions,
    ui: [...(input.ui ?? [])].sort((a, b) => a.t - b.t),
    readyAt,
    recorded: recordedLosses(input.events.map((c) => c.event)),
  };
}

function evaluateRule(rule: Rule, ctx: RuleContext): RuleResult {
  const meta = { id: rule.id, title: rule.title, weight: rule.weight, explanation: rule.explanation, runbook: rule.runbook };
  try {
    const r = rule.evaluate(ctx);
    const points = r.status === 'not-applicable' ? 0 : Math.max(0, Math.min(rule.weight, r.points));
    return { ...meta, ...r, points };
  } catch (err) {
    // A scenario's extra rule must not take the whole report down; say what happened instead.
    return { ...meta, status: 'not-applicable', points: 0, citations: [], note: `The rule could not be evaluated: ${(err as Error).message}` };
  }
}

export function scoreProtocol(input: ProtocolInput, rules: readonly Rule[] = STANDARD_RULES): ProtocolScore {
  return scoreRules(ruleContext(input), rules);
}

/** Runs the rules over a context built once (a report also reads the timeline from it). */
export function scoreRules(ctx: RuleContext, rules: readonly Rule[] = STANDARD_RULES): ProtocolScore {
  const all = [...rules, ...(ctx.expectations.extraRules ?? [])];
  const results = all.map((r) => evaluateRule(r, ctx));
  const applicable = results.filter((r) => r.status !== 'not-applicable');
  const possible = applicable.reduce((s, r) => s + r.weight, 0);
  const earned = Math.round(applicable.reduce((s, r) => s + r.points, 0) * 10) / 10;
  return {
    ruleSetVersion: RULE_SET_VERSION,
    classifierVersion: CLASSIFIER_VERSION,
    total: possible > 0 ? Math.round((100 * earned) / possible) : 0,
    earned,
    possible,
    results,
  };
}
