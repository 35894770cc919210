/**
 * 3. Proxy overhead: the docker CLI against the session's proxy socket (what the learner's
 * console does) versus straight to the engine's socket, the same command on the same
 * container, interleaved run by run so drift on the machine hits both sides alike. Also the
 * same two reads as bare HTTP requests over each socket, without the CLI's own start-up, to
 * show the proxy's share alone.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { engineSocketPath } from '@/server/engine/console';
import { objectName } from '@/lib/lifecycle/objects';
import type { InProcessLab } from '../lib/lab';
import { ratio, since, summarize, type Summary } from '../lib/stats';
import { benchUploadMemory, type UploadMemoryFigure } from './uploads';

export interface CallFigure {
  command: string;
  direct: Summary;
  proxy: Summary;
  /** median proxy / median direct */
  ratio: number | null;
  /** proxy median - direct median, ms */
  overheadMs: number;
}

export interface ProxyResult {
  runs: number;
  container: string;
  /** Containers `docker ps` lists each way: the proxy shows the session's own only. */
  psRows: { direct: number; proxy: number };
  calls: Record<string, CallFigure>;
  /** The same reads as raw HTTP over each socket (no CLI): the proxy's own cost. */
  raw: Record<string, CallFigure>;
  /** Server memory while `docker cp` uploads are held (streamed, not buffered). */
  uploads: UploadMemoryFigure;
}

interface CliRun {
  ms: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(sock: string, args: string[], configDir: string): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn('docker', args, {
      // A clean CLI environment: no user config, context or plugins; only the socket differs.
      env: { PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin', HOME: configDir, DOCKER_CONFIG: configDir, DOCKER_HOST: `unix://${sock}` } as unknown as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', (err) => (clearTimeout(timer), reject(err)));
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ ms: since(t0), code, stdout, stderr });
    });
  });
}

function rawRequest(sock: string, method: string, target: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = http.request({ socketPath: sock, method, path: target, agent: false, timeout: 30_000 }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve(since(t0)) : reject(new Error(`${method} ${target} answered ${res.statusCode}`))));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${target} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

function figure(command: string, direct: number[], proxy: number[]): CallFigure {
  const d = summarize(direct);
  const p = summarize(proxy);
  return { command, direct: d, proxy: p, ratio: ratio(p.median, d.median), overheadMs: Number((p.median - d.median).toFixed(2)) };
}

export async function benchProxy(lab: InProcessLab, opts: { runs: number; log: (m: string) => void }): Promise<ProxyResult> {
  const s = await lab.startSession('bench-proxy');
  const configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-bench-cli-'));
  try {
    const proxySock = lab.proxySocket(s.id);
    const directSock = engineSocketPath();
    const api = objectName(s.id, 'api');
    const commands: Record<string, string[]> = {
      ps: ['ps'],
      inspect: ['inspect', api],
      'logs --tail 100': ['logs', '--tail', '100', api],
      'exec true': ['exec', api, 'true'],
    };
    const psRows = { direct: 0, proxy: 0 };
    for (const [which, sock] of [['direct', directSock], ['proxy', proxySock]] as const) {
      const r = await cli(sock, ['ps', '-q'], configDir);
      if (r.code !== 0) throw new Error(`docker ps (${which}) failed: ${r.stderr.trim()}`);
      psRows[which] = r.stdout.trim().split('\n').filter(Boolean).length;
    }
    const calls: Record<string, CallFigure> = {};
    for (const [name, args] of Object.entries(commands)) {
      const direct: number[] = [];
      const proxy: number[] = [];
      for (let i = -2; i < opts.runs; i++) {
        // Alternate which side goes first; the first two rounds warm both up and are dropped.
        const order = i % 2 === 0 ? (['direct', 'proxy'] as const) : (['proxy', 'direct'] as const);
        for (const which of order) {
          const r = await cli(which === 'direct' ? directSock : proxySock, args, configDir);
          if (r.code !== 0) throw new Error(`docker ${args.join(' ')} (${which}) exited ${r.code}: ${r.stderr.trim().slice(0, 300)}`);
          if (i >= 0) (which === 'direct' ? direct : proxy).push(r.ms);
        }
      }
      calls[name] = figure(`docker ${args.join(' ').replace(api, '<api>')}`, direct, proxy);
      opts.log(`docker ${name}: direct ${calls[name].direct.median} ms, proxy ${calls[name].proxy.median} ms (x${calls[name].ratio})`);
    }
    const raw: Record<string, CallFigure> = {};
    // HEAD /_ping: no look-up, the fixed cost of a hop and an audit event; the others as the CLI sends them.
    const rawTargets: Record<string, string> = {
      'HEAD /_ping': '/_ping',
      'GET /containers/json': '/v1.41/containers/json',
      'GET /containers/<api>/json': `/v1.41/containers/${api}/json`,
      'GET /containers/<api>/logs?tail=100': `/v1.41/containers/${s.containers.api}/logs?stdout=1&stderr=1&tail=100`,
    };
    for (const [name, target] of Object.entries(rawTargets)) {
      const method = name.split(' ')[0] as string;
      const direct: number[] = [];
      const proxy: number[] = [];
      for (let i = -5; i < opts.runs * 3; i++) {
        const order = i % 2 === 0 ? [directSock, proxySock] : [proxySock, directSock];
        for (const sock of order) {
          const ms = await rawRequest(sock, method, target);
          if (i >= 0) (sock === directSock ? direct : proxy).push(ms);
        }
      }
      raw[name] = figure(name, direct, proxy);
      opts.log(`${name} (no CLI): direct ${raw[name].direct.median} ms, proxy ${raw[name].proxy.median} ms (x${raw[name].ratio})`);
    }
    const uploads = await benchUploadMemory(proxySock, [s.containers.traffic as string, s.containers.api as string], opts.log);
    return { runs: opts.runs, container: 'api', psRows, calls, raw, uploads };
  } finally {
    fs.rmSync(configDir, { recursive: true, force: true });
    await lab.endSession(s.id).catch((err) => opts.log(`ending the proxy session: ${(err as Error).message}`));
  }
}
