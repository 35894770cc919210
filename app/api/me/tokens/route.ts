import { z } from 'zod';
import { SCOPES } from '@/lib/auth/roles';
import { services } from '@/server/registry';
import { principalOf } from '@/app/_lib/auth';
import { handle, json, readJson } from '@/app/_lib/http';

export const dynamic = 'force-dynamic';

const NewToken = z.object({ name: z.string().trim().min(1, 'name the token').max(80), scopes: z.array(z.enum(SCOPES)).min(1).max(SCOPES.length) }).strict();

export async function GET(request: Request) {
  return handle(() => json({ tokens: services().auth.tokens.list(principalOf(request).user.id) }));
}

/** A new personal API token: the answer is the only time its value is shown. */
export async function POST(request: Request) {
  return handle(async () => {
    const principal = principalOf(request);
    const body = await readJson(request, NewToken);
    const { token, info } = services().auth.tokens.create(principal.user, body.name, body.scopes);
    return json({ token, ...info }, 201);
  });
}
