/**
 * What a program handler returns and receives. A handler reads one argv (wrappers already
 * unwrapped) and returns a Draft: a tier, a sentence, and optionally effects, flags and
 * observations. classifyProgram (./index.ts) turns the Draft into a PartClassification.
 */
import type { Classification, ClassificationFlags, Effect, Observation, Scope, Tier } from '../classification';
import type { ShellWord } from '../shell';

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

/** How a handler classifies what a command runs in turn (bash -c, find -exec, docker exec). */
export interface Recurse {
  line(line: string, ctx: ArgvContext): Classification;
  argv(argv: string[], ctx: ArgvContext): Classification;
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

/** Classifies one program's argv: `prog` is the basename, `args` what follows it. */
export type ProgramHandler = (prog: string, args: string[], ctx: ArgvContext, r: Recurse) => Draft;

/** Program basename -> handler, one table per domain (processes, files, network, ...). */
export type ProgramTable = Record<string, ProgramHandler>;

/** One handler under several names (pkill, killall, ...). */
export function each(names: readonly string[], handler: ProgramHandler): ProgramTable {
  return Object.fromEntries(names.map((n) => [n, handler]));
}

export const ro = (summary: string, observes: Observation[] = [], f: Partial<ClassificationFlags> = {}): Draft => ({ tier: 'read-only', summary, observes, flags: f });
export const change = (summary: string, f: Partial<ClassificationFlags> = {}, effects: Effect[] = []): Draft => ({ tier: 'change', summary, flags: { targeted: true, ...f }, effects });
export const unknown = (summary: string): Draft => ({ tier: 'unknown', summary });

/** A command that runs another one (bash -c, a here-doc): it is what it runs. */
export const runs = (inner: Classification): Draft => ({ tier: inner.tier, summary: inner.summary, effects: inner.effects, flags: inner.flags, observes: inner.observes, inner });

export function fileOp(op: 'delete' | 'move' | 'copy' | 'edit' | 'create' | 'mode' | 'truncate' | 'write', paths: string[], recursive = false): Effect {
  return { type: 'file', op, paths, recursive };
}

/** Output that goes nowhere that lasts: writing there saves nothing. */
export const DEV_NULLISH = /^\/dev\/(null|stdout|stderr|tty|fd\/[0-2])$/;

/** Words that are not options: `rm -f a b` -> a, b. */
export const operands = (args: readonly string[]): string[] => args.filter((a) => !a.startsWith('-'));
