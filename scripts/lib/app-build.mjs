/**
 * Builds the Next.js app when its sources changed since the last build, and only then.
 * Why: `next build` takes a minute; a second `npm start` must be ready in seconds.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { runOk } from './run.mjs';

const INPUTS = ['app', 'lib', 'server', 'next.config.mjs', 'tsconfig.json', 'package-lock.json', 'package.json'];
const STAMP = path.join('.next', 'sickbay-build-hash');

function walk(dir, out) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, out);
    else if (entry.isFile()) out.push(full);
  }
}

/** A hash over every input file's path and contents. */
export function sourceHash(root) {
  const files = [];
  for (const input of INPUTS) {
    const full = path.join(root, input);
    if (!fs.existsSync(full)) continue;
    if (fs.statSync(full).isDirectory()) walk(full, files);
    else files.push(full);
  }
  const hash = crypto.createHash('sha256');
  for (const file of files.sort()) {
    hash.update(path.relative(root, file)).update('\0').update(fs.readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

/** @returns {Promise<boolean>} whether a build ran */
export async function ensureAppBuilt(root, { dataDir, force = false } = {}) {
  const hash = sourceHash(root);
  const stampFile = path.join(root, STAMP);
  const built = fs.existsSync(path.join(root, '.next', 'BUILD_ID')) && fs.existsSync(stampFile);
  if (!force && built && fs.readFileSync(stampFile, 'utf8') === hash) return false;
  await runOk(process.execPath, [path.join(root, 'node_modules', 'next', 'dist', 'bin', 'next'), 'build'], {
    cwd: root,
    env: { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' },
    logFile: dataDir ? path.join(dataDir, 'next-build.log') : undefined,
    timeoutMs: 15 * 60_000,
  });
  fs.writeFileSync(stampFile, hash);
  return true;
}
