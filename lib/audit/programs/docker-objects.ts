/**
 * The draft shapes docker subcommands share (an outside look, a change, a state-losing stop)
 * and the subcommands about objects: inspect, networks, compose services.
 */
import { parseArgs, value } from '../args';
import type { Effect, Observation } from '../classification';
import type { ArgvContext, Draft, Recurse } from './draft';
import { execDraft } from './docker-exec';
import { processSelection } from './selection';

/** Targets from positionals; "$(docker ps -q)" and friends mean every container. */
export function targetsOf(positionals: string[], ctx: ArgvContext): string[] {
  return positionals.map((p) => {
    const w = ctx.words?.find((x) => x.value === p);
    if (w && w.substitutions.some((s) => processSelection(s)?.allContainers)) return '*';
    return p;
  });
}

export function ext(summary: string, observes: Observation[], target: string | undefined, action: string, extra: Partial<Draft> = {}): Draft {
  return { tier: 'external', summary, observes, target, dockerAction: action, scope: 'docker', ...extra };
}


export function stateLosing(op: string, targets: string[], action: string, extra = ''): Draft {
  const list = targets.length ? targets : ['(no container)'];
  const all = list.includes('*');
  const verb: Record<string, string> = { restart: 'restarts', stop: 'stops', kill: 'kills', rm: 'removes', down: 'tears down' };
  return {
    tier: 'state-losing',
    summary: `${verb[op] ?? op} ${all ? 'every container' : list.join(', ')}: processes, memory and the evidence in them are lost${extra}`,
    effects: list.map((c) => ({ type: 'container', op, container: c }) as Effect),
    target: all ? '*' : list[0],
    dockerAction: action,
    scope: 'docker',
  };
}

export function changeDraft(summary: string, target: string | undefined, action: string, effects: Effect[] = [], targeted = true): Draft {
  return { tier: 'change', summary, target, dockerAction: action, scope: 'docker', effects, flags: { targeted } };
}

export function inspectDraft(args: string[], ctx: ArgvContext, kind: string): Draft {
  const p = parseArgs(args, { values: ['-f', '--format', '--type'] });
  const format = value(p, '-f', '--format');
  const targets = targetsOf(p.positionals, ctx);
  const type = value(p, '--type') ?? kind;
  if (type === 'network') return ext(`inspects the network ${targets.join(', ')}`, ['network'], targets[0], 'network-inspect');
  if (type === 'volume') return ext(`inspects the volume ${targets.join(', ')}`, ['filesystem'], targets[0], 'volume-inspect');
  if (type === 'image') return ext(`inspects the image ${targets.join(', ')}`, ['config'], targets[0], 'image-inspect');
  // Without --format, or with one that prints .Config or .Config.Env, the environment is printed.
  const printsEnv = format === undefined || /\.Config\.Env|\.Config\s*}}|json\s+\.Config\b|{{\s*json\s+\.\s*}}|{{\s*\.\s*}}|\bEnv\b/.test(format);
  const observes: Observation[] = format === undefined ? ['state', 'config', 'env'] : [];
  if (format !== undefined) {
    if (/State|OOMKilled|RestartCount|Health|Status|ExitCode|StartedAt/.test(format)) observes.push('state');
    if (/HostConfig|Memory|NanoCpus|Cpu|Config|Image|Mounts|Cmd|Entrypoint|Labels/.test(format)) observes.push('config');
    if (/Network|IPAddress|Ports/.test(format)) observes.push('network');
    if (printsEnv) observes.push('env');
    if (observes.length === 0) observes.push('state');
  }
  return ext(
    `inspects ${targets.join(', ') || 'a container'}${format ? ` (${format.slice(0, 60)})` : ''}${printsEnv ? ', environment included' : ''}`,
    [...new Set(observes)],
    targets[0],
    'inspect',
    { flags: { secrets: printsEnv } },
  );
}

export function networkDraft(args: string[], ctx: ArgvContext): Draft {
  const sub = args[0] ?? 'ls';
  const rest = args.slice(1);
  const pos = parseArgs(rest, { values: ['--alias', '--ip', '--ip6', '--link', '--link-local-ip', '--driver-opt', '-d', '--driver', '--subnet', '--gateway', '-f', '--filter', '--format'] }).positionals;
  switch (sub) {
    case 'ls':
    case 'list':
      return ext('lists networks', ['network'], undefined, 'network-ls');
    case 'inspect':
      return inspectDraft(rest, ctx, 'network');
    case 'connect':
      return changeDraft(`connects ${pos[1] ?? 'a container'} to the network ${pos[0] ?? ''}`, pos[1], 'network-connect', [{ type: 'network', op: 'connect', detail: `${pos[1]} -> ${pos[0]}` }]);
    case 'disconnect':
      return changeDraft(`disconnects ${pos[1] ?? 'a container'} from the network ${pos[0] ?? ''}`, pos[1], 'network-disconnect', [{ type: 'network', op: 'disconnect', detail: `${pos[1]} -x ${pos[0]}` }]);
    case 'create':
      return changeDraft(`creates the network ${pos[0] ?? ''}`, undefined, 'network-create', [{ type: 'network', op: 'create', detail: pos[0] }]);
    case 'rm':
    case 'remove':
      return changeDraft(`removes the network ${pos.join(', ')}`, undefined, 'network-rm', [{ type: 'network', op: 'rm', detail: pos.join(' ') }]);
    case 'prune':
      return changeDraft('removes every unused network', undefined, 'network-prune', [{ type: 'network', op: 'prune' }], false);
    default:
      return { tier: 'unknown', summary: `docker network ${sub}`, scope: 'docker', dockerAction: `network-${sub}` };
  }
}

export function composeDraft(args: string[], ctx: ArgvContext, r: Recurse): Draft {
  const p = parseArgs(args, { values: ['-f', '--file', '-p', '--project-name', '--project-directory', '--profile', '--env-file'], stopAtPositional: true });
  const sub = p.positionals[0] ?? '';
  const rest = p.rest;
  const services = rest.filter((a) => !a.startsWith('-'));
  switch (sub) {
    case 'ps':
    case 'ls':
    case 'config':
    case 'images':
    case 'version':
      return ext(`docker compose ${sub}`, ['state'], undefined, 'ps');
    case 'logs': {
      const follow = rest.some((a) => a === '-f' || a === '--follow');
      return ext(`reads the logs of ${services.join(', ') || 'every service'}${follow ? ' and follows them' : ''}`, ['logs'], services[0] ?? '*', 'logs', { flags: { streaming: follow } });
    }
    case 'top':
      return ext('lists processes of the services', ['processes'], services[0] ?? '*', 'top');
    case 'exec':
      return execDraft(rest, ctx, r, true);
    case 'restart':
    case 'stop':
    case 'kill':
    case 'rm':
      return stateLosing(sub, services.length ? services : ['*'], sub);
    case 'down':
      return stateLosing('down', ['*'], 'rm');
    case 'up':
    case 'start':
    case 'create':
      return changeDraft(`docker compose ${sub} ${services.join(' ')}`, services[0] ?? '*', 'start', [], services.length > 0);
    default:
      return { tier: 'unknown', summary: `docker compose ${sub}`, scope: 'docker' };
  }
}

