import { z } from 'zod';
import { ROLES } from '@/lib/auth/roles';
import { invite } from '@/server/admin/admin';
import { services } from '@/server/registry';
import { principalOf, requireRole } from '@/app/_lib/auth';
import { handle, json, readJson } from '@/app/_lib/http';

export const dynamic = 'force-dynamic';

const Invite = z.object({ email: z.string().max(254), role: z.enum(ROLES), name: z.string().max(120).optional() }).strict();

export async function GET(request: Request) {
  return handle(() => {
    requireRole(principalOf(request), ['admin'], 'admin');
    return json({ users: services().auth.users.list() });
  });
}

/** Invites someone: the account, and a single-use link to choose a password (72 h). */
export async function POST(request: Request) {
  return handle(async () => {
    const principal = requireRole(principalOf(request), ['admin'], 'admin');
    const body = await readJson(request, Invite);
    return json(await invite(services(), principal, body), 201);
  });
}
