import { health } from '@/server/admin/admin';
import { services } from '@/server/registry';
import { principalOf, requireRole } from '@/app/_lib/auth';
import { handle, json } from '@/app/_lib/http';

export const dynamic = 'force-dynamic';

export async function GET(request: Request) {
  return handle(() => {
    requireRole(principalOf(request), ['admin'], 'admin');
    return json(health(services()));
  });
}
