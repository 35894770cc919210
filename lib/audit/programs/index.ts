/**
 * What each program does, by its argv: the table behind classifyShell/classifyArgv. Wrappers
 * (sudo, env, timeout, watch, xargs, nohup, ...) are unwrapped first (./wrappers.ts), then the
 * program's handler, found by its basename in one table merged from the domain tables, returns
 * a Draft. Unknown programs are 'unknown', never read-only.
 */
import { type ClassificationFlags, type PartClassification, type Scope, settleFlags } from '../classification';
import { basename } from '../shell';
import { databases } from './databases';
import { debuggers } from './debuggers';
import { docker } from './docker';
import { type ArgvContext, type Draft, type ProgramHandler, type ProgramTable, type Recurse, ro, unknown } from './draft';
import { files } from './files';
import { network } from './network';
import { packages } from './packages';
import { processes } from './processes';
import { services } from './services';
import { envDraft, langDraft, shells } from './shells';
import { simple } from './simple';
import { system } from './system';
import { text } from './text';
import { unwrap } from './wrappers';

export type { ArgvContext, Draft, Recurse, StdinInfo } from './draft';

/** The domain tables; a program belongs to exactly one (test/unit/audit/programs.test.ts). */
export const DOMAINS: Readonly<Record<string, ProgramTable>> = { docker, processes, debuggers, files, text, network, databases, packages, services, system, shells, simple };

// A Map, not an object: a typed `constructor` or `__proto__` must not find Object's own members.
const PROGRAMS = new Map<string, ProgramHandler>(Object.values(DOMAINS).flatMap((table) => Object.entries(table)));

const MAX_DEPTH = 8;

/** Classifies one argv (no wrappers left). */
function programDraft(prog: string, args: string[], ctx: ArgvContext, r: Recurse): Draft {
  const handler = PROGRAMS.get(prog) ?? (/^python\d(\.\d+)?$/.test(prog) ? langDraft : undefined);
  return handler ? handler(prog, args, ctx, r) : unknown(`runs ${prog}, which Sickbay cannot classify`);
}

/** A wrapper given nothing to run: what it does on its own. */
function bareWrapper(prog: string, args: string[], ctx: ArgvContext, r: Recurse): Draft {
  if (prog === 'env') return envDraft('env', []);
  if (prog === 'sudo') return ro('sudo with no command (lists or checks privileges)');
  if (prog === 'command') return ro('looks up a command');
  if (prog === 'renice' || prog === 'ionice' || prog === 'taskset' || prog === 'chrt') return programDraft(prog, args, ctx, r);
  return ro(`${prog} with nothing to run`);
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
  else if (unwrap(prog, args) === 'self') draft = bareWrapper(prog, args, innerCtx, r);
  else draft = programDraft(prog, args, innerCtx, r);
  const f = settleFlags(draft.tier, { ...draft.flags, ...extraFlags });
  if (draft.flags?.streaming && !extraFlags.streaming) f.streaming = true;
  if (clearStreaming) f.streaming = false;
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
