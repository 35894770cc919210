/**
 * The customer signal: a per-session unix socket on the host, bind-mounted (its folder) into
 * the session's lab-owned customers container only, where loadgen.py writes one JSON line per
 * second. Each valid line becomes a row of customer_seconds (lib/scoring/bucket-line.ts checks
 * it). The learner cannot reach the socket: the customers container is hidden by their proxy,
 * and no other container mounts it (docs/security.md, "The customer signal").
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { MAX_BUCKET_LINE, parseBucketLine } from '@/lib/scoring/bucket-line';
import { CUSTOMER_SIGNAL_FILE } from '@/lib/scenario/traffic';
import type { ServiceBucket } from '@/lib/scoring/impact';
import type { Config } from '../config';
import { saveBuckets } from '../store/customer-seconds';
import type { Db } from '../store/db';
import { listenOnUnixSocket } from '../unix-socket';

const SOCKET_PATH_MAX = 100; // sun_path holds 108 bytes; keep a margin
/** One customers container connects; a reconnect may briefly overlap the old connection. */
const MAX_CONNECTIONS = 2;
/** Bytes kept of a line still being received: a longer one is not a bucket, the connection goes. */
const MAX_PENDING = MAX_BUCKET_LINE * 4;

export class CustomerSignal {
  private readonly servers = new Map<string, { server: net.Server; sockets: Set<net.Socket> }>();

  constructor(
    private readonly config: Pick<Config, 'dataDir' | 'instance'>,
    private readonly db: Db,
    private readonly clock: () => number = Date.now,
    private readonly log: (message: string) => void = () => {},
  ) {}

  /** The host folder mounted into the customers container: under the data dir unless that path is too long. */
  folder(sessionId: string): string {
    const preferred = path.join(this.config.dataDir, 'run', sessionId, 'customers');
    if (path.join(preferred, CUSTOMER_SIGNAL_FILE).length <= SOCKET_PATH_MAX) return preferred;
    return path.join(os.tmpdir(), `sickbay-${this.config.instance}`, sessionId, 'customers');
  }

  /** Listens for the session's customers; returns the folder to bind-mount. */
  async open(sessionId: string, createdAt: number): Promise<string> {
    await this.close(sessionId);
    const dir = this.folder(sessionId);
    const socketPath = path.join(dir, CUSTOMER_SIGNAL_FILE);
    const sockets = new Set<net.Socket>();
    const server = net.createServer((socket) => this.receive(sessionId, createdAt, socket, sockets));
    server.maxConnections = MAX_CONNECTIONS;
    // Inside the container the customers may run as any user.
    await listenOnUnixSocket(server, socketPath);
    this.servers.set(sessionId, { server, sockets });
    return dir;
  }

  private receive(sessionId: string, createdAt: number, socket: net.Socket, sockets: Set<net.Socket>): void {
    sockets.add(socket);
    socket.setEncoding('utf8');
    let pending = '';
    let dropped = 0;
    socket.on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      if (pending.length > MAX_PENDING) {
        this.log(`customer signal of ${sessionId}: a line longer than ${MAX_PENDING} bytes; connection closed`);
        socket.destroy();
        return;
      }
      const buckets: ServiceBucket[] = [];
      for (const line of lines) {
        const bucket = line.trim() ? parseBucketLine(line, createdAt, this.clock()) : null;
        if (bucket) buckets.push(bucket);
        else if (line.trim() && dropped++ === 0) this.log(`customer signal of ${sessionId}: dropped a line that is not a bucket`);
      }
      try {
        saveBuckets(this.db, sessionId, buckets);
      } catch (err) {
        this.log(`customer signal of ${sessionId}: ${(err as Error).message}`);
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => sockets.delete(socket));
  }

  /** Stops listening for a session (its folder goes with the console's run folder or the stale-socket sweep). */
  async close(sessionId: string): Promise<void> {
    const open = this.servers.get(sessionId);
    if (!open) return;
    this.servers.delete(sessionId);
    const closed = new Promise<void>((resolve) => open.server.close(() => resolve()));
    for (const s of open.sockets) s.destroy();
    await closed;
    fs.rmSync(this.folder(sessionId), { recursive: true, force: true });
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.servers.keys()].map((id) => this.close(id)));
  }
}
