/**
 * The real server (server.ts, production build) as a child process the soak, footprint and
 * fault tools control: started on its own data dir and SICKBAY_INSTANCE, optionally with the
 * V8 inspector on loopback (heap after GC, live handles, heap snapshots: see inspector.ts),
 * stopped gracefully or killed with SIGKILL and started again on the same data dir.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Inspector, inspectorUrl } from './inspector';
import { treeRss, type TreeRss } from './proc';

const KEEP_OUTPUT = 256 * 1024;

export interface ServerOptions {
  root: string;
  dataDir: string;
  instance: string;
  /** Extra environment (SICKBAY_*), on top of the tool's own. */
  env?: Record<string, string>;
  /** Start with --inspect=127.0.0.1:0 (tools only). */
  inspect?: boolean;
  /** Every line the server prints is appended here too. */
  logFile?: string;
  startTimeoutMs?: number;
  /**
   * Run the server in a session of its own (setsid), as a service runs. Linux schedules each
   * session as one group (autogroup): in the tool's session, the tool's own work — typing into
   * twenty terminals — would be counted against the server's share of the CPU. It is stopped
   * when the tool exits.
   */
  ownSession?: boolean;
}

export class ManagedServer {
  private out = '';
  private inspectorConn: Inspector | null = null;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(
    readonly options: ServerOptions,
    readonly proc: ChildProcess,
    readonly startedAt: number,
  ) {
    const log = options.logFile ? fs.createWriteStream(options.logFile, { flags: 'a' }) : null;
    log?.on('error', () => {}); // a full disk must not take the tool down with it
    const take = (c: Buffer) => {
      this.out += c.toString();
      if (this.out.length > 2 * KEEP_OUTPUT) this.out = this.out.slice(-KEEP_OUTPUT);
      log?.write(c);
    };
    proc.stdout?.on('data', take);
    proc.stderr?.on('data', take);
    this.exited = new Promise((resolve) => {
      proc.once('exit', (code, signal) => {
        log?.end();
        resolve({ code, signal });
      });
    });
  }

  url = '';

  get pid(): number {
    return this.proc.pid ?? -1;
  }

  get running(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  output(): string {
    return this.out;
  }

  static async start(options: ServerOptions): Promise<ManagedServer> {
    fs.mkdirSync(options.dataDir, { recursive: true });
    const args = [...(options.inspect ? ['--inspect=127.0.0.1:0'] : []), '--import', 'tsx', path.join(options.root, 'server.ts')];
    const proc = spawn(process.execPath, args, {
      cwd: options.root,
      env: {
        ...process.env,
        NODE_ENV: 'production',
        NEXT_TELEMETRY_DISABLED: '1',
        SICKBAY_HOST: '127.0.0.1',
        PORT: '0',
        SICKBAY_DATA_DIR: options.dataDir,
        SICKBAY_INSTANCE: options.instance,
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: options.ownSession === true,
    });
    if (options.ownSession) {
      const stop = () => proc.kill('SIGTERM');
      process.once('exit', stop);
      proc.once('exit', () => process.off('exit', stop));
    }
    const server = new ManagedServer(options, proc, Date.now());
    const deadline = Date.now() + (options.startTimeoutMs ?? 180_000);
    for (;;) {
      const m = /ready on (http:\/\/127\.0\.0\.1:\d+)/.exec(server.out);
      if (m?.[1]) {
        server.url = m[1];
        return server;
      }
      if (!server.running) throw new Error(`the server exited while starting (${proc.exitCode ?? proc.signalCode}):\n${server.out.slice(-4000)}`);
      if (Date.now() > deadline) {
        proc.kill('SIGKILL');
        throw new Error(`the server did not print its URL within ${(options.startTimeoutMs ?? 180_000) / 1000} s:\n${server.out.slice(-4000)}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** The same server again on the same data dir and instance (after a kill or a stop). */
  restart(): Promise<ManagedServer> {
    return ManagedServer.start(this.options);
  }

  /** The inspector connection (started with inspect: true only). */
  async inspector(): Promise<Inspector> {
    if (this.inspectorConn) return this.inspectorConn;
    const url = inspectorUrl(this.out);
    if (!url) throw new Error('the server was not started with the inspector');
    this.inspectorConn = await Inspector.connect(url);
    return this.inspectorConn;
  }

  /** kill -9: nothing runs after it, no handler, no flush. */
  async kill9(): Promise<void> {
    this.inspectorConn?.close();
    this.inspectorConn = null;
    if (this.running) this.proc.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM (live sessions are ended), SIGKILL after `graceMs`. */
  async stop(graceMs = 60_000): Promise<void> {
    this.inspectorConn?.close();
    this.inspectorConn = null;
    if (!this.running) return;
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), graceMs);
    this.proc.kill('SIGTERM');
    await this.exited;
    clearTimeout(timer);
  }

  /** Open file descriptors of the server process itself. */
  fds(): number {
    try {
      return fs.readdirSync(`/proc/${this.pid}/fd`).length;
    } catch {
      return -1;
    }
  }

  rss(): TreeRss {
    return treeRss(this.pid);
  }
}
