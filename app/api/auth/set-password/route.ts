import { z } from 'zod';
import { setPasswordWithLink } from '@/server/auth/local';
import { services } from '@/server/registry';
import { userJson, withSignin } from '@/app/_lib/auth';
import { handle, json, readJson } from '@/app/_lib/http';

export const dynamic = 'force-dynamic';

const SetPassword = z.object({ token: z.string().max(200), password: z.string().max(256) }).strict();

/** Uses an invitation or reset link once: sets the password, ends older sign-ins, signs in. */
export async function POST(request: Request) {
  return handle(async () => {
    const body = await readJson(request, SetPassword);
    const signed = await setPasswordWithLink(services().auth, body);
    return withSignin(json({ user: userJson(signed.user) }), signed);
  });
}
