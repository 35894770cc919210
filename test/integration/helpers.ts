/** Shared pieces of the integration suites: temp data dirs, a real server process, Docker look-ups. */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import net from 'node:net';
import path from 'node:path';
import Docker from 'dockerode';
import { LABEL, MANAGED_BY } from '@/lib/lifecycle/labels';
import { loadConfig, type Config } from '@/server/config';
import type { Services } from '@/server/registry';
import { startServices } from '@/server/services';

export const docker = new Docker();
export const ROOT = path.resolve(import.meta.dirname, '../..');

export function tempDataDir(prefix = 'sickbay-it-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A unique instance name keeps this suite's objects apart from any other Sickbay on the engine. */
export function testInstance(): string {
  return `it-${crypto.randomBytes(4).toString('hex')}`;
}

export interface TestServices {
  services: Services;
  instance: string;
  dataDir: string;
  /** Closes the services (if still open), removes the instance's objects and the data dir. */
  close(): Promise<void>;
}

/**
 * The server's services in-process on a fresh data dir and instance, with the periodic sweep
 * out of the way. Every engine-level suite starts this way.
 */
export async function startTestServices(options: { env?: Record<string, string>; config?: Partial<Config>; seedSecret?: string; clock?: () => number } = {}): Promise<TestServices> {
  const instance = testInstance();
  const dataDir = tempDataDir();
  if (options.seedSecret) fs.writeFileSync(path.join(dataDir, 'seed-secret'), options.seedSecret, { mode: 0o600 });
  const config = { ...loadConfig({ SICKBAY_DATA_DIR: dataDir, SICKBAY_INSTANCE: instance, ...options.env }), sweepIntervalMs: 3_600_000, ...options.config };
  const services = await startServices({ config, log: () => {}, ...(options.clock ? { clock: options.clock } : {}) });
  let closed = false;
  return {
    services,
    instance,
    dataDir,
    async close() {
      if (!closed) {
        closed = true;
        await services.close().catch(() => {});
      }
      await removeInstanceObjects(instance);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Every object we manage for one instance (or one session), containers and networks. */
export async function labelledObjects(filter: { instance?: string; session?: string }): Promise<string[]> {
  const labels = [`${LABEL.managedBy}=${MANAGED_BY}`];
  if (filter.instance) labels.push(`${LABEL.instance}=${filter.instance}`);
  if (filter.session) labels.push(`${LABEL.session}=${filter.session}`);
  const [containers, networks, snapshots] = await Promise.all([
    docker.listContainers({ all: true, filters: { label: labels } }),
    docker.listNetworks({ filters: { label: labels } }),
    docker.listImages({ filters: { label: [...labels, `${LABEL.role}=snapshot`] } }),
  ]);
  return [
    ...containers.map((c) => `container ${c.Names[0]}`),
    ...networks.map((n) => `network ${n.Name}`),
    ...snapshots.map((i) => `snapshot image ${(i.RepoTags ?? [])[0] ?? i.Id}`),
  ];
}

/** Removes everything an instance left, even when a test failed half-way. */
export async function removeInstanceObjects(instance: string): Promise<void> {
  const labels = [`${LABEL.managedBy}=${MANAGED_BY}`, `${LABEL.instance}=${instance}`];
  const containers = await docker.listContainers({ all: true, filters: { label: labels } });
  await Promise.all(containers.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => {})));
  const networks = await docker.listNetworks({ filters: { label: labels } });
  await Promise.all(networks.map((n) => docker.getNetwork(n.Id).remove().catch(() => {})));
  const snapshots = await docker.listImages({ filters: { label: [...labels, `${LABEL.role}=snapshot`] } });
  await Promise.all(snapshots.map((i) => docker.getImage(i.Id).remove({ force: true }).catch(() => {})));
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs = 60_000, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export interface ServerProcess {
  url: string;
  proc: ChildProcess;
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts the real server (server.ts, production build) on a free loopback port. */
export async function startServer(env: Record<string, string>): Promise<ServerProcess> {
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server.ts')], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1', SICKBAY_HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  const url = await waitFor(
    'the server to print its URL',
    async () => {
      if (proc.exitCode !== null) throw new Error(`server exited with ${proc.exitCode}:\n${out}`);
      return /ready on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
    },
    90_000,
    100,
  );
  return {
    url,
    proc,
    output: () => out,
    stop: (signal = 'SIGTERM') =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill(signal);
      }),
  };
}

export async function api<T = unknown>(base: string, method: string, route: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: T }> {
  const res = await fetch(`${base}${route}`, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* not JSON: keep the text */
  }
  return { status: res.status, body: parsed as T };
}

/** A TCP port free on loopback right now (for a server a test starts itself). */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

/**
 * A WebSocket upgrade on loopback with these headers (on top of the handshake's own): 101 when
 * accepted (the socket is then closed), else the refusal's status and text.
 */
export function wsUpgrade(port: number, route: string, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1',
      port,
      path: route,
      agent: false,
      headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': crypto.randomBytes(16).toString('base64'), ...headers },
    });
    req.setTimeout(30_000, () => req.destroy(new Error(`upgrade ${route} timed out`)));
    req.on('upgrade', (_res, socket) => {
      socket.destroy();
      resolve({ status: 101, text: '' });
    });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A one-file tar header (ustar), for uploads made by hand. */
export function tarHeader(name: string, size: number): Buffer {
  const h = Buffer.alloc(512, 0);
  const put = (offset: number, value: string) => h.write(value, offset, 'ascii');
  put(0, name);
  put(100, '0000644\0');
  put(108, '0000000\0');
  put(116, '0000000\0');
  put(124, `${size.toString(8).padStart(11, '0')}\0`);
  put(136, `${Math.floor(Date.now() / 1000).toString(8).padStart(11, '0')}\0`);
  put(148, '        ');
  put(156, '0');
  put(257, 'ustar\0');
  put(263, '00');
  const sum = h.reduce((a, b) => a + b, 0);
  put(148, `${sum.toString(8).padStart(6, '0')}\0 `);
  return h;
}
