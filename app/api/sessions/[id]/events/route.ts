import { sessionsFor } from '@/app/_lib/auth';
import { afterEventId, checkSessionId, handle, json } from '@/app/_lib/http';

export const dynamic = 'force-dynamic';

export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  return handle(async () => {
    const id = checkSessionId((await params).id);
    return json({ events: sessionsFor(request).events(id, afterEventId(request)) });
  });
}
