/**
 * A track: an ordered path through the scenarios, each step naming the protocol lessons it
 * teaches (ids of the scoring rules in lib/scoring/rules.ts). Tracks are data, in
 * `tracks/<slug>.ts`, validated when the server starts (schema.ts).
 */

export interface TrackStepInput {
  /** The scenario's slug (its folder under scenarios/). */
  scenario: string;
  /** Ids of the protocol rules this drill practises, most important first (1-4). */
  lessons: string[];
  /** One sentence: what this drill adds to the path (shown on the home and scenario pages). */
  focus: string;
}

export interface TrackInput {
  title: string;
  summary: string;
  /** Tracks are shown in this order (lower first); the first unfinished one is the learner's current track. */
  order?: number;
  steps: TrackStepInput[];
}

export type TrackStep = TrackStepInput;

export interface Track {
  slug: string;
  file: string;
  title: string;
  summary: string;
  order: number;
  steps: TrackStep[];
}
