/**
 * The learner's progress for pages and the API: their history from the engine, aggregated by
 * lib/progress. The one place that asks for "this learner's" sessions: with accounts, the
 * viewer is passed to engine.history() here.
 */
import { currentTrack, suggestNext, summarizeProgress, type Progress, type Suggestion, type TrackProgress } from '@/lib/progress';
import type { SessionHistoryItem } from '@/server/engine/views';
import { services } from '@/server/registry';

export interface LearnerProgress {
  history: SessionHistoryItem[];
  progress: Progress;
  /** Every track as this learner has walked it, in display order. */
  tracks: TrackProgress[];
  current: TrackProgress | null;
  suggestion: Suggestion | null;
}

export function learnerProgress(): LearnerProgress {
  const { engine, tracks } = services();
  const history = engine.history();
  const progress = summarizeProgress(history);
  const list = tracks.list();
  const current = currentTrack(list, progress);
  return {
    history,
    progress,
    tracks: list.map((t) => (t.slug === current?.track.slug ? current : currentTrack([t], progress)!)),
    current,
    suggestion: suggestNext(progress, list),
  };
}
