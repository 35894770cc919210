import { drillFor } from '@/server/drills/drills';
import { drillDeps } from '@/server/drills/deps';
import { services } from '@/server/registry';
import { principalOf } from '@/app/_lib/auth';
import { handle, json } from '@/app/_lib/http';

export const dynamic = 'force-dynamic';

/** The drill: all of it for its facilitator, their own team's view for a participant, 404 for anyone else. */
export async function GET(request: Request, { params }: { params: Promise<{ drillId: string }> }) {
  return handle(async () => json(drillFor(drillDeps(services()), principalOf(request), (await params).drillId)));
}
