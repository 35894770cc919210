/**
 * Keeps node_modules in step with the lock file, cheaply.
 *
 * Why a stamp file instead of always running `npm ci`: a full install with native builds
 * (node-pty, better-sqlite3) takes minutes; comparing one hash takes milliseconds, so every
 * `npm start` can check and only reinstall when the lock file (or the Node ABI) changed.
 * Node built-ins only: this is what makes `npm install` happen.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { runOk } from './run.mjs';

/** Where the stamp lives: inside node_modules, so deleting node_modules also resets it. */
export const STAMP_FILE = '.sickbay-lock-hash';

/**
 * What node_modules should match: the lock file's sha256 (or package.json's when there is no
 * lock) plus the Node ABI. Why the ABI: native modules built for one Node major do not load
 * in another, so switching Node versions must reinstall too.
 *
 * @returns {{ stamp: string, lock: boolean }} lock: whether package-lock.json exists
 */
export function expectedStamp(root, abi = process.versions.modules) {
  const lockPath = path.join(root, 'package-lock.json');
  const lock = fs.existsSync(lockPath);
  const source = lock ? lockPath : path.join(root, 'package.json');
  const hash = crypto.createHash('sha256').update(fs.readFileSync(source)).digest('hex');
  return { stamp: `${hash} node-abi=${abi}`, lock };
}

/**
 * Why a reason string: the progress line says *why* an install runs ("lock file changed"),
 * which saves the user wondering about a surprise multi-minute install. Null = up to date.
 */
export function installReason(root, stamp) {
  const modules = path.join(root, 'node_modules');
  if (!fs.existsSync(modules)) return 'node_modules is missing';
  let stored;
  try {
    stored = fs.readFileSync(path.join(modules, STAMP_FILE), 'utf8').trim();
  } catch {
    return 'no record of which lock file node_modules was installed from';
  }
  if (stored === stamp) return null;
  const [storedHash, storedAbi] = stored.split(' ');
  const [hash, abi] = stamp.split(' ');
  if (storedHash === hash && storedAbi !== abi) return 'node_modules was built for another Node version';
  return 'the lock file changed since the last install';
}

/**
 * Installs dependencies when needed: `npm ci` with a lock file, `npm install` without, both
 * with --no-audit --no-fund (no network calls beyond the registry, no banner noise).
 * Skips in milliseconds when node_modules matches the stamp.
 *
 * @param {string} root project directory (holds package.json)
 * @param {{ logFile?: string, write?: (line: string) => void }} [options]
 * @returns {Promise<{ installed: boolean, reason: string | null }>}
 */
export async function ensureDependencies(root, { logFile, write = (l) => process.stdout.write(`${l}\n`) } = {}) {
  const { stamp, lock } = expectedStamp(root);
  const reason = installReason(root, stamp);
  if (!reason) return { installed: false, reason: null };
  const args = [lock ? 'ci' : 'install', '--no-audit', '--no-fund'];
  write(`  npm ${args[0]}: ${reason}${logFile ? ` (log: ${logFile})` : ''}`);
  await runOk('npm', args, {
    cwd: root,
    logFile,
    timeoutMs: 30 * 60_000,
    what: `npm ${args[0]}`,
    code: 'NPM_INSTALL_FAILED',
    hint: 'Check the registry is reachable and a C++ toolchain (g++, make, python3) is installed for node-pty.',
  });
  // Recomputed: `npm install` without a lock writes one, and the next check will hash that.
  // mkdir: a project without dependencies gets no node_modules from npm.
  fs.mkdirSync(path.join(root, 'node_modules'), { recursive: true });
  fs.writeFileSync(path.join(root, 'node_modules', STAMP_FILE), `${expectedStamp(root).stamp}\n`);
  return { installed: true, reason };
}
