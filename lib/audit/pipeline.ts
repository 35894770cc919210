/**
 * What the shell around a command adds to its classification: where its standard input comes
 * from, what its redirections write (emptying a log is destructive), which loop variable
 * picks the processes it signals, whether a filter hides the secrets it prints, and when
 * saving Docker's output to a file is a snapshot of the evidence.
 */
import { type Effect, type PartClassification, type Tier, emptyFlags, isInvasive, maxTier } from './classification';
import { type ArgvContext, DEV_NULLISH } from './programs/draft';
import { SENSITIVE_NAME, emptiesDescriptors, isProcFdPath, isScratchPath, pathInfo } from './programs/paths';
import { processSelection } from './programs/selection';
import { basename, type ShellCommand, type ShellPipeline } from './shell';

/** What a loop or assignment variable holds: `for p in $(pgrep x)`, `P=$(pgrep -n x)`. */
export type Loops = Map<string, { names: string[]; broad: boolean }>;

/** A pipeline stage and the part it produced. */
export interface StagePart {
  part: PartClassification;
  stage: number;
}

const FILTERS = new Set(['grep', 'egrep', 'fgrep', 'rg', 'awk', 'gawk', 'mawk', 'sed', 'jq', 'yq', 'cut', 'wc', 'head', 'tail']);

/** Does a downstream stage hide what an env dump or inspect prints? */
function filtersSecrets(stage: string[]): boolean {
  const prog = basename(stage[0] ?? '');
  if (!FILTERS.has(prog)) return false;
  const text = stage.slice(1).join(' ');
  if (SENSITIVE_NAME.test(text) || /\bEnv\b|environ/i.test(text)) return false;
  // head/tail keep a slice of the dump; only count them as hiding it when they keep little.
  if (prog === 'head' || prog === 'tail') return false;
  if (prog === 'grep' || prog === 'egrep' || prog === 'fgrep' || prog === 'rg') return !stage.slice(1).some((a) => a === '-v' || a === '--invert-match');
  return true;
}

export function stdinFor(cmd: ShellCommand, k: number, stages: string[][], ctx: ArgvContext): ArgvContext['stdin'] {
  for (const r of cmd.redirects) {
    if ((r.op === '<<' || r.op === '<<-' || r.op === '<<<') && r.text !== undefined) return { kind: 'text', text: r.text };
    if (r.op === '<' && (r.fd === null || r.fd === 0)) return r.target === '/dev/null' ? { kind: 'none' } : { kind: 'unknown', from: `the file ${r.target}` };
  }
  if (k > 0) {
    const prev = stages[k - 1] as string[];
    const prog = basename(prev[0] ?? '');
    if (prog === 'echo') return { kind: 'text', text: prev.slice(1).filter((a) => !/^-[neE]+$/.test(a)).join(' ') };
    if (prog === 'printf') return { kind: 'text', text: (prev[1] ?? '').replace(/\\n/g, '\n') };
    return { kind: 'unknown', from: `the output of ${prog || 'the previous command'}` };
  }
  return ctx.stdin;
}

/** The file a redirection writes, or null when it writes nowhere that counts. */
function outputFile(op: string, target: string): string | null {
  if (!(op === '>' || op === '>>' || op === '>|' || op === '&>' || op === '&>>' || op === '>&')) return null;
  if (op === '>&' && (/^\d+$/.test(target) || target === '-')) return null;
  if (DEV_NULLISH.test(target) || target === '') return null;
  return target;
}

function withTier(part: PartClassification, tier: Tier, summary: string, extra: Partial<PartClassification> = {}): PartClassification {
  const flags = { ...part.flags, ...extra.flags };
  if (!isInvasive(tier)) flags.targeted = false;
  return { ...part, ...extra, tier, summary, flags };
}

/** Logs and data: overwriting them loses what they held. */
function isPreciousPath(path: string): boolean {
  if (isScratchPath(path)) return false;
  return pathInfo(path).observes.includes('logs') || /^\/(var\/lib|data|srv)\/|\.(db|sqlite3?|wal|dump)$/.test(path);
}

/** `> file` alone (no command): creates the file, or empties it. Null when it writes nowhere. */
export function redirectionOnly(cmd: ShellCommand, ctx: ArgvContext): PartClassification | null {
  const files = cmd.redirects.map((r) => outputFile(r.op, r.target)).filter((f): f is string => f !== null);
  const truncates = cmd.redirects.some((r) => (r.op === '>' || r.op === '>|') && outputFile(r.op, r.target) !== null);
  if (files.length === 0) return null;
  const descriptors = files.every(isProcFdPath);
  return {
    tier: truncates && !descriptors ? (ctx.where === 'container' ? 'destructive' : 'change') : 'change',
    summary: truncates ? (descriptors ? emptiesDescriptors(files) : `empties ${files.join(', ')}`) : `creates ${files.join(', ')}`,
    effects: [{ type: 'file', op: truncates ? 'truncate' : 'write', paths: files }],
    flags: { ...emptyFlags(), writesFile: true, targeted: !truncates || descriptors },
    observes: [],
    program: '',
    argv: [],
    scope: ctx.where === 'container' ? 'container' : 'console',
    target: ctx.where === 'container' ? ctx.target : undefined,
  };
}

