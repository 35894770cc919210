import { services } from '@/server/registry';
import { checkSessionId, handle, json } from '@/app/_lib/http';

export const dynamic = 'force-dynamic';

type Params = { params: Promise<{ id: string }> };

export async function GET(_request: Request, { params }: Params) {
  return handle(async () => {
    const id = checkSessionId((await params).id);
    const { engine } = services();
    const session = engine.get(id);
    if (engine.isLive(id)) engine.touch(id);
    return json(session);
  });
}

export async function DELETE(_request: Request, { params }: Params) {
  return handle(async () => {
    const id = checkSessionId((await params).id);
    return json(await services().engine.end(id));
  });
}
