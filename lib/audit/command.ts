/**
 * Classifies what the learner runs: a command line typed at the console or inside a
 * container, or an argv run without a shell (docker exec's Cmd). A line is parsed into
 * pipelines (./shell.ts); each simple command goes to the program table (./programs), and
 * what the shell around it adds — input, redirections, loops, filters, saved output — comes
 * from ./pipeline.ts.
 */
import { type Classification, type PartClassification, combineParts } from './classification';
import {
  type Loops,
  type StagePart,
  applyLoops,
  bindAssignments,
  bindLoop,
  hideFilteredSecrets,
  redirectionOnly,
  saveEvidence,
  stdinFor,
  withRedirects,
} from './pipeline';
import { type ArgvContext, type Recurse, classifyProgram } from './programs';
import { sqlToClassification } from './programs/databases';
import { parseShell, type ShellWord } from './shell';
import { classifySql, looksLikeSql } from './sql';

export interface ShellContext {
  /** Where the line runs. Default 'console' (the learner's console container). */
  where?: 'console' | 'container';
  /** The container a 'container' line runs in. */
  target?: string;
  /** Standard input is the learner's terminal. Default true (a typed line). */
  tty?: boolean;
  /** 'sql': the line was typed into an interactive psql, not a shell. */
  mode?: 'shell' | 'sql';
}

export interface ArgvOptions {
  where?: 'console' | 'container';
  target?: string;
  /** The exec has a terminal (docker exec -t). */
  tty?: boolean;
  /** The exec's standard input is attached (docker exec -i). */
  stdin?: boolean;
}

const recurse: Recurse = {
  line: (line, ctx) => classifyLine(line, ctx),
  argv: (argv, ctx) => classifyArgvWith(argv, ctx),
};

function baseContext(ctx: ShellContext = {}): ArgvContext {
  const tty = ctx.tty ?? true;
  return {
    where: ctx.where ?? 'console',
    target: ctx.target,
    tty,
    stdin: tty ? { kind: 'terminal' } : { kind: 'none' },
    upstream: [],
    downstream: [],
    depth: 0,
  };
}

/** Classifies a shell command line. */
export function classifyShell(line: string, ctx: ShellContext = {}): Classification {
  const base = baseContext(ctx);
  if (ctx.mode === 'sql') return sqlLine(line, base);
  return classifyLine(line, base);
}

/** Classifies an argv that runs without a shell, e.g. the Cmd of a docker exec. */
export function classifyArgv(argv: string[], opts: ArgvOptions = {}): Classification {
  return classifyArgvWith(argv, {
    where: opts.where ?? 'container',
    target: opts.target,
    tty: opts.tty ?? false,
    stdin: opts.stdin ? (opts.tty ? { kind: 'terminal' } : { kind: 'unknown', from: "the exec's standard input" }) : { kind: 'none' },
    upstream: [],
    downstream: [],
    depth: 0,
  });
}

function classifyArgvWith(argv: string[], ctx: ArgvContext): Classification {
  if (argv.length === 0) return combineParts([], { emptySummary: 'runs nothing' });
  return combineParts([classifyProgram(argv, ctx, recurse)]);
}

function sqlLine(line: string, ctx: ArgvContext): Classification {
  const sql = classifySql(line, { shell: (l) => classifyLine(l, { ...ctx, depth: ctx.depth + 1 }) });
  return sqlToClassification(sql, ctx.where === 'console' ? 'console' : 'container', ctx.target);
}

/** Substitutions nested deeper than this are not read: a person never types them, an attacker might. */
const MAX_NESTING = 8;

function classifyLine(line: string, ctx: ArgvContext): Classification {
  if (ctx.depth > MAX_NESTING) return combineParts([], { incomplete: true, emptySummary: 'command substitutions nested too deep to read' });
  // A line typed inside a container that reads as SQL was typed into a database prompt.
  if (ctx.where === 'container' && ctx.depth === 0 && looksLikeSql(line)) return sqlLine(line, ctx);
  const parsed = parseShell(line);
  const parts: PartClassification[] = [];
  let incomplete = parsed.incomplete;
  const loops: Loops = new Map();
  const subCtx = (): ArgvContext => ({ ...ctx, stdin: { kind: 'none' }, upstream: [], downstream: [], words: undefined, depth: ctx.depth + 1 });

  for (const pipeline of parsed.pipelines) {
    const stages = pipeline.commands.map((c) => c.words.map((w) => w.value));
    const staged: StagePart[] = [];
    const add = (part: PartClassification, stage: number) => {
      parts.push(part);
      staged.push({ part, stage });
    };
    pipeline.commands.forEach((cmd, k) => {
      // Substitutions run first.
      const substituted: ShellWord[] = [...cmd.assignments.map((a) => a.word), ...cmd.words];
      for (const w of substituted) {
        for (const sub of w.substitutions) {
          const inner = classifyLine(sub, subCtx());
          if (inner.incomplete) incomplete = true;
          parts.push(...inner.parts);
        }
      }
      bindAssignments(cmd, loops);
      const argv = stages[k] as string[];
      if ((argv[0] === 'for' || argv[0] === 'select') && !cmd.words[0]?.quoted) {
        bindLoop(cmd, argv, loops);
        return;
      }
      if (argv.length === 0) {
        const part = redirectionOnly(cmd, ctx);
        if (part) add(part, k);
        return;
      }
      const cmdCtx: ArgvContext = {
        ...ctx,
        stdin: stdinFor(cmd, k, stages, ctx),
        upstream: stages.slice(0, k),
        downstream: stages.slice(k + 1),
        words: cmd.words.slice(1),
      };
      let part = classifyProgram(argv, cmdCtx, recurse);
      if (part.inner?.incomplete) incomplete = true;
      part = withRedirects(applyLoops(part, loops), cmd, ctx);
      if (pipeline.background) part = { ...part, flags: { ...part.flags, background: true } };
      add(part, k);
    });
    hideFilteredSecrets(parts, staged, stages);
    if (ctx.where === 'console') saveEvidence(parts, staged, pipeline, stages);
  }
  return combineParts(parts, { incomplete });
}
