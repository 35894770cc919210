/**
 * Part of the proxy section: what held `docker cp` uploads cost the server's memory. Two
 * uploads (a session's limit) each send 48 MiB of a 64 MiB file, one into each of the
 * session's containers (the engine locks a container while it extracts into it), and stall; the process's RSS is read before, while they are held, and after
 * they are dropped. The proxy runs in this process (InProcessLab), so its RSS is the server's.
 * Before the uploads streamed, each held upload kept its whole body in memory (issue #11:
 * 8 held 64 MiB uploads took the server from 210 to 722 MiB). A memory figure, not a timing.
 */
import http from 'node:http';
import { tarHeader } from '../../test/integration/helpers';

const MIB = 2 ** 20;
const HELD = 2;
const SENT_BYTES = 48 * MIB;

export interface UploadMemoryFigure {
  uploadsHeld: number;
  bytesSentEach: number;
  rssBeforeBytes: number;
  rssHeldBytes: number;
  rssAfterBytes: number;
  /** rssHeld - rssBefore: what holding the uploads costs (buffering would be uploadsHeld x bytesSentEach). */
  growthBytes: number;
  /** Live Buffer memory (process.memoryUsage().arrayBuffers) before and while held: where held bodies would sit. */
  buffersBeforeBytes: number;
  buffersHeldBytes: number;
  /** A third upload of the same session while two are held: refused (403)? */
  thirdRefused: boolean;
}

function upload(socketPath: string, container: string): { request: http.ClientRequest; status: Promise<number> } {
  const request = http.request({ socketPath, method: 'PUT', path: `/v1.41/containers/${container}/archive?path=%2Ftmp`, headers: { Host: 'docker', 'Content-Type': 'application/x-tar' } });
  const status = new Promise<number>((resolve) => {
    request.once('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    request.once('error', () => resolve(0));
  });
  return { request, status };
}

/** Writes `bytes` with backpressure: what is written has left this process's buffers. */
async function send(request: http.ClientRequest, bytes: number): Promise<void> {
  const chunk = Buffer.alloc(256 * 1024);
  for (let left = bytes; left > 0; left -= chunk.length) {
    if (!request.write(chunk)) await new Promise((resolve) => request.once('drain', resolve));
  }
}

export async function benchUploadMemory(socketPath: string, containers: readonly string[], log: (m: string) => void): Promise<UploadMemoryFigure> {
  if (containers.length < HELD) throw new Error(`the upload figure needs ${HELD} containers`);
  const settle = () => new Promise((resolve) => setTimeout(resolve, 500));
  await settle();
  const rssBeforeBytes = process.memoryUsage().rss;
  const buffersBeforeBytes = process.memoryUsage().arrayBuffers;
  const held = containers.slice(0, HELD).map((c) => upload(socketPath, c));
  let rssHeldBytes = 0;
  let buffersHeldBytes = 0;
  let thirdRefused = false;
  try {
    await Promise.all(
      held.map(async (u, i) => {
        u.request.write(tarHeader(`bench-held-${i}.bin`, 64 * MIB));
        await send(u.request, SENT_BYTES);
      }),
    );
    await settle();
    rssHeldBytes = process.memoryUsage().rss;
    buffersHeldBytes = process.memoryUsage().arrayBuffers;
    const third = upload(socketPath, containers[0] as string);
    third.request.end(tarHeader('bench-third.bin', 0));
    thirdRefused = (await third.status) === 403;
  } finally {
    for (const u of held) u.request.destroy();
  }
  await settle();
  const rssAfterBytes = process.memoryUsage().rss;
  const figure = { uploadsHeld: HELD, bytesSentEach: SENT_BYTES, rssBeforeBytes, rssHeldBytes, rssAfterBytes, growthBytes: rssHeldBytes - rssBeforeBytes, buffersBeforeBytes, buffersHeldBytes, thirdRefused };
  const m = (b: number) => `${Math.round(b / MIB)} MiB`;
  log(`${HELD} held uploads of ${m(SENT_BYTES)} each: RSS ${m(rssBeforeBytes)} -> ${m(rssHeldBytes)} held -> ${m(rssAfterBytes)} after; live buffers ${m(buffersBeforeBytes)} -> ${m(buffersHeldBytes)}; third upload ${thirdRefused ? 'refused' : 'NOT refused'}`);
  return figure;
}
