/**
 * A token bucket: `burst` tokens at most, refilled at `perSecond`. The gateway keeps two per
 * connection (messages and input bytes) so a client cannot flood the terminal's write queue
 * (the socket to the console's agent, which holds at most 1 MiB of it: agent-pty.ts). Pure: the caller passes the time.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly perSecond: number,
    readonly burst: number,
    nowMs: number,
  ) {
    if (!(perSecond > 0 && burst > 0)) throw new RangeError('a token bucket needs a positive rate and burst');
    this.tokens = burst;
    this.last = nowMs;
  }

  /** Takes `cost` tokens if there are enough; false (and nothing taken) otherwise. */
  take(nowMs: number, cost = 1): boolean {
    const elapsed = Math.max(0, nowMs - this.last) / 1000;
    this.last = Math.max(this.last, nowMs);
    this.tokens = Math.min(this.burst, this.tokens + elapsed * this.perSecond);
    if (cost > this.tokens) return false;
    this.tokens -= cost;
    return true;
  }
}
