import type { Metadata } from 'next';
import { compileMDX } from 'next-mdx-remote/rsc';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { isSickbayError } from '@/lib/errors';
import { isLive } from '@/lib/lifecycle/status';
import { lessonLabel, metPhrase } from '@/lib/progress';
import { timelineBudgets } from '@/lib/scoring/budgets';
import { STANDARD_RULES } from '@/lib/scoring/rules';
import { pageSessions } from '@/app/_lib/auth';
import { learnerProgress } from '@/app/_lib/progress';
import { AttemptsTable } from '@/app/_components/progress/AttemptsTable';
import { StartChoices } from '@/app/_components/StartChoices';
import { TimedBox } from '@/app/_components/TimedBox';
import type { CatalogueEntry } from '@/server/engine/catalogue';
import { services } from '@/server/registry';

export const dynamic = 'force-dynamic';

const sentence = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** The rules' explanations mark commands with backticks: show those as code. */
function withCode(text: string) {
  return text.split('`').map((part, i) => (i % 2 === 1 ? <code key={i}>{part}</code> : part));
}

function entryOr404(slug: string): CatalogueEntry {
  try {
    return services().catalogue.get(slug);
  } catch (err) {
    if (isSickbayError(err) && err.code === 'not_found') notFound();
    throw err;
  }
}

export async function generateMetadata({ params }: { params: Promise<{ slug: string }> }): Promise<Metadata> {
  const { slug } = await params;
  const { catalogue } = services();
  return { title: catalogue.has(slug) ? `${catalogue.get(slug).definition.title} — Sickbay` : 'Not found — Sickbay' };
}

/** A scenario before the start: what it is, what it practises, what is timed, past attempts, Start / Resume. */
export default async function ScenarioPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const entry = entryOr404(slug);
  const def = entry.definition;
  const { catalogue, tracks } = services();
  const source = catalogue.briefing(slug);
  const briefing = source ? (await compileMDX({ source, options: { blockJS: true } })).content : null;
  const { history, progress } = learnerProgress(await pageSessions());
  const mine = history.filter((h) => h.scenario === slug);
  const sp = progress.scenarios[slug];
  const live = mine.filter((h) => isLive(h.status));
  const places = tracks.placesOf(slug);
  const lessons = [...new Set(places.flatMap((p) => p.step.lessons))];
  const rules = new Map(STANDARD_RULES.map((r) => [r.id, r]));
  const tried = (sp?.attempts ?? 0) > 0;
  // How the learner has done on each lesson lately (all drills), where they have a record.
  const record = new Map(progress.rules.filter((r) => r.applicable > 0).map((r) => [r.id, metPhrase(r)]));
  return (
    <>
      <p className="meta crumbs">
        <Link href="/">Scenarios</Link> / <span>{def.title}</span>
      </p>
      <div className="scenario-head">
        <div>
          <h1>{def.title}</h1>
          <div className="meta">
            <span className={`pill ${def.difficulty}`}>{def.difficulty}</span>
            <span data-testid="scenario-minutes">about {def.minutes} minutes</span>
            {def.tags.map((t) => (
              <Link key={t} href={`/?topic=${encodeURIComponent(t)}#catalogue-title`} className="pill tag">
                {t}
              </Link>
            ))}
          </div>
          <p className="lead">{def.summary}</p>
        </div>
        <aside className="panel start-panel" aria-label="Start">
          {live.length > 0 && (
            <>
              <p className="meta">You have a session of this drill in progress ({live[0]!.status}).</p>
              <Link className="button" href={`/sessions/${live[0]!.id}`} data-testid="resume">
                Resume
              </Link>
            </>
          )}
          {tried ? (
            <>
              <p className="meta" data-testid="best-score">
                Best {sp?.best ? `${sp.best.total}/100` : '—'} · last {sp?.last ? `${sp.last.total}/100` : '—'} · {sp?.attempts} attempt
                {sp?.attempts === 1 ? '' : 's'}
                {sp?.completed ? ' · completed' : ''}
              </p>
              <StartChoices scenario={slug} label="Try again with a new culprit" secondary={live.length > 0} />
              <p className="meta small">A new run draws a cause you have not met in this drill yet, so you cannot lean on the last answer.</p>
            </>
          ) : (
            <>
              <StartChoices scenario={slug} label="Start drill" secondary={live.length > 0} />
              <p className="meta small">Starting takes a few seconds to a minute while the containers come up. The clock starts when they are ready.</p>
            </>
          )}
        </aside>
      </div>

      <div className="scenario-layout">
        <div className="scenario-main">
          <section className="panel" aria-labelledby="practises-title">
            <h2 id="practises-title">What it practises</h2>
            {places.map((p) => (
              <p key={p.track.slug} className="muted" data-testid="track-place">
                Step {p.index + 1} of {p.track.steps.length} of <Link href="/">{p.track.title}</Link>. {p.step.focus}
              </p>
            ))}
            {lessons.length > 0 ? (
              <ul className="lesson-list" data-testid="lessons">
                {lessons.map((id) => (
                  <li key={id}>
                    <strong>{sentence(lessonLabel(id))}</strong> — {rules.get(id)?.title}
                    {record.get(id) && <span className="pill you">you: {record.get(id)} met</span>}
                    <p className="muted small">{withCode(rules.get(id)?.explanation ?? '')}</p>
                  </li>
                ))}
              </ul>
            ) : (
              <p className="meta">This drill is in no track yet; it is scored on the whole protocol like every drill.</p>
            )}
            <h3>What done looks like</h3>
            <ul className="goal-list">
              {def.goals.map((g) => (
                <li key={g.id}>{g.title}</li>
              ))}
            </ul>
          </section>

          <section className="panel" aria-labelledby="briefing-title">
            <h2 id="briefing-title">Briefing</h2>
            <div className="briefing" aria-label="Briefing preview">
              {briefing ?? <p className="lead">This scenario has no briefing.</p>}
            </div>
          </section>
        </div>

        <div className="scenario-side">
          <TimedBox budgets={timelineBudgets(def.protocol.timelineScale)} before />
          <section className="panel" aria-labelledby="attempts-title">
            <h2 id="attempts-title">Your attempts</h2>
            <AttemptsTable attempts={mine} bestId={sp?.best?.sessionId ?? null} />
          </section>
        </div>
      </div>
    </>
  );
}
