import Link from 'next/link';
import { pageSessions } from '@/app/_lib/auth';
import { learnerProgress } from '@/app/_lib/progress';
import { CatalogueGrid, type CatalogueItem } from '@/app/_components/catalogue/CatalogueGrid';
import { TrackPath } from '@/app/_components/catalogue/TrackPath';
import { services } from '@/server/registry';

export const dynamic = 'force-dynamic';

/** Home: the learner's current track and next drill, then the whole catalogue with filters. */
export default async function HomePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const query = await searchParams;
  const { catalogue, tracks } = services();
  const scenarios = catalogue.list();
  const bySlug = new Map(scenarios.map((s) => [s.slug, s]));
  const { progress, current, suggestion } = learnerProgress(await pageSessions());
  const steps = new Map(current?.steps.map((s) => [s.scenario, s.position]) ?? []);
  const items: CatalogueItem[] = scenarios.map((s) => {
    const p = progress.scenarios[s.slug];
    return {
      slug: s.slug,
      title: s.title,
      summary: s.summary,
      difficulty: s.difficulty,
      minutes: s.minutes,
      tags: s.tags,
      step: steps.get(s.slug) ?? null,
      attempts: p?.attempts ?? 0,
      best: p?.best?.total ?? null,
      completed: p?.completed ?? false,
      live: p?.live?.sessionId ?? null,
    };
  });
  const one = (v: string | string[] | undefined) => (typeof v === 'string' ? v : '');
  const suggested = suggestion && !current?.next ? bySlug.get(suggestion.scenario) : undefined;
  const loadErrors = catalogue.errors.length + tracks.errors.length;
  return (
    <>
      {current ? (
        <TrackPath current={current} scenarios={bySlug} />
      ) : (
        <>
          <h1>Scenarios</h1>
          <p className="lead">
            Each drill starts real containers that are broken on purpose. Find the cause, fix it without making things worse, and tell
            people what happened. You are scored on the end state <em>and</em> on how safely you got there.
          </p>
        </>
      )}
      {suggestion && suggested && (
        <p className="notice ok">
          Track done. Suggested next: <Link href={`/scenarios/${suggestion.scenario}`}>{suggested.title}</Link> — {suggestion.reason}{' '}
          <Link href="/progress">Your progress</Link>
        </p>
      )}
      <section aria-labelledby="catalogue-title" className="catalogue">
        <h2 id="catalogue-title">{current ? 'All scenarios' : 'Catalogue'}</h2>
        {scenarios.length === 0 ? (
          <div className="placeholder">No scenarios are loaded. Check the server log for scenario errors.</div>
        ) : (
          <CatalogueGrid items={items} initial={{ difficulty: one(query.difficulty), topic: one(query.topic) }} />
        )}
      </section>
      {loadErrors > 0 && (
        <p className="error" role="status">
          {catalogue.errors.length > 0 && `${catalogue.errors.length} scenario file(s)`}
          {catalogue.errors.length > 0 && tracks.errors.length > 0 && ' and '}
          {tracks.errors.length > 0 && `${tracks.errors.length} track file(s)`} failed to load; see the server log.
        </p>
      )}
    </>
  );
}
