/**
 * Types of protocol scoring: what a scenario expects, what the UI reports (proposed event
 * bodies), the actions the rules read, and the results they return. Pure types and constants.
 */
import type { Classification, ClassifiedEvent, Tier } from '../audit/classify';
import type { ScenarioProtocol, ServedNormally } from '../scenario/types';
import type { RecordedLoss } from './container-record';
import type { ServiceBucket } from './impact';

import type { DiagnosisBody, DiagnosisDecision, UpdateBody } from '../audit/events';

/**
 * The rule set's version, stored with every score. Any change that can change a score for the
 * same session (a rule, a weight, a threshold, the classifier) bumps it; stored scores are
 * never recomputed, so a report always shows the rules it was graded by.
 */
export const RULE_SET_VERSION = 'protocol/9';

/**
 * What a scenario tells the protocol rules about itself: its `protocol` block (see
 * ScenarioProtocol for each field) plus rules of its own. causeHints are for the update grader.
 */
export interface ProtocolExpectations extends Omit<ScenarioProtocol, 'causeHints'> {
  /** Scenario-specific rules, evaluated after the standard ones. */
  extraRules?: Rule[];
}

export const DEFAULT_EXPECTATIONS: ProtocolExpectations = {
  affectedServices: [],
  snapshotExpected: false,
  snapshotEvidence: [],
  restartAllowed: false,
  secrets: [],
  stressed: false,
  timelineScale: 1,
  safeSignals: {},
};

export function protocolExpectations(partial: Partial<ProtocolExpectations>): ProtocolExpectations {
  return { ...DEFAULT_EXPECTATIONS, ...partial };
}

/* ------------------------------------------------------------ UI event bodies */

// The bodies live with the other event types in lib/audit/events.ts; re-exported for rules.
export type { DiagnosisBody, DiagnosisDecision, UpdateBody };
export { DIAGNOSIS_DECISIONS } from '../audit/events';

export type UiEventBody = DiagnosisBody | UpdateBody;

/** A UI event as stored: the body plus its position in the session log. */
export type UiEvent = UiEventBody & {
  id: number;
  /** Milliseconds since the session was created. */
  t: number;
};

/* ------------------------------------------------------------ input */

export interface SessionTiming {
  /** ms since creation when the session became ready (the clock for timeline budgets starts here). */
  readyAt?: number;
  /** ms since creation when the session ended. */
  endedAt?: number;
}

export interface ProtocolInput {
  /** The session's events, each with its classification (see classifyEvents). */
  events: ClassifiedEvent[];
  /** Diagnosis and update events (until they are part of the event union). */
  ui?: UiEvent[];
  expectations: ProtocolExpectations;
  timing?: SessionTiming;
  /** The scenario's service names, to map typed container names ("lab-12-api-1") to services. */
  services?: string[];
  /** The customers' per-second buckets and the scenario's standard; absent: the customer-impact rule does not apply. */
  customers?: { buckets: ServiceBucket[]; servedNormally: ServedNormally };
}

/**
 * One thing the learner did to the lab: a typed line together with the proxy calls it caused,
 * a line typed inside an exec, or a proxy call nobody typed (a script, an SDK). Lines that only
 * ran in the console are not actions.
 */
export interface Action {
  /** Ids of the events that make up the action; the first started it. */
  ids: number[];
  /** When it started (ms since the session was created). */
  t: number;
  source: 'console' | 'exec' | 'docker';
  /** The line as typed, or a docker-CLI-like rendering of a proxy call. */
  text: string;
  /** Services acted on (resolved to scenario names when possible); "*" = every container. */
  targets: string[];
  classification: Classification;
  tier: Tier;
  /** False when the deciding proxy call was refused or failed: it had no effect on the lab. */
  effective: boolean;
  /** Ids of refused or failed proxy calls that belong to this action. */
  failedIds: number[];
  /** The typed line was reconstructed approximately (history recall, completion). */
  approximate: boolean;
  /** When it started on the session clock (ms after ready); set by ruleContext, for the notes. */
  sinceReady?: number;
}

/* ------------------------------------------------------------ rules */

export type RuleStatus = 'met' | 'broken' | 'not-applicable';

export interface RuleEvaluation {
  status: RuleStatus;
  /** Points earned, 0..weight (0 when not applicable). */
  points: number;
  /** Event ids that earned the points (met) or cost them (broken). */
  citations: number[];
  /** One or two sentences for the report, naming what was seen. */
  note: string;
}

/** What every rule receives: the input plus the derived action list. */
export interface RuleContext {
  input: ProtocolInput;
  expectations: ProtocolExpectations;
  actions: Action[];
  ui: UiEvent[];
  /** Start of the clock for timeline budgets (ms since creation). */
  readyAt: number;
  /** Containers Docker's own record shows lost their running state after ready (container-record events). */
  recorded: RecordedLoss[];
}

export interface Rule {
  id: string;
  title: string;
  weight: number;
  /** Why the rule exists, in a sentence or two. */
  explanation: string;
  /** Where in the field notes the practice comes from, e.g. "Diagnostic hierarchy (01a-b)". */
  runbook: string;
  evaluate(ctx: RuleContext): RuleEvaluation;
}

export interface RuleResult extends RuleEvaluation {
  id: string;
  title: string;
  weight: number;
  explanation: string;
  runbook: string;
}

export interface ProtocolScore {
  ruleSetVersion: string;
  classifierVersion: number;
  /** 0-100: earned / applicable weight. */
  total: number;
  earned: number;
  possible: number;
  results: RuleResult[];
}
