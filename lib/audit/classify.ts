/**
 * The command classifier: turns what the learner did (a typed shell line, an exec'd argv, a
 * proxied Docker API call) into a Classification — a tier of the diagnostic hierarchy plus
 * effects, observations and flags — that the protocol rules in lib/scoring read.
 *
 * Entry points:
 *   classifyShell(line, ctx?)     a command line typed at the console or inside an exec
 *   classifyArgv(argv, ctx?)      an argv run without a shell (docker exec's Cmd)
 *   classifySql(sql)              SQL text (re-exported from ./sql)
 *   classifyDockerCall(body)      one proxied Docker API call
 *   classifyEvents(events)        a session's log, with psql-mode tracking for exec lines
 *
 * See docs/scoring.md for the tiers, the severity order and what each program maps to.
 */
import {
  type Classification,
  type Effect,
  type Observation,
  type PartClassification,
  type Tier,
  combineParts,
  emptyFlags,
  isInvasive,
  maxTier,
  severity,
} from './classification';
import { dockerCliDraft } from './docker-cli';
import type { DockerCallBody, SessionEvent, SessionEventBody } from './events';
import {
  type ArgvContext,
  type Draft,
  type Recurse,
  SENSITIVE_NAME,
  classifyProgram,
  emptiesDescriptors,
  isProcFdPath,
  isScratchPath,
  normaliseSignal,
  pathInfo,
  processSelection,
  signalEnds,
  sqlToClassification,
} from './programs';
import { basename, parseShell, quoteArgv, type ShellCommand, type ShellWord } from './shell';
import { classifySql, looksLikeSql, splitSql } from './sql';

export * from './classification';
export { classifySql, splitSql, looksLikeSql } from './sql';
export type { SqlClassification, SqlStatementAssessment } from './sql';

/** Bump when a classification of the same input can change (stored with every score). */
// 2: the proxy's own names are read as logged — "cp" with a direction, a sidecar's pid/net =
//    the bare container, plugin-inspect — and a typed line claims them (lib/scoring/actions.ts).
export const CLASSIFIER_VERSION = 3;

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
  docker: (args, ctx) => dockerCliDraft(args, ctx, recurse),
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

const FILTERS = new Set(['grep', 'egrep', 'fgrep', 'rg', 'awk', 'gawk', 'mawk', 'sed', 'jq', 'yq', 'cut', 'wc', 'head', 'tail']);
const DEV_NULLISH = /^\/dev\/(null|stdout|stderr|tty|fd\/[0-2])$/;

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

