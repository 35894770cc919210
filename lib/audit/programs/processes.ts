/**
 * Processes: signals (kill, pkill, killall, fuser -k), process and resource views (ps, top,
 * vmstat, lsof) and per-process scheduling and limits (renice, prlimit).
 */
import { has, parseArgs, value } from '../args';
import type { Effect } from '../classification';
import { quoteArgv } from '../shell';
import { type ArgvContext, type Draft, type ProgramTable, change, each, operands, ro } from './draft';
import { isBroadPattern, normaliseSignal, processSelection, selectionFromStages, signalEnds } from './selection';

/** kill: "-9"/"-KILL" before the PIDs is a signal, "-1" after it is a PID (all processes). */
function killDraft(_prog: string, args: string[], ctx: ArgvContext): Draft {
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

/** pkill, killall and friends: by name or pattern. */
function pkillDraft(prog: string, args: string[], ctx: ArgvContext): Draft {
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

function killResult(via: string, signal: string, pids: number[], names: string[], broad: boolean, pid1: boolean, ctx: ArgvContext, dynamic: boolean): Draft {
  const effect: Effect = { type: 'kill', signal, pids, names, broad, pid1, via };
  const who = [...pids.map(String), ...names].join(', ') || 'processes';
  if (signal === '0') return { tier: 'read-only', summary: `checks that process ${who} exists (signal 0)`, observes: ['processes'], effects: [] };
  const ends = signalEnds(signal);
  if (ctx.where === 'console') {
    return { tier: 'change', summary: `sends SIG${signal} to ${who} in the console`, effects: [effect], flags: { targeted: !broad } };
  }
  // From inside PID 1's namespace the kernel delivers only the signals PID 1 has a handler for,
  // and SIGKILL/SIGSTOP can have none: `kill -9 1` in an exec or a pid-sharing sidecar is
  // dropped. TERM/INT/QUIT still end it where PID 1 handles them (tini, a shell, most servers),
  // so those stay state-losing. `kill -9 -1` spares PID 1 but kills everything else in the
  // container, the service too when PID 1 is only an init or a shell.
  if (pids.includes(1) && (signal === 'KILL' || signal === 'STOP')) {
    const ignored: Effect = { ...effect, ignored: true };
    const others = [...pids.filter((n) => n !== 1).map(String), ...names];
    const rest = others.length ? `; ${signal === 'KILL' ? 'kills' : 'freezes'} ${others.join(', ')}` : '';
    return {
      tier: 'change',
      summary: `sends SIG${signal} to PID 1 from inside its PID namespace: the kernel ignores it, the main process keeps running${rest}`,
      effects: [ignored],
      flags: { targeted: !broad },
    };
  }
  if (pid1 && ends) {
    return {
      tier: 'state-losing',
      summary: pids.includes(1)
        ? `sends SIG${signal} to PID 1, the container's main process: it stops the container where PID 1 handles the signal (tini, a shell, most servers)`
        : signal === 'KILL'
          ? 'sends SIGKILL to every process but PID 1: the service dies with them, and the container too where PID 1 is an init or a shell'
          : `sends SIG${signal} to every process, PID 1 included: the container stops`,
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

function fuserDraft(_prog: string, args: string[]): Draft {
  const files = operands(args);
  if (args.some((a) => /^-[a-zA-Z]*k/.test(a))) {
    const effect: Effect = { type: 'kill', signal: 'KILL', pids: [], names: files, broad: true, pid1: false, via: 'fuser' };
    return change(`fuser -k: kills every process using ${files.join(' ')}`, { targeted: false }, [effect]);
  }
  return ro('lists processes using a file or port', ['processes', 'filesystem']);
}

function lsofDraft(_prog: string, args: string[]): Draft {
  const p = parseArgs(args, { values: ['-p', '-u', '-c', '-g', '-d', '+d', '+D', '-s', '-F', '-r', '-T'] });
  const filtered = has(p, '-p', '-u', '-c', '-g', '-i', '-d', '+d', '+D') || p.positionals.length > 0;
  return ro(`lists open files${filtered ? '' : ' of every process (slow on a busy system)'}`, ['processes', 'filesystem', 'network', 'process-state'], { heavy: !filtered });
}

/** renice, ionice, taskset, chrt, prlimit: with a PID they change that one process. */
function priorityDraft(prog: string, args: string[]): Draft {
  if (args.some((a) => a === '-p' || a === '--pid' || /^-[a-zA-Z]*p$/.test(a)) || prog === 'renice') {
    const writesLimit = prog !== 'prlimit' || args.some((a) => /^--\w+=/.test(a));
    if (!writesLimit) return ro('prlimit: shows process limits', ['processes', 'config', 'process-state']);
    return change(`${prog}: changes the priority or limits of one process`, { targeted: true }, [{ type: 'limits', detail: quoteArgv(args) }]);
  }
  return ro(`${prog}: shows scheduling settings`, ['processes']);
}

export const processes: ProgramTable = {
  kill: killDraft,
  ...each(['pkill', 'killall', 'skill', 'slay'], pkillDraft),
  fuser: fuserDraft,
  ps: () => ro('lists processes', ['processes', 'resources']),
  ...each(['top', 'htop', 'atop', 'btop', 'glances', 'iotop', 'iftop', 'nethogs', 'nload', 'bmon', 'ctop'], topDraft),
  ...each(['vmstat', 'iostat', 'mpstat', 'sar', 'pidstat', 'dstat'], vmstatLike),
  lsof: lsofDraft,
  ...each(['renice', 'ionice', 'taskset', 'chrt', 'prlimit'], priorityDraft),
  ...each(['stress', 'stress-ng'], (prog) => ({ tier: 'change', summary: `${prog}: burns CPU/memory on purpose`, flags: { heavy: true } })),
};
