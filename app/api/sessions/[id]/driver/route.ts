import { z } from 'zod';
import { sessionsFor } from '@/app/_lib/auth';
import { checkSessionId, handle, json, readJson } from '@/app/_lib/http';

export const dynamic = 'force-dynamic';

const Handover = z.object({ to: z.string().min(1).max(100) }).strict();

/** Hands the driver seat to another member (asked by the driver or the commander). */
export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }) {
  return handle(async () => {
    const id = checkSessionId((await params).id);
    const { to } = await readJson(request, Handover);
    const sessions = sessionsFor(request);
    sessions.handOver(id, to);
    return json(sessions.team(id));
  });
}
