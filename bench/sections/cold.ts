/**
 * 5. --cold: how long each `npm start` phase takes when the engine has none of our images.
 * Deleting our images would break whatever else uses this engine, so this stands in for it:
 * `node scripts/images.mjs --force` rebuilds every image without the build cache (the base
 * too: re-pulled, or re-made with debootstrap when no registry answers), then `next build` runs
 * forced, then the server starts. Unlike every other section this talks to the network (the
 * registry or Debian mirror, apt inside the builds): it runs only when --cold is passed.
 * `npm ci` (the dependencies phase) is not timed: it does not depend on the engine.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer } from '../../test/integration/helpers';
import { benchInstance } from '../lib/lab';
import { appBuild } from '../lib/server';
import { since } from '../lib/stats';

export interface ColdPhase {
  phase: string;
  seconds: number;
}

export interface ColdResult {
  label: string;
  /** Steps as scripts/images.mjs --force printed them (engine, base image, each build). */
  images: ColdPhase[];
  imagesTotalSeconds: number;
  nextBuildSeconds: number;
  serveSeconds: number;
  totalSeconds: number;
}

// "✔ building sickbay/console:latest (context changed) (41.2s)" -> name, seconds.
const STEP_DONE = /^\s*\S*✔\S*\s+(.*)\s+\((\d+(?:\.\d+)?)s\)\s*$/;

function runImagesForce(root: string, dataDir: string, log: (m: string) => void): Promise<{ phases: ColdPhase[]; ms: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [path.join(root, 'scripts/images.mjs'), '--force'], {
      cwd: root,
      env: { ...process.env, SICKBAY_DATA_DIR: dataDir, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const phases: ColdPhase[] = [];
    let buf = '';
    let errText = '';
    child.stdout.on('data', (c: Buffer) => {
      buf += c.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) !== -1) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const m = STEP_DONE.exec(line);
        if (m) {
          phases.push({ phase: m[1] as string, seconds: Number(m[2]) });
          log(`  ${line.trim()}`);
        }
      }
    });
    child.stderr.on('data', (c: Buffer) => (errText = (errText + c.toString()).slice(-4000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90 * 60_000);
    child.on('error', (err) => (clearTimeout(timer), reject(err)));
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`images.mjs --force exited ${code}: ${errText.trim()}`));
      else resolve({ phases, ms: since(t0) });
    });
  });
}

export async function benchCold(root: string, log: (m: string) => void): Promise<ColdResult> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-bench-cold-'));
  try {
    const t0 = performance.now();
    log('images: node scripts/images.mjs --force (no build cache; this takes minutes)');
    const images = await runImagesForce(root, dataDir, log);
    log('app build: next build (forced)');
    const tb = performance.now();
    await (await appBuild(root)).ensureAppBuilt(root, { dataDir, force: true });
    const nextBuildMs = since(tb);
    const ts = performance.now();
    const server = await startServer({ SICKBAY_DATA_DIR: dataDir, SICKBAY_INSTANCE: benchInstance('cold'), SICKBAY_SWEEP_INTERVAL: '1h' });
    const serveMs = since(ts);
    await server.stop('SIGTERM');
    return {
      label: 'cold start, simulated: images rebuilt with `images.mjs --force` (no cache) + forced `next build` + server start; npm ci not included',
      images: images.phases,
      imagesTotalSeconds: Number((images.ms / 1000).toFixed(1)),
      nextBuildSeconds: Number((nextBuildMs / 1000).toFixed(1)),
      serveSeconds: Number((serveMs / 1000).toFixed(1)),
      totalSeconds: Number((since(t0) / 1000).toFixed(1)),
    };
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
