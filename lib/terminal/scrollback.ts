/**
 * The last N bytes of a terminal's output, kept so that a reconnecting browser (a reload, a
 * dropped Wi-Fi) can repaint recent history before live output continues. Bounded: it never
 * holds more than maxBytes plus one chunk.
 *
 * Where the replay starts matters: a cut in the middle of a multi-byte character shows a
 * U+FFFD, and a cut inside an escape sequence prints its tail as text. snapshot() therefore
 * starts at the first line start within the first `lineLookahead` bytes (after a newline an
 * escape sequence is almost never in progress), else at the first character start.
 */
import { utf8CharStart } from './utf8';

export interface ScrollbackOptions {
  /** Bytes kept (default 256 KiB). */
  maxBytes?: number;
  /** How far into the kept bytes to look for a line start to begin the replay (default 8 KiB). */
  lineLookahead?: number;
}

const NEWLINE = 0x0a;

export class ScrollbackBuffer {
  readonly maxBytes: number;
  private readonly lineLookahead: number;
  private chunks: Uint8Array[] = [];
  private total = 0;
  /** True once bytes were dropped from the front (the snapshot then has to find a safe start). */
  private truncated = false;

  constructor(options: ScrollbackOptions = {}) {
    this.maxBytes = options.maxBytes ?? 256 * 1024;
    this.lineLookahead = options.lineLookahead ?? 8 * 1024;
    if (!(this.maxBytes > 0)) throw new RangeError('maxBytes must be positive');
  }

  get size(): number {
    return this.total;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    if (chunk.length >= this.maxBytes) {
      this.chunks = [chunk.slice(chunk.length - this.maxBytes)];
      this.total = this.maxBytes;
      this.truncated = true;
      return;
    }
    const last = this.chunks[this.chunks.length - 1];
    // Many tiny chunks (echoed keystrokes) would make the list long: merge small neighbours.
    if (last && last.length + chunk.length <= 4096) {
      const merged = new Uint8Array(last.length + chunk.length);
      merged.set(last, 0);
      merged.set(chunk, last.length);
      this.chunks[this.chunks.length - 1] = merged;
    } else {
      this.chunks.push(chunk.slice());
    }
    this.total += chunk.length;
    this.trim();
  }

  private trim(): void {
    while (this.total > this.maxBytes) {
      const first = this.chunks[0] as Uint8Array;
      const excess = this.total - this.maxBytes;
      this.truncated = true;
      if (first.length <= excess) {
        this.chunks.shift();
        this.total -= first.length;
      } else {
        this.chunks[0] = first.subarray(excess);
        this.total -= excess;
      }
    }
  }

  /** The kept bytes from a safe starting point, as one array (empty when nothing is kept). */
  snapshot(): Uint8Array {
    const all = new Uint8Array(this.total);
    let at = 0;
    for (const c of this.chunks) {
      all.set(c, at);
      at += c.length;
    }
    if (!this.truncated) return all;
    const limit = Math.min(all.length, this.lineLookahead);
    for (let i = 0; i < limit; i++) {
      if (all[i] === NEWLINE) return all.subarray(i + 1);
    }
    return all.subarray(utf8CharStart(all, 0));
  }

  clear(): void {
    this.chunks = [];
    this.total = 0;
    this.truncated = false;
  }
}
