/**
 * Which processes a command picks, and what a signal does to them: signal names, the
 * pgrep/pidof/`ps | grep` selections behind `kill $(...)` and `... | xargs kill`, and the
 * process names too generic to be a precise target.
 */
import { has, parseArgs, value } from '../args';
import { basename, parseShell } from '../shell';

/** What a selection picks: names or patterns, and whether it can hit more than intended. */
export interface ProcessSelection {
  names: string[];
  broad: boolean;
  /** `docker ps -q`: every container, not processes. */
  allContainers?: boolean;
  pidfile?: string;
}

/** Process names too common to be a precise target for pkill/killall/pgrep. */
const GENERIC_PROCESS_NAMES = new Set([
  'python', 'python3', 'python2', 'node', 'nodejs', 'java', 'ruby', 'perl', 'php', 'php-fpm', 'sh', 'bash', 'dash', 'ash', 'zsh',
  'postgres', 'postgresql', 'postmaster', 'mysqld', 'mariadbd', 'redis-server', 'nginx', 'apache2', 'httpd', 'gunicorn', 'uwsgi',
  'uvicorn', 'celery', 'sleep', 'docker', 'containerd', 'init', 'systemd', 'tini', 'dumb-init', 'supervisord', 'cron', 'app', 'server',
  'worker', 'job', 'main',
]);

export function isBroadPattern(pattern: string, opts: { full?: boolean; regex?: boolean } = {}): boolean {
  const p = pattern.replace(/^\^|\$$/g, '');
  if (p.length < 4) return true;
  if (/^[.*+?^$[\]\\|()]+$/.test(p) || p.includes('.*') || p.includes('|')) return true;
  if (GENERIC_PROCESS_NAMES.has(p.toLowerCase())) return true;
  if (opts.full && p.length < 6) return true;
  return false;
}

const SIGNAL_NUMBERS: Record<string, string> = {
  '0': '0', '1': 'HUP', '2': 'INT', '3': 'QUIT', '6': 'ABRT', '9': 'KILL', '10': 'USR1', '12': 'USR2', '13': 'PIPE', '14': 'ALRM',
  '15': 'TERM', '17': 'CHLD', '18': 'CONT', '19': 'STOP', '20': 'TSTP', '28': 'WINCH',
};

export function normaliseSignal(s: string | undefined): string {
  if (s === undefined || s === '') return 'TERM';
  const t = s.toUpperCase().replace(/^-/, '').replace(/^SIG/, '');
  return SIGNAL_NUMBERS[t] ?? t;
}

/** Signals that do not end a process by convention (or are commonly handled as "reload"). */
const NON_TERMINATING = new Set(['0', 'CONT', 'STOP', 'TSTP', 'WINCH', 'CHLD', 'HUP', 'USR1', 'USR2', 'URG']);

export function signalEnds(signal: string): boolean {
  return !NON_TERMINATING.has(signal);
}

/** Finds what processes a command substitution or upstream pipeline selects (for kill). */
export function processSelection(line: string): ProcessSelection | null {
  const parsed = parseShell(line);
  const last = parsed.pipelines[parsed.pipelines.length - 1];
  if (!last) return null;
  const cmds = last.commands.map((c) => c.words.map((w) => w.value));
  return selectionFromStages(cmds);
}

export function selectionFromStages(cmds: string[][]): ProcessSelection | null {
  for (const argv of cmds) {
    const prog = basename(argv[0] ?? '');
    const args = argv.slice(1);
    if (prog === 'pgrep') {
      const p = parseArgs(args, { values: ['-u', '-U', '-g', '-G', '-P', '-s', '-t', '-F', '--pidfile', '-d', '--delimiter', '--signal', '--ns', '--nslist'] });
      const pidfile = value(p, '-F', '--pidfile');
      if (pidfile) return { names: [`pidfile:${pidfile}`], broad: false, pidfile };
      const pattern = p.positionals[0] ?? '';
      const one = has(p, '-n', '--newest', '-o', '--oldest');
      return { names: pattern ? [pattern] : [], broad: one ? false : !pattern || isBroadPattern(pattern, { full: has(p, '-f', '--full') }) };
    }
    if (prog === 'pidof') {
      const p = parseArgs(args, { values: ['-o'] });
      const one = has(p, '-s');
      return { names: p.positionals, broad: !one && (p.positionals.length === 0 || p.positionals.some((n) => isBroadPattern(n))) };
    }
    if (prog === 'cat' && args.length === 1 && /\.pid$/.test(args[0] ?? '')) return { names: [`pidfile:${args[0]}`], broad: false, pidfile: args[0] };
    if (prog === 'docker' && (args.includes('ps') || (args.includes('container') && args.includes('ls'))) && args.some((a) => /^-[a-z]*q/.test(a) || a === '--quiet')) {
      return { names: ['*'], broad: true, allContainers: true };
    }
  }
  // ps ... | grep PATTERN | grep -v grep | awk '{print $2}'
  const greps = cmds.filter((a) => /^(grep|egrep|fgrep)$/.test(basename(a[0] ?? '')) && !a.includes('-v'));
  if (cmds.some((a) => basename(a[0] ?? '') === 'ps') && greps.length > 0) {
    const g = parseArgs((greps[0] as string[]).slice(1), { values: ['-e', '-m', '-A', '-B', '-C'] });
    const pattern = value(g, '-e') ?? g.positionals[0] ?? '';
    return { names: pattern ? [pattern] : [], broad: !pattern || isBroadPattern(pattern, { full: true }) };
  }
  return null;
}
