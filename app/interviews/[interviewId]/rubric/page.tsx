import Link from 'next/link';
import { notFound } from 'next/navigation';
import { isSickbayError } from '@/lib/errors';
import type { Rubric } from '@/lib/interviews/rubric';
import { InterviewRubrics } from '@/server/interviews/rubric';
import { services } from '@/server/registry';
import { pageUser } from '@/app/_lib/auth';
import { RubricEditor } from '@/app/_components/interview/RubricEditor';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Interview rubric — Sickbay' };

/** The rubric after the interview, pre-filled from the report; interviewers only (the candidate and anyone else: 404). */
export default async function RubricPage({ params }: { params: Promise<{ interviewId: string }> }) {
  const { interviewId } = await params;
  const me = await pageUser();
  if (me.user.role === 'learner' || me.via === 'personal' || me.candidate) notFound();
  let rubric: Rubric | null = null;
  let waiting: string | null = null;
  try {
    rubric = new InterviewRubrics(services(), me).get(interviewId);
  } catch (err) {
    if (isSickbayError(err) && err.code === 'not_found' && /no interview/.test(err.message)) notFound();
    if (isSickbayError(err) && (err.code === 'conflict' || err.code === 'not_found')) waiting = err.message;
    else throw err;
  }
  return (
    <>
      <p className="meta crumbs">
        <Link href="/interviews">Interviews</Link> / <Link href={`/interviews/${interviewId}`}>live view</Link> / <span>rubric</span>
      </p>
      <h1>Rubric{rubric ? `: ${rubric.candidateName}` : ''}</h1>
      {waiting || !rubric ? (
        <p className="notice" role="status" data-testid="rubric-waiting">
          {waiting}
        </p>
      ) : (
        <>
          <p className="lead">
            Pre-filled from the session&apos;s report (total {rubric.reportTotal}/100). Override any item with a reason; the report&apos;s verdict stays beside it.
          </p>
          {rubric.reportCap && (
            <p className="lead" data-testid="rubric-cap">
              {rubric.reportCap}
            </p>
          )}
          <RubricEditor initial={rubric} />
        </>
      )}
    </>
  );
}
