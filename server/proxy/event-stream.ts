/**
 * The filtered `docker events` stream. The engine announces `exec_create` while the create
 * call is still in flight, before the proxy has seen the new exec's id; so an exec event whose
 * id is unknown is held (and everything after it, to keep order) until the id shows up or a
 * short grace period passes, after which it is dropped as one of the lab's own execs.
 */
import type { Writable } from 'node:stream';
import { eventVisible } from '@/lib/proxy/responses';
import type { SessionScope } from '@/lib/proxy/scope';

const GRACE_MS = 2_000;
const RECHECK_MS = 25;
const MAX_PENDING_TEXT = 1024 * 1024;

interface Held {
  line: string;
  event: unknown;
  deadline: number;
}

export class EventGate {
  private partial = '';
  private readonly held: Held[] = [];
  private timer: NodeJS.Timeout | undefined;
  private ended = false;

  constructor(
    private readonly out: Writable,
    private readonly scope: SessionScope,
    private readonly isOwnExec: (execId: string) => boolean,
    private readonly graceMs = GRACE_MS,
  ) {}

  /** Engine output, in any chunking; returns false when the stream should be cut. */
  write(text: string): boolean {
    this.partial += text;
    for (let nl = this.partial.indexOf('\n'); nl !== -1; nl = this.partial.indexOf('\n')) {
      const line = this.partial.slice(0, nl);
      this.partial = this.partial.slice(nl + 1);
      let event: unknown;
      try {
        event = JSON.parse(line);
      } catch {
        continue; // not an event: drop it rather than pass something unchecked
      }
      this.held.push({ line, event, deadline: Date.now() + this.graceMs });
    }
    this.pump();
    return this.partial.length <= MAX_PENDING_TEXT;
  }

  end(): void {
    this.ended = true;
    this.pump();
  }

  close(): void {
    clearTimeout(this.timer);
    this.held.length = 0;
  }

  private pump(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.held.length > 0) {
      const head = this.held[0] as Held;
      if (eventVisible(head.event, this.scope, this.isOwnExec)) {
        this.out.write(`${head.line}\n`);
      } else if (this.mayBecomeVisible(head.event) && Date.now() < head.deadline && !this.ended) {
        this.timer = setTimeout(() => this.pump(), RECHECK_MS);
        return;
      }
      this.held.shift();
    }
    if (this.ended) this.out.end();
  }

  /** An own exec event whose exec id the proxy may not have registered yet. */
  private mayBecomeVisible(event: unknown): boolean {
    return eventVisible(event, this.scope, () => true);
  }
}
