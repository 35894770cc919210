import { notFound } from 'next/navigation';
import { isSickbayError } from '@/lib/errors';
import { drillFor } from '@/server/drills/drills';
import { drillDeps } from '@/server/drills/deps';
import { services } from '@/server/registry';
import { pageUser } from '@/app/_lib/auth';
import { DrillRoom } from '@/app/_components/drill/DrillRoom';
import { ParticipantRoom } from '@/app/_components/drill/ParticipantRoom';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Drill — Sickbay' };

/** A drill's room: the facilitator's lobby and controls, or a participant's view of their team. */
export default async function DrillPage({ params }: { params: Promise<{ id: string }> }) {
  const me = await pageUser();
  if (me.via === 'personal' || me.candidate) notFound();
  const s = services();
  let view: ReturnType<typeof drillFor>;
  try {
    view = drillFor(drillDeps(s), me, (await params).id);
  } catch (err) {
    if (isSickbayError(err) && err.code === 'not_found') notFound();
    throw err;
  }
  return (
    <>
      <h1>
        {view.drill.name} <span className="pill">{view.drill.scenario}</span>
      </h1>
      {view.role === 'facilitator' ? (
        <DrillRoom initial={{ drill: view.drill, board: view.board }} joinUrl={`${s.auth.baseUrl()}/drills/join?code=${view.drill.code}`} />
      ) : (
        <ParticipantRoom initial={view.drill} />
      )}
    </>
  );
}
