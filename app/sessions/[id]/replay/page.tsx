import type { Metadata } from 'next';
import Link from 'next/link';
import type { ReplayAnnotation } from '@/lib/interviews/rubric';
import { InterviewRubrics } from '@/server/interviews/rubric';
import { services } from '@/server/registry';
import { pageUser } from '@/app/_lib/auth';
import { sessionOr404 } from '@/app/_lib/session';
import { sessionMetadata } from '@/app/_lib/titles';
import { ReplayPlayer } from '@/app/_components/ReplayPlayer';

export const dynamic = 'force-dynamic';

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }): Promise<Metadata> {
  return sessionMetadata((await params).id, 'Replay');
}

/** The replay of a session's terminal, with the session's events as markers. `?t=`: open at this many ms on the session clock. */
export default async function ReplayPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<{ t?: string }> }) {
  const { id } = await params;
  const t = (await searchParams).t;
  const startAt = t && /^\d{1,9}$/.test(t) ? Number(t) : undefined;
  const { session, title } = await sessionOr404(id);
  // An interview's interviewers also see their notes and rubric overrides among the events.
  const me = await pageUser();
  let annotations: ReplayAnnotation[] | undefined;
  if (me.user.role !== 'learner' && !me.candidate && me.via !== 'personal') annotations = new InterviewRubrics(services(), me).replayMarks(session.id) ?? undefined;
  return (
    <div className="wide-page">
      <p className="meta crumbs">
        <Link href="/">Scenarios</Link> / <Link href={`/sessions/${session.id}`}>{title}</Link> / <span className="mono">{session.id}</span> /{' '}
        <span>replay</span>
      </p>
      <div className="page-head compact">
        <h1 title="Everything typed and shown in the session's terminal, as it happened">Replay: {title}</h1>
        <div className="row">
          <span className={`status ${session.status}`} data-testid="session-status">
            {session.status}
          </span>
          {session.hasReport ? (
            <Link className="button" href={`/sessions/${session.id}/report`}>
              Read the report
            </Link>
          ) : (
            <Link className="button secondary" href={`/sessions/${session.id}`}>
              Back to the session
            </Link>
          )}
        </div>
      </div>
      <section className="panel tight" aria-label="Replay">
        <ReplayPlayer sessionId={session.id} createdAt={session.createdAt} readyAt={session.readyAt} startAt={startAt} annotations={annotations} />
      </section>
    </div>
  );
}
