/**
 * The terminal WebSocket gateway: `ws` in noServer mode behind server.ts's `upgrade` handler,
 * for paths /ws/terminal/<sessionId>. The protocol is in lib/terminal/protocol.ts and
 * docs/api.md ("Terminal WebSocket").
 *
 * Checked before the upgrade is accepted (refused with a plain HTTP answer, then closed):
 *   - the path names a session id                                        else 404
 *   - the Origin header is one of the server's (cross-site WebSocket)    else 403
 *     (server.ts has refused a Host that is not ours, DNS rebinding, with 421 before this)
 *   - the signed-in user may open it (gate; server/auth)   else 404 (not theirs) or 403 (a watcher)
 *   - the session has a ready console (directory)                        else 404
 *   - ?token= equals that session's token (constant-time compare)        else 401
 *     (/ws/terminal/<id>/mirror: the session's mirror token; a read-only watcher)
 *   In a session shared by a team, the gate names the member: the driver's connection is the
 *   input one, every other member's a mirror that is told `refused` when it sends input.
 * After it, per connection: maxPayload (64 KiB, also the cap for a message reassembled from
 * fragments; ws keeps no empty fragments), no compression, binary frames refused, strict
 * message parsing, token buckets on messages and input bytes, a ping every 15 s with the
 * connection terminated when the previous one got no pong, and an idle timeout on input.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { TerminalBody, TypedLineBody } from '@/lib/audit/events';
import type { FlowControlOptions } from '@/lib/terminal/flow';
import {
  CLOSE,
  encodeServerMessage,
  MAX_CLIENT_MESSAGE_BYTES,
  parseClientMessage,
  parseTerminalPath,
  sizeFromQuery,
  TERMINAL_PATH_PREFIX,
} from '@/lib/terminal/protocol';
import { TokenBucket } from '@/lib/terminal/rate';
import { openMemberConnection, type MemberSeat } from './member-connection';
import { openMirrorConnection } from './mirror-connection';
import type { MirrorViewer } from './mirrors';
import type { ShellAgents } from './agent-socket';
import type { SpawnPty } from './pty';
import { keepAlive, rawToString, refuse, socketSender, tokensEqual } from './sockets';
import { TerminalSession, type TerminalClient } from './session';

export interface TerminalTarget {
  sessionId: string;
  consoleContainer: string;
  /** Opens the terminal as its owner (the one who types). */
  token: string;
  /** Opens a read-only mirror (watchers). */
  mirrorToken: string;
  recordingPath: string;
  /** The session's terminal socket; without it no shell starts (pty.ts). */
  agents?: ShellAgents;
}

/** Where the gateway finds a session's console (the engine implements it). */
export interface TerminalDirectory {
  /** null: unknown session or no ready console -> the upgrade is refused. */
  terminalTarget(sessionId: string): TerminalTarget | null;
}

export interface TerminalGatewayOptions {
  directory: TerminalDirectory;
  /** The Origin header against the server's allowlist (lib/web/origin.ts), not against Host. */
  isAllowedOrigin(origin: string | undefined): boolean;
  audit(sessionId: string, event: TerminalBody | TypedLineBody): void;
  /** Called on input (at most every 10 s per session): extends the session's idle TTL. */
  onActivity(sessionId: string): void;
  /** In a team session, the member in the driver seat (server/sessions/members.ts). */
  driverOf?: (sessionId: string) => string | null;
  /** DOCKER_HOST for the host-side docker CLI that starts and ends shells (default: the server's own). */
  dockerHost?: string;

  // Tuning and test seams; the defaults are the production values.
  /** Close a connection after this long without input (default 30 min). The shell stays. */
  idleTimeoutMs?: number;
  /** WebSocket ping interval; a connection that missed the previous pong is dropped (default 15 s). */
  heartbeatMs?: number;
  maxPayload?: number;
  flow?: FlowControlOptions;
  ackEvery?: number;
  scrollbackBytes?: number;
  maxRecordedOutputChars?: number;
  /** Client messages per second (default 200, burst 1000). */
  messageRate?: { perSecond: number; burst: number };
  /** Input bytes per second (default 256 KiB, burst 1 MiB). */
  inputRate?: { perSecond: number; burst: number };
  spawn?: SpawnPty;
  endShell?: (consoleContainer: string, shellId: string) => Promise<void>;
  dockerBin?: string;
  clock?: () => number;
  log?: (message: string) => void;
}

