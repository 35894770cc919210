/**
 * The safe-debugging protocol as data. Each rule says why it exists, where in the field notes
 * the practice comes from, and how to judge a session: met, broken (with partial points where
 * a partly-right order deserves some) or not applicable. Every result cites the events behind
 * it. Weights add up to 100; not-applicable rules drop out of the denominator.
 */
import { type Observation, isInvasive } from '../audit/classify';
import { actionParts, affects, cite, hasTier, isInside, orderedParts } from './actions';
import { describeLoss, lossCauses, type RecordedLoss } from './container-record';
import { customerImpact } from './impact-rule';
import { decisionRecorded, stakeholderUpdate } from './decision-rules';
import { all, at, effective, madeChanges, na, result, TIER_WORDS } from './rule-kit';
import { timeline } from './timeline-rule';
import type { Action, Rule, RuleContext } from './types';

export { madeChanges } from './rule-kit';
export { TIMELINE_BUDGETS_MS, timelineSteps, type TimelineStep } from './timeline-rule';
export { decisionRecorded, stakeholderUpdate, timeline };

/* ------------------------------------------------------------------ 1 */

export const observeOutsideFirst: Rule = {
  id: 'observe-outside-first',
  title: 'Look from outside before going in',
  weight: 15,
  explanation:
    'Docker can already tell you most of the story — logs, resource use, state, restarts — without running anything inside the container. Starting there costs nothing and disturbs nothing.',
  runbook: 'Diagnostic hierarchy (01a) and "never jump straight into the container" (01)',
  evaluate(ctx) {
    const first = all(ctx)[0];
    if (!first) return na('No action on the lab was recorded.');
    if (first.tier === 'external' || (first.tier === 'snapshot' && !isInside(first))) {
      return result('met', this.weight, 1, first.ids, `The first action was from outside: ${cite(first)}.`);
    }
    // Read-only from inside (a one-off exec, a sidecar, copying output out of an exec) changed nothing.
    if (first.tier === 'read-only' || first.tier === 'sidecar' || first.tier === 'snapshot') {
      return result('broken', this.weight, 0.4, first.ids, `The first action was ${TIER_WORDS[first.tier]}: ${cite(first)}. It changed nothing, but logs, stats and inspect would have come first.`);
    }
    const consequence =
      first.tier === 'state-losing' || first.tier === 'destructive'
        ? ' — before anything was looked at, so the evidence went with it'
        : first.tier === 'interactive'
          ? ' — straight into the container without asking Docker first'
          : first.tier === 'change'
            ? ' — the system was changed before it was observed'
            : '';
    return result('broken', this.weight, 0, first.ids, `The first action was ${TIER_WORDS[first.tier]}: ${cite(first)}${consequence}.`);
  },
};

/* ------------------------------------------------------------------ 2 */

export const readOnlyBeforeInteractive: Rule = {
  id: 'read-only-before-interactive',
  title: 'Try a one-off read-only exec before opening a shell',
  weight: 5,
  explanation:
    'A single `docker exec <container> ps aux` answers one question and leaves nothing behind. A shell invites improvisation on a live system; open one only when the one-off checks are not enough.',
  runbook: 'Diagnostic hierarchy (01b before 01c)',
  evaluate(ctx) {
    const actions = all(ctx);
    const idx = actions.findIndex((a) => a.tier === 'interactive');
    if (idx === -1) return na('No interactive shell was opened.');
    const shell = actions[idx] as Action;
    const before = actions.slice(0, idx);
    const reads = before.filter((a) => (a.tier === 'read-only' || a.tier === 'snapshot') && isInside(a));
    if (reads.length > 0) {
      return result('met', this.weight, 1, reads.flatMap((a) => a.ids), `Read-only checks came first (${reads.slice(0, 3).map(cite).join(', ')}) before the shell ${cite(shell)}.`);
    }
    const outside = before.filter((a) => a.tier === 'external');
    if (outside.length > 0) {
      return result('broken', this.weight, 0.3, shell.ids, `The shell ${cite(shell)} came after outside looks but without a one-off read-only exec first (e.g. \`docker exec <container> ps aux\`).`);
    }
    return result('broken', this.weight, 0, shell.ids, `The shell ${cite(shell)} was opened before any read-only check${before.length === 0 ? ' — it was the very first action' : ''}.`);
  },
};

