#!/usr/bin/env node
/**
 * Builds Sickbay's images: `node scripts/images.mjs [--force]` (also `npm run images`).
 *
 * Why its own entry point: image work is the slow part of a first start, and after editing a
 * Dockerfile you want to rebuild without starting the server. Node built-ins only, so it works
 * before `npm install`. --force rebuilds every image, the base too, without Docker's cache.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureEngine } from './lib/engine.mjs';
import { ensureImages } from './lib/images.mjs';
import { fail, info, SetupError, step } from './lib/progress.mjs';

const USAGE = 'usage: node scripts/images.mjs [--force]';

/** Why strict: a mistyped flag (--froce) must not silently mean "use the cache". */
function parseArgs(argv) {
  const opts = { force: false };
  for (const a of argv) {
    if (a === '--force') opts.force = true;
    else if (a === '--help' || a === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else throw new SetupError(`unknown argument "${a}"`, { code: 'BAD_ARGUMENT', hint: USAGE });
  }
  return opts;
}

async function main() {
  const { force } = parseArgs(process.argv.slice(2));
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const dataDir = path.resolve(root, process.env.SICKBAY_DATA_DIR || 'data');
  const started = Date.now();
  const engine = await step('Docker engine', () => ensureEngine({ dataDir }));
  info(`engine ${engine.version} (API ${engine.apiVersion}) at ${engine.dockerHost}${engine.started ? ', started now' : ''}`);
  const results = await ensureImages({ root, force, dataDir, engine });
  const built = results.filter((r) => r.built).length;
  info(`${results.length} image(s), ${built} built, in ${((Date.now() - started) / 1000).toFixed(1)}s`);
}

main().catch(fail);
