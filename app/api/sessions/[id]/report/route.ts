import { services } from '@/server/registry';
import { checkSessionId, handle, json } from '@/app/_lib/http';

export const dynamic = 'force-dynamic';

export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  return handle(async () => json(services().engine.report(checkSessionId((await params).id))));
}
