/**
 * Running external programs from the bootstrap scripts (docker, apt-get, debootstrap, npm).
 *
 * Why spawn without a shell: arguments are passed as a list, so paths and tags never need
 * quoting and can never be interpreted as shell syntax. Node built-ins only (runs before
 * `npm install`).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { SetupError } from './progress.mjs';

/** How many lines of output a failure shows: enough for the error, short enough to read. */
export const TAIL_LINES = 30;

/**
 * The last n lines, without terminal colour codes. Why: failures should show the end of the
 * output, where the real error almost always is, and escape codes are noise in a message.
 */
export function tailLines(text, n = TAIL_LINES) {
  // eslint-disable-next-line no-control-regex
  const plain = String(text).replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
  // A progress bar redraws its line with \r: keep what a terminal would finally show.
  const lines = plain.replace(/\s+$/, '').split('\n').map((l) => l.replace(/\r+$/, '').split('\r').pop());
  return lines.slice(-n).join('\n');
}

/**
 * Finds an executable on PATH; null when absent. Why also the sbin directories: dockerd and
 * debootstrap live in /usr/sbin, which a non-login root shell (or npm) may leave off PATH.
 */
export function which(cmd, envPath = process.env.PATH ?? '') {
  if (cmd.includes('/')) return isExecutable(cmd) ? cmd : null;
  const dirs = [...envPath.split(path.delimiter), '/usr/local/sbin', '/usr/sbin', '/sbin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const candidate = path.join(dir, cmd);
    if (isExecutable(candidate)) return candidate;
  }
  return null;
}

/** Why: accessSync(X_OK) alone is true for directories when run as root. */
function isExecutable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Why: installing system packages ourselves is only safe and possible as root on Debian. */
export function isRootOnDebian() {
  return process.getuid?.() === 0 && fs.existsSync('/etc/debian_version');
}

/**
 * Runs a program and collects its output.
 * Why a promise of {code, stdout, stderr} that never rejects on a non-zero exit: callers such
 * as "does this image exist?" treat failure as an answer; runOk() is the strict variant.
 * It rejects only when the program cannot be started at all (not installed).
 *
 * @param {string} cmd program name or path (looked up with which())
 * @param {string[]} [args]
 * @param {object} [options]
 * @param {string} [options.cwd]
 * @param {Record<string, string | undefined>} [options.env] added to (and overriding) process.env
 * @param {string} [options.logFile] output is also appended here, after a "$ cmd args" header
 * @param {string | Buffer | import('node:stream').Readable} [options.input] fed to stdin
 * @param {number} [options.timeoutMs] SIGTERM after this long, SIGKILL 5 s later
 * @returns {Promise<{ code: number | null, signal: string | null, timedOut: boolean,
 *   stdout: string, stderr: string, output: string }>} output = stdout and stderr interleaved
 */
export function run(cmd, args = [], { cwd, env, logFile, input, timeoutMs } = {}) {
  const resolved = which(cmd) ?? cmd;
  return new Promise((resolve, reject) => {
    const log = logFile ? openLog(logFile, cmd, args) : null;
    const child = spawn(resolved, args, {
      cwd,
      env: env ? { ...process.env, ...env } : process.env,
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const out = [];
    const err = [];
    const all = [];
    const collect = (sink) => (chunk) => {
      sink.push(chunk);
      all.push(chunk);
      log?.write(chunk);
    };
    child.stdout.on('data', collect(out));
    child.stderr.on('data', collect(err));
    feedInput(child, input);

    let timedOut = false;
    let killTimer;
    const timer = timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          child.kill('SIGTERM');
          killTimer = setTimeout(() => child.kill('SIGKILL'), 5000);
          killTimer.unref();
        }, timeoutMs)
      : undefined;

    child.on('error', (e) => {
      clearTimeout(timer);
      log?.end();
      if (e.code === 'ENOENT') {
        reject(new SetupError(`"${cmd}" is not installed (not found on PATH)`, {
          code: 'COMMAND_NOT_FOUND',
          hint: `Install ${cmd} and make sure it is on PATH.`,
          cause: e,
        }));
      } else {
        reject(e);
      }
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      clearTimeout(killTimer);
      const result = {
        code,
        signal,
        timedOut,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        output: Buffer.concat(all).toString('utf8'),
      };
      if (log) log.end(() => resolve(result));
      else resolve(result);
    });
  });
}

/** Why a header: one log file may hold several commands (apt-get update, then install). */
function openLog(logFile, cmd, args) {
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const stream = fs.createWriteStream(logFile, { flags: 'a' });
  stream.write(`\n$ ${[cmd, ...args].join(' ')}    # ${new Date().toISOString()}\n`);
  return stream;
}

/** Why ignore stdin errors: a program may exit before reading all input (EPIPE is not ours). */
function feedInput(child, input) {
  if (input === undefined) return;
  child.stdin.on('error', () => {});
  if (typeof input === 'string' || Buffer.isBuffer(input)) child.stdin.end(input);
  else input.pipe(child.stdin);
}

/**
 * Like run(), but a non-zero exit throws a SetupError carrying the last 30 lines of output.
 * Why: most bootstrap commands must succeed, and the tail of the output is what the user
 * needs to see to fix the cause.
 *
 * @param {string} cmd
 * @param {string[]} [args]
 * @param {Parameters<typeof run>[2] & { what?: string, hint?: string, code?: string }} [options]
 *   what: how the failure message names the action ("building sickbay/service")
 */
export async function runOk(cmd, args = [], options = {}) {
  const { what, hint, code, ...runOptions } = options;
  const result = await run(cmd, args, runOptions);
  if (result.code === 0) return result;
  const action = what ?? `${cmd} ${args.join(' ')}`;
  const reason = result.timedOut
    ? `timed out after ${Math.round(runOptions.timeoutMs / 1000)}s`
    : result.signal
      ? `killed by ${result.signal}`
      : `exit code ${result.code}`;
  const logNote = runOptions.logFile ? ` (full log: ${runOptions.logFile})` : '';
  throw new SetupError(`${action} failed: ${reason}${logNote}`, {
    code: code ?? 'COMMAND_FAILED',
    hint,
    details: `last lines of output:\n${tailLines(result.output) || '(no output)'}`,
  });
}

let aptUpdated = false;

/**
 * Installs Debian packages with apt-get (root on Debian only).
 * Why `apt-get update` first, once per process: a fresh machine has empty package lists, and
 * updating again for the second package would only cost time.
 *
 * Recommended packages are installed too by default (plain `apt-get install -y`, the tested
 * recipe); pass recommends: false for a minimal install.
 *
 * @param {string[]} packages
 * @param {{ logFile?: string, timeoutMs?: number, recommends?: boolean }} [options]
 */
export async function aptInstall(packages, { logFile, timeoutMs = 15 * 60_000, recommends = true } = {}) {
  if (!isRootOnDebian()) {
    throw new SetupError(`cannot install ${packages.join(', ')}: that needs root on Debian`, {
      code: 'NEEDS_ROOT_DEBIAN',
      hint: `Install ${packages.join(' ')} with your system's package manager and run again.`,
    });
  }
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  if (!aptUpdated) {
    await runOk('apt-get', ['update'], { env, logFile, timeoutMs, what: 'apt-get update' });
    aptUpdated = true;
  }
  const flags = recommends ? ['-y'] : ['-y', '--no-install-recommends'];
  await runOk('apt-get', ['install', ...flags, ...packages], {
    env,
    logFile,
    timeoutMs,
    what: `apt-get install ${packages.join(' ')}`,
    hint: 'Check that the Debian mirror in /etc/apt/sources.list(.d) is reachable.',
  });
}
