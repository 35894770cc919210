/**
 * The learner's progress for pages and the API: their history from the engine, aggregated by
 * lib/progress. The learner is whoever the scoped sessions belong to (the signed-in user; the
 * local admin in personal mode).
 */
import { currentTrack, suggestNext, summarizeProgress, type Progress, type Suggestion, type TrackProgress } from '@/lib/progress';
import type { SessionHistoryItem } from '@/server/engine/views';
import type { ScopedSessions } from '@/server/auth/session-access';
import { services } from '@/server/registry';

export interface LearnerProgress {
  history: SessionHistoryItem[];
  progress: Progress;
  /** Every track as this learner has walked it, in display order. */
  tracks: TrackProgress[];
  current: TrackProgress | null;
  suggestion: Suggestion | null;
}

export function learnerProgress(sessions: ScopedSessions): LearnerProgress {
  const { tracks } = services();
  const history = sessions.history();
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
