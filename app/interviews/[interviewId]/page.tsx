import Link from 'next/link';
import { notFound } from 'next/navigation';
import { isSickbayError } from '@/lib/errors';
import { isFinal } from '@/lib/lifecycle/status';
import { InterviewAdmin } from '@/server/interviews/interviews';
import type { Interview } from '@/server/interviews/store';
import { services } from '@/server/registry';
import { pageUser } from '@/app/_lib/auth';
import { LiveTimeline } from '@/app/_components/LiveTimeline';
import { MirrorView } from '@/app/_components/MirrorView';
import { InterviewNotes } from '@/app/_components/interview/InterviewNotes';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Interview — Sickbay' };

/**
 * The interviewer's live view: the candidate's terminal mirrored read-only, beside it the
 * risk-tagged live timeline, and the private notes. Interviewers of this interview (and
 * admins) only; anyone else, and the candidate, get 404.
 */
export default async function InterviewLivePage({ params }: { params: Promise<{ interviewId: string }> }) {
  const { interviewId } = await params;
  const me = await pageUser();
  if (me.user.role === 'learner' || me.via === 'personal' || me.candidate) notFound();
  const s = services();
  let interview: Interview;
  try {
    interview = new InterviewAdmin(s, me).get(interviewId);
  } catch (err) {
    if (isSickbayError(err) && err.code === 'not_found') notFound();
    throw err;
  }
  const sessionId = interview.sessionId;
  const live = sessionId !== null && !isFinal(s.engine.get(sessionId).status);
  return (
    <>
      <p className="meta crumbs">
        <Link href="/interviews">Interviews</Link> / <span>{interview.candidateName}</span>
      </p>
      <h1>
        {interview.candidateName} <span className="pill">{interview.scenario}</span>
      </h1>
      {sessionId === null ? (
        <p className="notice" role="status" data-testid="interview-waiting">
          The candidate has not opened the link yet. Reload this page once they have.
        </p>
      ) : (
        <>
          <p className="meta">
            <Link href={`/sessions/${sessionId}`}>Session page</Link>
            <Link href={`/sessions/${sessionId}/replay`}>Replay</Link>
            <Link href={`/interviews/${interview.id}/rubric`} data-testid="rubric-link">
              Rubric
            </Link>
          </p>
          <div className="interview-live">
            <MirrorView sessionId={sessionId} />
            <LiveTimeline sessionId={sessionId} />
          </div>
          <InterviewNotes interviewId={interview.id} live={live} />
        </>
      )}
    </>
  );
}
