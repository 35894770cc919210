import { z } from 'zod';
import { createFirstAdmin } from '@/server/auth/local';
import { services } from '@/server/registry';
import { userJson, withSignin } from '@/app/_lib/auth';
import { handle, json, readJson } from '@/app/_lib/http';

export const dynamic = 'force-dynamic';

const Setup = z
  .object({ code: z.string().max(40).default(''), email: z.string().max(254), password: z.string().max(256), name: z.string().max(120).optional() })
  .strict();

/** The first-run page: makes the first admin (setup code from the log in team mode) and signs them in. */
export async function POST(request: Request) {
  return handle(async () => {
    const body = await readJson(request, Setup);
    const signed = await createFirstAdmin(services().auth, body);
    return withSignin(json({ user: userJson(signed.user) }, 201), signed);
  });
}
