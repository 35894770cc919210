import { sessionsFor } from '@/app/_lib/auth';
import { checkSessionId, handle, json } from '@/app/_lib/http';

export const dynamic = 'force-dynamic';

type Params = { params: Promise<{ id: string }> };

export async function GET(request: Request, { params }: Params) {
  return handle(async () => {
    const id = checkSessionId((await params).id);
    return json(sessionsFor(request).get(id, { touch: true }));
  });
}

export async function DELETE(request: Request, { params }: Params) {
  return handle(async () => {
    const id = checkSessionId((await params).id);
    return json(await sessionsFor(request).end(id));
  });
}
