/** Small socket helpers shared by the terminal gateway's connections. */
import crypto from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { RawData, WebSocket } from 'ws';

/** Constant-time string equality (hashing first makes the lengths equal). */
export function tokensEqual(a: string, b: string): boolean {
  const ha = crypto.createHash('sha256').update(a).digest();
  const hb = crypto.createHash('sha256').update(b).digest();
  return crypto.timingSafeEqual(ha, hb) && a.length === b.length;
}

export function refuse(socket: Duplex, status: number, message: string): void {
  if (socket.destroyed) return;
  const body = `${message}\n`;
  socket.once('finish', () => socket.destroy());
  socket.once('error', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n` +
      'Connection: close\r\n' +
      'Content-Type: text/plain; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

export function rawToString(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

/** What every terminal connection sends through: nothing once the socket is no longer open. */
export function socketSender(ws: WebSocket): { sendBinary(data: Buffer): void; sendText(text: string): void; close(code: number, reason: string): void } {
  return {
    sendBinary: (data) => {
      if (ws.readyState === ws.OPEN) ws.send(data, { binary: true });
    },
    sendText: (text) => {
      if (ws.readyState === ws.OPEN) ws.send(text);
    },
    close: (code, reason) => {
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(code, reason);
    },
  };
}

/**
 * Pings every interval and terminates a connection that did not answer the previous ping;
 * any message counts as an answer too (seen()).
 */
export function keepAlive(ws: WebSocket, intervalMs: number, onDead?: () => void): { seen(): void; stop(): void } {
  let alive = true;
  const timer = setInterval(() => {
    if (!alive) {
      onDead?.();
      ws.terminate();
      return;
    }
    alive = false;
    ws.ping();
  }, intervalMs);
  timer.unref();
  ws.on('pong', () => {
    alive = true;
  });
  return {
    seen: () => {
      alive = true;
    },
    stop: () => clearInterval(timer),
  };
}