/* ------------------------------------------------------------------ 3 */

function snapshotQuality(a: Action, evidence: readonly Observation[]): number {
  // A commit / cp out / dump keeps the container's files; saved output is whole only when it
  // shows what this scenario's evidence is (a database's sessions), else it is half (the logs).
  const parts = orderedParts(a).filter((p) => p.tier === 'snapshot');
  if (parts.some((p) => !p.effects.some((e) => e.type === 'save-output'))) return 1;
  if (parts.some((p) => p.observes.some((o) => evidence.includes(o)))) return 1;
  return parts.length > 0 ? 0.5 : 0;
}

/**
 * What would have kept the evidence. A commit keeps a container's files, never a process's
 * state: where that is the evidence, recommending a commit would teach the wrong thing.
 */
function keepAdvice(evidence: readonly Observation[]): string {
  const words = evidence.map((o) => (o === 'process-state' ? "the process's state (/proc/<pid>/fd, limits, /proc/locks, a thread dump)" : o));
  if (evidence.includes('process-state')) return `saving ${words.join(' / ')} to a file would have kept it (a \`docker commit\` keeps none of a process's state)`;
  return `a \`docker commit\`${words.length ? ` or saving the ${words.join(' / ')}` : ''} would have kept it`;
}

export const snapshotBeforeInvasive: Rule = {
  id: 'snapshot-before-invasive',
  title: 'Snapshot before changing anything',
  weight: 10,
  explanation:
    'A `docker commit` (or copying files and logs out) keeps what the container looked like before you touched it, so the investigation can continue after the fix and nothing is lost if the fix goes wrong.',
  runbook: 'Advanced techniques: snapshots before invasive debugging (03a)',
  evaluate(ctx) {
    if (!ctx.expectations.snapshotExpected) return na('This scenario does not ask for a snapshot.');
    // Walk parts in order so "docker commit api && docker exec api kill 42" counts as snapshot first.
    const snapshots: { action: Action; quality: number }[] = [];
    for (const a of effective(ctx)) {
      for (const p of orderedParts(a)) {
        if (p.tier === 'snapshot') {
          snapshots.push({ action: a, quality: snapshotQuality(a, ctx.expectations.snapshotEvidence) });
          continue;
        }
        if (!isInvasive(p.tier)) continue;
        const target = a.targets[0];
        const relevant = snapshots.filter((s) => !target || s.action.targets.length === 0 || s.action.targets.includes(target) || s.action.targets.includes('*'));
        if (relevant.length === 0) {
          const later = effective(ctx).find((x) => x.t > a.t && hasTier(x, 'snapshot'));
          return result('broken', this.weight, 0, a.ids, `The first invasive action, ${cite(a)}, came before any snapshot${later ? ` (one was taken later: ${cite(later)})` : ''}.`);
        }
        const best = relevant.reduce((x, y) => (y.quality > x.quality ? y : x));
        if (best.quality >= 1) {
          return result('met', this.weight, 1, best.action.ids, `${cite(best.action)} preserved the container before the first invasive action ${cite(a)}.`);
        }
        return result('broken', this.weight, best.quality, [...best.action.ids, ...a.ids], `Only output that does not hold this incident's evidence was saved (${cite(best.action)}) before the first invasive action ${cite(a)}; ${keepAdvice(ctx.expectations.snapshotEvidence)}.`);
      }
    }
    return na('Nothing invasive was done, so there was nothing to snapshot before.');
  },
};

/* ------------------------------------------------------------------ 4 */

function observedBefore(ctx: RuleContext, a: Action, services: readonly string[]): Action[] {
  return ctx.actions.filter((x) => x.t < a.t && x.effective && (x.tier === 'external' || x.tier === 'read-only' || x.tier === 'interactive' || x.tier === 'sidecar') && affects(x, services));
}

const LOSS_VERBS: Record<string, string> = { restart: 'restarted', stop: 'stopped', kill: 'killed', rm: 'removed', remove: 'removed', down: 'tore down', 'container-prune': 'removed' };

