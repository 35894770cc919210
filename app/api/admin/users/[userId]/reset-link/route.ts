import { resetLink } from '@/server/admin/admin';
import { services } from '@/server/registry';
import { principalOf, requireRole } from '@/app/_lib/auth';
import { handle, json } from '@/app/_lib/http';

export const dynamic = 'force-dynamic';

/** A single-use password reset link (24 h); older links of the account stop working. */
export async function POST(request: Request, { params }: { params: Promise<{ userId: string }> }) {
  return handle(async () => {
    const principal = requireRole(principalOf(request), ['admin'], 'admin');
    return json({ link: resetLink(services(), principal, (await params).userId) }, 201);
  });
}
