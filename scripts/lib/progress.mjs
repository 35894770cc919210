/**
 * Progress output for the bootstrap scripts (start, images, test).
 *
 * Why plain stdout lines: the bootstrap often runs in CI logs or piped through `tee`, where
 * spinners and ANSI codes turn into noise. One line per event, colour only on a terminal.
 * Node built-ins only: this runs before `npm install`.
 */

/** Why: honour NO_COLOR and never put escape codes into files or pipes. */
function useColour() {
  return Boolean(process.stdout.isTTY) && !process.env.NO_COLOR && process.env.TERM !== 'dumb';
}

/** Why: one tiny helper instead of a colour library (no dependencies allowed here). */
function paint(code, text) {
  return useColour() ? `\x1b[${code}m${text}\x1b[0m` : text;
}

/** Why: every line goes through one writer so tests and callers can redirect it. */
function defaultWrite(line) {
  process.stdout.write(`${line}\n`);
}

/** Why: "12.3s" is precise enough for steps that take between 0.1 s and minutes. */
export function formatSeconds(ms) {
  return `${(ms / 1000).toFixed(1)}s`;
}

/** Why: a neutral line for facts the user may want (paths, versions). */
export function info(msg, write = defaultWrite) {
  write(`  ${msg}`);
}

/** Why: something is off but the bootstrap can go on; make it stand out from info lines. */
export function warn(msg, write = defaultWrite) {
  write(`${paint('33', '!')} ${msg}`);
}

/** How often a long step says it is still alive; the first note comes after this long too. */
export const HEARTBEAT_MS = 15_000;

/**
 * Runs one named step and reports its start, end and duration; rethrows failures.
 * Why: a first start can take minutes (engine install, debootstrap, image builds); a line
 * per step plus a heartbeat every 15 s shows the user it is working, not hung.
 * The heartbeat timer is unref'd so it never keeps the process alive by itself.
 *
 * @template T
 * @param {string} name
 * @param {() => Promise<T> | T} fn
 * @param {{ write?: (line: string) => void, heartbeatMs?: number }} [options]
 * @returns {Promise<T>}
 */
export async function step(name, fn, { write = defaultWrite, heartbeatMs = HEARTBEAT_MS } = {}) {
  const started = Date.now();
  write(`${paint('36', '▶')} ${name}`);
  const timer = setInterval(() => {
    const secs = Math.round((Date.now() - started) / 1000);
    write(`… ${name} still running (${secs}s)`);
  }, heartbeatMs);
  timer.unref();
  try {
    const result = await fn();
    write(`${paint('32', '✔')} ${name} (${formatSeconds(Date.now() - started)})`);
    return result;
  } catch (err) {
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    write(`${paint('31', '✖')} ${name} (${formatSeconds(Date.now() - started)}): ${message}`);
    throw err;
  } finally {
    clearInterval(timer);
  }
}

/**
 * An error the user can act on: a stable code for scripts and a hint saying what to do.
 * Why: "ENOENT" or a stack trace tells a new user nothing; "install Docker Engine" does.
 */
export class SetupError extends Error {
  /**
   * @param {string} message what went wrong, in one sentence
   * @param {{ code?: string, hint?: string, details?: string, cause?: unknown }} [options]
   *   details: extra lines (for example the tail of a log) printed under the message
   */
  constructor(message, { code = 'SETUP_FAILED', hint, details, cause } = {}) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'SetupError';
    this.code = code;
    this.hint = hint;
    this.details = details;
  }
}

/**
 * Formats an error for the user. Why separate from fail(): testable without exiting.
 * SetupErrors show message, details and hint; anything else is a bug, so show its stack.
 */
export function formatFailure(err) {
  const lines = [];
  if (err instanceof SetupError) {
    lines.push(`${paint('31', '✖')} ${err.message} [${err.code}]`);
    if (err.details) lines.push('', ...err.details.split('\n').map((l) => `    ${l}`), '');
    if (err.hint) lines.push(`  → ${err.hint}`);
  } else {
    lines.push(`${paint('31', '✖')} Unexpected error (a bug in the bootstrap scripts):`);
    lines.push(err instanceof Error ? (err.stack ?? err.message) : String(err));
  }
  return lines.join('\n');
}

/** Why: every CLI entry point ends the same way on failure: a clear message, exit code 1. */
export function fail(err) {
  process.stdout.write(`${formatFailure(err)}\n`);
  process.exit(1);
}
