import { z } from 'zod';
import { signInWithPassword } from '@/server/auth/local';
import { services } from '@/server/registry';
import { requestContext, userJson, withSignin } from '@/app/_lib/auth';
import { handle, json, readJson } from '@/app/_lib/http';

export const dynamic = 'force-dynamic';

const Signin = z.object({ email: z.string().max(254), password: z.string().max(256) }).strict();

/** E-mail and password: a sign-in cookie, or 401 (wrong), 429 (locked out). */
export async function POST(request: Request) {
  return handle(async () => {
    const { email, password } = await readJson(request, Signin);
    const signed = await signInWithPassword(services().auth, { email, password, address: requestContext(request).address });
    return withSignin(json({ user: userJson(signed.user) }), signed);
  });
}
