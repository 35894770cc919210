import { z } from 'zod';
import { InterviewAdmin } from '@/server/interviews/interviews';
import { services } from '@/server/registry';
import { principalOf } from '@/app/_lib/auth';
import { handle, json, readJson } from '@/app/_lib/http';

export const dynamic = 'force-dynamic';

type Params = { params: Promise<{ interviewId: string }> };

const Note = z
  .object({
    text: z.string().max(4000),
    /** ms on the session clock when the interviewer began typing (the server pins no later than now). */
    atMs: z.number().int().nonnegative().max(86_400_000).optional(),
  })
  .strict();

/** The interviewers' private notes, in session-clock order. Interviewers of this interview only. */
export async function GET(request: Request, { params }: Params) {
  return handle(async () => json({ notes: new InterviewAdmin(services(), principalOf(request)).notes((await params).interviewId) }));
}

export async function POST(request: Request, { params }: Params) {
  return handle(async () => {
    const interviews = new InterviewAdmin(services(), principalOf(request));
    const { text, atMs } = await readJson(request, Note);
    return json(interviews.addNote((await params).interviewId, text, atMs), 201);
  });
}
