/**
 * What a docker command runs inside a container: `docker exec` (the command in the target)
 * and `docker run`/`create` (a new container, or a debug sidecar when it joins another
 * container's pid/net/ipc namespaces or volumes).
 */
import { has, parseArgs, value, values } from '../args';
import { type Classification, type Effect, type Tier, maxTier } from '../classification';
import type { ArgvContext, Draft, Recurse } from './draft';

const RUN_VALUES = [
  '--name', '--pid', '--net', '--network', '--ipc', '--uts', '--userns', '--cgroupns', '-e', '--env', '--env-file', '-v', '--volume', '--mount',
  '-p', '--publish', '-w', '--workdir', '-u', '--user', '--entrypoint', '--cap-add', '--cap-drop', '-m', '--memory', '--memory-swap',
  '--memory-reservation', '--cpus', '--cpu-shares', '-c', '--cpuset-cpus', '-l', '--label', '--label-file', '-h', '--hostname',
  '--restart', '--security-opt', '--device', '--add-host', '--dns', '--dns-search', '--dns-option', '--log-driver', '--log-opt',
  '--platform', '--pull', '--tmpfs', '--ulimit', '--stop-signal', '--stop-timeout', '--cidfile', '--health-cmd', '--health-interval',
  '--health-retries', '--health-timeout', '--health-start-period', '--pids-limit', '--network-alias', '--ip', '--ip6', '--mac-address',
  '--volumes-from', '--runtime', '--shm-size', '--storage-opt', '--sysctl', '--group-add', '--detach-keys', '--link', '--expose',
  '-a', '--attach', '--gpus', '--isolation', '--kernel-memory', '--oom-score-adj', '--blkio-weight', '--cpu-period', '--cpu-quota',
];

const EXEC_VALUES = ['-e', '--env', '--env-file', '-u', '--user', '-w', '--workdir', '--detach-keys'];

/** "container:api" -> "api". */
function joined(v: string | undefined): string | undefined {
  return v !== undefined && v.startsWith('container:') ? v.slice('container:'.length) : undefined;
}

/** Classifies what runs inside a container (exec, sidecar command). */
function innerOf(cmd: string[], target: string | undefined, ctx: ArgvContext, r: Recurse, io: { tty: boolean; stdin: boolean }): Classification {
  const stdin: ArgvContext['stdin'] = io.stdin ? (ctx.stdin.kind === 'none' ? { kind: 'terminal' } : ctx.stdin) : { kind: 'none' };
  // Word info is looked up by value (for `kill $(pgrep x)`), so the outer words still serve.
  return r.argv(cmd, { where: 'container', target, tty: io.tty, stdin, upstream: [], downstream: ctx.downstream, words: ctx.words, depth: ctx.depth + 1 });
}

export function execDraft(args: string[], ctx: ArgvContext, r: Recurse, compose = false): Draft {
  const p = parseArgs(args, { values: compose ? [...EXEC_VALUES, '--index'] : EXEC_VALUES, stopAtPositional: true });
  const container = p.positionals[0];
  const cmd = p.rest;
  const tty = compose ? !has(p, '-T', '--no-TTY') : has(p, '-t', '--tty');
  const stdin = compose ? !has(p, '-T', '--no-TTY') : has(p, '-i', '--interactive');
  const detach = has(p, '-d', '--detach');
  if (!container || cmd.length === 0) return { tier: 'unknown', summary: 'docker exec without a container or command', scope: 'docker', dockerAction: 'exec', target: container };
  const inner = innerOf(cmd, container, ctx, r, { tty, stdin });
  const user = value(p, '-u', '--user');
  const note = user === 'root' || user === '0' ? ' as root' : '';
  return {
    tier: inner.tier,
    summary: `in ${container}${note}: ${inner.summary}`,
    effects: inner.effects,
    flags: { ...inner.flags, background: detach || inner.flags.background },
    observes: inner.observes,
    inner,
    target: container,
    dockerAction: 'exec',
    scope: 'docker',
  };
}

export function runDraft(args: string[], ctx: ArgvContext, r: Recurse, create: boolean): Draft {
  const p = parseArgs(args, { values: RUN_VALUES, stopAtPositional: true });
  const image = p.positionals[0] ?? '(no image)';
  const cmd = p.rest;
  const pidJoin = joined(value(p, '--pid'));
  const netJoin = joined(value(p, '--net', '--network'));
  const ipcJoin = joined(value(p, '--ipc'));
  const volumesFrom = value(p, '--volumes-from');
  const joins = pidJoin ?? netJoin ?? ipcJoin ?? volumesFrom;
  const namespaces = [pidJoin ? 'pid' : '', netJoin ? 'net' : '', ipcJoin ? 'ipc' : '', volumesFrom ? 'volumes' : ''].filter(Boolean);
  const tty = has(p, '-t', '--tty');
  const stdin = has(p, '-i', '--interactive');
  const detach = has(p, '-d', '--detach');
  const risky = has(p, '--privileged') || values(p, '--cap-add').length > 0 || /host/.test(`${value(p, '--pid') ?? ''}${value(p, '--net', '--network') ?? ''}`);
  const inner = cmd.length > 0 ? innerOf(cmd, joins, ctx, r, { tty, stdin }) : undefined;
  if (joins) {
    const effects: Effect[] = [{ type: 'sidecar', joins, namespaces, image }, ...(inner?.effects ?? [])];
    const innerTier: Tier = inner?.tier ?? 'read-only';
    // A sidecar is its own category; only changes and worse made from inside it lift the tier.
    const tier: Tier = ['change', 'state-losing', 'destructive'].includes(innerTier) ? maxTier([innerTier, 'sidecar']) : 'sidecar';
    const what = inner ? inner.summary : stdin && tty ? 'an interactive shell' : "the image's default command";
    return {
      tier,
      summary: `starts a debug container (${image}) sharing ${joins}'s ${namespaces.join('+')} namespace${namespaces.length > 1 ? 's' : ''}: ${what}${risky ? ' (asks for extra privileges)' : ''}`,
      effects,
      flags: { ...inner?.flags, background: detach },
      observes: inner?.observes ?? [],
      inner,
      target: joins,
      dockerAction: create ? 'create' : 'run',
      scope: 'docker',
    };
  }
  return {
    tier: maxTier(['change', inner?.tier ?? 'change']),
    summary: `starts a new container from ${image}${inner ? `: ${inner.summary}` : ''}${risky ? ' (asks for extra privileges)' : ''}`,
    effects: [{ type: 'container', op: create ? 'create' : 'run', detail: image }, ...(inner?.effects ?? [])],
    flags: { ...inner?.flags, targeted: true, background: detach },
    observes: inner?.observes ?? [],
    inner,
    dockerAction: create ? 'create' : 'run',
    scope: 'docker',
  };
}
