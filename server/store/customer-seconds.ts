/**
 * The customers' per-second buckets of each session (table customer_seconds): at most one row
 * per second, a later report of the same second replacing the earlier one.
 */
import type { ServiceBucket } from '@/lib/scoring/impact';
import type { Db } from './db';

interface Row {
  t: number;
  requests: number;
  ok: number;
  errors: string;
  p50_ms: number | null;
  p95_ms: number | null;
}

export function saveBuckets(db: Db, sessionId: string, buckets: readonly ServiceBucket[]): void {
  if (buckets.length === 0) return;
  const insert = db.prepare(
    `INSERT OR REPLACE INTO customer_seconds (session_id, t, requests, ok, errors, p50_ms, p95_ms)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  db.transaction(() => {
    for (const b of buckets) insert.run(sessionId, b.t, b.requests, b.ok, JSON.stringify(b.errors), b.p50Ms, b.p95Ms);
  })();
}

/** The session's buckets from `since` (ms since creation) on, oldest first. */
export function listBuckets(db: Db, sessionId: string, since = Number.MIN_SAFE_INTEGER): ServiceBucket[] {
  const rows = db.prepare('SELECT t, requests, ok, errors, p50_ms, p95_ms FROM customer_seconds WHERE session_id = ? AND t >= ? ORDER BY t').all(sessionId, since) as Row[];
  return rows.map((r) => ({ t: r.t, requests: r.requests, ok: r.ok, errors: JSON.parse(r.errors) as Record<string, number>, p50Ms: r.p50_ms, p95Ms: r.p95_ms }));
}
