import { z } from 'zod';
import { CohortAdmin } from '@/server/admin/cohorts';
import { services } from '@/server/registry';
import { principalOf } from '@/app/_lib/auth';
import { handle, json, readJson } from '@/app/_lib/http';

export const dynamic = 'force-dynamic';

const NewCohort = z.object({ name: z.string().trim().min(1, 'name the cohort').max(80) }).strict();

export async function GET(request: Request) {
  return handle(() => json({ cohorts: new CohortAdmin(services().auth, principalOf(request)).list() }));
}

export async function POST(request: Request) {
  return handle(async () => {
    const cohorts = new CohortAdmin(services().auth, principalOf(request));
    const { name } = await readJson(request, NewCohort);
    return json(cohorts.create(name), 201);
  });
}
