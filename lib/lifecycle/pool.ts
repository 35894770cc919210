/**
 * SICKBAY_POOL: how many ready sessions to keep provisioned ahead of demand, per scenario,
 * written "leaky-job:2,pg-blocked-missing-index:1". A learner who starts a scenario without
 * choosing a seed gets one of them at once; the pool then refills in the background.
 */
import { SickbayError } from '../errors';

const ENTRY = /^([a-z][a-z0-9-]{0,62}):(\d{1,2})$/;
export const MAX_POOL_PER_SCENARIO = 10;

export function parsePoolSpec(text: string | undefined): Record<string, number> {
  const pool: Record<string, number> = {};
  for (const raw of (text ?? '').split(',')) {
    const item = raw.trim();
    if (!item) continue;
    const m = ENTRY.exec(item);
    if (!m) throw new SickbayError('bad_request', `SICKBAY_POOL: "${item}" is not <scenario>:<count> (e.g. leaky-job:2)`);
    const [, slug, count] = m as unknown as [string, string, string];
    const n = Number(count);
    if (n > MAX_POOL_PER_SCENARIO) throw new SickbayError('bad_request', `SICKBAY_POOL: at most ${MAX_POOL_PER_SCENARIO} ready sessions per scenario, got ${n} for ${slug}`);
    if (slug in pool) throw new SickbayError('bad_request', `SICKBAY_POOL: ${slug} is listed twice`);
    if (n > 0) pool[slug] = n;
  }
  return pool;
}
