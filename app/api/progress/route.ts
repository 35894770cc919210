import { sessionsFor } from '@/app/_lib/auth';
import { handle, json } from '@/app/_lib/http';
import { learnerProgress } from '@/app/_lib/progress';

export const dynamic = 'force-dynamic';

/** The learner's progress: per scenario, per protocol rule, the tracks and the next suggestion (docs/api.md). */
export async function GET(request: Request) {
  return handle(() => {
    const { progress, tracks, current, suggestion } = learnerProgress(sessionsFor(request));
    return json({
      window: progress.window,
      scenarios: Object.values(progress.scenarios),
      rules: progress.rules,
      scores: progress.scores,
      tracks: tracks.map((t) => ({
        slug: t.track.slug,
        title: t.track.title,
        current: t.track.slug === current?.track.slug,
        completed: t.completed,
        steps: t.steps.map((s) => ({ scenario: s.scenario, lessons: s.lessons, completed: s.completed })),
        next: t.next?.scenario ?? null,
      })),
      suggestion,
    });
  });
}
