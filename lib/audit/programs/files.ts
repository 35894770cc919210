/**
 * Files: deleting, moving, copying, truncating and writing them, permissions, archives,
 * editors, and walking trees (find, du). Deleting or emptying a file that is not scratch
 * space destroys what it held; emptying a process's open descriptor is the targeted remedy.
 */
import { has, parseArgs, value } from '../args';
import { type Observation, type Tier, maxTier } from '../classification';
import { basename } from '../shell';
import { type ArgvContext, type Draft, DEV_NULLISH, type ProgramTable, type Recurse, change, each, fileOp, operands, ro, unknown } from './draft';
import { BIG_TREES, emptiesDescriptors, isProcFdPath, isScratchPath, listsProcessDescriptors, normPath } from './paths';

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

function findDraft(_prog: string, args: string[], ctx: ArgvContext, r: Recurse): Draft {
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
  // Searching processes' descriptors (find /proc/[0-9]*/fd -lname '*deleted*') finds who holds a file, as lsof does.
  const holders: Observation[] = searchRoots.some(listsProcessDescriptors) ? ['processes', 'process-state'] : [];
  return ro(`searches files under ${searchRoots.join(' ')}${heavy ? ' (the whole filesystem, no -maxdepth)' : ''}`, ['filesystem', ...holders], { heavy, writesFile: writes });
}

function duDraft(_prog: string, args: string[]): Draft {
  const p = parseArgs(args, { values: ['-d', '--max-depth', '-B', '--block-size', '-t', '--threshold', '--exclude', '-X', '--exclude-from', '--time-style'] });
  const paths = p.positionals.length ? p.positionals : ['.'];
  const depthLimited = has(p, '-d', '--max-depth');
  const heavy = paths.some((x) => normPath(x) === '/') || (!depthLimited && paths.some((x) => BIG_TREES.has(normPath(x))));
  return ro(`measures disk usage under ${paths.join(' ')}${heavy ? ' (walks a large tree)' : ''}`, ['disk'], { heavy });
}

function editorDraft(prog: string, args: string[], ctx: ArgvContext): Draft {
  const files = args.filter((a) => !a.startsWith('-') && !a.startsWith('+'));
  if (files.length === 0) return ctx.stdin.kind === 'terminal' ? { tier: 'interactive', summary: `opens the ${prog} editor` } : ro(`${prog} with no terminal`);
  if (ctx.where === 'container') {
    return { tier: 'change', summary: `edits ${files.join(', ')} in place inside the container`, flags: { writesFile: true, targeted: true }, effects: [fileOp('edit', files)] };
  }
  return change(`edits ${files.join(', ')} in the console`, { writesFile: true }, [fileOp('edit', files)]);
}

function truncateDraft(_prog: string, args: string[]): Draft {
  const p = parseArgs(args, { values: ['-s', '--size', '-r', '--reference', '-o'] });
  const size = value(p, '-s', '--size') ?? '';
  if (/^\+/.test(size)) return change(`grows ${p.positionals.join(' ')}`, { writesFile: true }, [fileOp('truncate', p.positionals)]);
  if (size === '0' && p.positionals.length > 0 && p.positionals.every(isProcFdPath)) {
    return change(emptiesDescriptors(p.positionals), { targeted: true, writesFile: true }, [fileOp('truncate', p.positionals)]);
  }
  return { tier: 'destructive', summary: `truncates ${p.positionals.join(' ') || 'a file'}${size === '0' ? ' to nothing' : ` to ${size}`}`, flags: { writesFile: true }, effects: [fileOp('truncate', p.positionals)] };
}

function teeDraft(_prog: string, args: string[]): Draft {
  const files = args.filter((a) => !a.startsWith('-') && !DEV_NULLISH.test(a));
  if (files.length === 0) return ro('copies its input to the screen');
  return change(`writes its input to ${files.join(', ')}`, { writesFile: true, targeted: true }, [fileOp('write', files)]);
}

function ddDraft(_prog: string, args: string[]): Draft {
  const of = args.find((a) => a.startsWith('of='))?.slice(3);
  if (!of || DEV_NULLISH.test(of)) return ro('dd: reads raw data', ['filesystem'], { heavy: true });
  if (/^\/dev\/(sd|nvme|xvd|vd|hd|disk|mapper|mmcblk)/.test(of)) return { tier: 'destructive', summary: `dd: overwrites the device ${of}`, effects: [fileOp('write', [of])] };
  return change(`dd: writes ${of}`, { writesFile: true, heavy: true, targeted: true }, [fileOp('write', [of])]);
}

function permissionsDraft(prog: string, args: string[]): Draft {
  const files = operands(args).slice(1);
  return change(`${prog}: changes permissions of ${files.join(' ')}`, { targeted: !args.some((a) => /^-[a-zA-Z]*R/.test(a)) }, [fileOp('mode', files)]);
}

function tarDraft(_prog: string, args: string[]): Draft {
  const mode = args[0] ?? '';
  if (/t/.test(mode.replace(/^-/, '')) && !/[cx]/.test(mode.replace(/^-/, ''))) return ro('lists an archive', ['filesystem']);
  if (/x/.test(mode)) return change('tar: unpacks an archive', { writesFile: true, targeted: true });
  if (/c/.test(mode)) return change('tar: writes an archive', { writesFile: true, targeted: true, heavy: args.includes('/') });
  return unknown('runs tar');
}

function gitDraft(_prog: string, args: string[]): Draft {
  const sub = args.find((a) => !a.startsWith('-')) ?? '';
  if (/^(status|log|diff|show|blame|remote|branch|describe|rev-parse|ls-files)$/.test(sub)) return ro(`git ${sub}`, ['filesystem']);
  return change(`git ${sub}`, { targeted: true, writesFile: true });
}

export const files: ProgramTable = {
  ...each(['rm', 'unlink', 'shred', 'rmdir'], rmDraft),
  mv: (_prog, args) => (args.length ? change(`moves ${operands(args).join(' -> ')}`, { targeted: true, writesFile: true }, [fileOp('move', operands(args))]) : ro('mv with nothing to move')),
  cp: (_prog, args) => change(`copies ${operands(args).join(' -> ')}`, { targeted: true, writesFile: true }, [fileOp('copy', operands(args))]),
  truncate: truncateDraft,
  tee: teeDraft,
  dd: ddDraft,
  ...each(['chmod', 'chown', 'chgrp', 'chattr', 'setfacl'], permissionsDraft),
  ...each(['touch', 'mkdir', 'ln', 'mkfifo', 'install'], (prog, args) => change(`${prog}: creates ${operands(args).join(' ')}`, { targeted: true, writesFile: true }, [fileOp('create', operands(args))])),
  ...each(['vi', 'vim', 'nvim', 'nano', 'emacs', 'ed', 'pico', 'joe', 'micro', 'mcedit'], editorDraft),
  find: findDraft,
  du: duDraft,
  tar: tarDraft,
  ...each(['gzip', 'gunzip', 'zip', 'unzip', 'xz', 'bzip2'], (prog) => change(`${prog}: rewrites files`, { writesFile: true, targeted: true })),
  git: gitDraft,
};
