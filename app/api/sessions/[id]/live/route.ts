import { liveView } from '@/server/interviews/live';
import { services } from '@/server/registry';
import { sessionsFor } from '@/app/_lib/auth';
import { afterEventId, checkSessionId, handle, json } from '@/app/_lib/http';

export const dynamic = 'force-dynamic';

/**
 * A watcher's live, risk-tagged timeline of the session (entries after `after`), the emergency
 * timeline's milestones and the last goal check. Watchers only: its learner gets 403, a
 * candidate 404.
 */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  return handle(async () => {
    const id = checkSessionId((await params).id);
    return json(liveView(services().catalogue, sessionsFor(request), id, afterEventId(request)));
  });
}
