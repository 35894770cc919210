import { SickbayError } from '@/lib/errors';
import { services } from '@/server/registry';
import { principalOf } from '@/app/_lib/auth';
import { handle, json } from '@/app/_lib/http';

export const dynamic = 'force-dynamic';

export async function DELETE(request: Request, { params }: { params: Promise<{ tokenId: string }> }) {
  return handle(async () => {
    const id = (await params).tokenId;
    if (!/^[0-9a-f]{16}$/.test(id)) throw new SickbayError('not_found', 'no such token');
    services().auth.tokens.revoke(principalOf(request).user.id, id);
    return json({ revoked: id });
  });
}
