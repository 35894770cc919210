import { SickbayError } from '@/lib/errors';
import { sessionsFor } from '@/app/_lib/auth';
import { checkSessionId, handle, json } from '@/app/_lib/http';

export const dynamic = 'force-dynamic';

/** The customers' per-second buckets (from `since`, ms since creation) and the scenario's standard. */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  return handle(async () => {
    const id = checkSessionId((await params).id);
    const since = new URL(request.url).searchParams.get('since');
    if (since !== null && !/^-?\d{1,15}$/.test(since)) throw new SickbayError('bad_request', 'since must be a whole number of ms since the session was created');
    return json(sessionsFor(request).customers(id, since === null ? undefined : Number(since)));
  });
}
