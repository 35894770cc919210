import { liveSessions } from '@/server/admin/admin';
import { services } from '@/server/registry';
import { principalOf, requireRole } from '@/app/_lib/auth';
import { handle, json } from '@/app/_lib/http';

export const dynamic = 'force-dynamic';

/** Everyone's live sessions, with their owners (end one with DELETE /api/sessions/:id). */
export async function GET(request: Request) {
  return handle(() => json({ sessions: liveSessions(services(), requireRole(principalOf(request), ['admin'], 'admin')) }));
}
