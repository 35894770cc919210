/**
 * Listening on a unix socket that one session's container bind-mounts (the Docker proxy, the
 * terminal socket, the customers' signal). A socket left by a killed server is replaced; anything
 * else at the path is refused, never removed. The socket is made connectable by every user: the
 * container's user is not the server's, and what keeps the host's other users out is the 0700
 * folder around it, which this makes when it is missing.
 */
import fs from 'node:fs/promises';
import type net from 'node:net';
import path from 'node:path';
import { SickbayError } from '@/lib/errors';

export async function listenOnUnixSocket(server: net.Server, socketPath: string): Promise<void> {
  if (!path.isAbsolute(socketPath)) throw new SickbayError('bad_request', `socket path must be absolute: ${socketPath}`);
  await fs.mkdir(path.dirname(socketPath), { recursive: true, mode: 0o700 });
  try {
    const stat = await fs.lstat(socketPath);
    if (!stat.isSocket()) throw new SickbayError('conflict', `${socketPath} exists and is not a socket; not removing it`);
    await fs.unlink(socketPath);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });
  await fs.chmod(socketPath, 0o666);
}