/**
 * Whether the signed-in user may open this session's terminal (or, `mirror`, its read-only
 * mirror, asked again on each team change while the mirror is open): null to go on, `{member}`
 * to go on as that member of the session's team (input only while they hold the driver seat,
 * member-connection.ts), else the refusal. server.ts passes the account check's answer
 * (server/auth/session-access.ts); without one (tests, personal tools) only the token counts.
 */
export type TerminalGate = (sessionId: string, mirror: boolean) => null | { member: string } | { status: number; message: string };

export interface TerminalGateway {
  /** True when the path is ours (/ws/terminal/...), whether accepted or refused. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, gate?: TerminalGate, viewerId?: string): boolean;
  /**
   * A team session's team changed: a removed member's connections close, the old driver's
   * becomes a mirror and the new driver's newest connection the input one, on the same shell
   * (member-connection.ts), and every watcher's mirror asks the gate again (closed, 1008, when
   * it now refuses). `driverId` null: the session has no team any more.
   */
  seatDriver(sessionId: string, driverId: string | null, memberIds: readonly string[]): void;
  /** Destroys the session's pty, closes its socket (4002) and flushes the recording. */
  closeSession(sessionId: string): Promise<void>;
  /** Same for every session; new upgrades are refused from now on. */
  closeAll(): Promise<void>;
  /** Live terminals (tests, diagnostics). */
  sessions(): ReadonlyMap<string, TerminalSession>;
}

export { tokensEqual };

