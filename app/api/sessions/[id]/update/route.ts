import { z } from 'zod';
import { sessionsFor } from '@/app/_lib/auth';
import { checkSessionId, handle, json, readJson } from '@/app/_lib/http';

export const dynamic = 'force-dynamic';

const Update = z.object({ text: z.string().trim().min(10, 'write at least a sentence').max(2000) }).strict();

export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }) {
  return handle(async () => {
    const id = checkSessionId((await params).id);
    const { text } = await readJson(request, Update);
    return json(sessionsFor(request).submitUpdate(id, text), 201);
  });
}
