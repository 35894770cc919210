import { InterviewAdmin } from '@/server/interviews/interviews';
import { services } from '@/server/registry';
import { principalOf } from '@/app/_lib/auth';
import { handle, json } from '@/app/_lib/http';

export const dynamic = 'force-dynamic';

export async function GET(request: Request, { params }: { params: Promise<{ interviewId: string }> }) {
  return handle(async () => json(new InterviewAdmin(services(), principalOf(request)).get((await params).interviewId)));
}
