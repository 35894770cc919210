/**
 * What reading a path shows (logs, config, process state, secrets), and which paths are
 * scratch space, a process's descriptor or a large tree. Shared by the file, text and
 * pipeline readers.
 */
import type { ClassificationFlags, Observation } from '../classification';
import { type Draft, ro } from './draft';

/** Env names that usually hold credentials. */
export const SENSITIVE_NAME = /(PASS(WORD|WD)?|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIAL|AUTH)/i;

export function isScratchPath(path: string): boolean {
  return /^\/(tmp|var\/tmp|dev\/shm)\//.test(path);
}

/**
 * A file reached through one process's descriptor (/proc/<pid>/fd/<n>). Emptying it is how a
 * deleted-but-open file gives its space back while the process keeps running: a targeted,
 * well-known remedy, not the destruction of a named file.
 */
export function isProcFdPath(path: string): boolean {
  const part = String.raw`(?:\d+|\$\w+|\$\{\w+\})`;
  return new RegExp(String.raw`^/proc/(?:${part}|self)/fd/${part}$`).test(path);
}

export function emptiesDescriptors(paths: string[]): string {
  return `empties the open file behind ${paths.join(', ')} (its space is freed; the process keeps running)`;
}

/** /proc/<pid>, /proc/self, or every process's: /proc/*, /proc/[0-9]* (as a learner globs them). */
const PROC_PID = String.raw`^/proc/(?:\d+|self|\*|\[[^\]/]*\]\*?)`;
const PROC_DIR = `${PROC_PID}(/|$)`;

/** A process's kernel-side state: anything under /proc/<pid>/ (bar environ and an fd's content) and /proc/locks. */
export function isProcessStatePath(path: string): boolean {
  if (path === '/proc/locks') return true;
  return new RegExp(PROC_DIR).test(path) && !/\/environ$/.test(path) && !isProcFdPath(path);
}

/**
 * Listing descriptors under /proc (ls /proc/<pid>/fd, find /proc/[0-9]* /fd -lname '*deleted*')
 * shows which process holds which file, as lsof does: it observes the processes as well.
 */
export function listsProcessDescriptors(path: string): boolean {
  return new RegExp(`${PROC_PID}(/fd)?/?$`).test(path);
}

/** What reading a path shows, and whether it is a credentials file. */
export function pathInfo(path: string): { observes: Observation[]; secrets: boolean } {
  const info = pathInfoOf(path);
  return isProcessStatePath(path) ? { ...info, observes: [...info.observes, 'process-state'] } : info;
}

function pathInfoOf(path: string): { observes: Observation[]; secrets: boolean } {
  if (/^\/proc\/[^/]+\/environ$/.test(path) || /^\/proc\/\*\/environ$/.test(path)) return { observes: ['env'], secrets: true };
  if (/(^|\/)\.env(\.[\w-]+)?$|\/run\/secrets(\/|$)|\.pgpass$|credentials|secret|\.pem$|\.key$|id_rsa|id_ed25519|\/etc\/shadow$/i.test(path)) {
    return { observes: ['config'], secrets: true };
  }
  if (/^\/proc\/(meminfo|loadavg|stat|vmstat|pressure|cpuinfo|zoneinfo|buddyinfo|slabinfo)\b|^\/sys\/fs\/cgroup\b/.test(path)) return { observes: ['resources'], secrets: false };
  if (/^\/proc\/(\d+|self|\*)\/(status|smaps|smaps_rollup|statm|stat|io|sched|limits)$/.test(path)) return { observes: ['processes', 'resources'], secrets: false };
  // A file's content read through a process's descriptor: what it shows is the file.
  if (isProcFdPath(path)) return { observes: ['filesystem'], secrets: false };
  if (/^\/proc\/(\d+|self|\*)\//.test(path)) return { observes: ['processes'], secrets: false };
  if (/^\/proc\/net\//.test(path) || path === '/etc/resolv.conf' || path === '/etc/hosts') return { observes: ['network', 'config'], secrets: false };
  if (/^\/var\/log\/|\.log(\.\d+)?(\.gz)?$|^\/proc\/kmsg$/.test(path)) return { observes: ['logs'], secrets: false };
  // /run holds what running programs write about themselves (status.json, a queue, a pid): not config.
  if (/^\/(var\/)?run\//.test(path)) return { observes: ['app-state'], secrets: false };
  if (/^\/etc\/|\.(conf|cnf|ini|ya?ml|json|toml|cfg|properties)$/.test(path)) return { observes: ['config'], secrets: false };
  return { observes: ['filesystem'], secrets: false };
}

export function readPaths(paths: string[], verb: string, extra: Partial<ClassificationFlags> = {}): Draft {
  const observes = new Set<Observation>();
  let secrets = false;
  for (const p of paths) {
    const info = pathInfo(p);
    info.observes.forEach((o) => observes.add(o));
    if (info.secrets) secrets = true;
  }
  const what = paths.length === 0 ? 'its input' : paths.length === 1 ? (paths[0] as string) : `${paths.length} files`;
  return ro(`${verb} ${what}`, [...observes], { secrets, ...extra });
}

export const BIG_TREES = new Set(['/', '/var', '/usr', '/home', '/opt', '/srv', '/data', '/var/lib', '/var/log', '/proc', '/sys', '/root', '/lib', '/mnt']);

export function normPath(p: string): string {
  return p.length > 1 ? p.replace(/\/+$/, '') : p;
}

