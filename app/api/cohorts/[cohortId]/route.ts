import { CohortAdmin } from '@/server/admin/cohorts';
import { services } from '@/server/registry';
import { principalOf } from '@/app/_lib/auth';
import { handle, json } from '@/app/_lib/http';

export const dynamic = 'force-dynamic';

type Params = { params: Promise<{ cohortId: string }> };

export async function GET(request: Request, { params }: Params) {
  return handle(async () => json(new CohortAdmin(services().auth, principalOf(request)).get((await params).cohortId)));
}

export async function DELETE(request: Request, { params }: Params) {
  return handle(async () => {
    const id = (await params).cohortId;
    new CohortAdmin(services().auth, principalOf(request)).remove(id);
    return json({ deleted: id });
  });
}