function lossVerb(a: Action): string {
  const parts = actionParts(a).filter((p) => p.tier === 'state-losing');
  for (const p of parts) {
    for (const e of p.effects) {
      if (e.type === 'container' && LOSS_VERBS[e.op]) return `${LOSS_VERBS[e.op]} ${e.container && e.container !== '*' ? e.container : 'the container'}`;
      if (e.type === 'kill' && e.pid1) return "ended the container's main process";
      if (e.type === 'service') return `ran "${e.op}" on ${e.name ?? 'a service'}`;
    }
  }
  return 'threw away the running state';
}

/**
 * Losses Docker recorded on the affected services (all services when none is named) that the
 * learner caused: an OOM kill that nobody restarted is the incident's doing, not a command's.
 */
function learnerLosses(ctx: RuleContext, services: readonly string[]): RecordedLoss[] {
  return ctx.recorded.filter((l) => !l.oom && (services.length === 0 || services.includes(l.service)));
}

export const noStateLoss: Rule = {
  id: 'no-state-loss',
  title: 'Keep the running state: no restart, stop or kill of the affected service',
  weight: 20,
  explanation:
    'A restart feels like a fix, but it throws away the processes, memory and open connections that explain the incident — and the problem usually comes back. Fix the cause in place unless the scenario says a restart is acceptable.',
  runbook: 'Troubleshooting insights: a restart loses debugging state (08a); emergency decision point (06d)',
  evaluate(ctx) {
    if (ctx.expectations.restartAllowed) return na('This scenario accepts a restart.');
    // Keeping the state only counts for someone who worked on the incident: doing nothing
    // would otherwise earn a fifth of the protocol score.
    const services = ctx.expectations.affectedServices;
    // Docker's own record: a restart counts whatever command caused it (pkill, then docker start).
    const recorded = learnerLosses(ctx, services);
    if (ctx.actions.length === 0 && recorded.length === 0) return na('Nothing was done in the lab, so there was no state to keep or lose.');
    // Looking without fixing anything keeps the state too, for free: the rule rewards keeping
    // it while acting, so it applies only once something was changed.
    if (madeChanges(ctx).length === 0 && recorded.length === 0) return na('Nothing in the lab was changed, so the running state was never at risk: keeping it earns nothing by itself.');
    const losing = ctx.actions.filter((a) => (a.tier === 'state-losing' || hasTier(a, 'state-losing')) && affects(a, services));
    const happened = losing.filter((a) => a.effective);
    const attempted = losing.filter((a) => !a.effective);
    if (happened.length === 0 && recorded.length > 0) {
      const ids = recorded.flatMap((l) => {
        const { cause, restart } = lossCauses(l, ctx.actions);
        return [...(cause?.ids ?? []), ...(restart?.ids ?? []), l.eventId];
      });
      const what = recorded.map((l) => describeLoss(l, ctx.actions, ctx.readyAt)).join('; ');
      return result('broken', this.weight, 0, ids, `${what}: lost debugging state — the processes, memory and evidence that explained the incident are gone.`);
    }
    if (happened.length === 0) {
      const inPlace = effective(ctx).filter((a) => a.tier === 'change' && affects(a, services));
      const note = inPlace.length
        ? `No restart, stop or kill of ${services.join(', ') || 'the affected service'}; the fix was made in place (${inPlace.slice(0, 3).map(cite).join(', ')}).`
        : `No restart, stop or kill of ${services.join(', ') || 'the affected service'}.`;
      const tried = attempted.length ? ` ${attempted.map(cite).join(', ')} was tried but refused or failed, so nothing was lost.` : '';
      return result('met', this.weight, 1, inPlace.flatMap((a) => a.ids), note + tried);
    }
    const first = happened[0] as Action;
    const looked = observedBefore(ctx, first, services);
    const when = looked.length === 0 ? 'before anything about it had been examined' : `after ${looked.length} observation${looked.length === 1 ? '' : 's'}`;
    const rest = happened.length > 1 ? ` Also: ${happened.slice(1).map(cite).join(', ')}.` : '';
    return result(
      'broken',
      this.weight,
      0,
      happened.flatMap((a) => a.ids),
      `${cite(first)} ${lossVerb(first)} ${when}: lost debugging state — the processes, memory and evidence that explained the incident are gone.${rest}`,
    );
  },
};

