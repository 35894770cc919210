import { SickbayError } from '@/lib/errors';
import { sessionsFor } from '@/app/_lib/auth';
import { checkSessionId, handle, json } from '@/app/_lib/http';

export const dynamic = 'force-dynamic';

export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  return handle(async () => {
    const id = checkSessionId((await params).id);
    const after = new URL(request.url).searchParams.get('after') ?? '0';
    if (!/^\d{1,15}$/.test(after)) throw new SickbayError('bad_request', 'after must be a non-negative integer event id');
    return json({ events: sessionsFor(request).events(id, Number(after)) });
  });
}
