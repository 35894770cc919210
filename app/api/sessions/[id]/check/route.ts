import { services } from '@/server/registry';
import { checkSessionId, handle, json } from '@/app/_lib/http';

export const dynamic = 'force-dynamic';

export async function POST(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  return handle(async () => {
    const id = checkSessionId((await params).id);
    return json(await services().engine.checkGoals(id));
  });
}
