import { CohortAdmin } from '@/server/admin/cohorts';
import { services } from '@/server/registry';
import { principalOf } from '@/app/_lib/auth';
import { handle, json } from '@/app/_lib/http';

export const dynamic = 'force-dynamic';

export async function DELETE(request: Request, { params }: { params: Promise<{ cohortId: string; userId: string }> }) {
  return handle(async () => {
    const { cohortId, userId } = await params;
    return json(new CohortAdmin(services().auth, principalOf(request)).removeMember(cohortId, userId));
  });
}
