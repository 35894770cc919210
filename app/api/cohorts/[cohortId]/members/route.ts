import { z } from 'zod';
import { CohortAdmin } from '@/server/admin/cohorts';
import { services } from '@/server/registry';
import { principalOf } from '@/app/_lib/auth';
import { handle, json, readJson } from '@/app/_lib/http';

export const dynamic = 'force-dynamic';

const Member = z.object({ email: z.string().max(254), role: z.enum(['learner', 'facilitator']).default('learner') }).strict();

/** Adds a learner (or a co-facilitator) by e-mail. */
export async function POST(request: Request, { params }: { params: Promise<{ cohortId: string }> }) {
  return handle(async () => {
    const cohorts = new CohortAdmin(services().auth, principalOf(request));
    const body = await readJson(request, Member);
    return json(cohorts.addMember((await params).cohortId, body.email, body.role), 201);
  });
}
