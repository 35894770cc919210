/**
 * The learner's side of a session: a scoped Docker proxy on a per-session unix socket, a
 * terminal socket beside it, and a hardened console container that mounts both: the proxy as its
 * only Docker access, the terminal socket for sickbay-pty, which runs each learner shell and
 * connects back to the terminal gateway (server/terminal/agent-socket.ts).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sessionLabels } from '@/lib/lifecycle/labels';
import { objectName, snapshotRepository } from '@/lib/lifecycle/objects';
import type { Config } from '../config';
import { startSessionProxy, type SessionProxy } from '../proxy';
import type { ContainerRuntime, ContainerSpec } from '../runtime/runtime';
import { AGENT_SOCKET_IN_CONSOLE, listenForAgents, type ShellAgents } from '../terminal/agent-socket';
import type { SessionActivity } from './activity';

export const CONSOLE_IMAGE = 'sickbay/console:latest';
/** Images a learner may start as a debug sidecar: they carry the usual tools. */
export const SIDECAR_IMAGES = ['sickbay/service:latest', 'sickbay/console:latest'];
const MIB = 1024 * 1024;
const SOCKET_PATH_MAX = 100; // sun_path holds 108 bytes; keep a margin

export interface ConsoleSession {
  id: string;
  scenario: string;
  hardExpiry: number;
}

export interface AttachedConsole {
  consoleId: string;
  terminalToken: string;
  mirrorToken: string;
  recordingPath: string;
}

/** The engine's socket path, from DOCKER_HOST (unix only) or the default. */
export function engineSocketPath(env: Record<string, string | undefined> = process.env): string {
  const host = env.DOCKER_HOST;
  if (host?.startsWith('unix://')) return host.slice('unix://'.length);
  return '/var/run/docker.sock';
}

/** The console's CPU weight: 4x a scenario service's. */
export const CONSOLE_CPU_SHARES = 4096;

/** The hardened console container; shared with the benchmark's floor so both measure the same thing. */
export function consoleContainerSpec(sessionId: string, labels: Record<string, string>, socketPath: string, terminalSocketPath?: string): ContainerSpec {
  const name = objectName(sessionId, 'console');
  return {
    name,
    image: CONSOLE_IMAGE,
    env: { SICKBAY_CONSOLE: name },
    labels,
    hostname: 'console',
    networks: [], // NetworkMode none: the console reaches nothing but its Docker socket
    memoryBytes: 256 * MIB,
    nanoCpus: 500_000_000,
    // On a host busy with many sessions the learner's shell runs before the services it
    // investigates (1024 each; a learner's own sidecars are capped at 1024), meant to keep typing
    // quick (not yet measured on a quiet machine: docs/benchmarks.md, soak).
    cpuShares: CONSOLE_CPU_SHARES,
    pidsLimit: 128,
    capAdd: [],
    capDrop: ['ALL'],
    readonlyRootfs: true,
    init: true,
    user: 'learner',
    workingDir: '/home/learner',
    tmpfs: {
      '/home/learner': 'rw,nosuid,nodev,size=64m,uid=1000,gid=1000,mode=0700',
      '/tmp': 'rw,nosuid,nodev,size=64m,mode=1777',
    },
    binds: [`${socketPath}:/var/run/docker.sock`, ...(terminalSocketPath ? [`${terminalSocketPath}:${AGENT_SOCKET_IN_CONSOLE}`] : [])],
  };
}

export class ConsoleManager {
  private readonly proxies = new Map<string, SessionProxy>();
  private readonly agents = new Map<string, ShellAgents>();

  constructor(
    private readonly runtime: ContainerRuntime,
    private readonly config: Config,
    /** Every proxied call is audited and counts as the learner's activity. */
    private readonly activity: Pick<SessionActivity, 'record' | 'touch'>,
    /** Whether a session runs in coach mode, read when the proxy would hold a call. */
    private readonly coachOf: (sessionId: string) => boolean = () => false,
  ) {}

  /** Where a session's proxy socket lives: under the data dir unless that path is too long. */
  socketPath(sessionId: string): string {
    const preferred = path.join(this.config.dataDir, 'run', sessionId, 'docker.sock');
    if (preferred.length <= SOCKET_PATH_MAX) return preferred;
    return path.join(os.tmpdir(), `sickbay-${this.config.instance}`, sessionId, 'docker.sock');
  }

  async attach(session: ConsoleSession): Promise<AttachedConsole> {
    const labels = (role: 'console' | 'sidecar') =>
      sessionLabels({ instance: this.config.instance, sessionId: session.id, scenario: session.scenario, role, expiresAt: session.hardExpiry });
    const proxy = await startSessionProxy({
      sessionId: session.id,
      instance: this.config.instance,
      socketPath: this.socketPath(session.id),
      engineSocketPath: engineSocketPath(),
      audit: (event) => {
        this.activity.record(session.id, event);
        this.activity.touch(session.id);
      },
      sidecar: { images: SIDECAR_IMAGES, labels: labels('sidecar'), memoryBytes: 128 * MIB, nanoCpus: 250_000_000, pidsLimit: 64 },
      updateCeiling: { memoryBytes: 1024 * MIB, nanoCpus: 1_000_000_000, pidsLimit: 1024 },
      commitRepository: snapshotRepository(session.id),
      coach: () => this.coachOf(session.id),
    });
    this.proxies.set(session.id, proxy);
    const agents = await listenForAgents(path.join(path.dirname(proxy.socketPath), 'term.sock'));
    this.agents.set(session.id, agents);
    const consoleId = await this.runtime.createContainer(consoleContainerSpec(session.id, labels('console'), proxy.socketPath, agents.socketPath));
    await this.runtime.startContainer(consoleId);
    return {
      consoleId,
      terminalToken: crypto.randomBytes(24).toString('base64url'),
      mirrorToken: crypto.randomBytes(24).toString('base64url'),
      recordingPath: path.join(this.config.dataDir, 'recordings', `${session.id}.cast`),
    };
  }

  /** The session's terminal socket, while its console is attached. */
  agentsOf(sessionId: string): ShellAgents | undefined {
    return this.agents.get(sessionId);
  }

  /** Stops the session's proxy and removes its socket folder. Containers go with the teardown. */
  async detach(sessionId: string): Promise<void> {
    const proxy = this.proxies.get(sessionId);
    this.proxies.delete(sessionId);
    const agents = this.agents.get(sessionId);
    this.agents.delete(sessionId);
    await agents?.close();
    await proxy?.close();
    fs.rmSync(path.dirname(this.socketPath(sessionId)), { recursive: true, force: true });
  }

  /**
   * Removes the socket folders of sessions that are not live: a killed server never got to
   * detach them. Called at start-up, after recovery closed what the last process left.
   */
  removeStaleSockets(live: ReadonlySet<string>): number {
    let removed = 0;
    const roots = [path.join(this.config.dataDir, 'run'), path.join(os.tmpdir(), `sickbay-${this.config.instance}`)];
    for (const root of roots) {
      let names: string[];
      try {
        names = fs.readdirSync(root);
      } catch {
        continue; // never created
      }
      for (const name of names) {
        if (live.has(name)) continue;
        fs.rmSync(path.join(root, name), { recursive: true, force: true });
        removed++;
      }
    }
    return removed;
  }

  async detachAll(): Promise<void> {
    await Promise.all([...this.proxies.keys()].map((id) => this.detach(id)));
  }
}
