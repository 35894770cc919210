/**
 * One line of the customer signal (containers/service/loadgen.py --report) as a bucket on the
 * session's clock, or null when it is not one. The customers container is lab-owned, but the
 * line still crosses a process boundary: every field is checked and bounded, so a bad line is
 * dropped rather than stored, and no line can claim a second outside the session.
 */
import type { ServiceBucket } from './impact';

/** A bucket at most this far in the future (clock skew between threads) is still accepted. */
const FUTURE_SLACK_MS = 2_000;
/** More requests than this in one second is not our load generator (it caps at 1000 rps). */
const MAX_REQUESTS = 5_000;
const MAX_LATENCY_MS = 600_000;
const ERROR_KIND = /^[a-z0-9]{1,12}$/;
const MAX_ERROR_KINDS = 8;
export const MAX_BUCKET_LINE = 1_024;

const count = (v: unknown, max: number): number | null => (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max ? v : null);
const latency = (v: unknown): number | null | undefined =>
  v === null ? null : typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= MAX_LATENCY_MS ? Math.round(v * 10) / 10 : undefined;

/** `createdAt`, `now`: epoch ms. The bucket's t is ms since creation (whole seconds apart). */
export function parseBucketLine(line: string, createdAt: number, now: number): ServiceBucket | null {
  if (line.length > MAX_BUCKET_LINE) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return null;
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return null;
  const o = raw as Record<string, unknown>;
  const sec = count(o.sec, Number.MAX_SAFE_INTEGER / 1000);
  const requests = count(o.requests, MAX_REQUESTS);
  const ok = count(o.ok, MAX_REQUESTS);
  const p50Ms = latency(o.p50Ms);
  const p95Ms = latency(o.p95Ms);
  if (sec === null || requests === null || ok === null || ok > requests || p50Ms === undefined || p95Ms === undefined) return null;
  const start = sec * 1000;
  // The second must overlap the session's life so far.
  if (start + 1000 <= createdAt || start > now + FUTURE_SLACK_MS) return null;
  if (!o.errors || typeof o.errors !== 'object' || Array.isArray(o.errors)) return null;
  const entries = Object.entries(o.errors as Record<string, unknown>);
  if (entries.length > MAX_ERROR_KINDS) return null;
  const errors: Record<string, number> = {};
  let failed = 0;
  for (const [kind, n] of entries) {
    const c = count(n, MAX_REQUESTS);
    if (!ERROR_KIND.test(kind) || c === null) return null;
    if (c > 0) errors[kind] = c;
    failed += c;
  }
  if (failed !== requests - ok) return null; // every failure has a kind, and nothing else is one
  if ((ok === 0) !== (p95Ms === null)) return null;
  return { t: start - createdAt, requests, ok, errors, p50Ms, p95Ms };
}
