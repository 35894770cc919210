/**
 * The shape of a command classification: which tier of the diagnostic hierarchy a command
 * belongs to, what it does (effects), what it lets the learner see (observations) and the
 * flags the protocol rules care about. Pure data and small combinators; the classifiers live
 * in classify.ts (shell lines, exec argv, proxy calls) and sql.ts (SQL text).
 */

/**
 * Tiers, from least to most severe. The order decides which part of a compound command line
 * ("a | b && c") speaks for the whole line: the most severe part wins.
 *
 *   external      Docker answers from outside the container: logs, stats, inspect, top, ps,
 *                 events, diff, port, network inspect. Nothing runs inside the container.
 *   read-only     A non-interactive command inside a container that changes nothing (ps, free,
 *                 cat, ss, SELECT). It runs in the container, so it sits above external.
 *   snapshot      Preserves evidence: docker commit, docker cp out of a container, saving logs
 *                 or other observations to a file. It changes nothing in the target (commit
 *                 pauses it for a moment), so it ranks just above read-only and below anything
 *                 that reaches into the target's namespaces.
 *   sidecar       A debug container that joins another container's pid/net namespaces. The
 *                 target's image and filesystem stay untouched (the field notes recommend it),
 *                 but the sidecar can see and signal the target's processes, so it ranks above
 *                 snapshot. A sidecar's own command lifts it further only when that command is
 *                 a change or worse (iptables -A from a sidecar is a change).
 *   unknown       Anything the classifier cannot vouch for. Never treated as read-only.
 *   interactive   A shell or an interactive program (psql without -c, top, an editor-less
 *                 REPL) inside a container: anything can happen next and only typed lines say what.
 *   change        Alters the running system in a small way: kill one PID, CREATE INDEX
 *                 CONCURRENTLY, docker update, network connect, editing a file. Whether it was
 *                 targeted and reversible is carried by flags (targeted, locking).
 *   state-losing  Throws away in-memory state and evidence: restart/stop/kill/rm of a container,
 *                 kill of PID 1, a service restart.
 *   destructive   Destroys data: rm -rf, DROP, TRUNCATE, DELETE without WHERE, truncating a file.
 */
export const TIERS = [
  'external',
  'read-only',
  'snapshot',
  'sidecar',
  'unknown',
  'interactive',
  'change',
  'state-losing',
  'destructive',
] as const;
export type Tier = (typeof TIERS)[number];

export function severity(tier: Tier): number {
  return TIERS.indexOf(tier);
}

export function maxTier(tiers: readonly Tier[], fallback: Tier = 'unknown'): Tier {
  let best: Tier | undefined;
  for (const t of tiers) if (best === undefined || severity(t) > severity(best)) best = t;
  return best ?? fallback;
}

/** Tiers that alter the system (the ones a snapshot should come before). */
const INVASIVE_TIERS: readonly Tier[] = ['change', 'state-losing', 'destructive'];

export function isInvasive(tier: Tier): boolean {
  return INVASIVE_TIERS.includes(tier);
}

/**
 * What a command lets the learner see. Diagnosis grading uses these to decide whether an
 * event could have shown the culprit (an exec `ps` shows processes; `docker stats` shows
 * resources, i.e. the symptom, not the culprit).
 */
export const OBSERVATIONS = [
  'logs',
  'resources',
  'processes',
  'state',
  'config',
  'env',
  'events',
  'filesystem',
  'disk',
  'network',
  'connectivity',
  'firewall',
  'traffic-control',
  'kernel',
  'packages',
  'db-activity',
  'db-locks',
  'db-plan',
  'db-schema',
  'db-size',
  'db-data',
  // A process's kernel-side state: /proc/<pid>/..., /proc/locks, open descriptors, limits,
  // thread stacks. Gone with the process; a `docker commit` keeps none of it.
  'process-state',
  // A program's own account of what it is doing now: the status, queue and state files it keeps
  // for tools under /run (/var/run). Run-time data, not configuration, whatever the extension.
  'app-state',
] as const;
export type Observation = (typeof OBSERVATIONS)[number];

