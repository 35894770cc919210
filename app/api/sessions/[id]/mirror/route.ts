import { sessionsFor } from '@/app/_lib/auth';
import { checkSessionId, handle, json } from '@/app/_lib/http';

export const dynamic = 'force-dynamic';

/**
 * Where a watcher opens a read-only mirror of the session's terminal: `{path, token}`. Not part
 * of any session view, so the learner's page never carries it; watchers only (admins, and
 * facilitators of the learner's cohort): the owner of a team-mode session gets 403.
 */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  return handle(async () => json(sessionsFor(request).mirror(checkSessionId((await params).id))));
}
