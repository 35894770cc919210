/**
 * Docker multiplexes stdout and stderr of a non-TTY stream into frames: 1 byte stream id,
 * 3 zero bytes, a 4-byte big-endian length, then the payload. This splits a complete buffer.
 */
export function demuxDockerBuffer(buf: Buffer): { stdout: string; stderr: string } {
  // A buffer that is not framed at all (TTY containers) is returned as stdout unchanged.
  if (buf.length > 0 && !looksFramed(buf)) return { stdout: buf.toString('utf8'), stderr: '' };
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= buf.length) {
    const stream = buf[offset];
    const size = buf.readUInt32BE(offset + 4);
    const payload = buf.subarray(offset + 8, offset + 8 + size);
    if (stream === 2) err.push(payload);
    else out.push(payload);
    offset += 8 + size;
  }
  return { stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}

function looksFramed(buf: Buffer): boolean {
  return buf.length >= 8 && (buf[0] ?? 9) <= 2 && buf[1] === 0 && buf[2] === 0 && buf[3] === 0;
}