/** A command's output redirections: inside a container, overwriting a log or data file destroys it. */
export function withRedirects(part: PartClassification, cmd: ShellCommand, ctx: ArgvContext): PartClassification {
  const files = cmd.redirects.map((r) => ({ r, file: outputFile(r.op, r.target) })).filter((x) => x.file !== null);
  if (files.length === 0) return part;
  const paths = files.map((x) => x.file as string);
  const overwritten = files.filter((x) => x.r.op === '>' || x.r.op === '>|' || x.r.op === '&>').map((x) => x.file as string);
  const effect: Effect = { type: 'file', op: 'write', paths };
  const flags = { ...part.flags, writesFile: true };
  if (ctx.where !== 'container') return { ...part, flags, effects: [...part.effects, effect] };
  // Overwriting a log or data file (or emptying any file with ": >") destroys what was in it.
  const emptier = part.program === ':' || part.program === 'true';
  const descriptors = emptier && overwritten.length > 0 && overwritten.every(isProcFdPath);
  const empties = emptier && !descriptors && overwritten.some((f) => !isScratchPath(f));
  const precious = overwritten.some(isPreciousPath);
  const tier = maxTier([part.tier, empties || precious ? 'destructive' : 'change']);
  const summary = descriptors ? emptiesDescriptors(overwritten) : empties ? `empties ${overwritten.join(', ')}` : `${part.summary}, ${precious ? 'overwriting' : 'writing its output to'} ${paths.join(', ')} inside the container`;
  return withTier(part, tier, summary, { flags: { ...flags, targeted: tier === 'change' ? true : flags.targeted }, effects: [...part.effects, effect] });
}

/** Remembers what `for VAR in LIST` ranges over (kill $VAR inside the loop). */
export function bindLoop(cmd: ShellCommand, argv: string[], loops: Loops): void {
  const name = argv[1] ?? '';
  const list = cmd.words.slice(3);
  const names: string[] = [];
  let broad = list.length === 0;
  for (const w of list) {
    if (/^\d+$/.test(w.value)) names.push(w.value);
    for (const sub of w.substitutions) {
      const sel = processSelection(sub);
      if (sel) {
        names.push(...sel.names);
        if (sel.broad) broad = true;
      } else broad = true;
    }
  }
  loops.set(name, { names, broad: broad || names.length > 1 });
}

/** Remembers what `VAR=$(pgrep x)` holds, like a loop over one list. */
export function bindAssignments(cmd: ShellCommand, loops: Loops): void {
  for (const a of cmd.assignments) {
    const sel = a.word.substitutions.map((sub) => processSelection(sub)).find((x) => x !== null);
    if (sel) loops.set(a.name, { names: sel.names, broad: sel.broad });
  }
}

/** kill $VAR inside `for VAR in $(pgrep x)`: the loop decides which processes are hit. */
export function applyLoops(part: PartClassification, loops: Loops): PartClassification {
  if (loops.size === 0) return part;
  let changed = false;
  let bound: string | undefined;
  let loop: { names: string[]; broad: boolean } | undefined;
  const effects = part.effects.map((e) => {
    if (e.type !== 'kill') return e;
    const v = e.names.map((n) => /^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$/.exec(n)?.[1]).find((x) => x !== undefined && loops.has(x));
    if (!v) return e;
    bound = v;
    loop = loops.get(v) as { names: string[]; broad: boolean };
    changed = true;
    return { ...e, names: loop.names, broad: e.broad || loop.broad };
  });
  if (!changed || !loop) return part;
  const broad = effects.some((e) => e.type === 'kill' && e.broad);
  return {
    ...part,
    effects,
    flags: { ...part.flags, targeted: part.flags.targeted && !broad },
    summary: `${part.summary.replace(/ \(PID chosen by an expansion\)/, '')} (${bound} = ${loop.names.join(', ') || 'a list'}${broad ? ', a broad match' : ''})`,
  };
}


/** Secrets printed into a filter that hides them do not reach the screen (replaces in `parts`). */
export function hideFilteredSecrets(parts: PartClassification[], staged: StagePart[], stages: string[][]): void {
  for (const entry of staged) {
    if (!entry.part.flags.secrets) continue;
    const downstream = stages.slice(entry.stage + 1);
    if (downstream.some(filtersSecrets)) {
      const i = parts.indexOf(entry.part);
      const cleared = { ...entry.part, flags: { ...entry.part.flags, secrets: false }, summary: `${entry.part.summary} (filtered before it reaches the screen)` };
      if (i !== -1) parts[i] = cleared;
      entry.part = cleared;
    }
  }
}

/** Saving what Docker shows into a file at the console is a snapshot of the evidence (replaces in `parts`). */
export function saveEvidence(parts: PartClassification[], staged: StagePart[], pipeline: ShellPipeline, stages: string[][]): void {
  const lastCmd = pipeline.commands[pipeline.commands.length - 1] as ShellCommand;
  const redirected = lastCmd.redirects.map((r) => outputFile(r.op, r.target)).find((f) => f !== null);
  const teeFile = stages
    .filter((s) => basename(s[0] ?? '') === 'tee')
    .flatMap((s) => s.slice(1).filter((a) => !a.startsWith('-') && !DEV_NULLISH.test(a)))[0];
  const saved = redirected ?? teeFile;
  if (!saved) return;
  // A read-only sidecar's output counts too: it is what the learner saw through the sidecar.
  const source = staged.find((e) => e.part.scope === 'docker' && (e.part.tier === 'external' || e.part.tier === 'read-only' || e.part.tier === 'sidecar') && e.part.observes.length > 0);
  if (!source) return;
  const i = parts.indexOf(source.part);
  const upgraded = withTier(source.part, 'snapshot', `saves to ${saved}: ${source.part.summary}`, {
    effects: [...source.part.effects, { type: 'save-output', file: saved, source: source.part.dockerAction ?? source.part.program }],
    flags: { ...source.part.flags, writesFile: true },
  });
  if (i !== -1) parts[i] = upgraded;
}
