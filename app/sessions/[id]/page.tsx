import { compileMDX } from 'next-mdx-remote/rsc';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { isSickbayError } from '@/lib/errors';
import { services } from '@/server/registry';
import { SessionPanel } from '@/app/_components/SessionPanel';

export const dynamic = 'force-dynamic';

export default async function SessionPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const { engine, catalogue } = services();
  let session;
  try {
    session = engine.get(/^[0-9a-f]{12}$/.test(id) ? id : '-');
  } catch (err) {
    if (isSickbayError(err) && err.code === 'not_found') notFound();
    throw err;
  }
  const entry = catalogue.has(session.scenario) ? catalogue.get(session.scenario) : null;
  const source = entry ? catalogue.briefing(session.scenario) : null;
  const briefing = source ? (await compileMDX({ source, options: { blockJS: true } })).content : null;
  return (
    <>
      <p className="meta">
        <Link href="/">Scenarios</Link> / <span>{entry?.definition.title ?? session.scenario}</span> /{' '}
        <span className="mono">{session.id}</span>
      </p>
      <h1>{entry?.definition.title ?? session.scenario}</h1>
      <div className="session-layout">
        <section className="panel briefing" aria-label="Briefing">
          {briefing ?? <p className="lead">This scenario has no briefing.</p>}
          {entry && (
            <>
              <h2>Goals</h2>
              <ul>
                {entry.definition.goals.map((g) => (
                  <li key={g.id}>{g.title}</li>
                ))}
              </ul>
            </>
          )}
        </section>
        <SessionPanel
          initial={session}
          diagnosis={entry ? { culpritLabel: entry.definition.diagnosis.culpritLabel, categories: entry.definition.diagnosis.categories } : null}
          hintCount={entry?.definition.hints.length ?? 0}
          initialHints={engine.hintsTaken(session.id)}
        />
      </div>
    </>
  );
}
