import { services } from '@/server/registry';
import { principalOf, userJson } from '@/app/_lib/auth';
import { handle, json } from '@/app/_lib/http';

export const dynamic = 'force-dynamic';

/** Who this request acts as, how, and in which mode the server runs. */
export async function GET(request: Request) {
  return handle(() => {
    const principal = principalOf(request);
    return json({ user: userJson(principal.user), via: principal.via, scopes: principal.scopes, teamMode: services().auth.teamMode() });
  });
}
