import type { Metadata } from 'next';
import { services } from '@/server/registry';

/** `<title>` for a session's pages: "<what>: <scenario title> (<id>) — Sickbay", or a plain one for unknown ids. */
export function sessionMetadata(id: string, what?: string): Metadata {
  let scenario: string | null = null;
  try {
    if (/^[0-9a-f]{12}$/.test(id)) {
      const { engine, catalogue } = services();
      const slug = engine.get(id).scenario;
      scenario = catalogue.has(slug) ? catalogue.get(slug).definition.title : slug;
    }
  } catch {
    /* unknown session: the page itself answers 404 */
  }
  if (!scenario) return { title: 'Not found — Sickbay' };
  return { title: `${what ? `${what}: ` : ''}${scenario} (${id}) — Sickbay` };
}
