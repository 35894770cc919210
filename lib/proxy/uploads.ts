/**
 * `docker cp` into a container (PUT /containers/{id}/archive) is streamed to the engine, never
 * held in the server's memory; these limits bound how many uploads run at once and how many
 * bytes they may carry together, so one session (or several) cannot tie up the server or fill
 * the engine's disk through uploads. The ledger is pure accounting; the server holds one for
 * all the sessions of its process.
 */
import { refuse } from './refusal';

export const UPLOAD_LIMITS = {
  /** One upload's body. */
  maxBytes: 64 * 1024 ** 2,
  /** Uploads of one session at once. */
  perSession: 2,
  /**
   * Bytes all sessions' uploads in flight may carry together. An upload reserves its declared
   * Content-Length, or the whole per-upload cap when it is chunked (the docker CLI's are): four
   * full-size uploads at once across the server.
   */
  globalBytes: 256 * 1024 ** 2,
} as const;

/**
 * How long the proxy waits for a request's headers, and for a whole request (headers and body):
 * a client that trickles bytes (slowloris) is cut off instead of holding a connection and an
 * upload slot. 64 MiB over a local unix socket takes well under a second.
 */
export const REQUEST_TIMEOUTS = { headersMs: 10_000, requestMs: 30_000 } as const;

export interface UploadLimits {
  maxBytes: number;
  perSession: number;
  globalBytes: number;
}

function mib(bytes: number): string {
  return `${Math.round(bytes / 1024 ** 2)} MiB`;
}

export class UploadLedger {
  private readonly active = new Map<string, number>();
  private reservedBytes = 0;

  constructor(readonly limits: UploadLimits = UPLOAD_LIMITS) {}

  /** What an upload reserves: its declared length, or the cap when it did not say. */
  reservation(declaredLength: number | undefined): number {
    if (declaredLength !== undefined && declaredLength > this.limits.maxBytes) throw this.tooLarge();
    return declaredLength ?? this.limits.maxBytes;
  }

  tooLarge() {
    return refuse(`docker cp: an upload may be at most ${mib(this.limits.maxBytes)}; copy less at once (or copy a compressed archive and unpack it inside the container)`);
  }

  /** Takes a slot for one upload, or throws the refusal; the returned release is idempotent. */
  acquire(sessionId: string, bytes: number): () => void {
    const mine = this.active.get(sessionId) ?? 0;
    if (mine >= this.limits.perSession) {
      throw refuse(`docker cp: at most ${this.limits.perSession} uploads into containers at once per session; wait for one to finish`);
    }
    if (this.reservedBytes + bytes > this.limits.globalBytes) {
      throw refuse(`docker cp: the lab's uploads in flight are at their limit (${mib(this.limits.globalBytes)} across all sessions); try again in a moment`);
    }
    this.active.set(sessionId, mine + 1);
    this.reservedBytes += bytes;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.reservedBytes -= bytes;
      const left = (this.active.get(sessionId) ?? 1) - 1;
      if (left > 0) this.active.set(sessionId, left);
      else this.active.delete(sessionId);
    };
  }

  /** Uploads in flight and bytes reserved (for tests and the benchmark). */
  get usage(): { uploads: number; reservedBytes: number } {
    let uploads = 0;
    for (const n of this.active.values()) uploads += n;
    return { uploads, reservedBytes: this.reservedBytes };
  }
}
