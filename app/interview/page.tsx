import { compileMDX } from 'next-mdx-remote/rsc';
import { notFound } from 'next/navigation';
import { diagnosisChoices } from '@/lib/scenario/types';
import { services } from '@/server/registry';
import { pagePrincipal } from '@/app/_lib/auth';
import { CandidatePanel } from '@/app/_components/interview/CandidatePanel';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Your interview — Sickbay' };

/**
 * The candidate's page: the session page without anything that gives the answer away — the
 * briefing, the terminal, the diagnosis and update forms, hints only when allowed, and a
 * countdown. No score, report, replay or debrief: those belong to the interviewer.
 */
export default async function CandidatePage() {
  const me = await pagePrincipal();
  if (!me?.candidate?.sessionId) notFound();
  const { auth, access, catalogue } = services();
  const interview = auth.interviews.get(me.candidate.interviewId);
  if (!interview?.startedAt) notFound();
  const session = access.as(me).get(me.candidate.sessionId, { touch: true });
  const entry = catalogue.has(session.scenario) ? catalogue.get(session.scenario) : null;
  const source = entry ? catalogue.briefing(session.scenario) : null;
  const briefing = source ? (await compileMDX({ source, options: { blockJS: true } })).content : null;
  return (
    <CandidatePanel
      initial={session}
      title={entry?.definition.title ?? session.scenario}
      candidateName={interview.candidateName}
      briefing={briefing}
      startedAt={Date.parse(interview.startedAt)}
      timeLimitMin={interview.timeLimitMin}
      diagnosis={entry ? diagnosisChoices(entry.definition.diagnosis) : null}
      hintCount={me.candidate.hints ? (entry?.definition.hints.length ?? 0) : 0}
    />
  );
}
