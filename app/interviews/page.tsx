import Link from 'next/link';
import { notFound } from 'next/navigation';
import { InterviewAdmin } from '@/server/interviews/interviews';
import { services } from '@/server/registry';
import { pageUser } from '@/app/_lib/auth';
import { AddInterviewer, NewInterview } from '@/app/_components/interview/InterviewActions';
import { formatUtc } from '@/lib/display/clock';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Interviews — Sickbay' };

/** An interviewer's interviews: set one up, send the link, and open the candidate's session to watch it. */
export default async function InterviewsPage() {
  const me = await pageUser();
  if (me.user.role === 'learner' || me.via === 'personal' || me.candidate) notFound();
  const s = services();
  const interviews = new InterviewAdmin(s, me).list();
  const scenarios = s.catalogue.list().map((e) => ({ slug: e.slug, title: e.title }));
  return (
    <>
      <h1>Interviews</h1>
      <p className="lead">
        A candidate gets a single-use link: no account, one browser, one session. They see the briefing, the terminal and the diagnosis forms, never a score or a report; you
        and the interviewers you add watch their session and read its report afterwards.
      </p>
      <NewInterview scenarios={scenarios} />
      {interviews.map((i) => (
        <section key={i.id} className="admin-section" data-interview={i.candidateName}>
          <h2>
            {i.candidateName} <span className="pill">{i.scenario}</span>
          </h2>
          <p className="meta">
            {i.timeLimitMin} min, hints {i.hints ? 'on' : 'off'}, seed <span className="mono">{i.seed}</span> ·{' '}
            {i.startedAt ? `started ${formatUtc(i.startedAt)}` : `link unused (valid until ${formatUtc(i.linkExpiresAt)})`}
          </p>
          {i.sessionId && (
            <p className="row">
              <Link className="button" href={`/interviews/${i.id}`} data-testid="live-view">
                Live view and notes
              </Link>
              <Link className="button secondary" href={`/sessions/${i.sessionId}`} data-testid="watch-session">
                Watch the session
              </Link>
            </p>
          )}
          <p className="meta">Interviewers: {i.watchers.map((w) => w.email ?? w.name).join(', ')}</p>
          <AddInterviewer interviewId={i.id} />
        </section>
      ))}
    </>
  );
}
