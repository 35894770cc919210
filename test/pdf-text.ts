/**
 * The text a PDF shows, read back without a PDF library: every content stream (deflated or
 * not) is searched for text-showing operators with hex strings, which is how pdf-lib writes
 * text in the standard fonts (WinAnsi codes). Lines come out in drawing order.
 */
import zlib from 'node:zlib';

// WinAnsi is Latin-1 but for 0x80-0x9F; these are the ones the PDF writer lets through.
const WIN_ANSI: Record<number, string> = { 0x85: '…', 0x91: '‘', 0x92: '’', 0x93: '“', 0x94: '”', 0x95: '•', 0x96: '–', 0x97: '—' };
const winAnsi = { decode: (b: Buffer) => [...b].map((c) => WIN_ANSI[c] ?? String.fromCharCode(c)).join('') };

export function pdfText(bytes: Uint8Array): string[] {
  const buf = Buffer.from(bytes);
  const out: string[] = [];
  let from = 0;
  for (;;) {
    const start = buf.indexOf('stream', from, 'latin1');
    if (start < 0) break;
    let body = start + 'stream'.length;
    if (buf[body] === 0x0d) body += 1;
    if (buf[body] === 0x0a) body += 1;
    const end = buf.indexOf('endstream', body, 'latin1');
    if (end < 0) break;
    from = end + 'endstream'.length;
    const raw = buf.subarray(body, end);
    let content: string;
    try {
      content = zlib.inflateSync(raw).toString('latin1');
    } catch {
      content = raw.toString('latin1');
    }
    for (const m of content.matchAll(/<([0-9A-Fa-f]*)>\s*Tj/g)) out.push(winAnsi.decode(Buffer.from(m[1] ?? '', 'hex')));
  }
  return out;
}

/** Every URI a PDF's link annotations point at. */
export function pdfLinks(bytes: Uint8Array): string[] {
  const text = Buffer.from(bytes).toString('latin1');
  return [...text.matchAll(/\/URI \(([^)]*)\)/g)].map((m) => m[1] ?? '');
}
