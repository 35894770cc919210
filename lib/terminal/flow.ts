/**
 * Flow control between a fast producer (the pty) and a slow consumer (a browser tab), as pure
 * accounting. The server counts the bytes it sent; the client acknowledges the bytes it has
 * rendered. When more than `highWater` bytes are unacknowledged the pty is paused (the kernel
 * then blocks the writer: `yes` stops in write(2) instead of filling our memory); once the
 * client has caught up to `lowWater` or less it is resumed. The gap between the marks keeps it
 * from flapping on every ack. Modelled on wetty's flowcontrol.ts and xterm.js' guide to flow
 * control.
 *
 * Deadlock rule: the client must acknowledge everything it renders eventually (it acks when
 * `ackEvery` bytes have piled up, and on a short timer for the rest), and lowWater must be at
 * least ackEvery, or a paused stream could wait for an ack that never comes.
 */

export type FlowDecision = 'pause' | 'resume' | null;

export interface FlowControlOptions {
  /** Unacknowledged bytes above which the producer is paused. */
  highWater: number;
  /** Unacknowledged bytes at or below which a paused producer is resumed. */
  lowWater: number;
}

export const DEFAULT_FLOW: FlowControlOptions = { highWater: 128 * 1024, lowWater: 32 * 1024 };
/** The client acknowledges in batches of this many bytes (and flushes smaller rests on a timer). */
export const DEFAULT_ACK_EVERY = 16 * 1024;

export class FlowControl {
  readonly highWater: number;
  readonly lowWater: number;
  private sent = 0;
  private acked = 0;
  private paused = false;

  constructor(options: FlowControlOptions = DEFAULT_FLOW) {
    if (!(options.lowWater >= 0 && options.highWater > options.lowWater)) {
      throw new RangeError(`flow control needs 0 <= lowWater < highWater (got ${options.lowWater}, ${options.highWater})`);
    }
    this.highWater = options.highWater;
    this.lowWater = options.lowWater;
  }

  /** Bytes sent and not yet acknowledged. */
  get unacked(): number {
    return this.sent - this.acked;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** Counts bytes handed to the socket; 'pause' when that crosses the high-water mark. */
  onSent(bytes: number): FlowDecision {
    if (bytes > 0) this.sent += bytes;
    if (!this.paused && this.unacked > this.highWater) {
      this.paused = true;
      return 'pause';
    }
    return null;
  }

  /**
   * Counts an acknowledgement; 'resume' when a paused stream is back at the low-water mark.
   * Acks beyond what was sent are capped (a confused or hostile client cannot bank credit).
   */
  onAcked(bytes: number): FlowDecision {
    if (bytes > 0) this.acked = Math.min(this.sent, this.acked + bytes);
    if (this.paused && this.unacked <= this.lowWater) {
      this.paused = false;
      return 'resume';
    }
    return null;
  }

  /** Starts over (a new client attached): nothing is in flight, nothing is paused. */
  reset(): void {
    this.sent = 0;
    this.acked = 0;
    this.paused = false;
  }
}
