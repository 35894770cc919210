import { notFound } from 'next/navigation';
import { isSickbayError } from '@/lib/errors';
import { drillFor } from '@/server/drills/drills';
import { drillDeps } from '@/server/drills/deps';
import { services } from '@/server/registry';
import { pageUser } from '@/app/_lib/auth';
import { Projector } from '@/app/_components/drill/Projector';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Drill board — Sickbay' };

/** The projector view of a drill's live board (its facilitator and admins only). */
export default async function BoardPage({ params }: { params: Promise<{ id: string }> }) {
  const me = await pageUser();
  if (me.via === 'personal' || me.candidate) notFound();
  let view: ReturnType<typeof drillFor>;
  try {
    view = drillFor(drillDeps(services()), me, (await params).id);
  } catch (err) {
    if (isSickbayError(err) && err.code === 'not_found') notFound();
    throw err;
  }
  if (view.role !== 'facilitator') notFound();
  return <Projector initial={{ drill: view.drill, board: view.board }} />;
}
