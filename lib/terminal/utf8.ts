/**
 * UTF-8 helpers for byte streams that are cut at arbitrary places (pty reads, ring buffers).
 *
 * Decoding a stream: use one TextDecoder per stream and pass `{ stream: true }` on every
 * chunk. The decoder keeps the first bytes of a character split across two reads and emits it
 * whole with the next chunk; decoding each chunk on its own would turn both halves into U+FFFD.
 * createStreamDecoder() wraps exactly that, with a flush for the end of the stream.
 */

export interface StreamDecoder {
  /** Text of the complete characters so far; an incomplete tail is held for the next call. */
  decode(chunk: Uint8Array): string;
  /** Ends the stream: a held incomplete tail becomes U+FFFD. */
  flush(): string;
}

export function createStreamDecoder(): StreamDecoder {
  const decoder = new TextDecoder('utf-8', { fatal: false });
  return {
    decode: (chunk) => decoder.decode(chunk, { stream: true }),
    flush: () => decoder.decode(),
  };
}

/** True for a UTF-8 continuation byte (10xxxxxx): never the start of a character. */
export function isContinuationByte(b: number): boolean {
  return (b & 0xc0) === 0x80;
}

/**
 * The first index >= from where a character starts (skips at most 3 continuation bytes, the
 * most a valid character has after its lead byte).
 */
export function utf8CharStart(bytes: Uint8Array, from: number): number {
  let i = Math.max(0, from);
  const limit = Math.min(bytes.length, i + 3);
  while (i < limit && isContinuationByte(bytes[i] as number)) i++;
  return i;
}
