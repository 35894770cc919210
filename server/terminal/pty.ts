/**
 * The host side of a learner's shell: sickbay-pty runs it in the session's console and the
 * gateway talks to that over the session's terminal socket (agent-pty.ts). Here: starting the
 * agent and ending the shell with the docker CLI, in an environment that leaks nothing of the
 * server's own, and hanging up a terminal.
 */
import { execFile } from 'node:child_process';
import { SickbayError } from '@/lib/errors';
import { AgentPty, type StartAgent } from './agent-pty';
import type { ShellAgents } from './agent-socket';

/** A terminal as the session uses it (node-pty's IPty shape): AgentPty, or a fake in tests. */
export interface PtyProcess {
  readonly pid: number;
  onData(listener: (data: Buffer | string) => void): { dispose(): void };
  onExit(listener: (e: { exitCode: number; signal?: number }) => void): { dispose(): void };
  write(data: string): void;
  resize(cols: number, rows: number): void;
  pause(): void;
  resume(): void;
  /** Hangs up the shell. */
  destroy?(): void;
  kill(signal?: string): void;
}

export interface SpawnRequest {
  consoleContainer: string;
  /** Passed to sickbay-shell; identifies this shell inside the container. */
  shellId: string;
  cols: number;
  rows: number;
  /** The session's terminal socket (without one the shell cannot start, and says so). */
  agents?: ShellAgents;
}

export type SpawnPty = (request: SpawnRequest) => PtyProcess;

/** Environment of the host-side docker CLI: nothing of the server's own environment leaks in. */
export function dockerCliEnv(dockerHost: string | undefined): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    HOME: process.env.HOME ?? '/root',
    LANG: 'C.UTF-8',
  };
  const host = dockerHost ?? process.env.DOCKER_HOST;
  if (host) env.DOCKER_HOST = host;
  for (const k of ['DOCKER_CONFIG', 'DOCKER_CERT_PATH', 'DOCKER_TLS_VERIFY', 'DOCKER_CONTEXT']) {
    const v = process.env[k];
    if (v) env[k] = v;
  }
  return env;
}

/** Starts sickbay-pty in the console, detached: from then on its socket carries the shell. */
export function defaultStartAgent(options: { dockerHost?: string; dockerBin?: string }): StartAgent {
  return (consoleContainer, { token, shellId, cols, rows }) =>
    new Promise((resolve, reject) => {
      execFile(
        options.dockerBin ?? 'docker',
        ['exec', '-d', '-e', 'TERM=xterm-256color', '-e', `SICKBAY_PTY_TOKEN=${token}`, consoleContainer, 'sickbay-pty', shellId, String(cols), String(rows)],
        { env: dockerCliEnv(options.dockerHost) as NodeJS.ProcessEnv, timeout: 60_000 },
        (err, _stdout, stderr) => (err ? reject(new SickbayError('provision_failed', stderr.trim() || err.message)) : resolve()),
      );
    });
}

export function defaultSpawn(options: { dockerHost?: string; dockerBin?: string; log?: (message: string) => void }): SpawnPty {
  const startAgent = defaultStartAgent(options);
  return (request) => new AgentPty(request, { agents: request.agents, startAgent, log: options.log });
}

export function defaultEndShell(options: { dockerHost?: string; dockerBin?: string }) {
  return (consoleContainer: string, shellId: string): Promise<void> =>
    new Promise((resolve) => {
      execFile(
        options.dockerBin ?? 'docker',
        ['exec', consoleContainer, 'sickbay-end-shell', shellId],
        { env: dockerCliEnv(options.dockerHost) as NodeJS.ProcessEnv, timeout: 10_000 },
        () => resolve(), // the container may already be gone: nothing left to end then
      );
    });
}

/**
 * Hangs up a terminal and waits (bounded) for it to end: destroy (or SIGHUP), then SIGKILL after
 * 3 s. The shell inside the container is ended separately (endShell).
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
