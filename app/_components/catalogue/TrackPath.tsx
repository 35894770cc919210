import Link from 'next/link';
import { lessonLabel, type TrackProgress } from '@/lib/progress';
import type { ScenarioSummary } from '@/server/engine/catalogue';

/**
 * The learner's current track: how far along they are, the next drill in a card of its own,
 * and every step in order. Server-rendered; links only, so it works from the keyboard as is.
 */
export function TrackPath({ current, scenarios }: { current: TrackProgress; scenarios: Map<string, ScenarioSummary> }) {
  const { track, steps, next } = current;
  const done = current.completed;
  const nextScenario = next ? scenarios.get(next.scenario) : undefined;
  return (
    <section className="track" aria-labelledby="track-title" data-testid="track">
      <p className="eyebrow">Your track</p>
      <h1 id="track-title">{track.title}</h1>
      <p className="lead">{track.summary}</p>
      <div className="track-meter" aria-hidden>
        {steps.map((s) => (
          <span key={s.scenario} className={s.completed ? 'done' : s === next ? 'next' : undefined} />
        ))}
      </div>
      <p className="meta" data-testid="track-count">
        {done} of {steps.length} drills completed{done === steps.length ? ' — the whole track is done.' : '.'}
      </p>

      {next && nextScenario && (
        <article className="next-drill" data-testid="next-drill" aria-labelledby="next-drill-title">
          <p className="eyebrow">
            Next drill · step {next.position} of {steps.length}
          </p>
          <h2 id="next-drill-title">{nextScenario.title}</h2>
          <div className="meta">
            <span className={`pill ${nextScenario.difficulty}`}>{nextScenario.difficulty}</span>
            <span>~{nextScenario.minutes} min</span>
            {next.scenarioProgress?.best && <span>best so far {next.scenarioProgress.best.total}/100</span>}
          </div>
          <p>{next.focus}</p>
          <p className="lessons">
            <span className="meta">Practises</span>
            {next.lessons.map((l) => (
              <span key={l} className="pill lesson">
                {lessonLabel(l)}
              </span>
            ))}
          </p>
          <div className="row">
            {next.scenarioProgress?.live ? (
              <>
                <Link className="button" href={`/sessions/${next.scenarioProgress.live.sessionId}`}>
                  Resume your session
                </Link>
                <Link className="button secondary" href={`/scenarios/${next.scenario}`}>
                  About this drill
                </Link>
              </>
            ) : (
              <Link className="button" href={`/scenarios/${next.scenario}`}>
                {next.scenarioProgress && next.scenarioProgress.attempts > 0 ? 'Try it again' : 'Open the drill'}
              </Link>
            )}
          </div>
        </article>
      )}

      <ol className="track-steps" aria-label={`Steps of ${track.title}`}>
        {steps.map((s) => {
          const sc = scenarios.get(s.scenario);
          const state = s.completed ? 'done' : s === next ? 'next' : 'todo';
          return (
            <li key={s.scenario} className={state} data-step={s.scenario} data-state={state}>
              <span className="step-mark" aria-hidden>
                {s.completed ? '✓' : s.position}
              </span>
              <span className="step-body">
                <Link href={`/scenarios/${s.scenario}`}>{sc?.title ?? s.scenario}</Link>
                <span className="meta">
                  {sc && <span className={`pill ${sc.difficulty}`}>{sc.difficulty}</span>}
                  {sc && <span>~{sc.minutes} min</span>}
                  <span>{s.lessons.map(lessonLabel).join(' · ')}</span>
                </span>
              </span>
              <span className="step-state meta">
                {s.completed ? 'completed' : s === next ? 'next' : ''}
                {s.scenarioProgress?.best ? ` · best ${s.scenarioProgress.best.total}` : ''}
              </span>
            </li>
          );
        })}
      </ol>
    </section>
  );
}
