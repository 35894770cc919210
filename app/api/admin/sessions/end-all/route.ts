import { endAll } from '@/server/admin/admin';
import { services } from '@/server/registry';
import { principalOf, requireRole } from '@/app/_lib/auth';
import { handle, json } from '@/app/_lib/http';

export const dynamic = 'force-dynamic';

export async function POST(request: Request) {
  return handle(async () => json({ ended: await endAll(services(), requireRole(principalOf(request), ['admin'], 'admin')) }));
}
