/**
 * The host side of a learner's shell. A session's console has a terminal socket: the shell runs
 * under sickbay-pty inside it and the gateway talks to that directly (agent-pty.ts). Without
 * one (a console made by hand in a test, a tool), node-pty runs the docker CLI's `exec -it`
 * into the console. Both with an environment that leaks nothing of the server's own, and the
 * clean-up that ends the shell inside the container when the terminal goes.
 */
import { execFile } from 'node:child_process';
import * as nodePty from 'node-pty';
import { SickbayError } from '@/lib/errors';
import { AgentPty, type StartAgent } from './agent-pty';
import type { ShellAgents } from './agent-socket';

/** The part of node-pty's IPty we use (a fake implements it in tests). */
export interface PtyProcess {
  readonly pid: number;
  onData(listener: (data: Buffer | string) => void): { dispose(): void };
  onExit(listener: (e: { exitCode: number; signal?: number }) => void): { dispose(): void };
  write(data: string): void;
  resize(cols: number, rows: number): void;
  pause(): void;
  resume(): void;
  /** Closes the master side and hangs up the child (node-pty's UnixTerminal.destroy). */
  destroy?(): void;
  kill(signal?: string): void;
}

export interface SpawnRequest {
  consoleContainer: string;
  /** Passed to sickbay-shell; identifies this shell inside the container. */
  shellId: string;
  cols: number;
  rows: number;
  /** The session's terminal socket: when given, the shell runs under sickbay-pty (agent-pty.ts). */
  agents?: ShellAgents;
}

export type SpawnPty = (request: SpawnRequest) => PtyProcess;

/** Environment of the host-side docker CLI: nothing of the server's own environment leaks in. */
export function dockerCliEnv(dockerHost: string | undefined, size: { cols: number; rows: number }): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    HOME: process.env.HOME ?? '/root',
    LANG: 'C.UTF-8',
    TERM: 'xterm-256color',
    COLUMNS: String(size.cols),
    LINES: String(size.rows),
  };
  const host = dockerHost ?? process.env.DOCKER_HOST;
  if (host) env.DOCKER_HOST = host;
  for (const k of ['DOCKER_CONFIG', 'DOCKER_CERT_PATH', 'DOCKER_TLS_VERIFY', 'DOCKER_CONTEXT']) {
    const v = process.env[k];
    if (v) env[k] = v;
  }
  return env;
}

/** The detach keys of the host-side `docker exec`: a sequence nobody types by accident. */
export const DETACH_KEYS = 'ctrl-],ctrl-],ctrl-]';

/** The argv of the host-side docker CLI that opens the learner's shell. */
export function dockerExecArgs(request: SpawnRequest): string[] {
  return [
    'exec', '-i', '-t',
    '--detach-keys', DETACH_KEYS,
    '-e', 'TERM=xterm-256color',
    '-e', `COLUMNS=${request.cols}`,
    '-e', `LINES=${request.rows}`,
    request.consoleContainer,
    'sickbay-shell', request.shellId,
  ];
}

/** Starts sickbay-pty in the console, detached: from then on its socket carries the shell. */
export function defaultStartAgent(options: { dockerHost?: string; dockerBin?: string }): StartAgent {
  return (consoleContainer, { token, shellId, cols, rows }) =>
    new Promise((resolve, reject) => {
      execFile(
        options.dockerBin ?? 'docker',
        ['exec', '-d', '-e', 'TERM=xterm-256color', '-e', `SICKBAY_PTY_TOKEN=${token}`, consoleContainer, 'sickbay-pty', shellId, String(cols), String(rows)],
        { env: dockerCliEnv(options.dockerHost, { cols, rows }) as NodeJS.ProcessEnv, timeout: 60_000 },
        (err, _stdout, stderr) => (err ? reject(new SickbayError('provision_failed', stderr.trim() || err.message)) : resolve()),
      );
    });
}

export function defaultSpawn(options: { dockerHost?: string; dockerBin?: string; log?: (message: string) => void }): SpawnPty {
  const startAgent = defaultStartAgent(options);
  return (request) => {
    if (request.agents) return new AgentPty(request, { agents: request.agents, startAgent, log: options.log });
    return nodePty.spawn(options.dockerBin ?? 'docker', dockerExecArgs(request), {
      name: 'xterm-256color',
      cols: request.cols,
      rows: request.rows,
      cwd: '/',
      env: dockerCliEnv(options.dockerHost, request),
      // Buffers, not strings: output goes to the browser as bytes and is decoded once, as a
      // stream, for the recording.
      encoding: null,
    }) as unknown as PtyProcess;
  };
}

export function defaultEndShell(options: { dockerHost?: string; dockerBin?: string }) {
  return (consoleContainer: string, shellId: string): Promise<void> =>
    new Promise((resolve) => {
      execFile(
        options.dockerBin ?? 'docker',
        ['exec', consoleContainer, 'sickbay-end-shell', shellId],
        { env: dockerCliEnv(options.dockerHost, { cols: 80, rows: 24 }) as NodeJS.ProcessEnv, timeout: 10_000 },
        () => resolve(), // the container may already be gone: nothing left to end then
      );
    });
}

/**
 * Hangs up a pty and waits (bounded) for the docker CLI behind it to be reaped: SIGHUP, then
 * SIGKILL after 3 s. The shell inside the container is ended separately (endShell).
 */
export async function hangUp(pty: PtyProcess, exited: Promise<void>, log: (message: string) => void): Promise<void> {
  try {
    if (pty.destroy) pty.destroy();
    else pty.kill('SIGHUP');
  } catch (err) {
    log(`destroying the pty: ${(err as Error).message}`);
  }
  if (await settledWithin(exited, 3000)) return;
  pty.kill('SIGKILL');
  await settledWithin(exited, 1000);
}

function settledWithin(p: Promise<void>, ms: number): Promise<boolean> {
  return Promise.race([p.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms).unref())]);
}
