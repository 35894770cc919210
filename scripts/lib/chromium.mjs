/**
 * Finds the Chromium the browser tests drive (Playwright cannot download its own here).
 * Node built-ins only.
 */
import fs from 'node:fs';
import path from 'node:path';
import { SetupError, step } from './progress.mjs';
import { aptInstall, isRootOnDebian } from './run.mjs';

export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

/** Why X_OK: a path that exists but cannot run would fail later with a vaguer error. */
function runnable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The Chromium executable: $CHROMIUM_PATH when set, else /usr/bin/chromium, installed with
 * apt-get when missing and we are root on Debian.
 * Why an explicit CHROMIUM_PATH is never "fixed" by installing: the user chose that browser,
 * so a wrong path is their mistake to see, not something to paper over.
 *
 * @param {{ dataDir?: string, write?: (line: string) => void }} [options] dataDir: apt log goes here
 * @returns {Promise<string>}
 */
export async function ensureChromium({ dataDir, write } = {}) {
  const chosen = process.env.CHROMIUM_PATH;
  if (chosen) {
    if (runnable(chosen)) return chosen;
    throw new SetupError(`CHROMIUM_PATH=${chosen} is not an executable file`, {
      code: 'BAD_CHROMIUM_PATH',
      hint: 'Point CHROMIUM_PATH at a Chromium or Chrome binary, or unset it to use /usr/bin/chromium.',
    });
  }
  if (runnable(DEFAULT_CHROMIUM)) return DEFAULT_CHROMIUM;
  if (!isRootOnDebian()) {
    throw new SetupError(`Chromium is not installed at ${DEFAULT_CHROMIUM}`, {
      code: 'NO_CHROMIUM',
      hint: 'Install it (Debian: apt-get install chromium) or set CHROMIUM_PATH to a Chromium/Chrome binary.',
    });
  }
  const logFile = dataDir ? path.join(dataDir, 'apt.log') : undefined;
  await step('installing Chromium (apt-get install chromium)', () => aptInstall(['chromium'], { logFile }), write ? { write } : {});
  if (!runnable(DEFAULT_CHROMIUM)) {
    throw new SetupError(`apt-get installed chromium but ${DEFAULT_CHROMIUM} is missing`, {
      code: 'NO_CHROMIUM',
      hint: 'Set CHROMIUM_PATH to the installed browser binary.',
    });
  }
  return DEFAULT_CHROMIUM;
}
