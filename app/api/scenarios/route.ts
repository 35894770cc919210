import { services } from '@/server/registry';
import { handle, json } from '@/app/_lib/http';

export const dynamic = 'force-dynamic';

export async function GET() {
  return handle(() => json({ scenarios: services().catalogue.list() }));
}
