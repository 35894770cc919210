/**
 * Signals a scenario's own app answers with a diagnostic (a Python or JVM app printing a thread
 * dump on SIGUSR1, announced in its log). Sending one is how an expert reads the threads'
 * state: for the service that declares it, it is an observation of process state, not a change.
 * The classifier cannot know which app handles which signal, so the scenario's protocol block
 * says so (`safeSignals`) and this relabels the classified events before grading.
 */
import { type Classification, type ClassifiedEvent, combineParts, type Effect, isInvasive, type PartClassification, settleFlags } from '../audit/classify';
import { resolveService } from './actions';

export type SafeSignals = Readonly<Record<string, readonly string[]>>;

interface Ctx {
  safe: SafeSignals;
  services: readonly string[];
}

function safeFor(ctx: Ctx, target: string | undefined): readonly string[] {
  const service = resolveService(target, ctx.services);
  return service === undefined ? [] : (ctx.safe[service] ?? []);
}

function isSafeKill(e: Effect, signals: readonly string[]): boolean {
  return e.type === 'kill' && signals.includes(e.signal.toUpperCase());
}

function relabelPart(p: PartClassification, inherited: string | undefined, ctx: Ctx): PartClassification {
  const target = p.target ?? inherited;
  if (p.inner) {
    const inner = relabel(p.inner, target, ctx);
    if (inner === p.inner) return p;
    const sidecar = p.effects.some((e) => e.type === 'sidecar');
    const tier = isInvasive(inner.tier) ? p.tier : sidecar ? 'sidecar' : inner.tier;
    const effects: Effect[] = [...p.effects.filter((e) => e.type === 'sidecar'), ...inner.effects];
    return { ...p, inner, tier, effects, observes: [...new Set([...p.observes, ...inner.observes])], flags: settleFlags(tier, { ...inner.flags, background: p.flags.background }) };
  }
  if (p.tier !== 'change' || p.effects.length === 0) return p;
  const signals = safeFor(ctx, target);
  if (signals.length === 0 || !p.effects.every((e) => isSafeKill(e, signals))) return p;
  return {
    ...p,
    tier: 'read-only',
    summary: `${p.summary} (the app answers it with a diagnostic dump)`,
    observes: [...new Set([...p.observes, 'processes' as const, 'process-state' as const])],
    flags: settleFlags('read-only', p.flags),
  };
}

function relabel(c: Classification, target: string | undefined, ctx: Ctx): Classification {
  const parts = c.parts.map((p) => relabelPart(p, target, ctx));
  if (parts.every((p, i) => p === c.parts[i])) return c;
  const out = combineParts(parts, { incomplete: c.incomplete });
  return { ...out, ...(c.companion ? { companion: true } : {}), ...(c.pending ? { pending: true } : {}) };
}

/** The events with every declared diagnostic signal read as an observation. Idempotent. */
export function relabelSafeSignals(events: readonly ClassifiedEvent[], safe: SafeSignals | undefined, services: readonly string[] = []): ClassifiedEvent[] {
  if (!safe || Object.keys(safe).length === 0) return [...events];
  const ctx: Ctx = { safe, services };
  return events.map((c) => {
    if (!c.classification) return c;
    const e = c.event;
    const target = c.actsOn ?? (e.kind === 'typed' || e.kind === 'docker' ? e.target : undefined);
    const classification = relabel(c.classification, target, ctx);
    return classification === c.classification ? c : { ...c, classification };
  });
}
