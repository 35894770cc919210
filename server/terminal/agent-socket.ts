/**
 * A session's terminal socket: where sickbay-pty, the agent that runs each learner shell behind
 * a pty inside the console (containers/console/sickbay-pty.c), connects back to the server.
 * The server listens; the console only connects, through this one socket bind-mounted into it,
 * so nothing the learner does inside can point the server at another path.
 *
 * A connection is paired with the shell the gateway asked for by the token on its first line
 * (lib/terminal/agent-wire.ts). The learner can connect too: a connection gets a few seconds to
 * say a token the gateway is waiting for, only a few may wait at once (a new one pushes out the
 * one waiting longest), and anything else is closed. A shell the learner hijacked this way is their own shell in their own session.
 */
import fs from 'node:fs';
import net from 'node:net';
import { SickbayError } from '@/lib/errors';
import { AGENT_HELLO_MAX, parseAgentHello } from '@/lib/terminal/agent-wire';
import { listenOnUnixSocket } from '../unix-socket';

/** Where the socket is mounted inside the console (sickbay-pty's default). */
export const AGENT_SOCKET_IN_CONSOLE = '/run/sickbay/term.sock';
/** A connection that has not said its token within this long is closed. */
const HELLO_TIMEOUT_MS = 10_000;
/** Connections still to say their token, at most (each agent says it at once; a new one pushes out the oldest). */
const MAX_UNPAIRED = 8;

export interface ShellAgents {
  /** The socket on the host; bind-mount it at AGENT_SOCKET_IN_CONSOLE. */
  readonly socketPath: string;
  /** The connection of the agent that presents `token`; rejects (timeout) after `timeoutMs`. */
  expect(token: string, timeoutMs: number): Promise<net.Socket>;
  /** Gives up waiting for `token` (its connection, if one comes, is closed). */
  forget(token: string): void;
  close(): Promise<void>;
}

interface Waiting {
  resolve(socket: net.Socket): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

export interface AgentSocketOptions {
  log?: (message: string) => void;
  /** Test seam; the default is the production value. */
  helloTimeoutMs?: number;
}

export async function listenForAgents(socketPath: string, options: AgentSocketOptions = {}): Promise<ShellAgents> {
  const log = options.log ?? (() => {});
  const helloTimeoutMs = options.helloTimeoutMs ?? HELLO_TIMEOUT_MS;
  const waiting = new Map<string, Waiting>();
  const unpaired = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    // Full: the connection waiting longest goes. A real agent says its token at once, so
    // strangers holding every place cannot keep it out.
    if (unpaired.size >= MAX_UNPAIRED) unpaired.values().next().value?.destroy();
    unpaired.add(socket);
    let line = Buffer.alloc(0);
    // From the connection, not from the last byte: a trickle does not keep it.
    const deadline = setTimeout(() => socket.destroy(), helloTimeoutMs);
    deadline.unref();
    const give = () => {
      unpaired.delete(socket);
      socket.off('data', onData);
      clearTimeout(deadline);
    };
    const onData = (chunk: Buffer) => {
      line = Buffer.concat([line, chunk]);
      const nl = line.indexOf(0x0a);
      if (nl < 0) {
        if (line.length > AGENT_HELLO_MAX) socket.destroy();
        return;
      }
      give();
      const token = nl <= AGENT_HELLO_MAX ? parseAgentHello(line.subarray(0, nl).toString('latin1')) : null;
      const wanted = token ? waiting.get(token) : undefined;
      if (!token || !wanted) {
        socket.destroy();
        return;
      }
      waiting.delete(token);
      clearTimeout(wanted.timer);
      socket.pause();
      const rest = line.subarray(nl + 1);
      if (rest.length) socket.unshift(rest);
      wanted.resolve(socket);
    };
    socket.on('data', onData);
    socket.on('error', () => {}); // a closed connection ends the same way ('close')
    socket.on('close', () => {
      unpaired.delete(socket);
      clearTimeout(deadline);
    });
  });
  server.on('error', (err) => log(`terminal socket ${socketPath}: ${err.message}`));
  // Mounted only into that session's console, whose user must be able to connect.
  await listenOnUnixSocket(server, socketPath);

  let closing: Promise<void> | undefined;
  return {
    socketPath,
    expect(token, timeoutMs) {
      return new Promise((resolve, reject) => {
        if (closing) return reject(new SickbayError('conflict', 'the session ended: its terminal socket is closed'));
        const timer = setTimeout(() => {
          waiting.delete(token);
          reject(new SickbayError('timeout', `the console's shell did not connect within ${Math.round(timeoutMs / 1000)} s`));
        }, timeoutMs);
        timer.unref();
        waiting.set(token, { resolve, reject, timer });
      });
    },
    forget(token) {
      const w = waiting.get(token);
      if (!w) return;
      waiting.delete(token);
      clearTimeout(w.timer);
      w.reject(new SickbayError('conflict', 'the shell is no longer wanted'));
    },
    close() {
      closing ??= (async () => {
        for (const token of [...waiting.keys()]) {
          const w = waiting.get(token)!;
          waiting.delete(token);
          clearTimeout(w.timer);
          w.reject(new SickbayError('conflict', 'the session ended: its terminal socket is closed'));
        }
        // No new connections; the shells' own connections end with their terminals.
        server.close();
        for (const s of unpaired) s.destroy();
        fs.rmSync(socketPath, { force: true });
      })();
      return closing;
    },
  };
}
