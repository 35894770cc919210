import { services } from '@/server/registry';
import { principalOf, withSignout } from '@/app/_lib/auth';
import { handle, json } from '@/app/_lib/http';

export const dynamic = 'force-dynamic';

/** Ends this browser's sign-in. */
export async function POST(request: Request) {
  return handle(() => {
    const principal = principalOf(request);
    if (principal.signinId) services().auth.signins.revoke(principal.signinId);
    return withSignout(json({ signedOut: true }));
  });
}
