import Link from 'next/link';
import { notFound } from 'next/navigation';
import { isSickbayError } from '@/lib/errors';
import { DrillAdmin } from '@/server/drills/drills';
import { drillDeps } from '@/server/drills/deps';
import { services } from '@/server/registry';
import { pageUser } from '@/app/_lib/auth';
import { DebriefView } from '@/app/_components/drill/DebriefView';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Drill debrief — Sickbay' };

/** After the drill: the teams side by side, the export, and a re-run with a new seed. */
export default async function DebriefPage({ params }: { params: Promise<{ id: string }> }) {
  const me = await pageUser();
  if (me.via === 'personal' || me.candidate || me.user.role === 'learner') notFound();
  const { id } = await params;
  let debrief: ReturnType<DrillAdmin['debrief']>;
  try {
    debrief = new DrillAdmin(drillDeps(services()), me).debrief(id);
  } catch (err) {
    if (isSickbayError(err) && err.code === 'not_found') notFound();
    if (isSickbayError(err) && err.code === 'conflict') {
      return (
        <p className="notice">
          {err.message}. <Link href={`/drills/${id}`}>Back to the drill</Link>
        </p>
      );
    }
    throw err;
  }
  return (
    <>
      <h1>
        Debrief: {debrief.drill.name} <span className="pill">{debrief.drill.scenario}</span>
      </h1>
      <DebriefView drillId={debrief.drill.id} teams={debrief.teams} />
    </>
  );
}
