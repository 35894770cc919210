import type { Metadata } from 'next';
import Link from 'next/link';
import { lessonLabel, metPhrase, weakestRule } from '@/lib/progress';
import { pageSessions } from '@/app/_lib/auth';
import { learnerProgress } from '@/app/_lib/progress';
import { RuleStrip } from '@/app/_components/progress/RuleStrip';
import { ScoreChart } from '@/app/_components/progress/ScoreChart';
import { services } from '@/server/registry';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Progress — Sickbay' };

/** The learner's progress: the next suggestion, scores over time, every habit over the last attempts, every scenario. */
export default async function ProgressPage() {
  const { catalogue } = services();
  const { progress, current, suggestion } = learnerProgress(await pageSessions());
  const titles = new Map(catalogue.list().map((s) => [s.slug, s.title]));
  const weakest = weakestRule(progress);
  const rows = [...catalogue.list()].sort(
    (a, b) => (current?.steps.findIndex((s) => s.scenario === a.slug) ?? 0) - (current?.steps.findIndex((s) => s.scenario === b.slug) ?? 0),
  );
  return (
    <div className="progress-page">
      <div className="page-head">
        <div>
          <h1>Progress</h1>
          <p className="lead" style={{ margin: 0 }}>
            How your drills went, and which habits of the safe protocol hold up.
            {current && ` ${current.track.title}: ${current.completed} of ${current.steps.length} drills completed.`}
          </p>
        </div>
      </div>

      {suggestion && (
        <section className="panel suggestion" aria-labelledby="suggestion-title" data-testid="suggestion">
          <p className="eyebrow">Suggested next drill</p>
          <h2 id="suggestion-title">
            <Link href={`/scenarios/${suggestion.scenario}`}>{titles.get(suggestion.scenario) ?? suggestion.scenario}</Link>
          </h2>
          <p>{suggestion.reason}</p>
          {suggestion.rule && (
            <p className="meta">
              Targets <span className="pill lesson">{lessonLabel(suggestion.rule.id)}</span>
            </p>
          )}
          <Link className="button" href={`/scenarios/${suggestion.scenario}`}>
            Open the drill
          </Link>
        </section>
      )}

      {progress.scores.length === 0 ? (
        <div className="placeholder" data-testid="no-attempts">
          No scored attempt yet: finish a drill (<strong>End session</strong>) and its report counts here.
        </div>
      ) : (
        <>
          <section className="panel" aria-labelledby="scores-title">
            <h2 id="scores-title">Scores</h2>
            <ScoreChart scores={progress.scores} titles={titles} />
          </section>

          <section className="panel" aria-labelledby="habits-title">
            <h2 id="habits-title">Habits over your last {progress.window} scored attempt{progress.window === 1 ? '' : 's'}</h2>
            <p className="meta">
              Each square is one attempt, oldest first: <span className="key met">met</span> <span className="key partial">partly met</span>{' '}
              <span className="key broken">broken</span> <span className="key not-applicable">did not apply</span>
            </p>
            <table className="habits" data-testid="habits">
              <thead>
                <tr>
                  <th>Habit</th>
                  <th>Met</th>
                  <th>Last attempts</th>
                </tr>
              </thead>
              <tbody>
                {progress.rules.map((r) => (
                  <tr key={r.id} data-rule={r.id} className={r.id === weakest?.id ? 'weakest' : undefined}>
                    <td>
                      <strong>{lessonLabel(r.id)}</strong>
                      {r.id === weakest?.id && <span className="pill weak-pill">weakest</span>}
                      <div className="meta">{r.title}</div>
                    </td>
                    <td className="mono met-count">{metPhrase(r)}</td>
                    <td>
                      <RuleStrip recent={r.recent} titles={titles} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        </>
      )}

      <section className="panel" aria-labelledby="per-scenario-title">
        <h2 id="per-scenario-title">Per scenario</h2>
        <table className="per-scenario" data-testid="per-scenario">
          <thead>
            <tr>
              <th>Scenario</th>
              <th>Attempts</th>
              <th>Best</th>
              <th>Last</th>
              <th>Status</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((s) => {
              const p = progress.scenarios[s.slug];
              return (
                <tr key={s.slug} data-scenario={s.slug}>
                  <td>
                    <Link href={`/scenarios/${s.slug}`}>{s.title}</Link> <span className={`pill ${s.difficulty}`}>{s.difficulty}</span>
                  </td>
                  <td className="mono">{p?.attempts ?? 0}</td>
                  <td className="mono">{p?.best ? <Link href={`/sessions/${p.best.sessionId}/report`}>{Math.round(p.best.total)}</Link> : '—'}</td>
                  <td className="mono">{p?.last ? <Link href={`/sessions/${p.last.sessionId}/report`}>{Math.round(p.last.total)}</Link> : '—'}</td>
                  <td>
                    {p?.live ? (
                      <Link href={`/sessions/${p.live.sessionId}`}>resume</Link>
                    ) : p?.completed ? (
                      <span className="met">✓ completed</span>
                    ) : p && p.attempts > 0 ? (
                      'not completed'
                    ) : (
                      <span className="meta">not tried</span>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </section>
    </div>
  );
}