/* ------------------------------------------------------------------ 5 */

export const targetedReversibleChanges: Rule = {
  id: 'targeted-reversible-changes',
  title: 'Changes are small, targeted and reversible',
  weight: 10,
  explanation:
    'When a change is needed, make the smallest one that tests the idea: one PID rather than every process with a name, an index built CONCURRENTLY rather than one that blocks writes. Nothing destructive.',
  runbook: 'Diagnostic hierarchy: controlled, reversible changes (01d); data integrity (05b)',
  evaluate(ctx) {
    // A restart, stop or kill is a change too, and neither small nor reversible — unless the
    // scenario accepts a restart of the affected service.
    const accepted = (a: Action) => ctx.expectations.restartAllowed && affects(a, ctx.expectations.affectedServices);
    const losing = (a: Action) => (a.tier === 'state-losing' || actionParts(a).some((p) => p.tier === 'state-losing')) && !accepted(a);
    const changes = effective(ctx).filter((a) => a.tier === 'change' || a.tier === 'destructive' || losing(a) || actionParts(a).some((p) => p.tier === 'change' || p.tier === 'destructive'));
    const unexplained = ctx.expectations.restartAllowed ? [] : learnerLosses(ctx, ctx.expectations.affectedServices).filter((l) => !changes.some((a) => losing(a) && a.targets.some((t) => t === l.service || t === '*')));
    if (changes.length === 0 && unexplained.length === 0) return na('No change was made.');
    const destructive = changes.filter((a) => a.tier === 'destructive' || actionParts(a).some((p) => p.tier === 'destructive'));
    if (destructive.length > 0) {
      return result('broken', this.weight, 0, destructive.flatMap((a) => a.ids), `Destructive: ${destructive.map((a) => `${cite(a)} ${a.classification.summary.replace(/^in [^:]+: /, '')}`).join('; ')}.`);
    }
    let penalty = 0;
    const problems: string[] = [];
    const offenders: number[] = [];
    for (const a of changes) {
      const parts = actionParts(a).filter((p) => p.tier === 'change');
      const broad = parts.some((p) => !p.flags.targeted && !p.flags.packageInstall) || parts.some((p) => p.effects.some((e) => e.type === 'kill' && e.broad));
      const locking = parts.some((p) => p.flags.locking) || a.classification.flags.locking && a.tier === 'change';
      const pkg = parts.some((p) => p.flags.packageInstall);
      if (losing(a)) {
        penalty += 40;
        problems.push(`${cite(a)} ${lossVerb(a)}: not a small, reversible change`);
        offenders.push(...a.ids);
      }
      if (broad) {
        penalty += 40;
        problems.push(`${cite(a)} is not targeted (${a.classification.summary.replace(/^in [^:]+: /, '')})`);
        offenders.push(...a.ids);
      }
      if (locking) {
        penalty += 40;
        problems.push(`${cite(a)} takes locks that block other work (use CONCURRENTLY / an online variant)`);
        offenders.push(...a.ids);
      }
      if (pkg) {
        penalty += 25;
        problems.push(`${cite(a)} installs packages in a running container`);
        offenders.push(...a.ids);
      }
    }
    for (const l of unexplained) {
      penalty += 40;
      problems.push(`${describeLoss(l, ctx.actions, ctx.readyAt)}: not a small, reversible change`);
      offenders.push(l.eventId, ...(lossCauses(l, ctx.actions).cause?.ids ?? []));
    }
    if (penalty === 0) {
      return result('met', this.weight, 1, changes.flatMap((a) => a.ids), `Every change was targeted: ${changes.slice(0, 3).map(cite).join(', ')}.`);
    }
    return result('broken', this.weight, (100 - penalty) / 100, offenders, `${problems.join('; ')}.`);
  },
};

/* ------------------------------------------------------------------ 6 */

