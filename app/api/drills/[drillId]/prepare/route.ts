import { DrillAdmin } from '@/server/drills/drills';
import { drillDeps } from '@/server/drills/deps';
import { services } from '@/server/registry';
import { principalOf } from '@/app/_lib/auth';
import { handle, json } from '@/app/_lib/http';

export const dynamic = 'force-dynamic';

/** Starts again the held session of every team with members that has none live (a failed start). */
export async function POST(request: Request, { params }: { params: Promise<{ drillId: string }> }) {
  return handle(async () => json(await new DrillAdmin(drillDeps(services()), principalOf(request)).prepare((await params).drillId)));
}
