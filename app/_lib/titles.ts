import type { Metadata } from 'next';
import { services } from '@/server/registry';
import { pagePrincipal } from './auth';

/** `<title>` for a session's pages: "<what>: <scenario title> (<id>) — Sickbay", or a plain one for unknown ids. */
export async function sessionMetadata(id: string, what?: string): Promise<Metadata> {
  let scenario: string | null = null;
  const principal = await pagePrincipal();
  try {
    if (/^[0-9a-f]{12}$/.test(id) && principal) {
      const { access, catalogue } = services();
      const slug = access.as(principal).get(id).scenario;
      scenario = catalogue.has(slug) ? catalogue.get(slug).definition.title : slug;
    }
  } catch {
    /* unknown session: the page itself answers 404 */
  }
  if (!scenario) return { title: 'Not found — Sickbay' };
  return { title: `${what ? `${what}: ` : ''}${scenario} (${id}) — Sickbay` };
}
