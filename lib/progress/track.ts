/**
 * A track seen through the learner's progress: which steps are done (some attempt met every
 * goal), which is next, and which track is the learner's current one.
 */
import type { Track, TrackStep } from '../tracks/types';
import type { Progress, ScenarioProgress } from './aggregate';

export interface TrackStepProgress extends TrackStep {
  /** 1-based, as shown. */
  position: number;
  completed: boolean;
  scenarioProgress: ScenarioProgress | null;
}

export interface TrackProgress {
  track: Track;
  steps: TrackStepProgress[];
  completed: number;
  /** The first step not yet completed; null when the whole track is done. */
  next: TrackStepProgress | null;
}

export function trackProgress(track: Track, progress: Progress): TrackProgress {
  const steps = track.steps.map((step, i) => {
    const sp = progress.scenarios[step.scenario] ?? null;
    return { ...step, position: i + 1, completed: sp?.completed ?? false, scenarioProgress: sp };
  });
  return { track, steps, completed: steps.filter((s) => s.completed).length, next: steps.find((s) => !s.completed) ?? null };
}

/**
 * The learner's current track: the first unfinished one in display order, else the last one
 * (everything done: it stays on show, completed). Null when there are no tracks.
 */
export function currentTrack(tracks: readonly Track[], progress: Progress): TrackProgress | null {
  const all = tracks.map((t) => trackProgress(t, progress));
  return all.find((t) => t.next !== null) ?? all[all.length - 1] ?? null;
}
