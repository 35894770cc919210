import { services } from '@/server/registry';
import { checkSessionId, handle, json } from '@/app/_lib/http';

export const dynamic = 'force-dynamic';

type Params = { params: Promise<{ id: string }> };

export async function GET(_request: Request, { params }: Params) {
  return handle(async () => json({ hints: services().engine.hintsTaken(checkSessionId((await params).id)) }));
}

/** Reveals the next hint; taking one is logged and shown in the report. */
export async function POST(_request: Request, { params }: Params) {
  return handle(async () => json(services().engine.takeHint(checkSessionId((await params).id)), 201));
}
