/**
 * A watcher's read-only mirror connection (/ws/terminal/<id>/mirror): output only. It has no
 * input path at all: any message but a ping closes it (1008), so a mirror can neither type,
 * resize nor hold back the owner's terminal.
 *
 * It carries its viewer: who opened it and how to ask again whether they may still watch (the
 * same access decision as at the upgrade). The gateway asks when the session's team changes,
 * so a member taken off the team loses the mirror they had open (MirrorSet.recheck).
 */
import type { WebSocket } from 'ws';
import { CLOSE, encodeServerMessage, parseClientMessage } from '@/lib/terminal/protocol';
import { TokenBucket } from '@/lib/terminal/rate';
import type { MirrorClient, MirrorViewer } from './mirrors';
import type { TerminalSession } from './session';
import { keepAlive, rawToString, socketSender } from './sockets';

export interface MirrorConnectionOptions {
  /** Absent without an account check (personal tools, tests): the token alone decides. */
  viewer?: MirrorViewer;
  clock: () => number;
  heartbeatMs: number;
  messageRate: { perSecond: number; burst: number };
  log: (message: string) => void;
  onClose: () => void;
}

export function openMirrorConnection(ws: WebSocket, session: TerminalSession, options: MirrorConnectionOptions): void {
  const { clock, log } = options;
  const messages = new TokenBucket(options.messageRate.perSecond, options.messageRate.burst, clock());
  const client: MirrorClient = {
    ...socketSender(ws),
    buffered: () => ws.bufferedAmount,
    viewer: options.viewer,
  };
  const heartbeat = keepAlive(ws, options.heartbeatMs);
  ws.on('message', (data, isBinary) => {
    heartbeat.seen();
    if (isBinary || !messages.take(clock())) return ws.close(CLOSE.policy, 'a mirror is read-only');
    const parsed = parseClientMessage(rawToString(data));
    if (parsed.ok && parsed.message.type === 'ping') return client.sendText(encodeServerMessage({ type: 'pong' }));
    ws.close(CLOSE.policy, 'a mirror is read-only: it sends no input, resize or ack');
  });
  ws.on('close', () => {
    heartbeat.stop();
    session.detachMirror(client);
    options.onClose();
  });
  ws.on('error', (err) => log(`session ${session.sessionId}: mirror socket error: ${err.message}`));
  session.attachMirror(client);
}
