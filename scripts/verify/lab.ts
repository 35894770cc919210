/**
 * Where `scenario:verify` runs its sessions. Two backends with one interface:
 *
 *  - InProcessLab (the default): startServices() — the same store, engine, console manager,
 *    proxy and terminal gateway server.ts builds — in this process, with the gateway behind a
 *    loopback HTTP server. No Next build is needed; the session calls go to the engine the
 *    route handlers call. Its data dir keeps the store and recordings, so a later
 *    `SICKBAY_DATA_DIR=<dir> npm start` shows the reports and replays.
 *  - HttpLab (--server URL): a running Sickbay, through its HTTP API (docs/api.md).
 *
 * Either way the learner's side is real: commands are typed into the session's console through
 * the terminal WebSocket, and reach the containers only through the session's proxy.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { SessionEvent } from '@/lib/audit/events';
import { loadConfig } from '@/server/config';
import type { GoalReport, SessionView } from '@/server/engine/engine';
import type { CustomerView } from '@/server/engine/customer-view';
import type { StoredReport } from '@/lib/scoring';
import type { Services } from '@/server/registry';
import { startServices } from '@/server/services';
import { WebGuard } from '@/server/web/guard';

export type { GoalReport, SessionView, StoredReport };

export const ROOT = path.resolve(import.meta.dirname, '../..');

import type { DiagnosisInput } from '@/server/engine/learner-input';

export type { DiagnosisInput };

export interface Lab {
  /** The origin the terminal WebSocket connects to. */
  readonly baseUrl: string;
  readonly description: string;
  /** Slugs of the scenarios the lab serves. */
  scenarios(): Promise<string[]>;
  create(scenario: string, seed: string): Promise<SessionView>;
  get(id: string): Promise<SessionView>;
  checkGoals(id: string): Promise<GoalReport>;
  events(id: string, after?: number): Promise<SessionEvent[]>;
  submitDiagnosis(id: string, input: DiagnosisInput): Promise<void>;
  submitUpdate(id: string, text: string): Promise<void>;
  end(id: string): Promise<SessionView>;
  report(id: string): Promise<StoredReport>;
  /** The customers' buckets, standard and target (what the session page's chart shows). */
  customers(id: string): Promise<CustomerView>;
  close(): Promise<void>;
}

/** Seeds then give the same parameters on every machine (verify is an authoring tool, not a drill). */
export const VERIFY_SEED_SECRET = 'sickbay-scenario-verify';

export interface InProcessOptions {
  dataDir: string;
  /** Default: derived from the data dir, like the server's. */
  instance?: string;
  /** Written to <dataDir>/seed-secret when there is none yet. */
  seedSecret?: string;
  log?: (message: string) => void;
}

export class InProcessLab implements Lab {
  private constructor(
    readonly services: Services,
    private readonly server: http.Server,
    readonly baseUrl: string,
    readonly description: string,
  ) {}

  static async start(options: InProcessOptions): Promise<InProcessLab> {
    fs.mkdirSync(options.dataDir, { recursive: true });
    const secretFile = path.join(options.dataDir, 'seed-secret');
    if (!fs.existsSync(secretFile)) fs.writeFileSync(secretFile, options.seedSecret ?? VERIFY_SEED_SECRET, { mode: 0o600 });
    const env: Record<string, string> = { SICKBAY_DATA_DIR: options.dataDir };
    if (options.instance) env.SICKBAY_INSTANCE = options.instance;
    const config = { ...loadConfig(env, ROOT), sweepIntervalMs: 3_600_000 };
    // The Host and Origin checks server.ts makes, for the port this server really gets.
    const guard = new WebGuard({ port: 0, publicUrl: null });
    const services = await startServices({ config, log: options.log ?? (() => {}), isAllowedOrigin: guard.isAllowedOrigin });
    const server = http.createServer((_req, res) => res.writeHead(404).end());
    server.on('upgrade', (req, socket, head) => {
      if (guard.screenUpgrade(req, socket)) return;
      if (!services.terminals.handleUpgrade(req, socket, head)) socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const port = (server.address() as AddressInfo).port;
    guard.listening(port);
    return new InProcessLab(services, server, `http://127.0.0.1:${port}`, `in-process lab (data ${path.relative(process.cwd(), config.dataDir) || '.'}, instance ${config.instance})`);
  }

  async scenarios(): Promise<string[]> {
    return this.services.catalogue.list().map((s) => s.slug);
  }

  async create(scenario: string, seed: string): Promise<SessionView> {
    return this.services.engine.create({ scenario, seed });
  }

  async get(id: string): Promise<SessionView> {
    return this.services.engine.get(id);
  }

  checkGoals(id: string): Promise<GoalReport> {
    return this.services.engine.checkGoals(id);
  }

  async events(id: string, after = 0): Promise<SessionEvent[]> {
    return this.services.engine.events(id, after);
  }

  async submitDiagnosis(id: string, input: DiagnosisInput): Promise<void> {
    this.services.engine.submitDiagnosis(id, input);
  }

  async submitUpdate(id: string, text: string): Promise<void> {
    if (text.trim().length < 10 || text.length > 2000) throw new Error('an update must be 10-2000 characters');
    this.services.engine.submitUpdate(id, text);
  }

  end(id: string): Promise<SessionView> {
    return this.services.engine.end(id);
  }

  async report(id: string): Promise<StoredReport> {
    return this.services.engine.report(id);
  }

  async customers(id: string): Promise<CustomerView> {
    return this.services.engine.customers(id);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await this.services.close();
  }
}

/** A running Sickbay server, through its HTTP API. */
export class HttpLab implements Lab {
  readonly description: string;

  constructor(readonly baseUrl: string) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.description = `server at ${this.baseUrl}`;
  }

  private async call<T>(method: string, route: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.baseUrl}${route}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    if (!res.ok) {
      const err = (parsed as { error?: { code?: string; message?: string } })?.error;
      throw new Error(`${method} ${route}: HTTP ${res.status}${err ? ` ${err.code}: ${err.message}` : ` ${text.slice(0, 200)}`}`);
    }
    return parsed as T;
  }

  async scenarios(): Promise<string[]> {
    return (await this.call<{ scenarios: { slug: string }[] }>('GET', '/api/scenarios')).scenarios.map((s) => s.slug);
  }

  create(scenario: string, seed: string): Promise<SessionView> {
    // Exam mode: the reckless scripts must really do what they type (the coach would hold it).
    return this.call('POST', '/api/sessions', { scenario, seed, coach: false });
  }

  get(id: string): Promise<SessionView> {
    return this.call('GET', `/api/sessions/${id}`);
  }

  checkGoals(id: string): Promise<GoalReport> {
    return this.call('POST', `/api/sessions/${id}/check`);
  }

  async events(id: string, after = 0): Promise<SessionEvent[]> {
    return (await this.call<{ events: SessionEvent[] }>('GET', `/api/sessions/${id}/events?after=${after}`)).events;
  }

  async submitDiagnosis(id: string, input: DiagnosisInput): Promise<void> {
    await this.call('POST', `/api/sessions/${id}/diagnosis`, input);
  }

  async submitUpdate(id: string, text: string): Promise<void> {
    await this.call('POST', `/api/sessions/${id}/update`, { text });
  }

  end(id: string): Promise<SessionView> {
    return this.call('DELETE', `/api/sessions/${id}`);
  }

  report(id: string): Promise<StoredReport> {
    return this.call('GET', `/api/sessions/${id}/report`);
  }

  customers(id: string): Promise<CustomerView> {
    return this.call('GET', `/api/sessions/${id}/customers`);
  }

  async close(): Promise<void> {}
}
