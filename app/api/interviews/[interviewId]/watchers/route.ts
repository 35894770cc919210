import { z } from 'zod';
import { InterviewAdmin } from '@/server/interviews/interviews';
import { services } from '@/server/registry';
import { principalOf } from '@/app/_lib/auth';
import { handle, json, readJson } from '@/app/_lib/http';

export const dynamic = 'force-dynamic';

const Watcher = z.object({ email: z.string().max(254) }).strict();

/** Adds another interviewer (a facilitator or admin) who then watches the candidate's session. */
export async function POST(request: Request, { params }: { params: Promise<{ interviewId: string }> }) {
  return handle(async () => {
    const interviews = new InterviewAdmin(services(), principalOf(request));
    const { email } = await readJson(request, Watcher);
    return json(interviews.addWatcher((await params).interviewId, email), 201);
  });
}
