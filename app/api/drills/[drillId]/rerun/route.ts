import { DrillAdmin } from '@/server/drills/drills';
import { drillDeps } from '@/server/drills/deps';
import { services } from '@/server/registry';
import { principalOf } from '@/app/_lib/auth';
import { handle, json } from '@/app/_lib/http';

export const dynamic = 'force-dynamic';

/** The same drill again with a new seed: a new drill (new code) in its lobby. */
export async function POST(request: Request, { params }: { params: Promise<{ drillId: string }> }) {
  return handle(async () => json(new DrillAdmin(drillDeps(services()), principalOf(request)).rerun((await params).drillId), 201));
}
