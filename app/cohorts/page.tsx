import { notFound } from 'next/navigation';
import { CohortAdmin } from '@/server/admin/cohorts';
import { services } from '@/server/registry';
import { pageUser } from '@/app/_lib/auth';
import { AddMember, NewCohort, RemoveMember } from '@/app/_components/admin/CohortActions';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Cohorts — Sickbay' };

/** A facilitator's cohorts: the learners whose sessions they watch. */
export default async function CohortsPage() {
  const me = await pageUser();
  if (me.user.role === 'learner' || me.via === 'personal') notFound();
  const cohorts = new CohortAdmin(services().auth, me).list();
  return (
    <>
      <h1>Cohorts</h1>
      <p className="lead">The facilitators of a cohort see its learners&apos; sessions, reports and replays (on the sessions page). Learners need an account first: an admin invites them.</p>
      <NewCohort />
      {cohorts.map((c) => (
        <section key={c.id} className="admin-section" data-cohort={c.name}>
          <h2>{c.name}</h2>
          <ul>
            {c.members.map((m) => (
              <li key={m.userId} className="row">
                {m.email ?? m.name} <span className="pill">{m.role}</span>
                {m.role === 'learner' && <RemoveMember cohortId={c.id} userId={m.userId} label={m.email ?? m.name} />}
              </li>
            ))}
          </ul>
          <AddMember cohortId={c.id} name={c.name} />
        </section>
      ))}
    </>
  );
}
