/**
 * The fault suite's lab: the real server (production build) on its own data dir and
 * SICKBAY_INSTANCE, with the inspector on loopback, that a fault can kill -9 and start again
 * on the same data dir. Sessions go through the HTTP API and the terminal gateway like a
 * browser's; leftovers are counted by the instance's labels on the engine the server uses
 * (DOCKER_HOST: the shared one, or a private dockerd for the engine-restart fault).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { listInstanceObjects, removeInstanceObjects, type InstanceObjects } from '@/bench/lib/cleanup';
import { ManagedServer } from '@/bench/lib/server-process';
import type { SessionView } from '@/server/engine/views';

export const ROOT = path.resolve(import.meta.dirname, '../..');

/** The part of a session's API view (server/engine/views.ts) the fault runs read. */
export type View = Pick<SessionView, 'id' | 'scenario' | 'status' | 'statusDetail' | 'readyAt' | 'hasReport' | 'services' | 'terminal'>;

export interface Answer<T = unknown> {
  status: number;
  body: T;
}

export interface LabOptions {
  /** Default: a fresh temporary folder. */
  dataDir?: string;
  /** Environment for the server on top of the lab's (e.g. DOCKER_HOST for a private engine). */
  env?: Record<string, string>;
  log?: (line: string) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class FaultLab {
  readonly docker: Docker;
  server!: ManagedServer;
  /** Restarts so far (each after a kill -9 or a stop). */
  restarts = 0;

  private constructor(
    readonly dataDir: string,
    readonly instance: string,
    private readonly env: Record<string, string>,
    readonly log: (line: string) => void,
  ) {
    const host = env.DOCKER_HOST;
    this.docker = host?.startsWith('unix://') ? new Docker({ socketPath: host.slice('unix://'.length) }) : new Docker();
  }

  static async start(options: LabOptions = {}): Promise<FaultLab> {
    const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'sb-faults-'));
    const env = { SICKBAY_SWEEP_INTERVAL: '5s', SICKBAY_MAX_SESSIONS: '30', ...options.env };
    const lab = new FaultLab(dataDir, `faults-${crypto.randomBytes(3).toString('hex')}`, env, options.log ?? (() => {}));
    lab.server = await lab.spawn();
    return lab;
  }

  get url(): string {
    return this.server.url;
  }

  private spawn(): Promise<ManagedServer> {
    return ManagedServer.start({ root: ROOT, dataDir: this.dataDir, instance: this.instance, inspect: true, logFile: path.join(this.dataDir, 'server.log'), env: this.env });
  }

  /** kill -9 of the server, then the same server again on the same data dir. */
  async killAndRestart(): Promise<void> {
    await this.server.kill9();
    this.server = await this.spawn();
    this.restarts++;
  }

  async api<T = unknown>(method: string, route: string, body?: unknown): Promise<Answer<T>> {
    const res = await fetch(`${this.url}${route}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(180_000),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed as T };
  }

  /** GET that must answer 200. */
  async get<T>(route: string): Promise<T> {
    const res = await this.api<T>('GET', route);
    if (res.status !== 200) throw new Error(`GET ${route}: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
    return res.body;
  }

  async create(scenario: string, seed: string): Promise<View> {
    const res = await this.api<View>('POST', '/api/sessions', { scenario, seed });
    if (res.status !== 201) throw new Error(`POST /api/sessions: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  /** Polls until the session is ready with a terminal (bounded). */
  async ready(id: string, timeoutMs = 600_000): Promise<View> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = await this.get<View>(`/api/sessions/${id}`);
      if (v.status === 'ready' && v.terminal) return v;
      if (v.status === 'failed' || v.status === 'ended') throw new Error(`session ${id} ${v.status} before it was ready: ${v.statusDetail}`);
      if (Date.now() > deadline) throw new Error(`session ${id} not ready after ${timeoutMs / 1000} s (${v.status})`);
      await sleep(500);
    }
  }

  objects(): Promise<InstanceObjects> {
    return listInstanceObjects(this.docker, this.instance);
  }

  /**
   * Waits (bounded) until nothing carries the instance's label but the objects of `live`
   * sessions; returns what is still there at the end (empty when clean).
   */
  async waitClean(timeoutMs = 90_000, live: ReadonlySet<string> = new Set()): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const o = await this.objects();
      const left = [...o.containers, ...o.networks, ...o.images].filter((name) => ![...live].some((id) => name.includes(id)));
      if (left.length === 0 || Date.now() > deadline) return left;
      await sleep(1_000);
    }
  }

  /** Proxy socket folders in the data dir (one per live session; none after everything ended). */
  socketDirs(): string[] {
    const dir = path.join(this.dataDir, 'run');
    return fs.existsSync(dir) ? fs.readdirSync(dir) : [];
  }

  /** Stops the server (it ends its sessions), removes what carries the instance label and the data dir. */
  async close(options: { keepData?: boolean } = {}): Promise<void> {
    await this.server?.stop(90_000).catch(() => {});
    await removeInstanceObjects(this.docker, this.instance).catch(() => 0);
    if (!options.keepData) fs.rmSync(this.dataDir, { recursive: true, force: true });
  }
}
