import { notFound } from 'next/navigation';
import { isSickbayError } from '@/lib/errors';
import type { SessionView } from '@/server/engine/engine';
import { services } from '@/server/registry';
import { pageSessions } from './auth';

/** A session for a page, or Next's 404 page when the id is malformed, unknown or not the user's to see. */
export async function sessionOr404(id: string): Promise<{ session: SessionView; title: string }> {
  const { catalogue } = services();
  const sessions = await pageSessions();
  let session: SessionView;
  try {
    session = sessions.get(/^[0-9a-f]{12}$/.test(id) ? id : '-');
  } catch (err) {
    if (isSickbayError(err) && err.code === 'not_found') notFound();
    throw err;
  }
  const title = catalogue.has(session.scenario) ? catalogue.get(session.scenario).definition.title : session.scenario;
  return { session, title };
}
