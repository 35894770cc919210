import Link from 'next/link';
import { notFound } from 'next/navigation';
import { isSickbayError } from '@/lib/errors';
import { services } from '@/server/registry';
import { ReplayPlayer } from '@/app/_components/ReplayPlayer';

export const dynamic = 'force-dynamic';

/** The replay of a session's terminal, with the session's events as markers. */
export default async function ReplayPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<{ t?: string }> }) {
  const { id } = await params;
  const t = (await searchParams).t;
  const startAt = t && /^\d{1,9}$/.test(t) ? Number(t) : undefined;
  const { engine, catalogue } = services();
  let session;
  try {
    session = engine.get(/^[0-9a-f]{12}$/.test(id) ? id : '-');
  } catch (err) {
    if (isSickbayError(err) && err.code === 'not_found') notFound();
    throw err;
  }
  const title = catalogue.has(session.scenario) ? catalogue.get(session.scenario).definition.title : session.scenario;
  return (
    <>
      <p className="meta">
        <Link href="/">Scenarios</Link> / <Link href={`/sessions/${session.id}`}>{title}</Link> / <span className="mono">{session.id}</span> /{' '}
        <span>replay</span>
      </p>
      <h1>Replay: {title}</h1>
      <p className="lead">
        Everything typed and shown in the session&apos;s terminal, as it happened. Markers on the progress bar and the list
        beside it are the session&apos;s events; click one to jump there.{' '}
        <span className={`status ${session.status}`} data-testid="session-status">
          {session.status}
        </span>
      </p>
      <section className="panel" aria-label="Replay">
        <ReplayPlayer sessionId={session.id} createdAt={session.createdAt} startAtSessionMs={startAt} />
      </section>
    </>
  );
}
