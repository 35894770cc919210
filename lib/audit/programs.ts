/**
 * What each program does, by its argv: the table behind classifyShell/classifyArgv. A handler
 * returns a Draft (tier, sentence, effects, flags, observations); wrappers (sudo, env, timeout,
 * watch, xargs, nohup, bash -c, ...) are unwrapped first and the wrapped command classified.
 * Unknown programs are 'unknown', never read-only.
 */
import { has, parseArgs, value, values } from './args';
import {
  type Classification,
  type ClassificationFlags,
  type Effect,
  type Observation,
  type PartClassification,
  type Scope,
  type Tier,
  emptyFlags,
  isInvasive,
  maxTier,
} from './classification';
import { basename, parseShell, quoteArgv, type ShellWord } from './shell';
import { classifySql, type SqlClassification } from './sql';

/** What is known about a command's standard input. */
export type StdinInfo =
  | { kind: 'terminal' }
  | { kind: 'none' }
  | { kind: 'text'; text: string }
  | { kind: 'unknown'; from: string };

export interface ArgvContext {
  /** Where the command runs: the learner's console or inside a lab container. */
  where: 'console' | 'container';
  /** The container a 'container' command runs in (service name, name or id). */
  target?: string;
  /** Standard input is a terminal the learner types into. */
  tty: boolean;
  stdin: StdinInfo;
  /** Earlier stages of the same pipeline, nearest last (for xargs, grep-filters and `echo | psql`). */
  upstream: string[][];
  /** Downstream stages of the same pipeline (to judge whether printed secrets are filtered). */
  downstream: string[][];
  /** Expansion info for argv[1..] when the command came from a typed line. */
  words?: ShellWord[];
  depth: number;
}

export interface Recurse {
  line(line: string, ctx: ArgvContext): Classification;
  argv(argv: string[], ctx: ArgvContext): Classification;
  docker(argv: string[], ctx: ArgvContext): Draft;
}

export interface Draft {
  tier: Tier;
  summary: string;
  effects?: Effect[];
  flags?: Partial<ClassificationFlags>;
  observes?: Observation[];
  inner?: Classification;
  target?: string;
  dockerAction?: string;
  scope?: Scope;
}

const MAX_DEPTH = 8;

/** Env names that usually hold credentials. */
export const SENSITIVE_NAME = /(PASS(WORD|WD)?|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIAL|AUTH)/i;

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

/* ---------------------------------------------------------------- helpers */

function flags(partial: Partial<ClassificationFlags> = {}): ClassificationFlags {
  return { ...emptyFlags(), ...partial };
}

const ro = (summary: string, observes: Observation[] = [], f: Partial<ClassificationFlags> = {}): Draft => ({ tier: 'read-only', summary, observes, flags: f });
const change = (summary: string, f: Partial<ClassificationFlags> = {}, effects: Effect[] = []): Draft => ({ tier: 'change', summary, flags: { targeted: true, ...f }, effects });
const unknown = (summary: string): Draft => ({ tier: 'unknown', summary });

const DEV_NULLISH = /^\/dev\/(null|stdout|stderr|tty|fd\/[0-2])$/;

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

/** What reading a path shows, and whether it is a credentials file. */
export function pathInfo(path: string): { observes: Observation[]; secrets: boolean } {
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
  if (/^\/etc\/|\.(conf|cnf|ini|ya?ml|json|toml|cfg|properties)$/.test(path)) return { observes: ['config'], secrets: false };
  return { observes: ['filesystem'], secrets: false };
}

