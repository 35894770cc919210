import { z } from 'zod';
import { PLANNED_SEED_PATTERN, PLANNED_SEED_RULE } from '@/lib/lifecycle/seed';
import { InterviewAdmin } from '@/server/interviews/interviews';
import { services } from '@/server/registry';
import { principalOf } from '@/app/_lib/auth';
import { handle, json, readJson } from '@/app/_lib/http';
import { DEFAULT_TIME_LIMIT_MIN, MAX_TIME_LIMIT_MIN, MIN_TIME_LIMIT_MIN } from '@/lib/interviews/rules';

export const dynamic = 'force-dynamic';

const NewInterview = z
  .object({
    scenario: z.string().min(1, 'choose a scenario').max(80),
    seed: z.string().regex(PLANNED_SEED_PATTERN, PLANNED_SEED_RULE).optional(),
    candidateName: z.string().trim().min(1, 'name the candidate').max(80),
    timeLimitMin: z.number().int().min(MIN_TIME_LIMIT_MIN).max(MAX_TIME_LIMIT_MIN).default(DEFAULT_TIME_LIMIT_MIN),
    hints: z.boolean().default(false),
  })
  .strict();

/** The interviews this facilitator watches (every one, for admins). */
export async function GET(request: Request) {
  return handle(() => json({ interviews: new InterviewAdmin(services(), principalOf(request)).list() }));
}

/** Sets one up; the answer carries the single-use candidate link (shown once). */
export async function POST(request: Request) {
  return handle(async () => {
    const interviews = new InterviewAdmin(services(), principalOf(request));
    const body = await readJson(request, NewInterview);
    return json(interviews.create(body), 201);
  });
}
