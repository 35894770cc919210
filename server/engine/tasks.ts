/**
 * Work in flight per session (provisioning, teardown) and cancellation. The sweeper leaves
 * busy sessions alone; end() cancels provisioning, which stops at its next checkpoint.
 */
export class Cancelled extends Error {}

export class SessionTasks {
  private readonly running = new Map<string, Promise<void>>();
  private readonly cancelled = new Set<string>();

  busy(): Set<string> {
    return new Set(this.running.keys());
  }

  size(): { running: number; cancelled: number } {
    return { running: this.running.size, cancelled: this.cancelled.size };
  }

  has(id: string): boolean {
    return this.running.has(id);
  }

  track(id: string, task: Promise<void>): void {
    const done = task.finally(() => {
      if (this.running.get(id) === done) this.running.delete(id);
    });
    // The caller handles the task's failure; this copy is only waited on (settled() ignores
    // the outcome). Unhandled, a failed teardown would be an unhandled rejection, which ends
    // a Node process.
    done.catch(() => {});
    this.running.set(id, done);
  }

  /** Resolves when nothing is in flight for the session. */
  async settled(id: string): Promise<void> {
    while (this.running.has(id)) await this.running.get(id)?.catch(() => {});
  }

  cancel(id: string): void {
    this.cancelled.add(id);
  }

  forget(id: string): void {
    this.cancelled.delete(id);
  }

  isCancelled(id: string): boolean {
    return this.cancelled.has(id);
  }

  /** Throws Cancelled when the session's provisioning should stop here. */
  checkpoint(id: string): void {
    if (this.cancelled.has(id)) throw new Cancelled();
  }
}