/** Booleans the rules read. All default to false. */
export interface ClassificationFlags {
  /** Keeps running and producing output until stopped: logs -f, streaming stats, tail -f, watch, top. */
  streaming: boolean;
  /** Adds noticeable load to the target: du or find over /, EXPLAIN ANALYZE, VACUUM FULL, strace, load tests. */
  heavy: boolean;
  /** Prints environment variables or credential files wholesale (env, /proc/N/environ, unfiltered docker inspect). */
  secrets: boolean;
  /** Tests connectivity: ping, curl, wget, nc, dig, ... */
  networkTest: boolean;
  /** Takes locks that block other work (CREATE INDEX without CONCURRENTLY, VACUUM FULL, ALTER TABLE, LOCK). */
  locking: boolean;
  /**
   * For changes: every change in the command acts on one named thing (one PID, one index, one
   * container, one rule). False for broad ones (killall python, pkill -f ., iptables -F) and for
   * anything that is not a change.
   */
  targeted: boolean;
  /** Installs, upgrades or removes packages in a running container. */
  packageInstall: boolean;
  /** Writes a file (redirection, tee, -o, cp, sed -i, ...). Where it lands is in `effects`. */
  writesFile: boolean;
  /** Keeps running after the prompt returns (`&`, nohup, docker exec -d, setsid). */
  background: boolean;
}

export type FlagName = keyof ClassificationFlags;

export function emptyFlags(): ClassificationFlags {
  return {
    streaming: false,
    heavy: false,
    secrets: false,
    networkTest: false,
    locking: false,
    targeted: false,
    packageInstall: false,
    writesFile: false,
    background: false,
  };
}

/** A classifier's partial flags, completed; only an invasive tier can be targeted. */
export function settleFlags(tier: Tier, partial: Partial<ClassificationFlags> = {}): ClassificationFlags {
  const flags = { ...emptyFlags(), ...partial };
  if (!isInvasive(tier)) flags.targeted = false;
  return flags;
}

/** What a command does, as data. A part can have several effects. */
export type Effect =
  | {
      type: 'kill';
      /** Signal name without SIG (TERM, KILL, HUP, ...). */
      signal: string;
      /** Literal PIDs. */
      pids: number[];
      /** Process names or patterns (pkill/killall/pgrep, or a substitution that finds them). */
      names: string[];
      /** Can hit many processes or the wrong ones (generic names, -f patterns, PID -1, all PIDs of a query). */
      broad: boolean;
      /** Signals PID 1: the container's main process. */
      pid1: boolean;
      /**
       * The kernel drops the signal to PID 1: SIGKILL or SIGSTOP sent from inside PID 1's own
       * PID namespace (a `docker exec`, a `--pid container:X` sidecar) never reaches it.
       */
      ignored?: boolean;
      via: string;
    }
  | {
      type: 'sql';
      /** The statement kind in capitals: SELECT, CREATE INDEX, DELETE, VACUUM, ... */
      statement: string;
      concurrently?: boolean;
      /** DELETE/UPDATE: whether there is a WHERE clause. */
      where?: boolean;
      /** EXPLAIN: whether it runs the statement (ANALYZE). */
      analyze?: boolean;
      /** VACUUM FULL and friends. */
      full?: boolean;
      table?: string;
    }
  | { type: 'file'; op: 'write' | 'append' | 'delete' | 'truncate' | 'move' | 'copy' | 'edit' | 'create' | 'mode'; paths: string[]; recursive?: boolean }
  | { type: 'container'; op: string; container?: string; detail?: string }
  | { type: 'sidecar'; joins: string; namespaces: string[]; image?: string }
  | { type: 'network'; op: string; detail?: string }
  | { type: 'service'; op: string; name?: string }
  | { type: 'package'; manager: string; op: string; packages: string[] }
  | { type: 'request'; method: string; url?: string }
  | { type: 'env'; names: string[] }
  | { type: 'save-output'; file: string; source: string }
  | { type: 'shell'; program: string }
  | { type: 'limits'; detail: string };

/** The common core of every assessment: a tier, a sentence, what it does and shows, flags. */
export interface Assessment {
  tier: Tier;
  /** A short human sentence: "restarts the api container (its processes and memory are lost)". */
  summary: string;
  effects: Effect[];
  flags: ClassificationFlags;
  observes: Observation[];
}

/**
 * Where a part runs:
 *   docker     a Docker API call (docker CLI, or a proxied call): acts on `target`.
 *   container  inside a lab container (an exec'd argv, or a line typed in an interactive exec).
 *   console    only in the learner's own console container: it cannot touch the lab.
 */
export type Scope = 'docker' | 'container' | 'console';

