import { sessionsFor } from '@/app/_lib/auth';
import { checkSessionId, handle, json } from '@/app/_lib/http';

export const dynamic = 'force-dynamic';

export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }) {
  return handle(async () => {
    const id = checkSessionId((await params).id);
    return json(await sessionsFor(request).checkGoals(id));
  });
}
