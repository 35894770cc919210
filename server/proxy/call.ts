/**
 * One proxied call and its audit event. The event is written exactly once, when the answer's
 * status is known (for streams: when the headers go out), so a long `logs -f` is logged when
 * it starts, not when the learner stops it.
 */
import type { CoachedBody, DockerCallBody, TypedLineBody } from '@/lib/audit/events';
import { dockerCallEvent, type CallFacts, type Outcome } from '@/lib/proxy/audit';

export type AuditSink = (event: DockerCallBody | TypedLineBody | CoachedBody) => void;

export class Call {
  private finished = false;

  constructor(
    private readonly sink: AuditSink,
    readonly facts: CallFacts,
  ) {}

  finish(outcome: Outcome): void {
    if (this.finished) return;
    this.finished = true;
    this.sink(dockerCallEvent(this.facts, outcome));
  }

  get done(): boolean {
    return this.finished;
  }
}
