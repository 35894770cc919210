import { z } from 'zod';
import { RECOMMENDATIONS } from '@/lib/interviews/rubric';
import { InterviewRubrics } from '@/server/interviews/rubric';
import { services } from '@/server/registry';
import { principalOf } from '@/app/_lib/auth';
import { handle, json, readJson } from '@/app/_lib/http';

export const dynamic = 'force-dynamic';

const Recommendation = z.object({ value: z.enum(RECOMMENDATIONS), text: z.string().max(4000) }).strict();

/** The overall recommendation (the latest counts); answers the rubric. */
export async function POST(request: Request, { params }: { params: Promise<{ interviewId: string }> }) {
  return handle(async () => {
    const rubrics = new InterviewRubrics(services(), principalOf(request));
    const { value, text } = await readJson(request, Recommendation);
    return json(rubrics.recommend((await params).interviewId, value, text), 201);
  });
}
