import { z } from 'zod';
import { PLANNED_SEED_PATTERN, PLANNED_SEED_RULE } from '@/lib/lifecycle/seed';
import { DEFAULT_DRILL_MINUTES, MAX_DRILL_MINUTES, MAX_TEAMS, MIN_DRILL_MINUTES, teamNameProblem } from '@/lib/drills/rules';
import { DrillAdmin } from '@/server/drills/drills';
import { drillDeps } from '@/server/drills/deps';
import { services } from '@/server/registry';
import { principalOf } from '@/app/_lib/auth';
import { handle, json, readJson } from '@/app/_lib/http';

export const dynamic = 'force-dynamic';

const NewDrill = z
  .object({
    name: z.string().trim().min(1, 'name the drill').max(80),
    scenario: z.string().min(1, 'choose a scenario').max(80),
    seed: z.string().regex(PLANNED_SEED_PATTERN, PLANNED_SEED_RULE).optional(),
    seedMode: z.enum(['shared', 'per-team']).default('shared'),
    mode: z.enum(['teams', 'individuals']).default('teams'),
    teams: z
      .array(z.string().max(80))
      .max(MAX_TEAMS, `at most ${MAX_TEAMS} teams`)
      .default([])
      .superRefine((names, ctx) => {
        const problem = teamNameProblem(names);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }),
    timeLimitMin: z.number().int().min(MIN_DRILL_MINUTES).max(MAX_DRILL_MINUTES).default(DEFAULT_DRILL_MINUTES),
  })
  .strict();

/** The drills this facilitator runs (every one, for admins). */
export async function GET(request: Request) {
  return handle(() => json({ drills: new DrillAdmin(drillDeps(services()), principalOf(request)).list() }));
}

/** Sets one up; the answer carries its join code. */
export async function POST(request: Request) {
  return handle(async () => {
    const admin = new DrillAdmin(drillDeps(services()), principalOf(request));
    const body = await readJson(request, NewDrill);
    return json(admin.create(body), 201);
  });
}
