import { DrillAdmin } from '@/server/drills/drills';
import { drillDeps } from '@/server/drills/deps';
import { services } from '@/server/registry';
import { principalOf } from '@/app/_lib/auth';
import { handle, json } from '@/app/_lib/http';

export const dynamic = 'force-dynamic';

/** Start: releases every ready team's held session at one instant (409 with the reason while a team is not ready). */
export async function POST(request: Request, { params }: { params: Promise<{ drillId: string }> }) {
  return handle(async () => json(await new DrillAdmin(drillDeps(services()), principalOf(request)).start((await params).drillId)));
}
