import { z } from 'zod';
import { SickbayError } from '@/lib/errors';
import { changeOwnPassword } from '@/server/auth/local';
import { services } from '@/server/registry';
import { principalOf, requestContext, userJson, withSignin } from '@/app/_lib/auth';
import { handle, json, readJson } from '@/app/_lib/http';

export const dynamic = 'force-dynamic';

const ChangePassword = z.object({ current: z.string().max(256), password: z.string().max(256) }).strict();

/** The signed-in user's own password: the current one, a new one; other sign-ins end (docs/api.md). */
export async function POST(request: Request) {
  return handle(async () => {
    const principal = principalOf(request);
    if (principal.via !== 'cookie') throw new SickbayError('forbidden', 'sign in with a browser to change your password (not with an API token, not in personal mode)');
    const body = await readJson(request, ChangePassword);
    const signed = await changeOwnPassword(services().auth, { userId: principal.user.id, ...body, address: requestContext(request).address });
    return withSignin(json({ user: userJson(signed.user) }), signed);
  });
}