/** One simple command of a line (one pipeline stage, one `&&` operand, one substitution). */
export interface PartClassification extends Assessment {
  /** Program basename after unwrapping sudo/env/timeout/..., e.g. "kill", "docker", "psql". */
  program: string;
  /** The argv that was classified (after unwrapping). */
  argv: string[];
  scope: Scope;
  /** The container it acts on, as written (a name, an id or a service name); "*" for all. */
  target?: string;
  /** Wrappers that were unwrapped to reach the program: sudo, env, timeout, watch, xargs, ... */
  via?: string[];
  /** For docker CLI parts: the proxy action it should produce (exec, logs, restart, ...). */
  dockerAction?: string;
  /** For docker exec / run / bash -c / psql: the classification of what runs inside. */
  inner?: Classification;
}

export interface Classification extends Assessment {
  /** Every program seen, in order, without duplicates. */
  programs: string[];
  /** Containers acted on (as written); "*" when a command reaches every container. */
  targets: string[];
  /** The parts in execution order (substitutions before the command that uses them). */
  parts: PartClassification[];
  /** The line could not be parsed completely (an unterminated quote, a half-typed heredoc). */
  incomplete: boolean;
  /**
   * Only completes another call (exec start, exec inspect, resize, wait): scoring folds it into
   * the action it belongs to instead of counting it as a learner action of its own.
   */
  companion?: boolean;
  /** A line of an SQL statement that has not ended yet (psql runs it only at the ";"). */
  pending?: boolean;
}

function partTouchesLab(p: PartClassification): boolean {
  return p.scope !== 'console';
}

function dedupe<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}

export function mergeFlags(all: readonly ClassificationFlags[], opts: { changeTargets?: readonly boolean[] } = {}): ClassificationFlags {
  const out = emptyFlags();
  for (const f of all) {
    for (const k of Object.keys(out) as FlagName[]) if (k !== 'targeted' && f[k]) out[k] = true;
  }
  const targets = opts.changeTargets ?? [];
  out.targeted = targets.length > 0 && targets.every(Boolean);
  return out;
}

function joinSummaries(summaries: readonly string[]): string {
  const unique = dedupe(summaries.filter((s) => s.length > 0));
  if (unique.length <= 1) return unique[0] ?? '';
  if (unique.length <= 3) return unique.join('; ');
  return `${unique.slice(0, 3).join('; ')}; and ${unique.length - 3} more`;
}

/**
 * Combines parts into a line's classification. The tier is the most severe among the parts
 * that touch the lab (docker calls, commands inside containers); parts that only run in the
 * console count when nothing touches the lab, so `docker logs api | grep ERROR` is external
 * (grep runs in the console) while a bare `ls` is a console-local read.
 */
export function combineParts(parts: PartClassification[], opts: { incomplete?: boolean; emptySummary?: string } = {}): Classification {
  const lab = parts.filter(partTouchesLab);
  const deciding = lab.length > 0 ? lab : parts;
  const tier = deciding.length === 0 ? 'read-only' : maxTier(deciding.map((p) => p.tier));
  const top = deciding.filter((p) => p.tier === tier);
  const changeParts = deciding.filter((p) => isInvasive(p.tier));
  const flags = mergeFlags(
    deciding.map((p) => p.flags),
    { changeTargets: changeParts.map((p) => p.flags.targeted) },
  );
  // Writes and background jobs count wherever they happen.
  for (const p of parts) {
    if (p.flags.background) flags.background = true;
  }
  return {
    tier,
    summary: joinSummaries(top.map((p) => p.summary)) || opts.emptySummary || 'does nothing',
    effects: deciding.flatMap((p) => p.effects),
    flags,
    observes: dedupe(deciding.flatMap((p) => p.observes)),
    programs: dedupe(parts.flatMap((p) => [...(p.via ?? []), p.program]).filter((p) => p !== '')),
    targets: dedupe(parts.flatMap((p) => (p.target !== undefined && p.scope !== 'console' ? [p.target] : []))),
    parts,
    incomplete: opts.incomplete ?? false,
  };
}

/** Flattens nested parts (docker exec -> inner command -> bash -c -> ...), outermost first. */
export function flattenParts(c: Classification): PartClassification[] {
  const out: PartClassification[] = [];
  const walk = (parts: readonly PartClassification[]) => {
    for (const p of parts) {
      out.push(p);
      if (p.inner) walk(p.inner.parts);
    }
  };
  walk(c.parts);
  return out;
}
