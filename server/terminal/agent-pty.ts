/**
 * A learner shell run by sickbay-pty in the console and reached over the session's terminal
 * socket (agent-socket.ts), behind the PtyProcess interface (node-pty's shape): the gateway's
 * recording, typed-line audit, flow control and mirrors do not know the difference.
 *
 * Starting one: a token, `docker exec -d <console> sickbay-pty <shell id> <cols> <rows>` with the
 * token in its environment, then the agent's connection presenting it. Input typed meanwhile is
 * kept (bounded) and sent once it is there. If it never comes, the terminal says why and the
 * shell "exits", so the client sees an ended shell rather than a silent one.
 *
 * pause()/resume() stop and restart reading the socket: the agent then stops reading the pty and
 * the back-pressure reaches the program in the console, as it did through the docker CLI.
 */
import crypto from 'node:crypto';
import type net from 'node:net';
import { AgentFrameDecoder, encodeInput, encodeResize } from '@/lib/terminal/agent-wire';
import type { ShellAgents } from './agent-socket';
import type { PtyProcess, SpawnRequest } from './pty';

/** Starts sickbay-pty in the console; rejects with why it could not. */
export type StartAgent = (consoleContainer: string, args: { token: string; shellId: string; cols: number; rows: number }) => Promise<void>;

export interface AgentPtyOptions {
  /** The session's terminal socket; without one the shell fails at once, saying why. */
  agents: ShellAgents | undefined;
  startAgent: StartAgent;
  /** How long the agent may take to connect (default 60 s: `docker exec` on a busy host is slow). */
  connectTimeoutMs?: number;
  log?: (message: string) => void;
}

/** Input typed before the shell is there is kept up to this much. */
const MAX_EARLY_INPUT = 64 * 1024;
/**
 * Input the agent has not taken yet, at most: beyond it keystrokes are dropped. The agent runs
 * as the learner, who can stop it (`kill -STOP`) while a script types at the input rate limit;
 * without a cap the server would hold all of that.
 */
const MAX_UNSENT_INPUT = 1024 * 1024;

type Listener<T> = (value: T) => void;

export class AgentPty implements PtyProcess {
  pid = 0;
  private socket: net.Socket | null = null;
  private readonly token = crypto.randomBytes(24).toString('base64url');
  private readonly decoder = new AgentFrameDecoder();
  private readonly dataListeners = new Set<Listener<Buffer>>();
  private readonly exitListeners = new Set<Listener<{ exitCode: number; signal?: number }>>();
  private early: Buffer[] = [];
  private earlyBytes = 0;
  /** A size asked for before the agent was there (it started with the request's). */
  private earlySize: { cols: number; rows: number } | null = null;
  private paused = false;
  private ended = false;
  private exitStatus: { exitCode: number; signal?: number } | null = null;
  private readonly log: (message: string) => void;

  constructor(request: SpawnRequest, private readonly options: AgentPtyOptions) {
    this.log = options.log ?? (() => {});
    const agents = options.agents;
    if (!agents) {
      setImmediate(() => this.fail('this console has no terminal socket'));
      return;
    }
    const connected = agents.expect(this.token, options.connectTimeoutMs ?? 60_000);
    const started = options.startAgent(request.consoleContainer, { token: this.token, shellId: request.shellId, cols: request.cols, rows: request.rows });
    started.catch(() => agents.forget(this.token));
    Promise.all([connected, started]).then(
      ([socket]) => this.attach(socket),
      (err: Error) => {
        connected.then((s) => s.destroy(), () => {});
        this.fail(err.message);
      },
    );
  }

  onData(listener: Listener<Buffer>) {
    this.dataListeners.add(listener);
    return { dispose: () => void this.dataListeners.delete(listener) };
  }

  onExit(listener: Listener<{ exitCode: number; signal?: number }>) {
    this.exitListeners.add(listener);
    return { dispose: () => void this.exitListeners.delete(listener) };
  }

  write(data: string): void {
    if (this.ended) return;
    const bytes = Buffer.from(data, 'utf8');
    if (this.socket) {
      if (this.socket.writableLength > MAX_UNSENT_INPUT) return;
      this.socket.write(encodeInput(bytes));
      return;
    }
    if (this.earlyBytes + bytes.length > MAX_EARLY_INPUT) return;
    this.early.push(bytes);
    this.earlyBytes += bytes.length;
  }

  resize(cols: number, rows: number): void {
    if (this.socket) {
      if (!this.ended) this.socket.write(encodeResize(cols, rows));
    } else this.earlySize = { cols, rows };
  }

  pause(): void {
    this.paused = true;
    this.socket?.pause();
  }

  resume(): void {
    this.paused = false;
    this.socket?.resume();
  }

  /** Hangs up: the agent sees the connection close and hangs up the shell's session. */
  destroy(): void {
    if (this.socket) return void this.socket.destroy();
    this.options.agents?.forget(this.token);
    this.end({ exitCode: 0, signal: 1 });
  }

  kill(): void {
    this.destroy();
  }

  private attach(socket: net.Socket): void {
    if (this.ended) {
      socket.destroy();
      return;
    }
    // The agent may have gone between its hello and now (say a fork refused at the console's
    // PID limit): its 'close' has been and will not come again.
    if (socket.destroyed || socket.readableEnded) {
      socket.destroy();
      this.fail('the console ended it before it started (is its process limit reached?)');
      return;
    }
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      let frames;
      try {
        frames = this.decoder.push(chunk);
      } catch (err) {
        this.log(`terminal agent: ${(err as Error).message}`);
        socket.destroy();
        return;
      }
      for (const f of frames) {
        if (f.type === 'output') this.emitData(f.data);
        else if (f.type === 'pid') this.pid = f.pid;
        else this.exitStatus = { exitCode: f.code, ...(f.signal ? { signal: f.signal } : {}) };
      }
    });
    socket.on('error', (err) => this.log(`terminal agent connection: ${err.message}`));
    socket.on('close', () => this.end(this.exitStatus ?? { exitCode: 0, signal: 1 }));
    if (this.earlySize) socket.write(encodeResize(this.earlySize.cols, this.earlySize.rows));
    if (this.early.length) socket.write(encodeInput(Buffer.concat(this.early)));
    this.early = [];
    this.earlyBytes = 0;
    if (!this.paused) socket.resume();
  }

  private fail(reason: string): void {
    if (this.ended) return;
    this.log(`terminal agent: ${reason}`);
    this.emitData(Buffer.from(`\r\n[sickbay] the console's shell did not start: ${reason}\r\n`, 'utf8'));
    this.end({ exitCode: 1 });
  }

  private emitData(data: Buffer): void {
    for (const l of this.dataListeners) l(data);
  }

  private end(status: { exitCode: number; signal?: number }): void {
    if (this.ended) return;
    this.ended = true;
    this.early = [];
    for (const l of this.exitListeners) l(status);
  }
}