function stdinFor(cmd: ShellCommand, k: number, stages: string[][], ctx: ArgvContext): ArgvContext['stdin'] {
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

function classifyLine(line: string, ctx: ArgvContext): Classification {
  // A line typed inside a container that reads as SQL was typed into a database prompt.
  if (ctx.where === 'container' && ctx.depth === 0 && looksLikeSql(line)) return sqlLine(line, ctx);
  const parsed = parseShell(line);
  const parts: PartClassification[] = [];
  let incomplete = parsed.incomplete;
  const loops = new Map<string, { names: string[]; broad: boolean }>();
  const subCtx = (): ArgvContext => ({ ...ctx, stdin: { kind: 'none' }, upstream: [], downstream: [], words: undefined, depth: ctx.depth + 1 });

  for (const pipeline of parsed.pipelines) {
    const stages = pipeline.commands.map((c) => c.words.map((w) => w.value));
    const pipelineParts: { part: PartClassification; stage: number }[] = [];
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
      // VAR=$(pgrep x): remember what VAR holds, like a loop over one list.
      for (const a of cmd.assignments) {
        const sel = a.word.substitutions.map((sub) => processSelection(sub)).find((x) => x !== null);
        if (sel) loops.set(a.name, { names: sel.names, broad: sel.broad });
      }
      const argv = stages[k] as string[];
      // `for VAR in LIST`: remember what VAR ranges over (kill $VAR inside the loop).
      if ((argv[0] === 'for' || argv[0] === 'select') && !cmd.words[0]?.quoted) {
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
        return;
      }
      const cmdCtx: ArgvContext = {
        ...ctx,
        stdin: stdinFor(cmd, k, stages, ctx),
        upstream: stages.slice(0, k),
        downstream: stages.slice(k + 1),
        words: cmd.words.slice(1),
      };
      let part: PartClassification;
      if (argv.length === 0) {
        // Only redirections: "> file" empties the file.
        const files = cmd.redirects.map((r) => outputFile(r.op, r.target)).filter((f): f is string => f !== null);
        const truncates = cmd.redirects.some((r) => (r.op === '>' || r.op === '>|') && outputFile(r.op, r.target) !== null);
        if (files.length === 0) return;
        const descriptors = files.every(isProcFdPath);
        part = {
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
        parts.push(part);
        pipelineParts.push({ part, stage: k });
        return;
      }
      part = classifyProgram(argv, cmdCtx, recurse);
      if (part.inner?.incomplete) incomplete = true;
      part = applyLoops(part, loops);
      // Output redirections.
      const files = cmd.redirects.map((r) => ({ r, file: outputFile(r.op, r.target) })).filter((x) => x.file !== null);
      if (files.length > 0) {
        const paths = files.map((x) => x.file as string);
        const overwritten = files.filter((x) => x.r.op === '>' || x.r.op === '>|' || x.r.op === '&>').map((x) => x.file as string);
        const effect: Effect = { type: 'file', op: overwritten.length ? 'write' : 'write', paths };
        const flags = { ...part.flags, writesFile: true };
        if (ctx.where === 'container') {
          // Overwriting a log or data file (or emptying any file with ": >") destroys what was in it.
          const emptier = part.program === ':' || part.program === 'true';
          const descriptors = emptier && overwritten.length > 0 && overwritten.every(isProcFdPath);
          const empties = emptier && !descriptors && overwritten.some((f) => !isScratchPath(f));
          const precious = overwritten.some(isPreciousPath);
          const tier = maxTier([part.tier, empties || precious ? 'destructive' : 'change']);
          const summary = descriptors ? emptiesDescriptors(overwritten) : empties ? `empties ${overwritten.join(', ')}` : `${part.summary}, ${precious ? 'overwriting' : 'writing its output to'} ${paths.join(', ')} inside the container`;
          part = withTier(part, tier, summary, { flags: { ...flags, targeted: tier === 'change' ? true : flags.targeted }, effects: [...part.effects, effect] });
        } else {
          part = { ...part, flags, effects: [...part.effects, effect] };
        }
      }
      if (pipeline.background) part = { ...part, flags: { ...part.flags, background: true } };
      parts.push(part);
      pipelineParts.push({ part, stage: k });
    });

    // Secrets printed into a filter that hides them do not reach the screen.
    for (const entry of pipelineParts) {
      if (!entry.part.flags.secrets) continue;
      const downstream = stages.slice(entry.stage + 1);
      if (downstream.some(filtersSecrets)) {
        const i = parts.indexOf(entry.part);
        const cleared = { ...entry.part, flags: { ...entry.part.flags, secrets: false }, summary: `${entry.part.summary} (filtered before it reaches the screen)` };
        if (i !== -1) parts[i] = cleared;
        entry.part = cleared;
      }
    }

    // Saving what Docker shows into a file at the console is a snapshot of the evidence.
    if (ctx.where === 'console') {
      const lastCmd = pipeline.commands[pipeline.commands.length - 1] as ShellCommand;
      const redirected = lastCmd.redirects.map((r) => outputFile(r.op, r.target)).find((f) => f !== null);
      const teeFile = stages
        .filter((s) => basename(s[0] ?? '') === 'tee')
        .flatMap((s) => s.slice(1).filter((a) => !a.startsWith('-') && !DEV_NULLISH.test(a)))[0];
      const saved = redirected ?? teeFile;
      if (saved) {
        // A read-only sidecar's output counts too: it is what the learner saw through the sidecar.
        const source = pipelineParts.find((e) => e.part.scope === 'docker' && (e.part.tier === 'external' || e.part.tier === 'read-only' || e.part.tier === 'sidecar') && e.part.observes.length > 0);
        if (source) {
          const i = parts.indexOf(source.part);
          const upgraded = withTier(source.part, 'snapshot', `saves to ${saved}: ${source.part.summary}`, {
            effects: [...source.part.effects, { type: 'save-output', file: saved, source: source.part.dockerAction ?? source.part.program }],
            flags: { ...source.part.flags, writesFile: true },
          });
          if (i !== -1) parts[i] = upgraded;
        }
      }
    }
  }
  return combineParts(parts, { incomplete });
}

