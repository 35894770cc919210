/**
 * Read-only watchers of a terminal (an interviewer, a drill teammate): every byte the owner's
 * connection is sent goes to them too, but they never take part in flow control, so a slow
 * watcher can never slow the owner's terminal. One that falls too far behind (its socket
 * buffers more than the limit) is dropped with 4004 and may reconnect: the reconnect replays
 * the recent screen from the scrollback.
 */
import { CLOSE, encodeServerMessage } from '@/lib/terminal/protocol';

/** Who watches through a mirror, asked again when the session's team changes. */
export interface MirrorViewer {
  /** The signed-in user (null: no account behind the connection). */
  userId: string | null;
  /** The same access decision as when the mirror was opened, made again now. */
  stillAllowed(): boolean;
}

/** A watcher's socket. */
export interface MirrorClient {
  sendBinary(data: Buffer): void;
  sendText(text: string): void;
  close(code: number, reason: string): void;
  /** Bytes queued on the socket and not yet written out. */
  buffered(): number;
  /** Absent: nothing to re-check (a team member's connection, whose seat the gateway manages). */
  viewer?: MirrorViewer;
}

const SEND_CHUNK = 64 * 1024;
/** How far a watcher may lag before it is dropped: a few screens of fast output. */
export const MIRROR_MAX_BUFFERED = 1024 * 1024;

export class MirrorSet {
  private readonly clients = new Set<MirrorClient>();

  constructor(private readonly maxBuffered = MIRROR_MAX_BUFFERED) {}

  get size(): number {
    return this.clients.size;
  }

  /** Greets a watcher with the screen so far (the scrollback) and the owner's geometry. */
  add(client: MirrorClient, screen: Uint8Array, size: { cols: number; rows: number }, ackEvery: number): void {
    client.sendText(
      encodeServerMessage({ type: 'attached', protocol: 1, shell: 'existing', replayBytes: screen.length, cols: size.cols, rows: size.rows, ackEvery, mirror: true }),
    );
    for (let at = 0; at < screen.length; at += SEND_CHUNK) {
      client.sendBinary(Buffer.from(screen.buffer, screen.byteOffset + at, Math.min(SEND_CHUNK, screen.length - at)));
    }
    this.clients.add(client);
  }

  remove(client: MirrorClient): void {
    this.clients.delete(client);
  }

  /** The owner's output, to every watcher that keeps up. */
  output(data: Buffer): void {
    for (const c of this.clients) {
      if (c.buffered() > this.maxBuffered) {
        this.clients.delete(c);
        c.close(CLOSE.mirrorBehind, 'the mirror fell behind; reconnect to catch up');
        continue;
      }
      c.sendBinary(data);
    }
  }

  /**
   * Closes (1008) every mirror whose viewer may no longer watch; returns the user ids closed. A
   * check that throws counts as a refusal: a mirror stays open only on a clear yes.
   */
  recheck(): (string | null)[] {
    const closed: (string | null)[] = [];
    for (const c of this.clients) {
      if (!c.viewer || allowed(c.viewer)) continue;
      this.clients.delete(c);
      closed.push(c.viewer.userId);
      c.close(CLOSE.policy, 'you may no longer watch this session (its team changed)');
    }
    return closed;
  }

  text(message: string): void {
    for (const c of this.clients) c.sendText(message);
  }

  closeAll(code: number, reason: string): void {
    for (const c of this.clients) c.close(code, reason);
    this.clients.clear();
  }
}

function allowed(viewer: MirrorViewer): boolean {
  try {
    return viewer.stillAllowed();
  } catch {
    return false;
  }
}
