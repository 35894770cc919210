/**
 * The real server (server.ts, production build) in its own process, as the integration suite
 * starts it, for the figures that need a browser-like client on the other side of a socket:
 * keystroke echo through the gateway and capacity (whose server RSS must be the server's
 * alone). Sessions are driven through the HTTP API like the session page does.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { api, startServer, type ServerProcess } from '../../test/integration/helpers';
import { seedAccounts, signIn, type SeedUser } from '../../test/integration/accounts-helpers';
import { benchInstance, SCENARIO } from './lab';
import { since } from './stats';

export interface SessionView {
  id: string;
  status: string;
  statusDetail: string | null;
  createdAt: string;
  readyAt: string | null;
  services: { name: string; container: string }[];
  terminal: { path: string; token: string } | null;
}

export type ReadySession = SessionView & { terminal: { path: string; token: string }; startMs: number };

type AppBuild = { ensureAppBuilt(root: string, opts?: { dataDir?: string; force?: boolean }): Promise<boolean> };

/** scripts/lib/app-build.mjs (plain JS, loaded at run time). */
export async function appBuild(root: string): Promise<AppBuild> {
  return (await import(pathToFileURL(path.join(root, 'scripts/lib/app-build.mjs')).href)) as AppBuild;
}

export class BenchServer {
  private constructor(
    readonly server: ServerProcess,
    readonly instance: string,
    readonly dataDir: string,
  ) {}

  get url(): string {
    return this.server.url;
  }

  get pid(): number {
    return this.server.proc.pid ?? -1;
  }

  /** Personal mode; with `accounts` (the first an admin), team mode with those accounts made before it starts. */
  static async start(root: string, log: (m: string) => void, accounts: SeedUser[] = []): Promise<BenchServer> {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-bench-srv-'));
    const t0 = performance.now();
    if (await (await appBuild(root)).ensureAppBuilt(root, { dataDir })) log(`the app was out of date: next build took ${(since(t0) / 1000).toFixed(1)}s`);
    if (accounts.length) await seedAccounts(dataDir, accounts);
    const instance = benchInstance(accounts.length ? 'team' : 'srv');
    const server = await startServer({ SICKBAY_DATA_DIR: dataDir, SICKBAY_INSTANCE: instance, SICKBAY_SWEEP_INTERVAL: '1h', SICKBAY_MAX_SESSIONS: '30' });
    return new BenchServer(server, instance, dataDir);
  }

  /** Team mode: signs one of the accounts in and returns its Cookie header value. */
  signIn(user: SeedUser): Promise<string> {
    return signIn(this.url, user.email, user.password);
  }

  /** An API call as a signed-in browser page makes it (cookie, same-origin headers); throws unless the status is `expect`. */
  async as<T>(cookie: string, method: string, route: string, body?: unknown, expect = 200): Promise<T> {
    const res = await api<T>(this.url, method, route, body, { cookie, origin: this.url, 'sec-fetch-site': 'same-origin' });
    if (res.status !== expect) throw new Error(`${method} ${route} answered ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body;
  }

  /** POST /api/sessions, then GET until ready with a terminal (bounded). */
  async readySession(seed: string, timeoutMs = 300_000): Promise<ReadySession> {
    const created = await api<SessionView>(this.url, 'POST', '/api/sessions', { scenario: SCENARIO, seed });
    if (created.status !== 201) throw new Error(`POST /api/sessions answered ${created.status}: ${JSON.stringify(created.body)}`);
    const id = created.body.id;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = await api<SessionView>(this.url, 'GET', `/api/sessions/${id}`);
      if (s.body.status === 'failed') throw new Error(`session ${id} failed to provision: ${s.body.statusDetail}`);
      if (s.body.status === 'ready' && s.body.terminal && s.body.readyAt) {
        return { ...s.body, terminal: s.body.terminal, startMs: Date.parse(s.body.readyAt) - Date.parse(s.body.createdAt) };
      }
      if (Date.now() > deadline) throw new Error(`session ${id} not ready after ${timeoutMs / 1000}s (${s.body.status})`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** A watcher's read-only mirror of the session's terminal. */
  async mirror(id: string): Promise<{ path: string; token: string }> {
    const res = await api<{ path: string; token: string }>(this.url, 'GET', `/api/sessions/${id}/mirror`);
    if (res.status !== 200) throw new Error(`GET /api/sessions/${id}/mirror answered ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body;
  }

  async endSession(id: string): Promise<number> {
    const t0 = performance.now();
    const res = await api(this.url, 'DELETE', `/api/sessions/${id}`);
    if (res.status !== 200) throw new Error(`DELETE /api/sessions/${id} answered ${res.status}: ${JSON.stringify(res.body)}`);
    return since(t0);
  }

  /** SIGTERM (the server ends its live sessions), SIGKILL if it is not gone within 45 s. */
  async stop(): Promise<void> {
    const proc = this.server.proc;
    const timer = setTimeout(() => proc.kill('SIGKILL'), 45_000);
    await this.server.stop('SIGTERM');
    clearTimeout(timer);
    fs.rmSync(this.dataDir, { recursive: true, force: true });
  }
}
