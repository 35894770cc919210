#!/usr/bin/env node
/**
 * `npm start`: everything a fresh machine needs, then the app.
 *   dependencies -> Docker engine -> images -> app build -> server on 127.0.0.1:3000
 * Flags: --dev (Next dev mode, no build), --setup-only (prepare, do not serve).
 * Only Node built-ins here: this runs before `npm install`.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureAppBuilt } from './lib/app-build.mjs';
import { ensureDependencies } from './lib/deps.mjs';
import { ensureEngine } from './lib/engine.mjs';
import { ensureImages } from './lib/images.mjs';
import { fail, info, step } from './lib/progress.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
const dev = args.has('--dev');
const dataDir = path.resolve(root, process.env.SICKBAY_DATA_DIR || 'data');

async function main() {
  const began = Date.now();
  await step('dependencies', () => ensureDependencies(root, { logFile: path.join(dataDir, 'npm-install.log') }));
  const engine = await step('Docker engine', () => ensureEngine({ dataDir }));
  info(`Docker engine ${engine.version} (API ${engine.apiVersion})${engine.started ? ', started by Sickbay' : ''}`);
  await step('images', () => ensureImages({ root, dataDir, engine }));
  if (!dev) {
    const built = await step('app build', () => ensureAppBuilt(root, { dataDir }));
    if (!built) info('app unchanged since the last build');
  }
  info(`set-up done in ${((Date.now() - began) / 1000).toFixed(1)}s`);
  if (args.has('--setup-only')) return;

  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'server.ts'), ...(dev ? ['--dev'] : [])], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: dev ? 'development' : 'production', NEXT_TELEMETRY_DISABLED: '1' },
  });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

main().catch(fail);
