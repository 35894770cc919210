import { DrillAdmin } from '@/server/drills/drills';
import { drillDeps } from '@/server/drills/deps';
import { services } from '@/server/registry';
import { principalOf } from '@/app/_lib/auth';
import { handle, json } from '@/app/_lib/http';

export const dynamic = 'force-dynamic';

/** Ends the drill and every team's live session (their reports are written). */
export async function POST(request: Request, { params }: { params: Promise<{ drillId: string }> }) {
  return handle(async () => json(await new DrillAdmin(drillDeps(services()), principalOf(request)).end((await params).drillId)));
}
