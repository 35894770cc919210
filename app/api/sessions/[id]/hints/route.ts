import { sessionsFor } from '@/app/_lib/auth';
import { checkSessionId, handle, json } from '@/app/_lib/http';

export const dynamic = 'force-dynamic';

type Params = { params: Promise<{ id: string }> };

export async function GET(request: Request, { params }: Params) {
  return handle(async () => {
    const id = checkSessionId((await params).id);
    const sessions = sessionsFor(request);
    // `step`: coach mode's next protocol step (null in exam mode or when every step is done).
    return json({ hints: sessions.hintsTaken(id), step: sessions.coachStep(id) });
  });
}

/** Reveals the next hint; taking one is logged and shown in the report. */
export async function POST(request: Request, { params }: Params) {
  return handle(async () => json(sessionsFor(request).takeHint(checkSessionId((await params).id)), 201));
}
