/**
 * Wrappers: programs that run another command (sudo, env, timeout, nohup, watch, xargs,
 * su -c, nsenter, ...). classifyProgram unwraps them first and classifies what they run,
 * keeping what the wrapper adds (watch streams, nohup backgrounds, timeout bounds).
 */
import { has, parseArgs, value } from '../args';
import type { ClassificationFlags } from '../classification';
import { basename } from '../shell';

export interface Unwrapped {
  argv: string[];
  flags?: Partial<ClassificationFlags>;
  clearStreaming?: boolean;
  extraUpstream?: boolean;
}

/** The wrapped command, or 'self' when the wrapper was given none to run. */
type Unwrapper = (args: string[], prog: string) => Unwrapped | 'self';

/** Everything after the wrapper's own options is the command. */
const rest = (p: { positionals: string[]; rest: string[] }): string[] => [...p.positionals, ...p.rest];

/** Options, then the command; none when no positional word follows the options. */
const positionalsFirst = (p: { positionals: string[]; rest: string[] }): string[] => (p.positionals.length ? rest(p) : []);

const orSelf = (argv: string[], extra: Omit<Unwrapped, 'argv'> = {}): Unwrapped | 'self' => (argv.length ? { argv, ...extra } : 'self');

function sudo(args: string[]): Unwrapped | 'self' {
  const p = parseArgs(args, { values: ['-u', '--user', '-g', '--group', '-C', '--close-from', '-D', '--chdir', '-h', '--host', '-p', '--prompt', '-r', '--role', '-t', '--type', '-U', '--other-user', '-T', '--command-timeout'], stopAtPositional: true });
  if (p.positionals.length === 0) return has(p, '-i', '--login', '-s', '--shell') ? { argv: ['bash'] } : 'self';
  return { argv: rest(p) };
}

function env(args: string[]): Unwrapped | 'self' {
  const p = parseArgs(args, { values: ['-u', '--unset', '-C', '--chdir', '-S', '--split-string'], stopAtPositional: true, positionalsBeforeRest: 0 });
  const split = value(p, '-S', '--split-string');
  const words = rest(p);
  let i = 0;
  while (i < words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i] as string)) i++;
  const cmd = words.slice(i);
  if (split) return { argv: ['sh', '-c', [split, ...cmd].join(' ')] };
  return orSelf(cmd);
}

function timeout(args: string[]): Unwrapped | 'self' {
  const p = parseArgs(args, { values: ['-s', '--signal', '-k', '--kill-after'], stopAtPositional: true, positionalsBeforeRest: 2 });
  return orSelf(p.positionals.slice(1).concat(p.rest), { clearStreaming: true });
}

/** time, exec, command, tini, ...: options, then the command. */
function plain(args: string[], prog: string): Unwrapped | 'self' {
  const p = parseArgs(args, { values: ['-o', '--output', '-f', '--format', '-a'], stopAtPositional: true });
  if (prog === 'command' && has(p, '-v', '-V')) return 'self';
  return orSelf(positionalsFirst(p));
}

function flock(args: string[]): Unwrapped | 'self' {
  const p = parseArgs(args, { values: ['-w', '--timeout', '-E', '--conflict-exit-code', '-c', '--command'], stopAtPositional: true, positionalsBeforeRest: 1 });
  const c = value(p, '-c', '--command');
  if (c) return { argv: ['sh', '-c', c] };
  return orSelf(p.rest);
}

/** su USER -c CMD: options may follow the user, so read them all (runuser's command follows --). */
function su(args: string[], prog: string): Unwrapped {
  const p = parseArgs(args, { values: ['-c', '--command', '-s', '--shell', '-u', '--user', '-g', '--group', '-G', '--supp-group', '-w', '--whitelist-environment'], stopAtPositional: prog === 'runuser' });
  const c = value(p, '-c', '--command');
  if (c) return { argv: ['sh', '-c', c] };
  if (prog === 'runuser' && has(p, '-u', '--user') && p.positionals.length) return { argv: rest(p) };
  return { argv: [basename(value(p, '-s', '--shell') ?? 'sh')] };
}

function xargs(args: string[]): Unwrapped {
  const p = parseArgs(args, { values: ['-n', '--max-args', '-I', '-i', '--replace', '-L', '--max-lines', '-P', '--max-procs', '-d', '--delimiter', '-E', '--eof', '-s', '--max-chars', '-a', '--arg-file'], stopAtPositional: true });
  return { argv: p.positionals.length ? rest(p) : ['echo'], extraUpstream: true };
}

function watch(args: string[]): Unwrapped | 'self' {
  const p = parseArgs(args, { values: ['-n', '--interval', '-q', '--equexit'], stopAtPositional: true });
  const cmd = rest(p);
  if (cmd.length === 0) return 'self';
  // watch hands its words to `sh -c` unless -x.
  const argv = has(p, '-x', '--exec') ? cmd : ['sh', '-c', cmd.join(' ')];
  return { argv, flags: { streaming: !has(p, '-g', '--chgexit') } };
}


const WRAPPERS = new Map<string, Unwrapper>([
  ['sudo', sudo],
  ['doas', sudo],
  ['env', env],
  ['nice', (args) => orSelf(positionalsFirst(parseArgs(args, { values: ['-n', '--adjustment'], stopAtPositional: true, numericOptions: true })))],
  ...(['ionice', 'taskset', 'chrt', 'renice'] as const).map((n): [string, Unwrapper] => [n, () => 'self']),
  ['timeout', timeout],
  ['nohup', (args) => orSelf(args, { flags: { background: true } })],
  ['setsid', (args) => {
    const p = parseArgs(args, { stopAtPositional: true });
    return orSelf(positionalsFirst(p), { flags: { background: has(p, '-f', '--fork') } });
  }],
  ['stdbuf', (args) => orSelf(positionalsFirst(parseArgs(args, { values: ['-i', '-o', '-e', '--input', '--output', '--error'], stopAtPositional: true })))],
  ...(['time', 'command', 'builtin', 'exec', 'unbuffer', 'caffeinate', 'tini', 'dumb-init'] as const).map((n): [string, Unwrapper] => [n, plain]),
  ['chroot', (args) => {
    const p = parseArgs(args, { values: ['--userspec', '--groups'], stopAtPositional: true, positionalsBeforeRest: 1 });
    return { argv: p.rest.length ? p.rest : ['sh'] };
  }],
  ['flock', flock],
  ['gosu', (args) => orSelf(args.length > 1 ? args.slice(1) : [])],
  ['su-exec', (args) => orSelf(args.length > 1 ? args.slice(1) : [])],
  ['runuser', su],
  ['su', su],
  ['nsenter', (args) => {
    const p = parseArgs(args, { values: ['-t', '--target', '-S', '--setuid', '-G', '--setgid', '-r', '--root', '-w', '--wd'], stopAtPositional: true });
    return { argv: p.positionals.length ? rest(p) : ['sh'] };
  }],
  ['busybox', (args) => orSelf(args)],
  ['xargs', xargs],
  ['watch', watch],
  ['eval', (args) => orSelf(args.length ? ['sh', '-c', args.join(' ')] : [])],
]);

/** Wrappers that run another command: the wrapped argv, 'self' when none, null for other programs. */
export function unwrap(prog: string, args: string[]): Unwrapped | null | 'self' {
  const unwrapper = WRAPPERS.get(prog);
  return unwrapper ? unwrapper(args, prog) : null;
}
