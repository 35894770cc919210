import { z } from 'zod';
import { SickbayError } from '@/lib/errors';
import { CODE_PATTERN, normalizeCode } from '@/lib/drills/rules';
import { drillByCode, joinDrill } from '@/server/drills/drills';
import { drillDeps } from '@/server/drills/deps';
import { services } from '@/server/registry';
import { principalOf } from '@/app/_lib/auth';
import { handle, json, readJson } from '@/app/_lib/http';

export const dynamic = 'force-dynamic';

const code = z
  .string()
  .max(20)
  .transform(normalizeCode)
  .refine((c) => CODE_PATTERN.test(c), 'a join code is 6 letters and digits, e.g. K7QX3M');

const Join = z.object({ code, teamId: z.string().regex(/^[0-9a-f]{16}$/, 'teamId: not a team of this drill').optional() }).strict();

/** What a code opens, before joining: the drill's name and its teams (to pick one). */
export async function GET(request: Request) {
  return handle(() => {
    const principal = principalOf(request);
    const parsed = code.safeParse(new URL(request.url).searchParams.get('code') ?? '');
    if (!parsed.success) throw new SickbayError('bad_request', parsed.error.issues[0]?.message ?? 'bad code');
    return json(drillByCode(drillDeps(services()), principal, parsed.data));
  });
}

/** Joins the drill (into the team picked, or the smallest one); the team's first member starts its session. */
export async function POST(request: Request) {
  return handle(async () => {
    const principal = principalOf(request);
    const body = await readJson(request, Join);
    return json(joinDrill(drillDeps(services()), principal, body.code, body.teamId));
  });
}
