import { z } from 'zod';
import { RUBRIC_STATUSES } from '@/lib/interviews/rubric';
import { InterviewRubrics } from '@/server/interviews/rubric';
import { services } from '@/server/registry';
import { principalOf } from '@/app/_lib/auth';
import { handle, json, readJson } from '@/app/_lib/http';

export const dynamic = 'force-dynamic';

const Override = z.object({ item: z.string().max(120), status: z.enum(RUBRIC_STATUSES), reason: z.string().max(2000) }).strict();

/** Overrides one rubric item with a reason (the report's verdict stays beside it); answers the rubric. */
export async function POST(request: Request, { params }: { params: Promise<{ interviewId: string }> }) {
  return handle(async () => {
    const rubrics = new InterviewRubrics(services(), principalOf(request));
    const { item, status, reason } = await readJson(request, Override);
    return json(rubrics.override((await params).interviewId, item, status, reason), 201);
  });
}