function readPaths(paths: string[], verb: string, extra: Partial<ClassificationFlags> = {}): Draft {
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

const BIG_TREES = new Set(['/', '/var', '/usr', '/home', '/opt', '/srv', '/data', '/var/lib', '/var/log', '/proc', '/sys', '/root', '/lib', '/mnt']);

function normPath(p: string): string {
  return p.length > 1 ? p.replace(/\/+$/, '') : p;
}

/** Finds what processes a command substitution or upstream pipeline selects (for kill). */
export function processSelection(line: string): { names: string[]; broad: boolean; allContainers?: boolean; pidfile?: string } | null {
  const parsed = parseShell(line);
  const last = parsed.pipelines[parsed.pipelines.length - 1];
  if (!last) return null;
  const cmds = last.commands.map((c) => c.words.map((w) => w.value));
  return selectionFromStages(cmds);
}

function selectionFromStages(cmds: string[][]): { names: string[]; broad: boolean; allContainers?: boolean; pidfile?: string } | null {
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

/* ---------------------------------------------------------------- kill family */

function killDraft(prog: string, args: string[], ctx: ArgvContext): Draft {
  if (prog === 'kill') {
    // Read by hand: "-9"/"-KILL" before the PIDs is a signal, "-1" after it is a PID (all processes).
    let signalSpec: string | undefined;
    let list = false;
    const positionals: string[] = [];
    for (let i = 0; i < args.length; i++) {
      const a = args[i] as string;
      if (a === '--') {
        positionals.push(...args.slice(i + 1));
        break;
      }
      if (a === '-l' || a === '-L' || a === '--list' || a === '--table') list = true;
      else if (a === '-s' || a === '-n' || a === '--signal') signalSpec = args[++i];
      else if (a.startsWith('--signal=')) signalSpec = a.slice('--signal='.length);
      else if (signalSpec === undefined && positionals.length === 0 && /^-((SIG)?[A-Za-z]+[0-9+-]*|\d+)$/.test(a)) signalSpec = a.slice(1);
      else if (/^-\d+$/.test(a)) positionals.push(a);
      else if (a.startsWith('-')) continue;
      else positionals.push(a);
    }
    if (list) return ro('lists signal names');
    const signal = normaliseSignal(signalSpec);
    const p = { positionals };
    const pids: number[] = [];
    const names: string[] = [];
    let broad = false;
    let pid1 = false;
    let dynamic = false;
    const words = ctx.words;
    p.positionals.forEach((arg) => {
      const w = words?.find((x) => x.value === arg);
      if (/^-?\d+$/.test(arg)) {
        const n = Number(arg);
        if (n === -1) {
          broad = true;
          pid1 = true;
        } else if (n <= 0) {
          broad = true;
          names.push(n === 0 ? 'its own process group' : `process group ${-n}`);
        }
        else {
          pids.push(n);
          if (n === 1) pid1 = true;
        }
        return;
      }
      if (arg.startsWith('%')) {
        names.push(arg);
        return;
      }
      if (w && w.substitutions.length > 0) {
        for (const sub of w.substitutions) {
          const sel = processSelection(sub);
          if (sel) {
            names.push(...sel.names);
            if (sel.broad) broad = true;
          } else {
            dynamic = true;
            names.push(arg);
          }
        }
        return;
      }
      // A variable ($PID) or something unexpected: one process picked earlier.
      dynamic = true;
      names.push(arg);
    });
    // `... | xargs kill`: the PIDs come from the pipeline.
    if (p.positionals.length === 0 && ctx.upstream.length > 0) {
      const sel = selectionFromStages(ctx.upstream);
      if (sel) {
        names.push(...sel.names);
        broad = broad || sel.broad;
      } else broad = true;
    }
    if (p.positionals.length === 0 && ctx.upstream.length === 0) return ro('kill without a PID (does nothing)');
    return killResult('kill', signal, pids, names, broad, pid1, ctx, dynamic);
  }
  if (prog === 'pkill' || prog === 'killall' || prog === 'skill' || prog === 'slay') {
    // "-9", "-KILL", "-SIGKILL": a signal, not combined flags.
    const sigArg = args.find((a) => /^-((SIG)?[A-Z]{2,}[0-9+-]*|\d+)$/.test(a));
    const rest = args.filter((a) => a !== sigArg);
    const common = ['-s', '--signal', '-u', '--euid', '-U', '--uid', '-g', '--pgroup', '-G', '--group', '-P', '--parent', '-t', '--terminal', '--ns', '--nslist', '-F', '--pidfile', '-y', '--younger-than', '--older-than'];
    // pkill -n/-o are booleans (newest/oldest); killall -n/-o take values.
    const p = parseArgs(rest, { values: prog === 'pkill' ? common : [...common, '-n', '-o'] });
    let signal = normaliseSignal(value(p, '-s', '--signal'));
    if (sigArg) signal = normaliseSignal(sigArg.slice(1));
    const patterns = p.positionals;
    const pidfile = value(p, '-F', '--pidfile');
    const full = has(p, '-f', '--full');
    const regex = prog === 'killall' && has(p, '-r', '--regexp');
    // pkill -n/-o (newest/oldest) picks one process; killall -o/-y are ages, not "one".
    const one = prog === 'pkill' && (has(p, '--newest', '--oldest') || p.opts.has('-n') || p.opts.has('-o'));
    let broad: boolean;
    if (pidfile) broad = false;
    else if (patterns.length === 0) broad = true;
    else broad = !one && patterns.some((pt) => isBroadPattern(pt, { full: full || regex }));
    if (has(p, '-u', '--euid', '-U', '--uid', '-g', '-G', '-t') && patterns.length === 0) broad = true;
    return killResult(prog, signal, [], pidfile ? [`pidfile:${pidfile}`] : patterns, broad, false, ctx, false);
  }
  return unknown(`runs ${prog}`);
}

function killResult(via: string, signal: string, pids: number[], names: string[], broad: boolean, pid1: boolean, ctx: ArgvContext, dynamic: boolean): Draft {
  const effect: Effect = { type: 'kill', signal, pids, names, broad, pid1, via };
  const who = [...pids.map(String), ...names].join(', ') || 'processes';
  if (signal === '0') return { tier: 'read-only', summary: `checks that process ${who} exists (signal 0)`, observes: ['processes'], effects: [] };
  const ends = signalEnds(signal);
  if (ctx.where === 'console') {
    return { tier: 'change', summary: `sends SIG${signal} to ${who} in the console`, effects: [effect], flags: { targeted: !broad } };
  }
  if (pid1 && ends) {
    return {
      tier: 'state-losing',
      summary: pids.includes(1) ? `sends SIG${signal} to PID 1, the container's main process: the container stops` : `sends SIG${signal} to every process, PID 1 included: the container stops`,
      effects: [effect],
    };
  }
  if (!ends) {
    const what = signal === 'STOP' || signal === 'TSTP' ? 'freezes' : signal === 'CONT' ? 'resumes' : `sends SIG${signal} to`;
    return { tier: 'change', summary: `${what} ${who}${pid1 ? ' (the main process)' : ''}`, effects: [effect], flags: { targeted: !broad } };
  }
  const verb = signal === 'KILL' ? 'kills' : 'stops';
  const scopeNote = broad ? ' (a broad match: it can hit other processes, even the main one)' : dynamic ? ' (PID chosen by an expansion)' : '';
  return { tier: 'change', summary: `${verb} ${who} with SIG${signal}${scopeNote}`, effects: [effect], flags: { targeted: !broad } };
}

/* ---------------------------------------------------------------- network tools */

function curlDraft(args: string[]): Draft {
  const p = parseArgs(args, {
    values: ['-X', '--request', '-d', '--data', '--data-raw', '--data-binary', '--data-urlencode', '--data-ascii', '--json', '-F', '--form', '--form-string', '-T', '--upload-file', '-o', '--output', '-H', '--header', '-u', '--user', '-m', '--max-time', '--connect-timeout', '-w', '--write-out', '-A', '--user-agent', '-e', '--referer', '-b', '--cookie', '-c', '--cookie-jar', '-x', '--proxy', '--resolve', '--retry', '-K', '--config', '--unix-socket', '-r', '--range', '-E', '--cert', '--cacert', '--key', '-D', '--dump-header', '--limit-rate', '-Y', '-y', '--max-filesize', '--interface', '--retry-delay', '--retry-max-time', '--url'],
  });
  const url = value(p, '--url') ?? p.positionals[0];
  let method = (value(p, '-X', '--request') ?? '').toUpperCase();
  const sendsBody = has(p, '-d', '--data', '--data-raw', '--data-binary', '--data-urlencode', '--data-ascii', '--json', '-F', '--form', '--form-string');
  const uploads = has(p, '-T', '--upload-file');
  if (!method) method = uploads ? 'PUT' : sendsBody ? 'POST' : has(p, '-I', '--head') ? 'HEAD' : 'GET';
  const out = value(p, '-o', '--output');
  const writes = (out !== undefined && out !== '-' && !DEV_NULLISH.test(out)) || has(p, '-O', '--remote-name', '-J');
  const dump = value(p, '-D', '--dump-header');
  const effects: Effect[] = [{ type: 'request', method, url }];
  if (writes && out) effects.push({ type: 'file', op: 'write', paths: [out] });
  if (dump && dump !== '-' && !DEV_NULLISH.test(dump)) effects.push({ type: 'file', op: 'write', paths: [dump] });
  const fileFlags = { writesFile: writes || (dump !== undefined && dump !== '-' && !DEV_NULLISH.test(dump)) };
  if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') {
    return { tier: 'read-only', summary: `sends a ${method} request to ${url ?? 'a URL'}`, observes: ['connectivity'], flags: { networkTest: true, ...fileFlags }, effects };
  }
  return { tier: 'change', summary: `sends a ${method} request to ${url ?? 'a URL'} (it can change data)`, observes: ['connectivity'], flags: { networkTest: true, targeted: true, ...fileFlags }, effects };
}

function wgetDraft(args: string[]): Draft {
  const p = parseArgs(args, { values: ['-O', '--output-document', '-o', '--output-file', '-a', '--append-output', '--post-data', '--post-file', '--method', '--body-data', '--body-file', '-T', '--timeout', '-t', '--tries', '--header', '-U', '--user-agent', '-P', '--directory-prefix', '--user', '--password', '-e', '--execute', '-w', '--wait'] });
  const url = p.positionals[0];
  let method = (value(p, '--method') ?? '').toUpperCase();
  if (!method) method = has(p, '--post-data', '--post-file') ? 'POST' : has(p, '--spider') ? 'HEAD' : 'GET';
  const out = value(p, '-O', '--output-document');
  const writes = !has(p, '--spider') && (out === undefined ? true : out !== '-' && !DEV_NULLISH.test(out));
  const effects: Effect[] = [{ type: 'request', method, url }];
  if (writes) effects.push({ type: 'file', op: 'write', paths: [out ?? (url ? basename(url.replace(/[?#].*$/, '')) || 'index.html' : 'index.html')] });
  if (method === 'GET' || method === 'HEAD') {
    return { tier: 'read-only', summary: `fetches ${url ?? 'a URL'}${writes ? ' into a file' : ''}`, observes: ['connectivity'], flags: { networkTest: true, writesFile: writes }, effects };
  }
  return { tier: 'change', summary: `sends a ${method} request to ${url ?? 'a URL'} (it can change data)`, observes: ['connectivity'], flags: { networkTest: true, targeted: true, writesFile: writes }, effects };
}

function ipDraft(args: string[]): Draft {
  const p = parseArgs(args, { values: ['-n', '-netns', '-f', '-family', '-b', '-batch', '-rc', '-l', '-loops'], stopAtPositional: true, positionalsBeforeRest: 1 });
  const object = p.positionals[0] ?? '';
  const verb = (p.rest[0] ?? 'show').toLowerCase();
  if (object === '' ) return ro('prints ip usage');
  if (/^mo/.test(object)) return ro('watches network changes until stopped', ['network'], { streaming: true });
  if (/^(sh|show|list|ls|lst|l|get|g|help)$/.test(verb) || verb.startsWith('-')) return ro(`shows ${object} settings`, ['network']);
  if (object === 'netns' && /^(exec|e)$/.test(verb)) return unknown('runs a command in another network namespace');
  const broad = /^(flush|f)$/.test(verb);
  return change(`${verb}s ${object} settings (${quoteArgv(p.rest.slice(1)).slice(0, 60)})`, { targeted: !broad }, [{ type: 'network', op: `${object} ${verb}`, detail: quoteArgv(p.rest) }]);
}

function iptablesDraft(prog: string, args: string[]): Draft {
  const p = parseArgs(args, { values: ['-t', '--table', '-A', '--append', '-I', '--insert', '-D', '--delete', '-R', '--replace', '-N', '--new-chain', '-X', '--delete-chain', '-E', '--rename-chain', '-P', '--policy', '-j', '--jump', '-p', '--protocol', '-s', '--source', '-d', '--destination', '-i', '--in-interface', '-o', '--out-interface', '--dport', '--sport', '-m', '--match', '-C', '--check', '-w', '--wait', '-g', '--goto', '--to-destination', '--to-source', '--comment'] });
  const mutating = has(p, '-A', '--append', '-I', '--insert', '-D', '--delete', '-R', '--replace', '-N', '--new-chain', '-X', '--delete-chain', '-E', '--rename-chain', '-P', '--policy', '-F', '--flush', '-Z', '--zero');
  if (!mutating) return ro('lists firewall rules', ['firewall']);
  const broad = has(p, '-F', '--flush', '-X', '--delete-chain', '-P', '--policy');
  const what = has(p, '-F', '--flush') ? 'flushes every rule in the chain/table' : has(p, '-P', '--policy') ? 'changes a chain policy' : 'adds, changes or removes one firewall rule';
  return change(`${prog}: ${what}`, { targeted: !broad }, [{ type: 'network', op: 'firewall', detail: quoteArgv(args) }]);
}

function tcDraft(args: string[]): Draft {
  const p = parseArgs(args, { values: ['-n', '-netns', '-b', '-batch'], stopAtPositional: true, positionalsBeforeRest: 1 });
  const object = p.positionals[0] ?? '';
  const verb = (p.rest[0] ?? 'show').toLowerCase();
  if (object === 'monitor') return ro('watches traffic-control changes until stopped', ['traffic-control'], { streaming: true });
  if (/^(show|ls|list|sh)$/.test(verb) || verb.startsWith('-')) return ro(`shows ${object || 'traffic control'} settings`, ['traffic-control']);
  return change(`${verb}s a ${object || 'traffic-control'} rule (shaping the network)`, { targeted: true }, [{ type: 'network', op: `tc ${object} ${verb}`, detail: quoteArgv(p.rest) }]);
}

/* ---------------------------------------------------------------- packages and services */

function packageDraft(prog: string, args: string[]): Draft {
  const first = args.find((a) => !a.startsWith('-')) ?? '';
  const sub = first.toLowerCase();
  const pkgs = args.filter((a) => !a.startsWith('-') && a !== first);
  const installs = /^(install|add|i|upgrade|dist-upgrade|full-upgrade|remove|purge|uninstall|del|autoremove|reinstall|ci|update)$/.test(sub);
  const reads = /^(list|ls|show|search|policy|info|freeze|outdated|check|view|depends|rdepends|madison|why|help|config|cache|--version|-v|version)$/.test(sub) || sub === '';
  if (prog === 'apt-cache' || prog === 'apk' && sub === 'info' || prog === 'dpkg-query') return ro(`${prog} ${sub}: reads package data`, ['packages']);
  if (reads) return ro(`${prog} ${sub || ''}: reads package data`.replace(/ :/, ':'), ['packages']);
  if (sub === 'update' && /^(apt|apt-get|apk|aptitude)$/.test(prog)) {
    return change(`${prog} update: refreshes the package index inside a running container`, { targeted: false }, [{ type: 'package', manager: prog, op: 'update', packages: [] }]);
  }
  if (installs) {
    return {
      tier: 'change',
      summary: `${prog} ${sub}: installs packages in a running container (it drifts from its image)`,
      flags: { packageInstall: true, targeted: false, networkTest: false },
      effects: [{ type: 'package', manager: prog, op: sub, packages: pkgs }],
    };
  }
  return unknown(`runs ${prog} ${sub}`);
}

function serviceDraft(name: string | undefined, action: string, manager: string): Draft {
  const a = action.toLowerCase();
  const svc = name ?? 'a service';
  const eff: Effect[] = [{ type: 'service', op: a, name }];
  if (/^(status|show|is-active|is-enabled|is-failed|list-units|list-unit-files|cat|list|--status-all|help|list-dependencies|avail|pid)$/.test(a) || a === '') {
    return ro(`${manager}: shows the state of ${svc}`, ['state']);
  }
  if (/^(stop|restart|try-restart|reload-or-restart|force-reload|kill|isolate|condrestart|shutdown|zap)$/.test(a)) {
    return { tier: 'state-losing', summary: `${manager} ${a} ${svc}: its processes and their memory are gone`, effects: eff };
  }
  if (/^(start|reload|enable|disable|mask|unmask|daemon-reload|set-property|up|down|once|hup|cont|pause)$/.test(a)) {
    if (a === 'down') return { tier: 'state-losing', summary: `${manager} down ${svc}: stops it`, effects: eff };
    return change(`${manager} ${a} ${svc}`, { targeted: true }, eff);
  }
  if (a === 'tail') return ro(`${manager}: follows the log of ${svc}`, ['logs'], { streaming: true });
  return unknown(`${manager} ${a} ${svc}`);
}

/* ---------------------------------------------------------------- databases */

export function sqlToClassification(sql: SqlClassification, scope: Scope, target: string | undefined): Classification {
  const parts: PartClassification[] = sql.statements.map((s) => ({
    tier: s.tier,
    summary: s.summary,
    effects: s.effects,
    flags: s.flags,
    observes: s.observes,
    program: 'sql',
    argv: [s.text],
    scope,
    target,
  }));
  return {
    tier: sql.tier,
    summary: sql.summary,
    effects: sql.effects,
    flags: sql.flags,
    observes: sql.observes,
    programs: parts.length > 0 ? ['sql'] : [],
    targets: target ? [target] : [],
    parts,
    incomplete: sql.incomplete,
  };
}

function sqlDraft(program: string, sql: string, ctx: ArgvContext, r: Recurse, extra: Partial<ClassificationFlags> = {}): Draft {
  const c = classifySql(sql, { shell: (line) => r.line(line, { ...ctx, upstream: [], downstream: [], words: undefined, depth: ctx.depth + 1 }) });
  const inner = sqlToClassification(c, ctx.where === 'console' ? 'console' : 'container', ctx.target);
  return { tier: c.tier, summary: `${program}: ${c.summary}`, effects: c.effects, flags: { ...c.flags, ...extra, targeted: c.flags.targeted }, observes: c.observes, inner };
}

function psqlDraft(args: string[], ctx: ArgvContext, r: Recurse): Draft {
  const p = parseArgs(args, {
    values: ['-c', '--command', '-f', '--file', '-U', '--username', '-d', '--dbname', '-h', '--host', '-p', '--port', '-v', '--set', '--variable', '-o', '--output', '-P', '--pset', '-F', '--field-separator', '-R', '--record-separator', '-L', '--log-file', '-T', '--table-attr'],
  });
  const out = value(p, '-o', '--output');
  const writes = out !== undefined && !DEV_NULLISH.test(out) ? { writesFile: true } : {};
  if (has(p, '-l', '--list')) return ro('psql: lists databases', ['db-schema']);
  if (has(p, '-V', '--version', '-?', '--help')) return ro('psql: prints its version or help');
  const commands = values(p, '-c', '--command');
  const files = values(p, '-f', '--file');
  if (commands.length > 0) return sqlDraft('psql', commands.join(';\n'), ctx, r, writes);
  if (files.length > 0 && files.some((f) => f !== '-')) return unknown(`psql runs the SQL file ${files.join(', ')}, which is not in the log`);
  return sqlFromStdin('psql', ctx, r, writes);
}

function sqlFromStdin(program: string, ctx: ArgvContext, r: Recurse, extra: Partial<ClassificationFlags> = {}): Draft {
  const stdin = ctx.stdin;
  if (stdin.kind === 'text') return sqlDraft(program, stdin.text, ctx, r, extra);
  if (stdin.kind === 'unknown') return unknown(`${program} reads SQL from ${stdin.from}, which is not in the log`);
  if (stdin.kind === 'terminal') {
    return { tier: 'interactive', summary: `opens an interactive ${program} session`, effects: [{ type: 'shell', program }], observes: [] };
  }
  return ro(`starts ${program} with no input (it exits at once)`);
}

function redisDraft(args: string[], ctx: ArgvContext): Draft {
  const p = parseArgs(args, { values: ['-h', '-p', '-a', '--user', '--pass', '-n', '-u', '-s', '-r', '-i', '--csv', '-d', '-c'], stopAtPositional: true });
  const cmd = (p.positionals[0] ?? '').toUpperCase();
  if (has(p, '--bigkeys', '--memkeys', '--hotkeys')) return ro('redis-cli: scans every key', ['db-data'], { heavy: true });
  if (has(p, '--scan')) return ro('redis-cli: scans keys', ['db-data']);
  if (has(p, '--stat', '--latency', '--latency-history')) return ro('redis-cli: watches server stats until stopped', ['resources'], { streaming: true });
  if (cmd === '') return ctx.stdin.kind === 'terminal' ? { tier: 'interactive', summary: 'opens an interactive redis-cli session', effects: [{ type: 'shell', program: 'redis-cli' }] } : ro('starts redis-cli with no input');
  if (/^(FLUSHALL|FLUSHDB)$/.test(cmd)) return { tier: 'destructive', summary: `redis-cli ${cmd}: deletes every key` };
  if (cmd === 'SHUTDOWN') return { tier: 'state-losing', summary: 'redis-cli SHUTDOWN: stops the server' };
  if (/^(MONITOR|SUBSCRIBE|PSUBSCRIBE)$/.test(cmd)) return ro(`redis-cli ${cmd}: streams until stopped`, ['db-activity'], { streaming: true, heavy: cmd === 'MONITOR' });
  if (cmd === 'KEYS') return ro('redis-cli KEYS: walks every key (blocks the server on big data sets)', ['db-data'], { heavy: true });
  if (/^(GET|MGET|HGET|HGETALL|LRANGE|SMEMBERS|ZRANGE|TTL|PTTL|TYPE|EXISTS|STRLEN|LLEN|SCARD|ZCARD|HLEN|INFO|PING|SCAN|DBSIZE|SLOWLOG|CLIENT|CONFIG|MEMORY|LATENCY|OBJECT|TIME|ECHO)$/.test(cmd)) {
    const sub = (p.rest[0] ?? '').toUpperCase();
    if (cmd === 'CLIENT' && sub === 'KILL') return change('redis-cli CLIENT KILL: ends a client connection', { targeted: true });
    if (cmd === 'CONFIG' && sub === 'SET') return change('redis-cli CONFIG SET: changes a live setting', { targeted: true });
    if (cmd === 'SLOWLOG' && sub === 'RESET') return change('redis-cli SLOWLOG RESET: clears the slow log', { targeted: true });
    return ro(`redis-cli ${cmd}: reads`, cmd === 'INFO' || cmd === 'MEMORY' ? ['resources'] : cmd === 'CLIENT' || cmd === 'SLOWLOG' ? ['db-activity'] : ['db-data']);
  }
  return change(`redis-cli ${cmd}: writes data`, { targeted: !/^(DEL|UNLINK)$/.test(cmd) || p.rest.length <= 1 });
}

/* ---------------------------------------------------------------- shells and wrappers */

const SHELLS = new Set(['bash', 'sh', 'dash', 'ash', 'zsh', 'ksh', 'mksh', 'fish', 'busybox-sh']);
const REPLS = new Set(['python', 'python3', 'python2', 'node', 'nodejs', 'ruby', 'irb', 'perl', 'php', 'lua', 'ipython', 'bun', 'deno', 'ghci', 'R', 'sqlite3', 'mongo', 'mongosh', 'mysql', 'mariadb']);

function shellDraft(prog: string, args: string[], ctx: ArgvContext, r: Recurse): Draft {
  // -c may be bundled (-lc, -xc); the command is the first positional after it.
  let cIndex = -1;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '--') break;
    if (/^-[a-zA-Z]*c[a-zA-Z]*$/.test(a) && !a.startsWith('--')) {
      cIndex = i;
      break;
    }
    if (!a.startsWith('-') && !a.startsWith('+')) break;
    if (a === '-o' || a === '+o' || a === '-O' || a === '+O' || a === '--rcfile' || a === '--init-file') i++;
  }
  if (cIndex !== -1) {
    const script = args[cIndex + 1] ?? '';
    const inner = r.line(script, { ...ctx, upstream: ctx.upstream, words: undefined, depth: ctx.depth + 1 });
    return { tier: inner.tier, summary: inner.summary, effects: inner.effects, flags: inner.flags, observes: inner.observes, inner };
  }
  const positional = args.find((a) => !a.startsWith('-') && !a.startsWith('+'));
  if (positional) return unknown(`${prog} runs the script ${positional}, which is not in the log`);
  if (ctx.stdin.kind === 'text') {
    const inner = r.line(ctx.stdin.text, { ...ctx, stdin: { kind: 'none' }, upstream: [], words: undefined, depth: ctx.depth + 1 });
    return { tier: inner.tier, summary: inner.summary, effects: inner.effects, flags: inner.flags, observes: inner.observes, inner };
  }
  if (ctx.stdin.kind === 'unknown') return unknown(`${prog} runs commands from ${ctx.stdin.from}, which are not in the log`);
  if (ctx.stdin.kind === 'terminal') {
    return { tier: 'interactive', summary: `opens a ${prog} shell${ctx.where === 'container' ? ' inside the container' : ''}`, effects: [{ type: 'shell', program: prog }] };
  }
  return ro(`starts ${prog} with no input (it exits at once)`);
}

interface Unwrapped {
  argv: string[];
  flags?: Partial<ClassificationFlags>;
  clearStreaming?: boolean;
  stdin?: StdinInfo;
  extraUpstream?: boolean;
}

/** Wrappers that run another command: returns the wrapped argv, or null when there is none. */
function unwrap(prog: string, args: string[]): Unwrapped | null | 'self' {
  switch (prog) {
    case 'sudo':
    case 'doas': {
      const p = parseArgs(args, { values: ['-u', '--user', '-g', '--group', '-C', '--close-from', '-D', '--chdir', '-h', '--host', '-p', '--prompt', '-r', '--role', '-t', '--type', '-U', '--other-user', '-T', '--command-timeout'], stopAtPositional: true });
      if (p.positionals.length === 0) {
        if (has(p, '-i', '--login', '-s', '--shell')) return { argv: ['bash'] };
        return 'self';
      }
      return { argv: [...p.positionals, ...p.rest] };
    }
    case 'env': {
      const p = parseArgs(args, { values: ['-u', '--unset', '-C', '--chdir', '-S', '--split-string'], stopAtPositional: true, positionalsBeforeRest: 0 });
      const split = value(p, '-S', '--split-string');
      const rest = [...p.positionals, ...p.rest];
      let i = 0;
      while (i < rest.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(rest[i] as string)) i++;
      const cmd = rest.slice(i);
      if (split) return { argv: ['sh', '-c', [split, ...cmd].join(' ')] };
      if (cmd.length === 0) return 'self';
      return { argv: cmd };
    }
    case 'nice': {
      const p = parseArgs(args, { values: ['-n', '--adjustment'], stopAtPositional: true, numericOptions: true });
      return p.positionals.length ? { argv: [...p.positionals, ...p.rest] } : 'self';
    }
    case 'ionice':
    case 'taskset':
    case 'chrt':
    case 'renice':
      return 'self';
    case 'timeout': {
      const p = parseArgs(args, { values: ['-s', '--signal', '-k', '--kill-after'], stopAtPositional: true, positionalsBeforeRest: 2 });
      const cmd = p.positionals.slice(1).concat(p.rest);
      return cmd.length ? { argv: cmd, clearStreaming: true } : 'self';
    }
    case 'nohup':
      return args.length ? { argv: args, flags: { background: true } } : 'self';
    case 'setsid': {
      const p = parseArgs(args, { stopAtPositional: true });
      return p.positionals.length ? { argv: [...p.positionals, ...p.rest], flags: { background: has(p, '-f', '--fork') } } : 'self';
    }
    case 'stdbuf': {
      const p = parseArgs(args, { values: ['-i', '-o', '-e', '--input', '--output', '--error'], stopAtPositional: true });
      return p.positionals.length ? { argv: [...p.positionals, ...p.rest] } : 'self';
    }
    case 'time':
    case 'command':
    case 'builtin':
    case 'exec':
    case 'unbuffer':
    case 'caffeinate':
    case 'tini':
    case 'dumb-init': {
      const p = parseArgs(args, { values: ['-o', '--output', '-f', '--format', '-a'], stopAtPositional: true });
      if (prog === 'command' && has(p, '-v', '-V')) return 'self';
      return p.positionals.length ? { argv: [...p.positionals, ...p.rest] } : 'self';
    }
    case 'chroot': {
      const p = parseArgs(args, { values: ['--userspec', '--groups'], stopAtPositional: true, positionalsBeforeRest: 1 });
      return p.rest.length ? { argv: p.rest } : { argv: ['sh'] };
    }
    case 'flock': {
      const p = parseArgs(args, { values: ['-w', '--timeout', '-E', '--conflict-exit-code', '-c', '--command'], stopAtPositional: true, positionalsBeforeRest: 1 });
      const c = value(p, '-c', '--command');
      if (c) return { argv: ['sh', '-c', c] };
      return p.rest.length ? { argv: p.rest } : 'self';
    }
    case 'gosu':
    case 'su-exec':
      return args.length > 1 ? { argv: args.slice(1) } : 'self';
    case 'runuser':
    case 'su': {
      // su USER -c CMD: options may follow the user, so read them all (runuser's command follows --).
      const p = parseArgs(args, { values: ['-c', '--command', '-s', '--shell', '-u', '--user', '-g', '--group', '-G', '--supp-group', '-w', '--whitelist-environment'], stopAtPositional: prog === 'runuser' });
      const c = value(p, '-c', '--command');
      if (c) return { argv: ['sh', '-c', c] };
      if (prog === 'runuser' && has(p, '-u', '--user') && p.positionals.length) return { argv: [...p.positionals, ...p.rest] };
      return { argv: [basename(value(p, '-s', '--shell') ?? 'sh')] };
    }
    case 'nsenter': {
      const p = parseArgs(args, { values: ['-t', '--target', '-S', '--setuid', '-G', '--setgid', '-r', '--root', '-w', '--wd'], stopAtPositional: true });
      return { argv: p.positionals.length ? [...p.positionals, ...p.rest] : ['sh'] };
    }
    case 'busybox':
      return args.length ? { argv: args } : 'self';
    case 'xargs': {
      const p = parseArgs(args, { values: ['-n', '--max-args', '-I', '-i', '--replace', '-L', '--max-lines', '-P', '--max-procs', '-d', '--delimiter', '-E', '--eof', '-s', '--max-chars', '-a', '--arg-file'], stopAtPositional: true });
      const cmd = p.positionals.length ? [...p.positionals, ...p.rest] : ['echo'];
      return { argv: cmd, extraUpstream: true };
    }
    case 'watch': {
      const p = parseArgs(args, { values: ['-n', '--interval', '-q', '--equexit'], stopAtPositional: true });
      const cmd = [...p.positionals, ...p.rest];
      if (cmd.length === 0) return 'self';
      // watch hands its words to `sh -c` unless -x.
      const argv = has(p, '-x', '--exec') ? cmd : ['sh', '-c', cmd.join(' ')];
      return { argv, flags: { streaming: !has(p, '-g', '--chgexit') } };
    }
    case 'eval':
      return args.length ? { argv: ['sh', '-c', args.join(' ')] } : 'self';
    default:
      return null;
  }
}

/* ---------------------------------------------------------------- the table */

function fileOp(op: 'delete' | 'move' | 'copy' | 'edit' | 'create' | 'mode' | 'truncate' | 'write', paths: string[], recursive = false): Effect {
  return { type: 'file', op, paths, recursive };
}

function rmDraft(prog: string, args: string[]): Draft {
  const p = parseArgs(args, { values: ['-n', '--iterations', '-s', '--size'] });
  const recursive = has(p, '-r', '-R', '--recursive');
  const paths = p.positionals;
  const words = paths.join(' ');
  const glob = /[*?[]/.test(words);
  if (paths.length === 0) return ro(`${prog} with no files (does nothing)`);
  if (prog === 'rmdir') return change(`removes the empty director${paths.length > 1 ? 'ies' : 'y'} ${words}`, { targeted: true }, [fileOp('delete', paths)]);
  if (prog === 'shred') return { tier: 'destructive', summary: `overwrites and destroys ${words}`, effects: [fileOp('delete', paths)] };
  if (!recursive && !glob && paths.every(isScratchPath)) return change(`deletes the scratch file${paths.length > 1 ? 's' : ''} ${words}`, { targeted: paths.length === 1 }, [fileOp('delete', paths)]);
  return {
    tier: 'destructive',
    summary: `${recursive ? 'recursively deletes' : 'deletes'} ${words}${paths.some((x) => normPath(x) === '/') ? ' (the whole filesystem)' : ''}`,
    effects: [fileOp('delete', paths, recursive)],
  };
}

function findDraft(args: string[], ctx: ArgvContext, r: Recurse): Draft {
  const paths: string[] = [];
  let i = 0;
  while (i < args.length && !/^[-(!]/.test(args[i] as string)) paths.push(args[i++] as string);
  const expr = args.slice(i);
  const maxdepth = expr.includes('-maxdepth');
  const searchRoots = paths.length ? paths : ['.'];
  const heavy = searchRoots.some((p) => normPath(p) === '/') && !maxdepth;
  if (expr.includes('-delete')) {
    return { tier: 'destructive', summary: `deletes every file find matches under ${searchRoots.join(' ')}`, effects: [fileOp('delete', searchRoots, true)], flags: { heavy } };
  }
  const execAt = expr.findIndex((e) => /^-(exec|execdir|ok|okdir)$/.test(e));
  if (execAt !== -1) {
    const end = expr.findIndex((e, k) => k > execAt && (e === ';' || e === '+'));
    const cmd = expr.slice(execAt + 1, end === -1 ? undefined : end).map((a) => (a === '{}' ? '/matched/file' : a));
    const inner = r.argv(cmd, { ...ctx, upstream: [], downstream: [], words: undefined, depth: ctx.depth + 1 });
    const cmdProg = basename(cmd[0] ?? '');
    const destroys = cmdProg === 'rm' || cmdProg === 'shred' || cmdProg === 'unlink' || inner.tier === 'destructive';
    const tier: Tier = destroys ? 'destructive' : maxTier([inner.tier, 'read-only']);
    return { tier, summary: `runs ${cmdProg || 'a command'} on every file find matches under ${searchRoots.join(' ')}`, effects: inner.effects, flags: { ...inner.flags, heavy: heavy || inner.flags.heavy }, observes: ['filesystem', ...inner.observes], inner };
  }
  const writes = expr.some((e) => /^-f(print|print0|printf|ls)$/.test(e));
  return ro(`searches files under ${searchRoots.join(' ')}${heavy ? ' (the whole filesystem, no -maxdepth)' : ''}`, ['filesystem'], { heavy, writesFile: writes });
}

function duDraft(args: string[]): Draft {
  const p = parseArgs(args, { values: ['-d', '--max-depth', '-B', '--block-size', '-t', '--threshold', '--exclude', '-X', '--exclude-from', '--time-style'] });
  const paths = p.positionals.length ? p.positionals : ['.'];
  const depthLimited = has(p, '-d', '--max-depth');
  const heavy = paths.some((x) => normPath(x) === '/') || (!depthLimited && paths.some((x) => BIG_TREES.has(normPath(x))));
  return ro(`measures disk usage under ${paths.join(' ')}${heavy ? ' (walks a large tree)' : ''}`, ['disk'], { heavy });
}

function grepDraft(prog: string, args: string[]): Draft {
  const p = parseArgs(args, { values: ['-e', '--regexp', '-f', '--file', '-m', '--max-count', '-A', '--after-context', '-B', '--before-context', '-C', '--context', '--include', '--exclude', '--exclude-dir', '--color', '--colour', '-d', '--directories', '-D', '--devices', '--label', '-g', '--glob', '-t', '--type', '-T', '--type-not', '-j', '--threads', '--max-depth', '--max-filesize'] });
  const explicit = values(p, '-e', '--regexp');
  const pattern = explicit[0] ?? p.positionals[0] ?? '';
  const files = explicit.length ? p.positionals : p.positionals.slice(1);
  const recursive = has(p, '-r', '-R', '--recursive') || prog === 'rg' || prog === 'ag';
  const heavy = recursive && files.some((f) => normPath(f) === '/' || BIG_TREES.has(normPath(f)));
  const base = files.length ? readPaths(files, `searches ${JSON.stringify(pattern)} in`) : ro(`filters lines matching ${JSON.stringify(pattern)}`);
  const sensitive = SENSITIVE_NAME.test(pattern) && files.some((f) => pathInfo(f).observes.includes('env') || pathInfo(f).secrets);
  return { ...base, flags: { ...base.flags, heavy, secrets: Boolean(base.flags?.secrets) || sensitive } };
}

function catLike(prog: string, args: string[]): Draft {
  const valueOpts = prog === 'tail' || prog === 'head' ? ['-n', '--lines', '-c', '--bytes', '-s', '--sleep-interval', '--pid', '--max-unchanged-stats'] : prog === 'less' || prog === 'more' ? ['-x', '-y', '-b', '-h', '-j', '-p', '-P', '-t', '-T', '-z'] : [];
  const p = parseArgs(args, { values: valueOpts, numericOptions: true });
  const paths = p.positionals.filter((x) => !x.startsWith('+'));
  const follow = (prog === 'tail' && has(p, '-f', '-F', '--follow', '--retry')) || ((prog === 'less') && args.includes('+F'));
  const verb = prog === 'tail' ? (follow ? 'follows' : 'reads the end of') : prog === 'head' ? 'reads the start of' : prog === 'less' || prog === 'more' || prog === 'most' ? 'pages through' : prog === 'wc' ? 'counts lines of' : prog === 'stat' || prog === 'file' ? 'describes' : 'prints';
  const d = readPaths(paths, verb, { streaming: follow });
  return d;
}

function vmstatLike(prog: string, args: string[]): Draft {
  const p = parseArgs(args, { values: ['-d', '-p', '-S', '--unit', '-t', '-c', '--count', '-o', '-P', '-u', '-p'] });
  const numbers = p.positionals.filter((x) => /^\d+(\.\d+)?$/.test(x));
  // An interval without a count samples forever.
  const streaming = numbers.length === 1 && !has(p, '-c', '--count');
  return ro(`${prog}: ${streaming ? 'samples resource usage until stopped' : 'reports resource usage'}`, ['resources'], { streaming });
}

function topDraft(prog: string, args: string[], ctx: ArgvContext): Draft {
  const p = parseArgs(args, { values: ['-n', '-d', '-p', '-u', '-U', '-o', '-O', '-w', '-E', '-e', '-s'] });
  const batch = has(p, '-b') || (prog === 'iotop' && has(p, '-b', '--batch'));
  const bounded = has(p, '-n', '--iter');
  if (batch) return ro(`${prog} -b: ${bounded ? 'prints process and resource usage' : 'prints process and resource usage until stopped'}`, ['processes', 'resources'], { streaming: !bounded });
  if (!ctx.tty) return ro(`${prog} without a terminal (it cannot draw and exits)`);
  return { tier: 'interactive', summary: `opens ${prog}, an interactive view that refreshes until closed`, observes: ['processes', 'resources'], flags: { streaming: true } };
}

function envDraft(prog: string, args: string[]): Draft {
  const names = args.filter((a) => !a.startsWith('-'));
  if (names.length === 0) return ro(`${prog}: prints every environment variable`, ['env'], { secrets: true });
  return { tier: 'read-only', summary: `${prog}: prints ${names.join(', ')}`, observes: ['env'], flags: { secrets: names.some((n) => SENSITIVE_NAME.test(n)) }, effects: [{ type: 'env', names }] };
}

function echoDraft(words?: ShellWord[]): Draft {
  const vars = (words ?? []).flatMap((w) => [...w.raw.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1] as string));
  const sensitive = vars.filter((v) => SENSITIVE_NAME.test(v));
  if (sensitive.length > 0) return { tier: 'read-only', summary: `prints ${sensitive.map((v) => `$${v}`).join(', ')}`, observes: ['env'], flags: { secrets: true }, effects: [{ type: 'env', names: sensitive }] };
  return ro('prints text');
}

function editorDraft(prog: string, args: string[], ctx: ArgvContext): Draft {
  const files = args.filter((a) => !a.startsWith('-') && !a.startsWith('+'));
  if (files.length === 0) return ctx.stdin.kind === 'terminal' ? { tier: 'interactive', summary: `opens the ${prog} editor` } : ro(`${prog} with no terminal`);
  if (ctx.where === 'container') {
    return { tier: 'change', summary: `edits ${files.join(', ')} in place inside the container`, flags: { writesFile: true, targeted: true }, effects: [fileOp('edit', files)] };
  }
  return change(`edits ${files.join(', ')} in the console`, { writesFile: true }, [fileOp('edit', files)]);
}

function langDraft(prog: string, args: string[], ctx: ArgvContext): Draft {
  const p = parseArgs(args, { values: ['-c', '-e', '-m', '-W', '-X', '-r', '--require', '-E', '--eval', '-p', '--print', '-I'], stopAtPositional: true });
  if (has(p, '-V', '--version', '-v', '--help', '-h') && p.positionals.length === 0 && !has(p, '-c', '-e', '-E', '--eval')) return ro(`${prog}: prints its version`);
  const mod = value(p, '-m');
  if (mod === 'json.tool') return ro('pretty-prints JSON');
  if (mod === 'pip') return packageDraft('pip', [...p.positionals, ...p.rest]);
  if (prog.startsWith('perl') && has(p, '-i') && has(p, '-e', '-p', '-n')) return change('perl -i: edits files in place', { writesFile: true });
  if (has(p, '-c', '-e', '-E', '--eval', '-p', '--print') || mod) return unknown(`runs inline ${prog} code Sickbay cannot judge`);
  if (p.positionals.length > 0) return unknown(`runs the ${prog} script ${p.positionals[0]}`);
  if (ctx.stdin.kind === 'text' || ctx.stdin.kind === 'unknown') return unknown(`runs ${prog} code from standard input`);
  if (ctx.stdin.kind === 'terminal') return { tier: 'interactive', summary: `opens a ${prog} prompt`, effects: [{ type: 'shell', program: prog }] };
  return ro(`starts ${prog} with no input (it exits at once)`);
}

const READ_ONLY_SIMPLE: Record<string, [string, Observation[]]> = {
  ps: ['lists processes', ['processes', 'resources']],
  pstree: ['shows the process tree', ['processes']],
  free: ['shows memory usage', ['resources']],
  uptime: ['shows load averages', ['resources']],
  w: ['shows load and logged-in users', ['resources']],
  nproc: ['counts CPUs', ['resources']],
  lscpu: ['describes the CPUs', ['resources']],
  lsmem: ['describes memory', ['resources']],
  df: ['shows free disk space', ['disk']],
  lsblk: ['lists block devices', ['disk']],
  findmnt: ['lists mounts', ['disk']],
  blkid: ['lists block devices', ['disk']],
  ss: ['lists sockets', ['network']],
  netstat: ['lists sockets and connections', ['network']],
  arp: ['shows the ARP table', ['network']],
  ls: ['lists files', ['filesystem']],
  tree: ['lists a directory tree', ['filesystem']],
  stat: ['describes files', ['filesystem']],
  file: ['describes files', ['filesystem']],
  readlink: ['resolves a link', ['filesystem']],
  realpath: ['resolves a path', ['filesystem']],
  which: ['finds a program', []],
  whereis: ['finds a program', []],
  type: ['describes a command', []],
  locate: ['searches the file index', ['filesystem']],
  id: ['shows the current user', []],
  whoami: ['shows the current user', []],
  groups: ['shows groups', []],
  hostname: ['shows the hostname', ['config']],
  uname: ['shows the kernel version', ['kernel']],
  date: ['shows the date', []],
  pwd: ['shows the directory', []],
  cd: ['changes directory', []],
  pushd: ['changes directory', []],
  popd: ['changes directory', []],
  printf: ['prints text', []],
  true: ['does nothing', []],
  false: ['does nothing', []],
  ':': ['does nothing', []],
  test: ['tests a condition', []],
  '[': ['tests a condition', []],
  '[[': ['tests a condition', []],
  sleep: ['waits', []],
  seq: ['prints numbers', []],
  history: ['shows command history', []],
  clear: ['clears the screen', []],
  reset: ['resets the terminal', []],
  exit: ['leaves the shell', []],
  logout: ['leaves the shell', []],
  alias: ['defines a shell alias', []],
  unset: ['unsets a shell variable', []],
  unalias: ['removes an alias', []],
  shopt: ['sets a shell option', []],
  jobs: ['lists background jobs', []],
  fg: ['brings a job to the foreground', []],
  bg: ['resumes a job in the background', []],
  wait: ['waits for background jobs', []],
  read: ['reads input', []],
  trap: ['sets a signal handler in the shell', []],
  tty: ['shows the terminal', []],
  stty: ['sets terminal options', []],
  tput: ['queries the terminal', []],
  locale: ['shows locale settings', ['config']],
  man: ['opens a manual page', []],
  help: ['shows shell help', []],
  info: ['opens an info page', []],
  basename: ['strips a path', []],
  dirname: ['strips a path', []],
  bc: ['calculates', []],
  expr: ['calculates', []],
  cal: ['shows a calendar', []],
  getent: ['looks up a name', ['network', 'config']],
  nslookup: ['resolves a name', ['connectivity']],
  dig: ['resolves a name', ['connectivity']],
  host: ['resolves a name', ['connectivity']],
  drill: ['resolves a name', ['connectivity']],
  ifconfig: ['shows interfaces', ['network']],
  route: ['shows routes', ['network']],
  ethtool: ['shows interface settings', ['network']],
  pgrep: ['finds processes by name', ['processes']],
  pidof: ['finds the PIDs of a program', ['processes']],
  lsns: ['lists namespaces', ['processes']],
  ulimit: ['shows or sets shell limits', ['config']],
  umask: ['shows the file mode mask', []],
  pg_isready: ['checks that Postgres accepts connections', ['connectivity']],
  iptables_save: ['prints firewall rules', ['firewall']],
  'iptables-save': ['prints firewall rules', ['firewall']],
  'ip6tables-save': ['prints firewall rules', ['firewall']],
  sort: ['sorts lines', []],
  uniq: ['filters repeated lines', []],
  cut: ['cuts columns', []],
  tr: ['translates characters', []],
  jq: ['filters JSON', []],
  yq: ['filters YAML', []],
  column: ['formats columns', []],
  paste: ['joins lines', []],
  join: ['joins files', []],
  fold: ['wraps lines', []],
  fmt: ['formats text', []],
  rev: ['reverses lines', []],
  comm: ['compares sorted files', []],
  nl: ['numbers lines', []],
  numfmt: ['formats numbers', []],
  wc: ['counts lines', []],
  diff: ['compares files', ['filesystem']],
  cmp: ['compares files', ['filesystem']],
  md5sum: ['checksums files', ['filesystem']],
  sha256sum: ['checksums files', ['filesystem']],
  sha1sum: ['checksums files', ['filesystem']],
  base64: ['encodes text', []],
  xxd: ['dumps bytes', ['filesystem']],
  hexdump: ['dumps bytes', ['filesystem']],
  od: ['dumps bytes', ['filesystem']],
  strings: ['prints strings from a file', ['filesystem']],
  lsmod: ['lists kernel modules', ['kernel']],
  lspci: ['lists devices', ['kernel']],
  getconf: ['shows system settings', ['config']],
};

/** Classifies one argv (no wrappers left). */
function programDraft(prog: string, args: string[], ctx: ArgvContext, r: Recurse): Draft {
  switch (prog) {
    case 'docker':
    case 'podman':
    case 'nerdctl':
      return r.docker(args, ctx);
    case 'kill':
    case 'pkill':
    case 'killall':
    case 'skill':
    case 'slay':
      return killDraft(prog, args, ctx);
    case 'fuser': {
      if (args.some((a) => /^-[a-zA-Z]*k/.test(a))) return change(`fuser -k: kills every process using ${args.filter((a) => !a.startsWith('-')).join(' ')}`, { targeted: false }, [{ type: 'kill', signal: 'KILL', pids: [], names: args.filter((a) => !a.startsWith('-')), broad: true, pid1: false, via: 'fuser' }]);
      return ro('lists processes using a file or port', ['processes', 'filesystem']);
    }
    case 'top':
    case 'htop':
    case 'atop':
    case 'btop':
    case 'glances':
    case 'iotop':
    case 'iftop':
    case 'nethogs':
    case 'nload':
    case 'bmon':
    case 'ctop':
      return topDraft(prog, args, ctx);
    case 'vmstat':
    case 'iostat':
    case 'mpstat':
    case 'sar':
    case 'pidstat':
    case 'dstat':
      return vmstatLike(prog, args);
    case 'cat':
    case 'tac':
    case 'head':
    case 'tail':
    case 'less':
    case 'more':
    case 'most':
    case 'zcat':
    case 'zless':
    case 'bat':
    case 'batcat':
      return catLike(prog, args);
    case 'grep':
    case 'egrep':
    case 'fgrep':
    case 'zgrep':
    case 'rg':
    case 'ag':
    case 'ack':
      return grepDraft(prog, args);
    case 'sed': {
      const p = parseArgs(args, { values: ['-e', '--expression', '-f', '--file', '-l', '--line-length'] });
      if (has(p, '-i', '--in-place') || args.some((a) => /^-[a-zA-Z]*i/.test(a) && !a.startsWith('--'))) {
        const files = (values(p, '-e', '--expression').length ? p.positionals : p.positionals.slice(1));
        return change(`sed -i: edits ${files.join(', ') || 'files'} in place`, { writesFile: true, targeted: true }, [fileOp('edit', files)]);
      }
      return ro('filters text with sed');
    }
    case 'awk':
    case 'gawk':
    case 'mawk':
    case 'nawk': {
      const program = args.find((a) => !a.startsWith('-')) ?? '';
      if (/system\s*\(|\|\s*"|print[^;]*>\s*"/.test(program)) return unknown('awk program that runs commands or writes files');
      const files = args.filter((a) => !a.startsWith('-')).slice(1);
      return files.length ? readPaths(files, 'extracts fields from') : ro('extracts fields with awk');
    }
    case 'ps':
      return ro('lists processes', ['processes', 'resources']);
    case 'find':
      return findDraft(args, ctx, r);
    case 'du':
      return duDraft(args);
    case 'lsof': {
      const p = parseArgs(args, { values: ['-p', '-u', '-c', '-g', '-d', '+d', '+D', '-s', '-F', '-r', '-T'] });
      const filtered = has(p, '-p', '-u', '-c', '-g', '-i', '-d', '+d', '+D') || p.positionals.length > 0;
      return ro(`lists open files${filtered ? '' : ' of every process (slow on a busy system)'}`, ['processes', 'filesystem', 'network'], { heavy: !filtered });
    }
    case 'ss': {
      if (args.some((a) => a === '-K' || a === '--kill')) return change('ss -K: closes matching sockets', { targeted: false });
      return ro('lists sockets', ['network']);
    }
    case 'ip':
      return ipDraft(args);
    case 'ifconfig':
      return args.filter((a) => !a.startsWith('-')).length > 1 ? change('ifconfig: changes an interface', { targeted: true }, [{ type: 'network', op: 'ifconfig', detail: quoteArgv(args) }]) : ro('shows interfaces', ['network']);
    case 'route':
      return /^(add|del)$/.test(args.find((a) => !a.startsWith('-')) ?? '') ? change('route: changes the routing table', { targeted: true }, [{ type: 'network', op: 'route', detail: quoteArgv(args) }]) : ro('shows routes', ['network']);
    case 'iptables':
    case 'ip6tables':
    case 'iptables-legacy':
    case 'iptables-nft':
      return iptablesDraft(prog, args);
    case 'iptables-restore':
    case 'ip6tables-restore':
      return change(`${prog}: replaces firewall rules`, { targeted: false }, [{ type: 'network', op: 'firewall-restore' }]);
    case 'nft': {
      const verb = args.find((a) => !a.startsWith('-')) ?? 'list';
      if (/^(list|describe|monitor)$/.test(verb)) return ro('lists nftables rules', ['firewall'], { streaming: verb === 'monitor' });
      return change(`nft ${verb}: changes firewall rules`, { targeted: !/^flush$/.test(verb) }, [{ type: 'network', op: 'firewall', detail: quoteArgv(args) }]);
    }
    case 'tc':
      return tcDraft(args);
    case 'ping':
    case 'ping6':
    case 'arping': {
      const bounded = args.some((a) => /^-[a-zA-Z]*c/.test(a) || /^-[a-zA-Z]*w/.test(a) || a === '--count');
      return ro(`${prog}: tests reachability${bounded ? '' : ' until stopped'}`, ['connectivity'], { networkTest: true, streaming: !bounded });
    }
    case 'traceroute':
    case 'tracepath':
    case 'tcptraceroute':
      return ro(`${prog}: traces the route`, ['connectivity'], { networkTest: true });
    case 'mtr':
      return args.some((a) => /^-[a-zA-Z]*r/.test(a) || a === '--report' || a === '-w')
        ? ro('mtr --report: traces the route', ['connectivity'], { networkTest: true })
        : ctx.tty
          ? { tier: 'interactive', summary: 'opens mtr, a live route view', observes: ['connectivity'], flags: { networkTest: true, streaming: true } }
          : ro('mtr: traces the route', ['connectivity'], { networkTest: true });
    case 'nslookup':
    case 'dig':
    case 'host':
    case 'drill':
      return ro(`${prog}: resolves a name`, ['connectivity'], { networkTest: true });
    case 'getent':
      // getent hosts NAME is the name-resolution test of minimal images (no dig there).
      if (/^(hosts|ahosts|ahostsv4|ahostsv6)$/.test(args[0] ?? '')) return ro(`getent ${args[0]}: resolves a name`, ['connectivity', 'network'], { networkTest: true });
      return ro('looks up a name', ['network', 'config']);
    case 'nc':
    case 'ncat':
    case 'netcat':
    case 'socat':
    case 'telnet': {
      if (args.some((a) => /^-[a-zA-Z]*l/.test(a)) && prog !== 'telnet') return change(`${prog} -l: opens a listening port`, { targeted: true });
      const scan = args.some((a) => /^-[a-zA-Z]*z/.test(a));
      if (!scan && ctx.stdin.kind === 'terminal' && (prog === 'telnet' || prog === 'nc' || prog === 'ncat' || prog === 'netcat')) {
        return { tier: 'interactive', summary: `${prog}: opens a raw connection`, observes: ['connectivity'], flags: { networkTest: true } };
      }
      return ro(`${prog}: tests a port`, ['connectivity'], { networkTest: true });
    }
    case 'openssl':
      return args[0] === 's_client' ? ro('openssl s_client: tests a TLS endpoint', ['connectivity'], { networkTest: true }) : unknown('runs openssl');
    case 'curl':
      return curlDraft(args);
    case 'wget':
      return wgetDraft(args);
    case 'env':
    case 'printenv':
      return envDraft(prog, args);
    case 'set':
      return args.length === 0 ? ro('set: prints every shell variable', ['env'], { secrets: true }) : ro('sets a shell option');
    case 'export':
    case 'declare':
    case 'typeset':
      return args.length === 0 || args.every((a) => a === '-p' || a === '-x' || a === '-px') ? ro(`${prog}: prints exported variables`, ['env'], { secrets: true }) : ro('sets a shell variable');
    case 'echo':
      return echoDraft(ctx.words);
    case 'rm':
    case 'unlink':
    case 'shred':
    case 'rmdir':
      return rmDraft(prog, args);
    case 'mv':
      return args.length ? change(`moves ${args.filter((a) => !a.startsWith('-')).join(' -> ')}`, { targeted: true, writesFile: true }, [fileOp('move', args.filter((a) => !a.startsWith('-')))]) : ro('mv with nothing to move');
    case 'cp':
      return change(`copies ${args.filter((a) => !a.startsWith('-')).join(' -> ')}`, { targeted: true, writesFile: true }, [fileOp('copy', args.filter((a) => !a.startsWith('-')))]);
    case 'truncate': {
      const p = parseArgs(args, { values: ['-s', '--size', '-r', '--reference', '-o'] });
      const size = value(p, '-s', '--size') ?? '';
      if (/^\+/.test(size)) return change(`grows ${p.positionals.join(' ')}`, { writesFile: true }, [fileOp('truncate', p.positionals)]);
      if (size === '0' && p.positionals.length > 0 && p.positionals.every(isProcFdPath)) {
        return change(emptiesDescriptors(p.positionals), { targeted: true, writesFile: true }, [fileOp('truncate', p.positionals)]);
      }
      return { tier: 'destructive', summary: `truncates ${p.positionals.join(' ') || 'a file'}${size === '0' ? ' to nothing' : ` to ${size}`}`, flags: { writesFile: true }, effects: [fileOp('truncate', p.positionals)] };
    }
    case 'tee': {
      const files = args.filter((a) => !a.startsWith('-') && !DEV_NULLISH.test(a));
      if (files.length === 0) return ro('copies its input to the screen');
      return change(`writes its input to ${files.join(', ')}`, { writesFile: true, targeted: true }, [fileOp(args.includes('-a') || args.includes('--append') ? 'write' : 'write', files)]);
    }
    case 'dd': {
      const of = args.find((a) => a.startsWith('of='))?.slice(3);
      if (!of) return ro('dd: reads raw data', ['filesystem'], { heavy: true });
      if (/^\/dev\/(sd|nvme|xvd|vd|hd|disk|mapper|mmcblk)/.test(of)) return { tier: 'destructive', summary: `dd: overwrites the device ${of}`, effects: [fileOp('write', [of])] };
      if (DEV_NULLISH.test(of)) return ro('dd: reads raw data', ['filesystem'], { heavy: true });
      return change(`dd: writes ${of}`, { writesFile: true, heavy: true, targeted: true }, [fileOp('write', [of])]);
    }
    case 'chmod':
    case 'chown':
    case 'chgrp':
    case 'chattr':
    case 'setfacl':
      return change(`${prog}: changes permissions of ${args.filter((a) => !a.startsWith('-')).slice(1).join(' ')}`, { targeted: !args.some((a) => /^-[a-zA-Z]*R/.test(a)) }, [fileOp('mode', args.filter((a) => !a.startsWith('-')).slice(1))]);
    case 'touch':
    case 'mkdir':
    case 'ln':
    case 'mkfifo':
    case 'install':
      return change(`${prog}: creates ${args.filter((a) => !a.startsWith('-')).join(' ')}`, { targeted: true, writesFile: true }, [fileOp('create', args.filter((a) => !a.startsWith('-')))]);
    case 'vi':
    case 'vim':
    case 'nvim':
    case 'nano':
    case 'emacs':
    case 'ed':
    case 'pico':
    case 'joe':
    case 'micro':
    case 'mcedit':
      return editorDraft(prog, args, ctx);
    case 'apt':
    case 'apt-get':
    case 'aptitude':
    case 'apt-cache':
    case 'apk':
    case 'yum':
    case 'dnf':
    case 'microdnf':
    case 'zypper':
    case 'pip':
    case 'pip3':
    case 'pipx':
    case 'npm':
    case 'pnpm':
    case 'yarn':
    case 'gem':
    case 'cargo':
    case 'conda':
    case 'uv':
    case 'poetry':
      return packageDraft(prog, args);
    case 'dpkg':
    case 'rpm': {
      if (args.some((a) => /^(-i|--install|-r|--remove|-P|--purge|-e|--erase|-U|--upgrade|-ivh|-Uvh)$/.test(a))) {
        return { tier: 'change', summary: `${prog}: installs or removes packages in a running container`, flags: { packageInstall: true }, effects: [{ type: 'package', manager: prog, op: 'install', packages: args.filter((a) => !a.startsWith('-')) }] };
      }
      return ro(`${prog}: reads package data`, ['packages']);
    }
    case 'service': {
      const nonOpt = args.filter((a) => !a.startsWith('-') || a === '--status-all');
      if (nonOpt[0] === '--status-all') return ro('service --status-all: lists services', ['state']);
      return serviceDraft(nonOpt[0], nonOpt[1] ?? 'status', 'service');
    }
    case 'systemctl': {
      const nonOpt = args.filter((a) => !a.startsWith('-'));
      return serviceDraft(nonOpt[1], nonOpt[0] ?? 'list-units', 'systemctl');
    }
    case 'rc-service': {
      const nonOpt = args.filter((a) => !a.startsWith('-'));
      return serviceDraft(nonOpt[0], nonOpt[1] ?? 'status', 'rc-service');
    }
    case 'supervisorctl': {
      const nonOpt = args.filter((a) => !a.startsWith('-'));
      return serviceDraft(nonOpt[1], nonOpt[0] ?? 'status', 'supervisorctl');
    }
    case 'sv': {
      const nonOpt = args.filter((a) => !a.startsWith('-'));
      return serviceDraft(nonOpt[1], nonOpt[0] ?? 'status', 'sv');
    }
    case 'pm2': {
      const nonOpt = args.filter((a) => !a.startsWith('-'));
      if (nonOpt[0] === 'logs' || nonOpt[0] === 'monit') return ro(`pm2 ${nonOpt[0]}: follows until stopped`, ['logs'], { streaming: true });
      if (nonOpt[0] === 'list' || nonOpt[0] === 'ls' || nonOpt[0] === 'status' || nonOpt[0] === 'show' || nonOpt[0] === 'describe') return ro('pm2: lists processes', ['processes']);
      return serviceDraft(nonOpt[1], nonOpt[0] ?? 'list', 'pm2');
    }
    case 'shutdown':
    case 'reboot':
    case 'halt':
    case 'poweroff':
      return { tier: 'state-losing', summary: `${prog}: stops the whole system` };
    case 'init':
    case 'telinit':
      return args.length ? { tier: 'state-losing', summary: `${prog} ${args[0]}: changes the run level` } : unknown(prog);
    case 'pg_ctl':
    case 'pg_ctlcluster': {
      const verb = args.find((a) => /^(start|stop|restart|reload|status|promote|kill)$/.test(a)) ?? 'status';
      return serviceDraft('postgres', verb, prog);
    }
    case 'pg_dump':
    case 'pg_dumpall':
    case 'mysqldump':
      return { tier: 'snapshot', summary: `${prog}: dumps the database (a copy of the data; heavy on big tables)`, flags: { heavy: true }, observes: ['db-data'] };
    case 'pg_restore':
      return change(`${prog}: restores a dump into the database`, { targeted: false });
    case 'vacuumdb':
      return change('vacuumdb: vacuums databases', { heavy: args.some((a) => a === '-f' || a === '--full'), locking: args.some((a) => a === '-f' || a === '--full'), targeted: true });
    case 'reindexdb':
      return change('reindexdb: rebuilds indexes', { heavy: true, locking: !args.includes('--concurrently'), targeted: true });
    case 'dropdb':
      return { tier: 'destructive', summary: 'dropdb: deletes a database' };
    case 'createdb':
      return change('createdb: creates a database');
    case 'psql':
      return psqlDraft(args, ctx, r);
    case 'mysql':
    case 'mariadb': {
      const p = parseArgs(args, { values: ['-e', '--execute', '-u', '--user', '-h', '--host', '-P', '--port', '-D', '--database', '-S', '--socket'] });
      const sql = values(p, '-e', '--execute');
      if (sql.length) return sqlDraft(prog, sql.join(';\n'), ctx, r);
      return sqlFromStdin(prog, ctx, r);
    }
    case 'redis-cli':
      return redisDraft(args, ctx);
    case 'sqlite3': {
      const positional = args.filter((a) => !a.startsWith('-'));
      if (positional.length >= 2) return sqlDraft('sqlite3', positional.slice(1).join(';\n'), ctx, r);
      return sqlFromStdin('sqlite3', ctx, r);
    }
    case 'strace':
    case 'ltrace': {
      const out = args[args.indexOf('-o') + 1];
      return ro(`${prog}: traces system calls (slows the traced process a lot)`, ['processes'], { heavy: true, streaming: args.includes('-p'), writesFile: args.includes('-o') && out !== undefined });
    }
    case 'gdb':
      return args.some((a) => a === '-batch' || a === '--batch')
        ? ro('gdb -batch: attaches to a process and reads its state (it pauses while attached)', ['processes'], { heavy: true })
        : ctx.stdin.kind === 'terminal'
          ? { tier: 'interactive', summary: 'opens gdb (an attached process stays paused while stopped in it)', observes: ['processes'], flags: { heavy: true } }
          : ro('gdb without a terminal', ['processes']);
    case 'gcore':
      return { tier: 'snapshot', summary: 'gcore: writes a core dump of a process (it pauses while dumping)', flags: { heavy: true, writesFile: true }, observes: ['processes'] };
    case 'jmap':
      return args.some((a) => a.startsWith('-dump')) ? { tier: 'snapshot', summary: 'jmap -dump: writes a heap dump (pauses the JVM)', flags: { heavy: true, writesFile: true }, observes: ['processes'] } : ro('jmap: reads JVM memory', ['processes', 'resources'], { heavy: true });
    case 'jstack':
    case 'pstack':
      return ro(`${prog}: prints thread stacks`, ['processes']);
    case 'jcmd':
      return args.some((a) => /GC\.heap_dump|Thread\.print/.test(a) && a.startsWith('GC.heap_dump')) ? { tier: 'snapshot', summary: 'jcmd GC.heap_dump: writes a heap dump', flags: { heavy: true, writesFile: true }, observes: ['processes'] } : ro('jcmd: queries a JVM', ['processes']);
    case 'py-spy': {
      const sub = args[0] ?? '';
      if (sub === 'dump') return ro('py-spy dump: prints Python stacks', ['processes']);
      if (sub === 'top') return ctx.tty ? { tier: 'interactive', summary: 'py-spy top: a live profile view', observes: ['processes'], flags: { streaming: true } } : ro('py-spy top', ['processes'], { streaming: true });
      if (sub === 'record') return ro('py-spy record: profiles a process into a file', ['processes'], { heavy: true, writesFile: true });
      return unknown('runs py-spy');
    }
    case 'perf': {
      const sub = args[0] ?? '';
      if (sub === 'top') return { tier: ctx.tty ? 'interactive' : 'read-only', summary: 'perf top: live profile', observes: ['processes'], flags: { heavy: true, streaming: true } };
      return ro(`perf ${sub}: profiles (adds overhead)`, ['processes'], { heavy: true, writesFile: sub === 'record' });
    }
    case 'tcpdump':
    case 'tshark': {
      const bounded = args.some((a) => /^-[a-zA-Z]*c/.test(a));
      const write = args.some((a) => /^-[a-zA-Z]*w/.test(a));
      return ro(`${prog}: captures packets${bounded ? '' : ' until stopped'}`, ['network'], { streaming: !bounded, writesFile: write });
    }
    case 'ab':
    case 'wrk':
    case 'hey':
    case 'siege':
    case 'vegeta':
    case 'k6':
    case 'locust':
    case 'pgbench':
    case 'sysbench':
      return { tier: 'change', summary: `${prog}: generates load against a service`, flags: { heavy: true, networkTest: true }, observes: ['connectivity'] };
    case 'stress':
    case 'stress-ng':
      return { tier: 'change', summary: `${prog}: burns CPU/memory on purpose`, flags: { heavy: true } };
    case 'dmesg': {
      if (args.some((a) => /^(-C|--clear|-c|--read-clear)$/.test(a))) return change('dmesg -C: clears the kernel log (OOM-kill records with it)', { targeted: false });
      const follow = args.some((a) => a === '-w' || a === '--follow' || a === '-W');
      return ro('reads the kernel log', ['kernel', 'logs'], { streaming: follow });
    }
    case 'journalctl': {
      if (args.some((a) => /^--(vacuum|rotate|flush)/.test(a))) return change('journalctl: rotates or deletes journal files', { targeted: false });
      return ro('reads the journal', ['logs'], { streaming: args.some((a) => a === '-f' || a === '--follow' || /^-[a-zA-Z]*f/.test(a)) });
    }
    case 'sysctl': {
      if (args.some((a) => a === '-w' || a === '--write' || a === '-p' || a === '--load' || (a.includes('=') && !a.startsWith('-')))) return change('sysctl: changes a kernel setting', { targeted: true }, [{ type: 'limits', detail: quoteArgv(args) }]);
      return ro('reads kernel settings', ['kernel', 'config']);
    }
    case 'renice':
    case 'ionice':
    case 'taskset':
    case 'chrt':
    case 'prlimit': {
      if (args.some((a) => a === '-p' || a === '--pid' || /^-[a-zA-Z]*p$/.test(a)) || prog === 'renice') {
        const writesLimit = prog !== 'prlimit' || args.some((a) => /^--\w+=/.test(a));
        if (!writesLimit) return ro('prlimit: shows process limits', ['processes', 'config']);
        return change(`${prog}: changes the priority or limits of one process`, { targeted: true }, [{ type: 'limits', detail: quoteArgv(args) }]);
      }
      return ro(`${prog}: shows scheduling settings`, ['processes']);
    }
    case 'crontab': {
      if (args.includes('-l')) return ro('crontab -l: lists scheduled jobs', ['config']);
      if (args.includes('-r')) return { tier: 'destructive', summary: 'crontab -r: deletes every scheduled job' };
      return change('crontab: changes scheduled jobs', { targeted: true });
    }
    case 'mount':
    case 'umount':
      return args.length === 0 || (prog === 'mount' && args.every((a) => a.startsWith('-') && /^-[lv]+$/.test(a))) ? ro('lists mounts', ['disk']) : change(`${prog}: changes mounts`, { targeted: true });
    case 'tar': {
      const mode = args[0] ?? '';
      if (/t/.test(mode.replace(/^-/, '')) && !/[cx]/.test(mode.replace(/^-/, ''))) return ro('lists an archive', ['filesystem']);
      if (/x/.test(mode)) return change('tar: unpacks an archive', { writesFile: true, targeted: true });
      if (/c/.test(mode)) return change('tar: writes an archive', { writesFile: true, targeted: true, heavy: args.includes('/') });
      return unknown('runs tar');
    }
    case 'gzip':
    case 'gunzip':
    case 'zip':
    case 'unzip':
    case 'xz':
    case 'bzip2':
      return change(`${prog}: rewrites files`, { writesFile: true, targeted: true });
    case 'ssh':
      return args.filter((a) => !a.startsWith('-')).length > 1 ? unknown('runs a command on another host over ssh') : { tier: 'interactive', summary: 'opens an ssh session elsewhere' };
    case 'git': {
      const sub = args.find((a) => !a.startsWith('-')) ?? '';
      if (/^(status|log|diff|show|blame|remote|branch|describe|rev-parse|ls-files)$/.test(sub)) return ro(`git ${sub}`, ['filesystem']);
      return change(`git ${sub}`, { targeted: true, writesFile: true });
    }
    case 'source':
    case '.':
      return unknown(`runs the shell file ${args[0] ?? ''}, which is not in the log`);
    case 'yes':
      return ro('yes: prints forever', [], { streaming: true });
    case 'script':
      return { tier: 'interactive', summary: 'script: records a shell session' };
    case 'screen':
    case 'tmux':
      return { tier: 'interactive', summary: `${prog}: opens a terminal multiplexer` };
    default:
      break;
  }
  if (SHELLS.has(prog)) return shellDraft(prog, args, ctx, r);
  if (REPLS.has(prog) || /^python\d(\.\d+)?$/.test(prog)) return langDraft(prog, args, ctx);
  const simple = READ_ONLY_SIMPLE[prog];
  if (simple) {
    const fileArgs = ['ls', 'stat', 'file', 'diff', 'cmp', 'md5sum', 'sha256sum', 'sha1sum', 'xxd', 'hexdump', 'od', 'strings', 'wc', 'sort', 'uniq', 'cut', 'jq', 'nl'].includes(prog);
    if (fileArgs) {
      const paths = args.filter((a) => !a.startsWith('-') && (prog !== 'jq' || a.includes('/')));
      if (paths.length && prog !== 'ls') {
        const d = readPaths(paths, simple[0].split(' ')[0] ?? 'reads');
        return { ...d, summary: `${simple[0]} (${paths.join(', ')})`, observes: [...new Set([...(d.observes ?? []), ...simple[1]])] };
      }
    }
    return ro(simple[0], simple[1]);
  }
  return unknown(`runs ${prog}, which Sickbay cannot classify`);
}

/** Classifies one argv into a part: unwraps wrappers, then asks the program table. */
export function classifyProgram(argv: string[], ctx: ArgvContext, r: Recurse): PartClassification {
  const via: string[] = [];
  let current = argv;
  let extraFlags: Partial<ClassificationFlags> = {};
  let clearStreaming = false;
  let innerCtx = ctx;
  for (let guard = 0; guard < 12 && current.length > 0; guard++) {
    const prog = basename(current[0] as string);
    const u = unwrap(prog, current.slice(1));
    if (u === null || u === 'self') break;
    via.push(prog);
    extraFlags = { ...extraFlags, ...u.flags };
    if (u.clearStreaming) clearStreaming = true;
    if (u.extraUpstream) innerCtx = { ...innerCtx, stdin: { kind: 'none' } };
    // Word info only lines up with the original argv; drop it once we unwrap.
    const offset = current.length - u.argv.length;
    innerCtx = { ...innerCtx, words: offset >= 0 && innerCtx.words ? innerCtx.words.slice(offset) : undefined };
    current = u.argv;
  }
  const prog = basename(current[0] ?? '');
  const args = current.slice(1);
  let draft: Draft;
  if (ctx.depth > MAX_DEPTH) draft = unknown('nested too deeply to classify');
  else if (prog === '') draft = ro('does nothing');
  else {
    const u = unwrap(prog, args);
    if (u === 'self' && prog === 'env') draft = envDraft('env', []);
    else if (u === 'self' && prog === 'sudo') draft = ro('sudo with no command (lists or checks privileges)');
    else if (u === 'self' && prog === 'command') draft = ro('looks up a command');
    else if (u === 'self' && (prog === 'renice' || prog === 'ionice' || prog === 'taskset' || prog === 'chrt')) draft = programDraft(prog, args, innerCtx, r);
    else if (u === 'self') draft = ro(`${prog} with nothing to run`);
    else draft = programDraft(prog, args, innerCtx, r);
  }
  const f = flags({ ...draft.flags, ...extraFlags });
  if (draft.flags?.streaming && !extraFlags.streaming) f.streaming = true;
  if (clearStreaming) f.streaming = false;
  if (!isInvasive(draft.tier)) f.targeted = false;
  const scope: Scope = draft.scope ?? (ctx.where === 'container' ? 'container' : 'console');
  return {
    tier: draft.tier,
    summary: draft.summary,
    effects: draft.effects ?? [],
    flags: f,
    observes: draft.observes ?? [],
    program: prog,
    argv: current,
    scope,
    target: draft.target ?? (scope === 'container' ? ctx.target : undefined),
    ...(via.length ? { via } : {}),
    ...(draft.dockerAction ? { dockerAction: draft.dockerAction } : {}),
    ...(draft.inner ? { inner: draft.inner } : {}),
  };
}
