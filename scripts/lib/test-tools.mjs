/**
 * Programs the integration suite uses on the host as real readers of our output:
 * Debian's `asciinema` checks that recordings are valid asciicast files; `nginx` and `openssl`
 * run docs/deploy.md's TLS reverse proxy example for real (test/integration/deploy-nginx.test.ts).
 * Node built-ins only.
 */
import path from 'node:path';
import { SetupError } from './progress.mjs';
import { aptInstall, isRootOnDebian, which } from './run.mjs';

const TOOLS = [
  { command: 'asciinema', pkg: 'asciinema' },
  { command: 'nginx', pkg: 'nginx' },
  { command: 'openssl', pkg: 'openssl' },
];

/** Installs the missing ones from Debian's packages (root on Debian), else says what to install. */
export async function ensureTestTools({ dataDir } = {}) {
  const missing = TOOLS.filter((t) => !which(t.command));
  if (missing.length === 0) return [];
  const pkgs = missing.map((t) => t.pkg);
  if (!isRootOnDebian()) {
    throw new SetupError(`the integration tests need ${pkgs.join(', ')}`, {
      code: 'MISSING_TEST_TOOLS',
      hint: `Install ${pkgs.join(' ')} and run again.`,
    });
  }
  await aptInstall(pkgs, { logFile: dataDir ? path.join(dataDir, 'apt.log') : undefined, recommends: false });
  return pkgs;
}
