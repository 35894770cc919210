import { services } from '@/server/registry';
import { principalOf, withSignout } from '@/app/_lib/auth';
import { handle, json } from '@/app/_lib/http';

export const dynamic = 'force-dynamic';

/** Ends every sign-in of the user, on every browser (API tokens stay: revoke them one by one). */
export async function POST(request: Request) {
  return handle(() => {
    const principal = principalOf(request);
    const ended = services().auth.signins.revokeAllOf(principal.user.id);
    return withSignout(json({ signedOut: ended }));
  });
}
