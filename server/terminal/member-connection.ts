/**
 * A team member's terminal connection (lib/auth/team.ts): one WebSocket that is the input
 * connection of the session's shell while its member holds the driver seat, and a read-only
 * mirror of that same shell otherwise. A handover switches connections in place (seat()): the
 * old driver's is detached and joins the mirrors, the new driver's leaves the mirrors and is
 * attached; the pty is never restarted. Each switch greets the browser with a fresh `attached`
 * message (mirror: true when it may not type) and the recent screen.
 *
 * A non-driver's input frame is answered with `refused` and goes nowhere; its resizes and acks
 * are ignored, so a teammate can neither type, resize nor hold back the driver's terminal.
 */
import type { WebSocket } from 'ws';
import { CLOSE, encodeServerMessage, parseClientMessage } from '@/lib/terminal/protocol';
import { TokenBucket } from '@/lib/terminal/rate';
import type { MirrorClient } from './mirrors';
import type { TerminalClient, TerminalSession } from './session';
import { keepAlive, rawToString, socketSender } from './sockets';

export interface MemberSeat {
  readonly userId: string;
  readonly driving: boolean;
  /** Makes this connection the input one (true) or a mirror (false). */
  seat(driving: boolean): void;
  close(code: number, reason: string): void;
  /** Whether this is the connection behind that terminal client (the gateway's owner check). */
  isClient(client: TerminalClient): boolean;
}

export interface MemberConnectionOptions {
  userId: string;
  driving: boolean;
  size: { cols: number; rows: number };
  clock: () => number;
  heartbeatMs: number;
  messageRate: { perSecond: number; burst: number };
  inputRate: { perSecond: number; burst: number };
  log: (message: string) => void;
  onClose: (seat: MemberSeat) => void;
}

export const NOT_DRIVING = 'you are not driving: only the driver types in the terminal (ask for the driver seat)';

export function openMemberConnection(ws: WebSocket, session: TerminalSession, options: MemberConnectionOptions): MemberSeat {
  const { clock } = options;
  const messages = new TokenBucket(options.messageRate.perSecond, options.messageRate.burst, clock());
  const inputBytes = new TokenBucket(options.inputRate.perSecond, options.inputRate.burst, clock());
  let size = options.size;
  let driving = false;
  let closedReason = 'the connection closed';

  const sender = socketSender(ws);
  const { sendBinary, sendText } = sender;
  const client: TerminalClient = { sendBinary, sendText, close: (code, reason) => close(code, reason) };
  const mirror: MirrorClient = { sendBinary, sendText, close: (code, reason) => close(code, reason), buffered: () => ws.bufferedAmount };
  /** Leaves the shell at once: a closing socket (ws waits up to 30 s for the peer) keeps no input path. */
  const leave = (reason: string) => {
    if (driving) session.detach(client, reason);
    driving = false;
    session.detachMirror(mirror);
  };
  function close(code: number, reason: string): void {
    closedReason = reason;
    leave(reason);
    sender.close(code, reason);
  }

  const seat: MemberSeat = {
    userId: options.userId,
    close,
    isClient: (c) => c === client,
    get driving() {
      return driving;
    },
    seat(next) {
      if (next === driving) return;
      // A socket that is no longer open only ever loses the seat.
      if (ws.readyState !== ws.OPEN) return next ? undefined : leave('the driver seat was handed over');
      if (next) {
        session.detachMirror(mirror);
        driving = true;
        try {
          session.attach(client, size);
        } catch (err) {
          options.log(`session ${session.sessionId}: cannot start the shell: ${(err as Error).message}`);
          close(CLOSE.serverError, 'cannot start the shell');
        }
      } else {
        session.detach(client, 'the driver seat was handed over');
        driving = false;
        session.attachMirror(mirror);
      }
    },
  };

  const heartbeat = keepAlive(ws, options.heartbeatMs, () => (closedReason = 'no answer to ping'));
  ws.on('message', (data, isBinary) => {
    // ws still delivers frames while a socket is closing: they go nowhere.
    if (ws.readyState !== ws.OPEN) return;
    heartbeat.seen();
    if (isBinary) return close(CLOSE.unsupportedData, 'binary messages are not accepted');
    const now = clock();
    if (!messages.take(now)) return close(CLOSE.policy, 'too many messages');
    const parsed = parseClientMessage(rawToString(data));
    if (!parsed.ok) return close(CLOSE.policy, `bad message: ${parsed.error}`);
    const m = parsed.message;
    switch (m.type) {
      case 'input':
        if (!driving) return sendText(encodeServerMessage({ type: 'refused', message: NOT_DRIVING }));
        if (!inputBytes.take(now, Buffer.byteLength(m.data))) return close(CLOSE.policy, 'input too fast');
        session.input(client, m.data);
        break;
      case 'resize':
        size = { cols: m.cols, rows: m.rows };
        if (driving) session.resize(client, m.cols, m.rows);
        break;
      case 'ack':
        if (driving) session.ack(client, m.bytes);
        break;
      case 'ping':
        sendText(encodeServerMessage({ type: 'pong' }));
        break;
    }
  });
  ws.on('close', () => {
    heartbeat.stop();
    leave(closedReason === 'the connection closed' ? 'the driver closed the terminal' : closedReason);
    options.onClose(seat);
  });
  ws.on('error', (err) => {
    closedReason = `socket error: ${err.message}`;
    options.log(`session ${session.sessionId}: member socket error: ${err.message}`);
  });

  if (options.driving) seat.seat(true);
  else session.attachMirror(mirror);
  return seat;
}
