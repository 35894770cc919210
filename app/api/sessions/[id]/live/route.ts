import { SickbayError } from '@/lib/errors';
import { liveView } from '@/server/interviews/live';
import { services } from '@/server/registry';
import { sessionsFor } from '@/app/_lib/auth';
import { checkSessionId, handle, json } from '@/app/_lib/http';

export const dynamic = 'force-dynamic';

/**
 * A watcher's live, risk-tagged timeline of the session (entries after `after`), the emergency
 * timeline's milestones and the last goal check. Watchers only: its learner gets 403, a
 * candidate 404.
 */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  return handle(async () => {
    const id = checkSessionId((await params).id);
    const after = new URL(request.url).searchParams.get('after') ?? '0';
    if (!/^\d{1,15}$/.test(after)) throw new SickbayError('bad_request', 'after must be a non-negative integer event id');
    return json(liveView(services().catalogue, sessionsFor(request), id, Number(after)));
  });
}
