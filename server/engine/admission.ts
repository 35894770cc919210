/**
 * The provisioning queue: at most `capacity` sessions provision at once (see
 * lib/lifecycle/admission.ts for the decisions). A start waits here as `queued`; end() of a
 * queued session takes it out of the line at once.
 */
import { admit, estimateWaitMs, queuePosition, recordDuration, typicalMs, type Waiting } from '@/lib/lifecycle/admission';
import { Cancelled } from './tasks';

/** What a start takes when nothing has been measured yet (a warm leaky-job start is ~2 s). */
const FALLBACK_START_MS = 15_000;

interface Waiter extends Waiting {
  scenario: string;
  admitted: () => void;
  cancelled: (err: Error) => void;
}

export interface QueuePlace {
  position: number;
  /** Sessions provisioning right now, and how many may at once. */
  provisioning: number;
  capacity: number;
  estimateMs: number;
}

export class AdmissionQueue {
  private waiting: Waiter[] = [];
  private readonly running = new Set<string>();
  private readonly durations = new Map<string, number[]>();

  constructor(
    readonly capacity: number,
    private readonly clock: () => number,
  ) {}

  /** Resolves when the session may provision; rejects with Cancelled when it is ended first. */
  acquire(id: string, scenario: string, pooled: boolean): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ id, scenario, pooled, since: this.clock(), admitted: resolve, cancelled: reject });
      this.pump();
    });
  }

  /** Frees the session's slot (it is ready, failed or ended) and lets the next one in. */
  release(id: string): void {
    if (this.running.delete(id)) this.pump();
  }

  /** Takes a waiting session out of the line (it was ended while queued). */
  cancel(id: string): void {
    const waiter = this.waiting.find((w) => w.id === id);
    if (!waiter) return;
    this.waiting = this.waiting.filter((w) => w !== waiter);
    waiter.cancelled(new Cancelled());
  }

  /** Remembers how long a start of the scenario took, for the next estimates. */
  recordStart(scenario: string, ms: number): void {
    this.durations.set(scenario, recordDuration(this.durations.get(scenario) ?? [], ms));
  }

  place(id: string): QueuePlace | null {
    const position = queuePosition(this.waiting, id);
    if (position === null) return null;
    const waiter = this.waiting.find((w) => w.id === id) as Waiter;
    const typical = typicalMs(this.durations.get(waiter.scenario) ?? [...this.durations.values()].flat(), FALLBACK_START_MS);
    return { position, provisioning: this.running.size, capacity: this.capacity, estimateMs: estimateWaitMs(position, this.capacity, typical) };
  }

  stats(): { waiting: number; provisioning: number; capacity: number } {
    return { waiting: this.waiting.length, provisioning: this.running.size, capacity: this.capacity };
  }

  private pump(): void {
    for (const id of admit(this.waiting, this.running.size, this.capacity)) {
      const waiter = this.waiting.find((w) => w.id === id) as Waiter;
      this.waiting = this.waiting.filter((w) => w !== waiter);
      this.running.add(id);
      waiter.admitted();
    }
  }
}
