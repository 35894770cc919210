/** What the learner submits from the session page: a diagnosis, stakeholder updates, hints. */
import type { Attribution, DiagnosisBody, SessionEvent } from '@/lib/audit/events';
import { classifyEvents } from '@/lib/audit/classify';
import { SickbayError } from '@/lib/errors';
import { nextProtocolStep, protocolExpectations, type NextStep, type UiEvent } from '@/lib/scoring';
import type { SessionRecord } from '../store/store';
import type { EngineParts } from './parts';

/** The diagnosis as submitted: the event's fields without its kind; in a team, who submitted it. */
export type DiagnosisInput = Omit<DiagnosisBody, 'kind'> & Attribution;

export class LearnerInput {
  constructor(
    private readonly parts: EngineParts,
    /** A session the learner may see (not pooled); throws not_found otherwise. */
    private readonly visible: (id: string) => SessionRecord,
  ) {}

  private requireReady(id: string): SessionRecord {
    const record = this.visible(id);
    if (record.status !== 'ready') throw new SickbayError('conflict', `the session is ${record.status}, not ready`);
    return record;
  }

  /** Records the learner's diagnosis; the category must be one the scenario offers. */
  submitDiagnosis(id: string, input: DiagnosisInput): SessionEvent {
    const { store, catalogue, clock, activity } = this.parts;
    const record = this.requireReady(id);
    const def = catalogue.get(record.scenario).definition;
    if (!def.diagnosis.categories.some((c) => c.id === input.category)) {
      throw new SickbayError('bad_request', `category must be one of: ${def.diagnosis.categories.map((c) => c.id).join(', ')}`);
    }
    const own = new Set(store.listEvents(id).map((e) => e.id));
    const foreign = input.evidence.filter((e) => !own.has(e));
    if (foreign.length) throw new SickbayError('bad_request', `evidence must be events of this session; unknown: ${foreign.join(', ')}`);
    activity.touch(id);
    return store.appendEvent(id, { kind: 'diagnosis', ...input }, clock());
  }

  /** A stakeholder update; `actor`: the team member who wrote it. */
  submitUpdate(id: string, text: string, actor?: string): SessionEvent {
    this.requireReady(id);
    this.parts.activity.touch(id);
    return this.parts.store.appendEvent(id, { kind: 'update', text, ...(actor ? { actor } : {}) }, this.parts.clock());
  }

  /** Reveals the next hint (each one is logged: the report counts them). */
  takeHint(id: string, actor?: string): { index: number; text: string; remaining: number } {
    const { store, catalogue, clock } = this.parts;
    const record = this.requireReady(id);
    const hints = catalogue.get(record.scenario).definition.hints;
    const taken = store.listEvents(id).filter((e) => e.kind === 'hint').length;
    if (taken >= hints.length) throw new SickbayError('conflict', 'no more hints for this scenario');
    store.appendEvent(id, { kind: 'hint', index: taken, ...(actor ? { actor } : {}) }, clock());
    return { index: taken, text: hints[taken] as string, remaining: hints.length - taken - 1 };
  }

  /**
   * Coach mode's hint: the next protocol step not taken yet (lib/scoring/next-step.ts); null in
   * exam mode, when the session is not ready, or when every step is done.
   */
  coachStep(id: string): NextStep | null {
    const { store, catalogue } = this.parts;
    const record = this.visible(id);
    if (!record.coach || record.status !== 'ready' || !catalogue.has(record.scenario)) return null;
    const def = catalogue.get(record.scenario).definition;
    const events = store.listEvents(id);
    const ui: UiEvent[] = events.flatMap((e) => (e.kind === 'diagnosis' || e.kind === 'update' ? [e] : []));
    const { causeHints: _causeHints, ...protocol } = def.protocol;
    return nextProtocolStep({ events: classifyEvents(events), ui, expectations: protocolExpectations(protocol), services: Object.keys(record.containers) });
  }

  /** The hints already revealed, for a page reload. */
  hintsTaken(id: string): string[] {
    const { store, catalogue } = this.parts;
    const record = this.visible(id);
    const hints = catalogue.has(record.scenario) ? catalogue.get(record.scenario).definition.hints : [];
    return store.listEvents(id).flatMap((e) => (e.kind === 'hint' ? [hints[e.index] ?? ''] : []));
  }
}
