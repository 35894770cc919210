import { services } from '@/server/registry';
import { checkSessionId, handle, json } from '@/app/_lib/http';

export const dynamic = 'force-dynamic';

/**
 * Where a watcher opens a read-only mirror of the session's terminal: `{path, token}`. Not part
 * of any session view, so the learner's page never carries it.
 */
export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  return handle(async () => json(services().engine.mirror(checkSessionId((await params).id))));
}
