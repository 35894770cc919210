/**
 * What the session page's customer chart reads: the customers' per-second buckets (ms since
 * creation), the scenario's standard for "served normally", and what the customers call. The
 * address is what a learner used to read off the customers' log before that container became
 * the lab's own (docs/security.md, "The customer signal").
 */
import { clockZero } from '@/lib/display/clock';
import { SickbayError } from '@/lib/errors';
import type { ServiceBucket } from '@/lib/scoring/impact';
import type { ServedNormally } from '@/lib/scenario/types';
import { listBuckets } from '../store/customer-seconds';
import type { SessionRecord } from '../store/store';
import type { EngineParts } from './parts';

export interface CustomerView {
  /** ms since creation when the session became ready (the session clock's zero); null before. */
  readyAt: number | null;
  servedNormally: ServedNormally;
  /** The customers' request and rate; null when the scenario runs no customers. */
  target: { url: string; rps: number } | null;
  /** The service that plays the customers (hidden from the learner's Docker CLI); null without one. */
  service: string | null;
  buckets: ServiceBucket[];
}

/** The session's service that plays the customers, and its spec; [null, undefined] without one. */
function customersOf(parts: EngineParts, record: SessionRecord) {
  if (!parts.catalogue.has(record.scenario)) return [null, undefined] as const;
  const def = parts.catalogue.get(record.scenario).definition;
  return Object.entries(def.services(record.params as never)).find(([, s]) => s.customers) ?? ([null, undefined] as const);
}

/** The lab's own services in a session, never listed to the learner (the customers; docs/security.md). */
export function labServices(parts: EngineParts, record: SessionRecord): string[] {
  const [service] = customersOf(parts, record);
  return service ? [service] : [];
}

export function customerView(parts: EngineParts, record: SessionRecord, since?: number): CustomerView {
  if (since !== undefined && !Number.isSafeInteger(since)) throw new SickbayError('bad_request', 'since must be a whole number of ms since the session was created');
  const def = parts.catalogue.get(record.scenario).definition;
  const [service, customers] = customersOf(parts, record);
  return {
    readyAt: clockZero(record),
    servedNormally: def.servedNormally,
    target: customers?.customers ?? null,
    service,
    buckets: listBuckets(parts.store.db, record.id, since ?? Number.MIN_SAFE_INTEGER),
  };
}
