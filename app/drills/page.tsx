import Link from 'next/link';
import { notFound } from 'next/navigation';
import { DrillAdmin } from '@/server/drills/drills';
import { drillDeps } from '@/server/drills/deps';
import { services } from '@/server/registry';
import { pageUser } from '@/app/_lib/auth';
import { JoinByCode, NewDrill } from '@/app/_components/drill/NewDrill';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Drills — Sickbay' };

/** Drills: join one with a code; facilitators set them up and open their rooms. */
export default async function DrillsPage() {
  const me = await pageUser();
  if (me.via === 'personal' || me.candidate) notFound();
  const s = services();
  const runs = me.user.role === 'facilitator' || me.user.role === 'admin';
  const mine = runs ? new DrillAdmin(drillDeps(s), me).list() : [];
  const joined = s.drills.joinedBy(me.user.id);
  return (
    <>
      <h1>Drills</h1>
      <p className="lead">
        A drill puts teams on the same broken system at the same moment. Every team&apos;s incident is set up before the start and held; the facilitator&apos;s Start opens them
        all at once, and the board compares the teams live.
      </p>
      <section className="admin-section">
        <h2>Join a drill</h2>
        <JoinByCode />
        {joined.length > 0 && (
          <ul>
            {joined.map((d) => (
              <li key={d.id}>
                <Link href={`/drills/${d.id}`}>{d.name}</Link> <span className="pill">{d.scenario}</span>
              </li>
            ))}
          </ul>
        )}
      </section>
      {runs && <NewDrill scenarios={s.catalogue.list().map((e) => ({ slug: e.slug, title: e.title }))} />}
      {mine.map((d) => (
        <section key={d.id} className="admin-section" data-drill={d.name}>
          <h2>
            <Link href={`/drills/${d.id}`}>{d.name}</Link> <span className="pill">{d.scenario}</span> <span className="pill">{d.phase}</span>
          </h2>
          <p className="meta">
            {d.mode === 'teams' ? `${d.teams.length} teams` : `${d.teams.length} individuals`}, {d.timeLimitMin} min, seed{' '}
            {d.seedMode === 'shared' ? <span className="mono">{d.seed}</span> : 'one per team'} · code <span className="mono">{d.code}</span>
          </p>
        </section>
      ))}
    </>
  );
}
