import { z } from 'zod';
import { ROLES } from '@/lib/auth/roles';
import { updateUser } from '@/server/admin/admin';
import { services } from '@/server/registry';
import { principalOf, requireRole } from '@/app/_lib/auth';
import { handle, json, readJson } from '@/app/_lib/http';

export const dynamic = 'force-dynamic';

const Change = z.object({ role: z.enum(ROLES).optional(), disabled: z.boolean().optional() }).strict();

/** Changes a role or disables/enables an account (disabling ends its sign-ins and tokens). */
export async function POST(request: Request, { params }: { params: Promise<{ userId: string }> }) {
  return handle(async () => {
    const principal = requireRole(principalOf(request), ['admin'], 'admin');
    const change = await readJson(request, Change);
    return json({ user: updateUser(services(), principal, (await params).userId, change) });
  });
}