export function createTerminalGateway(options: TerminalGatewayOptions): TerminalGateway {
  const clock = options.clock ?? Date.now;
  const log = options.log ?? ((m: string) => console.log(`[sickbay] terminal: ${m}`));
  const idleTimeoutMs = options.idleTimeoutMs ?? 30 * 60_000;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const messageRate = options.messageRate ?? { perSecond: 200, burst: 1000 };
  const inputRate = options.inputRate ?? { perSecond: 256 * 1024, burst: 1024 * 1024 };
  const terminals = new Map<string, TerminalSession>();
  const seats = new Map<string, Set<MemberSeat>>();
  const sockets = new Set<WebSocket>();
  let closing = false;

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxPayload ?? MAX_CLIENT_MESSAGE_BYTES,
    perMessageDeflate: false,
    clientTracking: false,
  });

  function terminalFor(target: TerminalTarget): TerminalSession {
    const existing = terminals.get(target.sessionId);
    if (existing && !existing.isDestroyed && existing.consoleContainer === target.consoleContainer) return existing;
    const session = new TerminalSession({
      sessionId: target.sessionId,
      consoleContainer: target.consoleContainer,
      recordingPath: target.recordingPath,
      audit: (event) => {
        try {
          options.audit(target.sessionId, event);
        } catch (err) {
          log(`audit for ${target.sessionId} failed: ${(err as Error).message}`);
        }
      },
      onActivity: () => {
        try {
          options.onActivity(target.sessionId);
        } catch (err) {
          log(`activity for ${target.sessionId} failed: ${(err as Error).message}`);
        }
      },
      spawn: options.spawn,
      agents: target.agents,
      endShell: options.endShell,
      dockerHost: options.dockerHost,
      dockerBin: options.dockerBin,
      flow: options.flow,
      ackEvery: options.ackEvery,
      scrollbackBytes: options.scrollbackBytes,
      maxRecordedOutputChars: options.maxRecordedOutputChars,
      clock,
      log,
    });
    if (existing) void existing.destroy('the console was replaced');
    terminals.set(target.sessionId, session);
    return session;
  }

  function onConnection(ws: WebSocket, target: TerminalTarget, size: { cols: number; rows: number }): void {
    sockets.add(ws);
    const session = terminalFor(target);
    const messages = new TokenBucket(messageRate.perSecond, messageRate.burst, clock());
    const inputBytes = new TokenBucket(inputRate.perSecond, inputRate.burst, clock());
    let closedReason = 'the connection closed';
    let idleTimer: NodeJS.Timeout | null = null;

    const sender = socketSender(ws);
    const client: TerminalClient = {
      ...sender,
      close: (code, reason) => {
        closedReason = reason;
        sender.close(code, reason);
      },
    };

    const dropConnection = (code: number, reason: string) => {
      closedReason = reason;
      ws.close(code, reason);
    };

    const armIdle = () => {
      if (idleTimer) clearTimeout(idleTimer);
      idleTimer = setTimeout(() => dropConnection(CLOSE.idle, `no input for ${Math.round(idleTimeoutMs / 60_000)} min`), idleTimeoutMs);
      idleTimer.unref();
    };

    const heartbeat = keepAlive(ws, heartbeatMs, () => (closedReason = 'no answer to ping'));

    ws.on('message', (data, isBinary) => {
      heartbeat.seen();
      if (isBinary) return dropConnection(CLOSE.unsupportedData, 'binary messages are not accepted');
      const now = clock();
      if (!messages.take(now)) return dropConnection(CLOSE.policy, 'too many messages');
      const parsed = parseClientMessage(rawToString(data));
      if (!parsed.ok) return dropConnection(CLOSE.policy, `bad message: ${parsed.error}`);
      const m = parsed.message;
      switch (m.type) {
        case 'input':
          if (!inputBytes.take(now, Buffer.byteLength(m.data))) return dropConnection(CLOSE.policy, 'input too fast');
          armIdle();
          session.input(client, m.data);
          break;
        case 'resize':
          session.resize(client, m.cols, m.rows);
          break;
        case 'ack':
          session.ack(client, m.bytes);
          break;
        case 'ping':
          client.sendText(encodeServerMessage({ type: 'pong' }));
          break;
      }
    });

    ws.on('close', (code) => {
      sockets.delete(ws);
      heartbeat.stop();
      if (idleTimer) clearTimeout(idleTimer);
      const reason =
        code === CLOSE.normal || code === 1005
          ? 'the browser closed the terminal'
          : code === CLOSE.goingAway && closedReason === 'the connection closed'
            ? 'the page was closed or reloaded'
            : closedReason;
      session.detach(client, reason);
    });

    ws.on('error', (err) => {
      closedReason = `socket error: ${err.message}`;
      log(`session ${target.sessionId}: ${closedReason}`);
    });

    armIdle();
    try {
      session.attach(client, size);
    } catch (err) {
      log(`session ${target.sessionId}: cannot start the shell: ${(err as Error).message}`);
      dropConnection(CLOSE.serverError, 'cannot start the shell');
    }
  }

  /** A watcher's connection: output only (mirror-connection.ts). */
  function onMirrorConnection(ws: WebSocket, target: TerminalTarget, viewer: MirrorViewer | undefined): void {
    sockets.add(ws);
    openMirrorConnection(ws, terminalFor(target), { viewer, clock, heartbeatMs, messageRate, log, onClose: () => sockets.delete(ws) });
  }

  /** A team member's connection: input while they drive, a mirror otherwise. */
  function onMemberConnection(ws: WebSocket, target: TerminalTarget, size: { cols: number; rows: number }, userId: string): void {
    sockets.add(ws);
    const session = terminalFor(target);
    const mine = seats.get(target.sessionId) ?? new Set<MemberSeat>();
    seats.set(target.sessionId, mine);
    const driving = options.driverOf?.(target.sessionId) === userId;
    // A driver's new tab takes the input over from their older one, which becomes a mirror.
    if (driving) for (const s of mine) if (s.driving) s.seat(false);
    const onClose = (s: MemberSeat) => {
      sockets.delete(ws);
      mine.delete(s);
    };
    mine.add(openMemberConnection(ws, session, { userId, driving, size, clock, heartbeatMs, messageRate, inputRate, log, onClose }));
  }

  return {
    handleUpgrade(req, socket, head, gate, viewerId) {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (!url.pathname.startsWith(TERMINAL_PATH_PREFIX)) return false;
      const route = parseTerminalPath(url.pathname);
      if (!route) {
        refuse(socket, 404, 'no such terminal');
        return true;
      }
      if (closing) {
        refuse(socket, 503, 'the server is shutting down');
        return true;
      }
      if (!options.isAllowedOrigin(req.headers.origin)) {
        refuse(socket, 403, 'origin not allowed');
        return true;
      }
      // The user before the directory: another learner's session is refused exactly like an unknown one.
      const answer = gate?.(route.sessionId, route.mirror) ?? null;
      if (answer && 'status' in answer) {
        refuse(socket, answer.status, answer.message);
        return true;
      }
      const target = options.directory.terminalTarget(route.sessionId);
      if (!target) {
        refuse(socket, 404, 'this session has no terminal (unknown, not ready yet, or ended)');
        return true;
      }
      const token = url.searchParams.get('token') ?? '';
      if (!token || !tokensEqual(token, route.mirror ? target.mirrorToken : target.token)) {
        refuse(socket, 401, `missing or wrong ${route.mirror ? 'mirror' : 'terminal'} token`);
        return true;
      }
      if (route.mirror) {
        // Asked again on every team change: the gate's answer may differ by then.
        const viewer = gate && { userId: viewerId ?? null, stillAllowed: () => gate(route.sessionId, true) === null };
        wss.handleUpgrade(req, socket, head, (ws) => onMirrorConnection(ws, target, viewer));
        return true;
      }
      const size = sizeFromQuery(url.searchParams);
      if (answer) {
        wss.handleUpgrade(req, socket, head, (ws) => onMemberConnection(ws, target, size, answer.member));
        return true;
      }
      wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, target, size));
      return true;
    },

    seatDriver(sessionId, driverId, memberIds) {
      for (const userId of terminals.get(sessionId)?.recheckMirrors() ?? []) log(`session ${sessionId}: closed the mirror of ${userId ?? 'a watcher'}: no longer allowed`);
      for (const s of seats.get(sessionId) ?? []) {
        if (!memberIds.includes(s.userId)) s.close(CLOSE.policy, 'you are no longer in this team');
      }
      const all = [...(seats.get(sessionId) ?? [])].filter((s) => memberIds.includes(s.userId));
      // Once a team works the session, a plain connection opened before (the owner's) loses
      // the shell: only the driver's member connection types, and is credited for it.
      const attached = terminals.get(sessionId)?.attached;
      if (memberIds.length > 0 && attached && !all.some((s) => s.isClient(attached))) {
        terminals.get(sessionId)?.detach(attached, 'a team works this session now');
        attached.close(CLOSE.policy, 'a team works this session now: open it again to take your seat');
      }
      // Demote first: attaching the new driver while the old one is attached would close it.
      for (const s of all) if (s.driving && s.userId !== driverId) s.seat(false);
      if (all.some((s) => s.driving)) return;
      all.reverse().find((s) => s.userId === driverId)?.seat(true);
    },

    async closeSession(sessionId) {
      seats.delete(sessionId);
      const session = terminals.get(sessionId);
      if (!session) return;
      terminals.delete(sessionId);
      await session.destroy('the session ended', CLOSE.sessionEnded);
    },

    async closeAll() {
      closing = true;
      const all = [...terminals.values()];
      terminals.clear();
      await Promise.all(all.map((s) => s.destroy('the server is shutting down', CLOSE.goingAway)));
      for (const ws of sockets) ws.terminate();
      sockets.clear();
    },

    sessions() {
      return terminals;
    },
  };
}