/** Logs and data: overwriting them loses what they held. */
function isPreciousPath(path: string): boolean {
  if (isScratchPath(path)) return false;
  return pathInfo(path).observes.includes('logs') || /^\/(var\/lib|data|srv)\/|\.(db|sqlite3?|wal|dump)$/.test(path);
}

/** kill $VAR inside `for VAR in $(pgrep x)`: the loop decides which processes are hit. */
function applyLoops(part: PartClassification, loops: Map<string, { names: string[]; broad: boolean }>): PartClassification {
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

/* ------------------------------------------------------------------ proxy calls */

type FlagValue = string | number | boolean;

function flagOf(e: Pick<DockerCallBody, 'flags'>, ...names: string[]): FlagValue | undefined {
  const f = e.flags ?? {};
  for (const n of names) {
    for (const [k, v] of Object.entries(f)) if (k.toLowerCase() === n.toLowerCase()) return v;
  }
  return undefined;
}

function truthy(v: FlagValue | undefined): boolean {
  if (v === undefined) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  return !/^(|0|false|no|none)$/i.test(v.trim());
}

function falsy(v: FlagValue | undefined): boolean {
  return v !== undefined && !truthy(v);
}

function single(d: Draft, program = 'docker', argv: string[] = []): Classification {
  const flags = { ...emptyFlags(), ...d.flags };
  if (!isInvasive(d.tier)) flags.targeted = false;
  const part: PartClassification = {
    tier: d.tier,
    summary: d.summary,
    effects: d.effects ?? [],
    flags,
    observes: d.observes ?? [],
    program,
    argv,
    scope: 'docker',
    target: d.target,
    dockerAction: d.dockerAction,
    ...(d.inner ? { inner: d.inner } : {}),
  };
  return combineParts([part]);
}

/** Proxy actions that only complete another call; scoring folds them into it. */
export const COMPANION_ACTIONS = new Set(['exec-start', 'exec-inspect', 'exec-resize', 'resize', 'wait', 'archive-stat', 'ping', 'version', 'info', '_ping']);

/**
 * The action of a proxied call in the words the classifier and the scoring use. The proxy logs
 * the archive endpoint as one action, "cp", with the direction in its flags (lib/proxy/audit.ts):
 * that is `cp-out` (GET), `cp-in` (PUT) or the `archive-stat` companion (HEAD).
 */
export function proxiedAction(e: Pick<DockerCallBody, 'action' | 'method' | 'flags'>): string {
  const action = e.action.toLowerCase();
  if (action !== 'cp') return action;
  const direction = String(flagOf(e, 'direction') ?? '').toLowerCase();
  const method = e.method.toUpperCase();
  if (direction === 'out' || (!direction && method === 'GET')) return 'cp-out';
  if (direction === 'in' || (!direction && method === 'PUT')) return 'cp-in';
  if (direction === 'stat' || (!direction && method === 'HEAD')) return 'archive-stat';
  return action;
}

/** Classifies one proxied Docker API call. */
export function classifyDockerCall(e: DockerCallBody): Classification {
  const action = proxiedAction(e);
  const target = e.target ?? e.targetId;
  const ext = (summary: string, observes: Observation[], extra: Partial<Draft> = {}): Classification =>
    single({ tier: 'external', summary, observes, target, dockerAction: action, ...extra }, 'docker', [action]);
  const name = target ?? 'a container';
  switch (action) {
    case 'logs': {
      const follow = truthy(flagOf(e, 'follow', 'f'));
      const tail = flagOf(e, 'tail');
      return ext(`reads the logs of ${name}${tail !== undefined && tail !== 'all' ? ` (last ${tail} lines)` : ''}${follow ? ' and follows them until stopped' : ''}`, ['logs'], { flags: { streaming: follow } });
    }
    case 'stats': {
      // The API streams unless stream=false (docker stats --no-stream sends stream=0).
      const stream = !falsy(flagOf(e, 'stream')) && !truthy(flagOf(e, 'one-shot', 'oneshot', 'noStream', 'no-stream'));
      return ext(`reads CPU and memory of ${name}${stream ? ', streaming until stopped' : ' once'}`, ['resources'], { flags: { streaming: stream } });
    }
    case 'inspect':
    case 'container-inspect':
      // The CLI formats client-side: whether env reaches the screen is judged from the typed line.
      return ext(`inspects ${name}`, ['state', 'config']);
    case 'top':
      return ext(`lists the processes in ${name}`, ['processes']);
    case 'ps':
    case 'list':
    case 'containers':
      return ext('lists containers', ['state']);
    case 'events': {
      const bounded = flagOf(e, 'until') !== undefined;
      return ext(`reads Docker events${bounded ? '' : ', streaming until stopped'}`, ['events'], { flags: { streaming: !bounded } });
    }
    case 'diff':
    case 'changes':
      return ext(`lists files changed in ${name}`, ['filesystem']);
    case 'port':
      return ext(`lists the ports of ${name}`, ['network']);
    case 'network-inspect':
    case 'network-ls':
    case 'network-list':
    case 'networks':
      return ext(action === 'network-inspect' ? `inspects the network ${name}` : 'lists networks', ['network']);
    case 'images':
    case 'image-inspect':
    case 'image-list':
    case 'system-df':
    case 'df':
      return ext(`docker ${action}`, []);
    case 'volume-ls':
    case 'volume-inspect':
      return ext(`docker ${action}`, ['filesystem']);
    case 'plugin-inspect':
      return ext(`docker ${action}`, []);
    case 'exec':
    case 'exec-create':
    case 'exec-start': {
      const cmd = e.command ?? [];
      if (cmd.length === 0) {
        const c = single({ tier: 'unknown', summary: `starts an exec in ${name} (its command is in the exec-create call)`, target, dockerAction: action }, 'docker', [action]);
        return { ...c, companion: action === 'exec-start' };
      }
      const tty = truthy(flagOf(e, 'tty', 't'));
      const stdin = truthy(flagOf(e, 'stdin', 'attachStdin', 'interactive', 'i'));
      const detach = truthy(flagOf(e, 'detach', 'd'));
      const inner = classifyArgv(cmd, { where: 'container', target, tty, stdin });
      const c = single(
        {
          tier: inner.tier,
          summary: `in ${name}: ${inner.summary}`,
          effects: inner.effects,
          flags: { ...inner.flags, background: detach || inner.flags.background },
          observes: inner.observes,
          inner,
          target,
          dockerAction: 'exec',
        },
        'docker',
        ['exec', ...cmd],
      );
      return action === 'exec-start' ? { ...c, companion: true } : c;
    }
    case 'exec-inspect':
    case 'exec-resize':
    case 'resize':
    case 'wait':
    case 'archive-stat':
    case 'ping':
    case '_ping':
    case 'version':
    case 'info':
      return { ...ext(`docker ${action}`, []), companion: true };
    case 'attach':
      return single({ tier: 'interactive', summary: `attaches to the main process of ${name} (Ctrl-C there can stop it)`, target, dockerAction: 'attach', effects: [{ type: 'shell', program: 'attach' }] }, 'docker', [action]);
    case 'restart':
    case 'stop':
    case 'rm':
    case 'remove':
    case 'delete':
    case 'down':
    case 'container-prune':
      return single({ tier: 'state-losing', summary: `${action === 'restart' ? 'restarts' : action === 'stop' ? 'stops' : 'removes'} ${name}: processes, memory and the evidence in them are lost`, target, dockerAction: action, effects: [{ type: 'container', op: action, container: target }] }, 'docker', [action]);
    case 'kill': {
      const signal = normaliseSignal(String(flagOf(e, 'signal') ?? 'KILL'));
      if (!signalEnds(signal)) {
        return single({ tier: 'change', summary: `sends SIG${signal} to the main process of ${name}`, target, dockerAction: 'kill', flags: { targeted: true }, effects: [{ type: 'kill', signal, pids: [1], names: target ? [target] : [], broad: false, pid1: true, via: 'docker kill' }] }, 'docker', [action]);
      }
      return single({ tier: 'state-losing', summary: `kills ${name} with SIG${signal}: processes, memory and the evidence in them are lost`, target, dockerAction: 'kill', effects: [{ type: 'container', op: 'kill', container: target }] }, 'docker', [action]);
    }
    case 'start':
    case 'unpause':
    case 'pause':
    case 'rename':
      return single({ tier: 'change', summary: `${action === 'pause' ? 'freezes every process in' : `${action}s`} ${name}`, target, dockerAction: action, flags: { targeted: true }, effects: [{ type: 'container', op: action, container: target }] }, 'docker', [action]);
    case 'update': {
      const detail = Object.entries(e.flags ?? {}).map(([k, v]) => `${k}=${String(v)}`).join(' ');
      return single({ tier: 'change', summary: `changes the limits of ${name}${detail ? ` (${detail})` : ''}`, target, dockerAction: 'update', flags: { targeted: true }, effects: [{ type: 'limits', detail }] }, 'docker', [action]);
    }
    case 'commit':
      return single({ tier: 'snapshot', summary: `snapshots ${name}'s filesystem into an image`, target, dockerAction: 'commit', effects: [{ type: 'container', op: 'commit', container: target }] }, 'docker', [action]);
    case 'cp-out':
    case 'archive-get':
    case 'export':
      return single({ tier: 'snapshot', summary: `copies files out of ${name}`, target, dockerAction: action, observes: ['filesystem'], effects: [{ type: 'container', op: 'cp-out', container: target, detail: String(flagOf(e, 'path') ?? '') }] }, 'docker', [action]);
    case 'cp-in':
    case 'archive-put':
      return single({ tier: 'change', summary: `copies files into ${name}`, target, dockerAction: action, flags: { targeted: true, writesFile: true }, effects: [{ type: 'container', op: 'cp-in', container: target, detail: String(flagOf(e, 'path') ?? '') }] }, 'docker', [action]);
    case 'run':
    case 'create':
    case 'container-create': {
      // The joined container: `container:X` in Docker's mode fields, or the bare name the
      // proxy logs as pid/net (server/proxy/handlers.ts); a mode such as host is no container.
      const pick = (short: string, ...modes: string[]) => {
        const bare = flagOf(e, short);
        if (typeof bare === 'string' && bare !== '' && !bare.includes(':') && !/^(host|bridge|none|default|private|shareable)$/i.test(bare)) return bare;
        const v = flagOf(e, short, ...modes);
        return typeof v === 'string' && v.startsWith('container:') ? v.slice('container:'.length) : undefined;
      };
      const pid = pick('pid', 'pidMode', 'PidMode');
      const net = pick('net', 'network', 'networkMode', 'NetworkMode');
      const ipc = pick('ipc', 'ipcMode', 'IpcMode');
      const joins = pid ?? net ?? ipc;
      const namespaces = [pid ? 'pid' : '', net ? 'net' : '', ipc ? 'ipc' : ''].filter(Boolean);
      const image = String(flagOf(e, 'image') ?? '');
      const cmd = e.command ?? [];
      const tty = truthy(flagOf(e, 'tty'));
      const stdin = truthy(flagOf(e, 'stdin', 'openStdin', 'attachStdin', 'interactive'));
      const inner = cmd.length > 0 ? classifyArgv(cmd, { where: 'container', target: joins ?? target, tty, stdin }) : undefined;
      if (joins) {
        const innerTier = inner?.tier ?? 'read-only';
        const tier: Tier = isInvasive(innerTier) ? maxTier([innerTier, 'sidecar']) : 'sidecar';
        return single(
          {
            tier,
            summary: `starts a debug container${image ? ` (${image})` : ''} sharing ${joins}'s ${namespaces.join('+')} namespace${inner ? `: ${inner.summary}` : ''}`,
            target: joins,
            dockerAction: action,
            effects: [{ type: 'sidecar', joins, namespaces, image: image || undefined }, ...(inner?.effects ?? [])],
            flags: inner?.flags,
            observes: inner?.observes ?? [],
            inner,
          },
          'docker',
          [action],
        );
      }
      return single({ tier: maxTier(['change', inner?.tier ?? 'change']), summary: `starts a new container${image ? ` from ${image}` : ''}`, target, dockerAction: action, flags: { ...inner?.flags, targeted: true }, effects: [{ type: 'container', op: 'create', detail: image }], inner }, 'docker', [action]);
    }
    case 'network-connect':
    case 'network-disconnect': {
      const network = String(flagOf(e, 'network') ?? '');
      const verb = action === 'network-connect' ? 'connects' : 'disconnects';
      return single({ tier: 'change', summary: `${verb} ${name}${network ? ` ${action === 'network-connect' ? 'to' : 'from'} ${network}` : ''}`, target, dockerAction: action, flags: { targeted: true }, effects: [{ type: 'network', op: action.slice('network-'.length), detail: network }] }, 'docker', [action]);
    }
    case 'network-create':
    case 'network-rm':
    case 'network-remove':
      return single({ tier: 'change', summary: `docker ${action}`, target, dockerAction: action, flags: { targeted: true }, effects: [{ type: 'network', op: action.slice('network-'.length) }] }, 'docker', [action]);
    case 'network-prune':
    case 'image-rm':
    case 'image-prune':
    case 'rmi':
      return single({ tier: 'change', summary: `docker ${action}`, target, dockerAction: action, flags: { targeted: action === 'rmi' || action === 'image-rm' } }, 'docker', [action]);
    case 'volume-rm':
    case 'volume-remove':
    case 'volume-prune':
    case 'system-prune':
      return single({ tier: 'destructive', summary: `docker ${action}: deletes data`, target, dockerAction: action }, 'docker', [action]);
    case 'build':
    case 'pull':
    case 'push':
    case 'load':
    case 'import':
    case 'tag':
    case 'image-create':
      return single({ tier: 'change', summary: `docker ${action}`, target, dockerAction: action, flags: { targeted: true } }, 'docker', [action]);
    default:
      return single({ tier: 'unknown', summary: `docker ${action} (${e.method} ${e.path}), which Sickbay cannot classify`, target, dockerAction: action }, 'docker', [action]);
  }
}

/* ------------------------------------------------------------------ events */

/** A session event with its classification (null for events that are not learner actions). */
export interface ClassifiedEvent {
  event: SessionEvent;
  classification: Classification | null;
}

/** Classifies one event body on its own (no psql-mode tracking: see classifyEvents). */
export function classifyEventBody(body: SessionEventBody): Classification | null {
  switch (body.kind) {
    case 'docker':
      return classifyDockerCall(body);
    case 'typed':
      return classifyShell(body.line, body.where === 'exec' ? { where: 'container', target: body.target } : { where: 'console' });
    default:
      return null;
  }
}

function opensSql(c: Classification): boolean {
  return c.tier === 'interactive' && c.effects.some((e) => e.type === 'shell' && /^(psql|mysql|mariadb|sqlite3)$/.test(e.program));
}

function opensShell(c: Classification): boolean {
  return c.effects.some((e) => e.type === 'shell' && !/^(psql|mysql|mariadb|sqlite3|attach)$/.test(e.program));
}

/**
 * Classifies a session's events in order. Lines typed inside an interactive exec are read as
 * SQL while that exec (or a shell inside it) runs psql, until \q: a multi-line statement is
 * classified once, at the line that ends it with ";"; the earlier lines are marked pending.
 */
export function classifyEvents(events: readonly SessionEvent[]): ClassifiedEvent[] {
  const mode = new Map<string, 'sql' | 'shell'>();
  const buffer = new Map<string, string>();
  const out: ClassifiedEvent[] = [];
  for (const event of events) {
    if (event.kind === 'docker') {
      const c = classifyDockerCall(event);
      const key = event.target ?? event.targetId ?? '';
      if (event.allowed && (event.action === 'exec' || event.action === 'exec-create')) {
        if (opensSql(c)) mode.set(key, 'sql');
        else if (opensShell(c)) mode.set(key, 'shell');
      }
      out.push({ event, classification: c });
      continue;
    }
    if (event.kind !== 'typed') {
      out.push({ event, classification: null });
      continue;
    }
    if (event.where === 'console') {
      out.push({ event, classification: classifyShell(event.line, { where: 'console' }) });
      continue;
    }
    const key = event.target ?? '';
    const line = event.line;
    const trimmed = line.trim();
    let current = mode.get(key) ?? 'shell';
    if (current === 'shell' && looksLikeSql(trimmed) && splitSql(trimmed).unterminated && !trimmed.startsWith('\\')) current = 'sql';
    if (current === 'sql') {
      if (/^(\\q|\\quit|quit|exit)\s*;?$/i.test(trimmed) && !(buffer.get(key) ?? '').trim()) {
        mode.set(key, 'shell');
        out.push({ event, classification: { ...combineParts([], { emptySummary: 'leaves psql' }), tier: 'read-only' } });
        continue;
      }
      mode.set(key, 'sql');
      const text = `${buffer.get(key) ?? ''}${buffer.has(key) ? '\n' : ''}${line}`;
      const split = splitSql(text);
      if (split.unterminated && !trimmed.startsWith('\\') && !/^\\/.test(text.trim())) {
        buffer.set(key, text);
        const pending = combineParts([], { emptySummary: 'part of an SQL statement (psql runs it at the ";")' });
        out.push({ event, classification: { ...pending, tier: 'read-only', pending: true, targets: key ? [key] : [] } });
        continue;
      }
      buffer.delete(key);
      out.push({ event, classification: classifyShell(text, { where: 'container', target: event.target, mode: 'sql' }) });
      continue;
    }
    const c = classifyShell(line, { where: 'container', target: event.target });
    if (opensSql(c)) mode.set(key, 'sql');
    if (/^(exit|logout)\b/.test(trimmed)) mode.delete(key);
    out.push({ event, classification: c });
  }
  return out;
}

/* ------------------------------------------------------------------ helpers for scoring */

/** The text a person would recognise for an event: the typed line or a docker-CLI-like line. */
export function describeEvent(event: SessionEvent): string {
  if (event.kind === 'typed') return event.line;
  if (event.kind === 'docker') {
    const cmd = event.command && event.command.length > 0 ? ` ${quoteArgv(event.command)}` : '';
    return `docker ${event.action}${event.target ? ` ${event.target}` : event.targetId ? ` ${event.targetId.slice(0, 12)}` : ''}${cmd}`;
  }
  return event.kind;
}

/** Compare two tiers by severity. */
export function compareTiers(a: Tier, b: Tier): number {
  return severity(a) - severity(b);
}
