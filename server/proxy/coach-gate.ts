/**
 * Coach mode in the proxy (docs/security.md, Coach mode): the decision is lib/proxy/coach.ts;
 * here the session's choice is asked, the memory kept and the moments logged.
 */
import { SickbayError } from '@/lib/errors';
import { LABEL } from '@/lib/lifecycle/labels';
import { dockerCallEvent } from '@/lib/proxy/audit';
import { coachDecision, coachHolds } from '@/lib/proxy/coach';
import type { Call } from './call';
import type { ProxyContext } from './context';
import type { OwnedContainer } from './ownership';

/** Actions the coach may hold when they reach a scenario service (the classifier decides). */
const COACHED_ACTIONS = new Set(['restart', 'stop', 'kill', 'update']);

/**
 * Coach mode: an evidence-losing call on a scenario service is held once (409 with a
 * `sickbay coach:` message); the same call within the window goes through. Both moments are
 * logged as `coached` events; the call itself is logged as usual, so scoring sees what happened.
 */
export function coachGate(ctx: ProxyContext, c: Call, container: OwnedContainer): void {
  if (!COACHED_ACTIONS.has(c.facts.action)) return;
  const call = dockerCallEvent(c.facts, { allowed: true, status: 0 });
  const role = container.labels[LABEL.role] === 'service' ? 'service' : 'sidecar';
  if (!coachHolds(call, role) || !ctx.options.coach?.()) return;
  const verdict = coachDecision(call, role, ctx.coached, Date.now());
  if (verdict.kind === 'pass') return;
  const base = { kind: 'coached' as const, action: call.action, target: container.target, tier: verdict.tier, summary: verdict.summary };
  if (verdict.kind === 'chose') {
    ctx.emit({ ...base, phase: 'chose', warnedAt: verdict.warnedAt });
    return;
  }
  ctx.emit({ ...base, phase: 'warned', message: verdict.message });
  throw new SickbayError('conflict', verdict.message);
}
