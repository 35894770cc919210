/**
 * Shells and interpreters: `bash -c '...'` and `sh <<EOF` are classified by what they run;
 * a shell or a REPL on the learner's terminal is interactive (only its typed lines say what
 * happens next); inline code or a script not in the log is unknown. Also the shell's own
 * commands that print the environment (env, set, export, echo $SECRET).
 */
import { has, parseArgs, value } from '../args';
import { type ArgvContext, type Draft, type ProgramTable, type Recurse, change, each, operands, ro, runs, unknown } from './draft';
import { packageDraft } from './packages';
import { SENSITIVE_NAME } from './paths';

const SHELLS = ['bash', 'sh', 'dash', 'ash', 'zsh', 'ksh', 'mksh', 'fish', 'busybox-sh'];
/** Interpreters with a prompt; mysql, mariadb and sqlite3 are read as databases instead. */
const REPLS = ['python', 'python3', 'python2', 'node', 'nodejs', 'ruby', 'irb', 'perl', 'php', 'lua', 'ipython', 'bun', 'deno', 'ghci', 'R', 'mongo', 'mongosh'];

/** A shell: `-c SCRIPT` or a script on its standard input is classified line by line. */
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
    return runs(r.line(script, { ...ctx, upstream: ctx.upstream, words: undefined, depth: ctx.depth + 1 }));
  }
  const positional = args.find((a) => !a.startsWith('-') && !a.startsWith('+'));
  if (positional) return unknown(`${prog} runs the script ${positional}, which is not in the log`);
  if (ctx.stdin.kind === 'text') {
    return runs(r.line(ctx.stdin.text, { ...ctx, stdin: { kind: 'none' }, upstream: [], words: undefined, depth: ctx.depth + 1 }));
  }
  if (ctx.stdin.kind === 'unknown') return unknown(`${prog} runs commands from ${ctx.stdin.from}, which are not in the log`);
  if (ctx.stdin.kind === 'terminal') {
    return { tier: 'interactive', summary: `opens a ${prog} shell${ctx.where === 'container' ? ' inside the container' : ''}`, effects: [{ type: 'shell', program: prog }] };
  }
  return ro(`starts ${prog} with no input (it exits at once)`);
}

/** env and printenv print the environment: secrets reach the screen unless named otherwise. */
export function envDraft(prog: string, args: string[]): Draft {
  const names = args.filter((a) => !a.startsWith('-'));
  if (names.length === 0) return ro(`${prog}: prints every environment variable`, ['env'], { secrets: true });
  return { tier: 'read-only', summary: `${prog}: prints ${names.join(', ')}`, observes: ['env'], flags: { secrets: names.some((n) => SENSITIVE_NAME.test(n)) }, effects: [{ type: 'env', names }] };
}

/** echo $DB_PASSWORD prints a secret; echo text prints text. */
function echoDraft(_prog: string, _args: string[], ctx: ArgvContext): Draft {
  const vars = (ctx.words ?? []).flatMap((w) => [...w.raw.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1] as string));
  const sensitive = vars.filter((v) => SENSITIVE_NAME.test(v));
  if (sensitive.length > 0) return { tier: 'read-only', summary: `prints ${sensitive.map((v) => `$${v}`).join(', ')}`, observes: ['env'], flags: { secrets: true }, effects: [{ type: 'env', names: sensitive }] };
  return ro('prints text');
}

/** An interpreter: a prompt, inline code, a script, or `python -m pip|json.tool`. */
export function langDraft(prog: string, args: string[], ctx: ArgvContext): Draft {
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

function exportDraft(prog: string, args: string[]): Draft {
  if (args.length === 0 || args.every((a) => a === '-p' || a === '-x' || a === '-px')) return ro(`${prog}: prints exported variables`, ['env'], { secrets: true });
  return ro('sets a shell variable');
}

export const shells: ProgramTable = {
  ...each(SHELLS, shellDraft),
  ...each(REPLS, langDraft),
  ...each(['env', 'printenv'], envDraft),
  set: (_prog, args) => (args.length === 0 ? ro('set: prints every shell variable', ['env'], { secrets: true }) : ro('sets a shell option')),
  ...each(['export', 'declare', 'typeset'], exportDraft),
  echo: echoDraft,
  ...each(['source', '.'], (_prog, args) => unknown(`runs the shell file ${args[0] ?? ''}, which is not in the log`)),
  yes: () => ro('yes: prints forever', [], { streaming: true }),
  script: () => ({ tier: 'interactive', summary: 'script: records a shell session' }),
  ...each(['screen', 'tmux'], (prog) => ({ tier: 'interactive', summary: `${prog}: opens a terminal multiplexer` })),
  ssh: (_prog, args) => (operands(args).length > 1 ? unknown('runs a command on another host over ssh') : { tier: 'interactive', summary: 'opens an ssh session elsewhere' }),
};
