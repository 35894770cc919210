import { z } from 'zod';
import { SEED_PATTERN, SEED_RULE } from '@/lib/lifecycle/seed';
import { sessionsFor } from '@/app/_lib/auth';
import { handle, json, readJson } from '@/app/_lib/http';

export const dynamic = 'force-dynamic';

const CreateSession = z
  .object({
    scenario: z.string().min(1, 'scenario is required').max(64),
    seed: z.string().regex(SEED_PATTERN, SEED_RULE).optional(),
    /** A culprit this learner has not met in the scenario yet (a new random seed that proves it). */
    newCulprit: z.boolean().optional(),
    /** Coach mode (evidence-losing calls held once); default: on for beginner scenarios in personal mode. */
    coach: z.boolean().optional(),
  })
  .strict()
  .refine((b) => !(b.newCulprit && b.seed !== undefined), { message: 'give either a seed or newCulprit, not both: a seed fixes the culprit', path: ['newCulprit'] });

export async function GET(request: Request) {
  return handle(() => json({ sessions: sessionsFor(request).list() }));
}

export async function POST(request: Request) {
  return handle(async () => {
    const body = await readJson(request, CreateSession);
    const session = sessionsFor(request).create(body);
    return json(session, 201);
  });
}
