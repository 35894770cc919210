/**
 * Serving a recording: the route handler (app/api/sessions/[id]/recording) calls this so that
 * app/ stays free of file-system code. A live session's recording is still being appended to,
 * so only complete lines are served (up to the last newline): a player must never see half an
 * event.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';

const CHUNK = 64 * 1024;

/** True when `file` resolves to a path inside `root` (never `root` itself, never via `..`). */
export function isInside(root: string, file: string): boolean {
  const rel = path.relative(path.resolve(root), path.resolve(file));
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/** Length of the file up to and including its last newline (0 when there is none). */
async function completeLength(handle: fs.promises.FileHandle, size: number): Promise<number> {
  const buf = Buffer.alloc(CHUNK);
  for (let end = size; end > 0; end -= CHUNK) {
    const start = Math.max(0, end - CHUNK);
    const { bytesRead } = await handle.read(buf, 0, end - start, start);
    const nl = buf.subarray(0, bytesRead).lastIndexOf(0x0a);
    if (nl !== -1) return start + nl + 1;
  }
  return 0;
}

export interface RecordingFile {
  size: number;
  stream: ReadableStream<Uint8Array>;
}

/**
 * Opens a recording for reading, or null when it does not exist, is not a regular file, lies
 * outside `root` (the data directory), or has no complete line yet.
 */
export async function openRecording(file: string, root: string): Promise<RecordingFile | null> {
  if (!isInside(root, file)) return null;
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  } catch {
    return null;
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) return null;
    const size = await completeLength(handle, st.size);
    if (size === 0) return null;
    const stream = fs.createReadStream(file, { start: 0, end: size - 1 });
    return { size, stream: Readable.toWeb(stream) as unknown as ReadableStream<Uint8Array> };
  } finally {
    await handle.close();
  }
}