export const noExtraLoad: Rule = {
  id: 'no-extra-load',
  title: 'Add no load to a stressed system',
  weight: 5,
  explanation:
    'The system is already saturated. Commands that walk the whole filesystem, run a query to time it, or stream forever in the background compete with the customers for the same CPU, memory and I/O.',
  runbook: 'Production considerations: performance overhead of debugging (05c)',
  evaluate(ctx) {
    if (!ctx.expectations.stressed) return na('The system is not under stress in this scenario.');
    const actions = effective(ctx);
    if (actions.length === 0) return na('No action on the lab was recorded.');
    let penalty = 0;
    const problems: string[] = [];
    const offenders: number[] = [];
    for (const a of actions) {
      const f = a.classification.flags;
      if (f.heavy) {
        penalty += 40;
        problems.push(`${cite(a)} is heavy`);
        offenders.push(...a.ids);
      }
      if (f.streaming && f.background) {
        penalty += 40;
        problems.push(`${cite(a)} keeps streaming in the background`);
        offenders.push(...a.ids);
      } else if (f.streaming) {
        penalty += 15;
        problems.push(`${cite(a)} streams until stopped (a one-shot form exists, e.g. --no-stream / --tail)`);
        offenders.push(...a.ids);
      }
    }
    if (penalty === 0) {
      const light = actions.filter((a) => (a.tier === 'external' || a.tier === 'read-only') && a.classification.observes.length > 0);
      return result('met', this.weight, 1, light.flatMap((a) => a.ids), 'Every command was light and finished on its own.');
    }
    return result('broken', this.weight, (100 - penalty) / 100, offenders, `${problems.join('; ')}.`);
  },
};

/* ------------------------------------------------------------------ 7 */

function mentions(text: string, secret: string): boolean {
  if (secret === '') return false;
  // Env names: a whole word, any case; values: as written.
  if (/^[A-Z_][A-Z0-9_]*$/.test(secret)) return new RegExp(`(^|[^A-Za-z0-9_])${secret}([^A-Za-z0-9_]|$)`, 'i').test(text);
  return text.includes(secret);
}

export const noSecretsExposed: Rule = {
  id: 'no-secrets-exposed',
  title: 'Do not expose secrets while debugging',
  weight: 5,
  explanation:
    'Terminals are recorded and shared. Dumping the whole environment, printing credential files or typing a password puts secrets into recordings, screenshots and scrollback. Filter for what you need (`docker inspect --format`, `printenv PORT`).',
  runbook: 'Production considerations: security implications (05d)',
  evaluate(ctx) {
    const secrets = ctx.expectations.secrets;
    if (secrets.length === 0) return na('This scenario has no secrets to protect.');
    const exposures: string[] = [];
    const ids: number[] = [];
    for (const a of ctx.actions) {
      if (a.classification.flags.secrets) {
        exposures.push(`${cite(a)} prints the environment or a credentials file`);
        ids.push(...a.ids);
      }
    }
    // Any typed line or exec'd command that names a secret, console-only lines included.
    for (const { event } of ctx.input.events) {
      const text = event.kind === 'typed' ? event.line : event.kind === 'docker' ? [...(event.command ?? []), ...Object.values(event.flags ?? {}).map(String)].join(' ') : '';
      if (!text) continue;
      const hit = secrets.find((s) => mentions(text, s));
      if (hit && !ids.includes(event.id)) {
        exposures.push(`"${text.length > 80 ? `${text.slice(0, 77)}...` : text}" at ${at(ctx, event)} ${/^[A-Z_][A-Z0-9_]*$/.test(hit) ? `names ${hit}` : 'contains a secret value'}`);
        ids.push(event.id);
      }
    }
    if (exposures.length === 0) {
      // What earned it: the looks at configuration and state that kept secrets off the screen.
      const careful = ctx.actions.filter((a) => actionParts(a).some((p) => p.dockerAction === 'inspect' || p.observes.includes('config') || p.observes.includes('env')));
      return result('met', this.weight, 1, careful.flatMap((a) => a.ids), 'No command printed the environment wholesale or named a secret.');
    }
    return result('broken', this.weight, 0, ids, `${exposures.join('; ')}.`);
  },
};

/** The standard rules, in report order. */
export const STANDARD_RULES: readonly Rule[] = [
  observeOutsideFirst,
  readOnlyBeforeInteractive,
  snapshotBeforeInvasive,
  noStateLoss,
  targetedReversibleChanges,
  noExtraLoad,
  noSecretsExposed,
  timeline,
  decisionRecorded,
  stakeholderUpdate,
  customerImpact,
];
