import type { Metadata } from 'next';
import { compileMDX } from 'next-mdx-remote/rsc';
import Link from 'next/link';
import { timelineBudgets } from '@/lib/scoring/budgets';
import { diagnosisChoices, liveGoalTitle } from '@/lib/scenario/types';
import { services } from '@/server/registry';
import { pageSessions } from '@/app/_lib/auth';
import { sessionOr404 } from '@/app/_lib/session';
import { sessionMetadata } from '@/app/_lib/titles';
import { SessionPanel } from '@/app/_components/session/SessionPanel';
import { TeamBar } from '@/app/_components/session/TeamBar';
import { teamMay } from '@/lib/auth/team';

export const dynamic = 'force-dynamic';

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }): Promise<Metadata> {
  return sessionMetadata((await params).id);
}

export default async function SessionPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const { catalogue } = services();
  const sessions = await pageSessions();
  const { session } = await sessionOr404(id);
  const entry = catalogue.has(session.scenario) ? catalogue.get(session.scenario) : null;
  const source = entry ? catalogue.briefing(session.scenario) : null;
  const briefing = source ? (await compileMDX({ source, options: { blockJS: true } })).content : null;
  const title = entry?.definition.title ?? session.scenario;
  // A team session (issue #14): each member's forms and buttons follow their role.
  const team = sessions.team(session.id);
  const may = (action: Parameters<typeof teamMay>[2]) => teamMay(team.members, team.me, action);
  const can = team.members.length && team.you ? { check: may('check'), hint: may('hint'), diagnose: may('diagnose'), update: may('update'), end: session.ownerId === team.me } : {};
  return (
    <>
      <p className="meta crumbs">
        <Link href="/">Scenarios</Link> / {entry ? <Link href={`/scenarios/${session.scenario}`}>{title}</Link> : <span>{title}</span>} /{' '}
        <span className="mono">{session.id}</span>
      </p>
      {!sessions.owns(session.id) && team.members.length === 0 && (
        <p className="notice" role="status" data-testid="watching">
          You are watching {services().auth.users.get(session.ownerId)?.email ?? 'another learner'}&apos;s session: you see what they do, but only they can work in it.
        </p>
      )}
      {team.members.length > 0 && <TeamBar sessionId={session.id} initial={team} />}
      <SessionPanel
        initial={session}
        title={title}
        briefing={briefing}
        goalTitles={entry ? entry.definition.goals.map((g) => ({ id: g.id, title: liveGoalTitle(g) })) : []}
        diagnosis={entry ? diagnosisChoices(entry.definition.diagnosis) : null}
        hintCount={entry?.definition.hints.length ?? 0}
        initialHints={sessions.hintsTaken(session.id)}
        initialInput={sessions.events(session.id).filter((e) => e.kind === 'diagnosis' || e.kind === 'update')}
        budgets={entry ? timelineBudgets(entry.definition.protocol.timelineScale) : []}
        watching={!sessions.owns(session.id)}
        can={can}
      />
    </>
  );
}
