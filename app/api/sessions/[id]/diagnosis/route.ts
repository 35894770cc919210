import { z } from 'zod';
import { sessionsFor } from '@/app/_lib/auth';
import { checkSessionId, handle, json, readJson } from '@/app/_lib/http';

export const dynamic = 'force-dynamic';

const Diagnosis = z
  .object({
    category: z.string().min(1).max(64),
    culprit: z.string().trim().min(1, 'name the culprit').max(200),
    evidence: z.array(z.number().int().positive()).max(20).default([]),
    decision: z.enum(['fix-in-place', 'restart', 'rollback']),
    reason: z.string().trim().min(3, 'say why you chose this').max(1000),
  })
  .strict();

export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }) {
  return handle(async () => {
    const id = checkSessionId((await params).id);
    const body = await readJson(request, Diagnosis);
    return json(sessionsFor(request).submitDiagnosis(id, body), 201);
  });
}
