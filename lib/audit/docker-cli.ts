/**
 * The docker CLI, read from argv: which subcommand, which container, which flags matter
 * (follow, --no-stream, -it, --pid container:X, ...). Returns a Draft with scope 'docker',
 * the target as written and the proxy action it should cause (for matching typed lines with
 * the proxy's audit events).
 */
import { has, parseArgs, value, values } from './args';
import { type Classification, type Effect, type Observation, type Tier, maxTier } from './classification';
import { type ArgvContext, type Draft, type Recurse, normaliseSignal, processSelection, signalEnds } from './programs';
import { quoteArgv } from './shell';

const GLOBAL_VALUES = ['-H', '--host', '-c', '--context', '--config', '-l', '--log-level', '--tlscacert', '--tlscert', '--tlskey'];

const MANAGEMENT = new Set(['container', 'image', 'network', 'volume', 'system', 'compose', 'context', 'builder', 'buildx', 'plugin', 'swarm', 'node', 'service', 'stack', 'secret', 'config', 'trust', 'manifest']);

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

/** Targets from positionals; "$(docker ps -q)" and friends mean every container. */
function targetsOf(positionals: string[], ctx: ArgvContext): string[] {
  return positionals.map((p) => {
    const w = ctx.words?.find((x) => x.value === p);
    if (w && w.substitutions.some((s) => processSelection(s)?.allContainers)) return '*';
    return p;
  });
}

function ext(summary: string, observes: Observation[], target: string | undefined, action: string, extra: Partial<Draft> = {}): Draft {
  return { tier: 'external', summary, observes, target, dockerAction: action, scope: 'docker', ...extra };
}

/** Classifies what runs inside a container (exec, sidecar command). */
function innerOf(cmd: string[], target: string | undefined, ctx: ArgvContext, r: Recurse, io: { tty: boolean; stdin: boolean }): Classification {
  const stdin: ArgvContext['stdin'] = io.stdin ? (ctx.stdin.kind === 'none' ? { kind: 'terminal' } : ctx.stdin) : { kind: 'none' };
  // Word info is looked up by value (for `kill $(pgrep x)`), so the outer words still serve.
  return r.argv(cmd, { where: 'container', target, tty: io.tty, stdin, upstream: [], downstream: ctx.downstream, words: ctx.words, depth: ctx.depth + 1 });
}

function execDraft(args: string[], ctx: ArgvContext, r: Recurse, compose = false): Draft {
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

function runDraft(args: string[], ctx: ArgvContext, r: Recurse, create: boolean): Draft {
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

function stateLosing(op: string, targets: string[], action: string, extra = ''): Draft {
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

function changeDraft(summary: string, target: string | undefined, action: string, effects: Effect[] = [], targeted = true): Draft {
  return { tier: 'change', summary, target, dockerAction: action, scope: 'docker', effects, flags: { targeted } };
}

function inspectDraft(args: string[], ctx: ArgvContext, kind: string): Draft {
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

function networkDraft(args: string[], ctx: ArgvContext): Draft {
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

function composeDraft(args: string[], ctx: ArgvContext, r: Recurse): Draft {
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

/** Classifies `docker <args>` (the args after the program name). */
/** A pipeline stage that stops reading after a few lines, so the writer before it stops too. */
function stopsEarly(stage: string[]): boolean {
  const [prog = '', ...args] = stage;
  const name = prog.split('/').pop() ?? '';
  if (name === 'head') return true;
  if (name === 'grep' || name === 'egrep' || name === 'fgrep') return args.some((x) => /^-[a-zA-Z]*[mq]/.test(x) || x.startsWith('--max-count') || x === '--quiet');
  if (name === 'sed') return args.some((x) => /^(\d+)?q$|^\d+q;?$|[0-9]q'?$/.test(x));
  return false;
}

export function dockerCliDraft(argsIn: string[], ctx: ArgvContext, r: Recurse): Draft {
  const g = parseArgs(argsIn, { values: GLOBAL_VALUES, stopAtPositional: true });
  if (g.positionals.length === 0) return ext('docker (help or version)', [], undefined, 'version');
  let sub = g.positionals[0] as string;
  let args = g.rest;
  if (MANAGEMENT.has(sub)) {
    const group = sub;
    const action = args[0] ?? 'ls';
    args = args.slice(1);
    if (group === 'network') return networkDraft([action, ...args], ctx);
    if (group === 'compose') return composeDraft([action, ...args], ctx, r);
    if (group === 'container') sub = action === 'ls' || action === 'list' ? 'ps' : action === 'remove' ? 'rm' : action === 'prune' ? 'container-prune' : action;
    else if (group === 'image') sub = action === 'ls' || action === 'list' ? 'images' : action === 'inspect' ? 'image-inspect' : action === 'rm' || action === 'remove' ? 'rmi' : `image-${action}`;
    else if (group === 'volume') sub = `volume-${action}`;
    else if (group === 'system') sub = action === 'df' ? 'system-df' : action === 'prune' ? 'system-prune' : action;
    else return { tier: 'unknown', summary: `docker ${group} ${action}`, scope: 'docker', dockerAction: `${group}-${action}` };
  }
  const p = (vals: string[] = []) => parseArgs(args, { values: vals });
  switch (sub) {
    case 'ps':
      return ext('lists containers', ['state'], undefined, 'ps');
    case 'images':
    case 'image-history':
      return ext('lists images', [], undefined, 'images');
    case 'version':
    case 'info':
    case 'system-df':
    case 'help':
    case 'search':
    case 'context':
      return ext(`docker ${sub}`, [], undefined, sub);
    case 'logs': {
      const a = p(['--tail', '-n', '--since', '--until']);
      const target = targetsOf(a.positionals, ctx)[0];
      const follow = has(a, '-f', '--follow');
      const tail = value(a, '--tail', '-n');
      // The whole log, unless a tail, a time window or a reader that stops early (head,
      // grep -m/-q) bounds it: on a flooding container that is megabytes through the daemon.
      const bounded = (tail !== undefined && tail !== 'all') || value(a, '--since') !== undefined || value(a, '--until') !== undefined || ctx.downstream.some(stopsEarly);
      return ext(
        `reads ${bounded ? 'the logs' : 'the whole log'} of ${target ?? 'a container'}${tail ? ` (last ${tail} lines)` : ''}${follow ? ' and follows them until stopped' : ''}`,
        ['logs'],
        target,
        'logs',
        { flags: { streaming: follow, heavy: !bounded } },
      );
    }
    case 'stats': {
      const a = p(['--format']);
      const targets = targetsOf(a.positionals, ctx);
      const stream = !has(a, '--no-stream');
      return ext(`shows CPU and memory of ${targets.join(', ') || 'every container'}${stream ? ', refreshing until stopped' : ' once'}`, ['resources'], targets[0] ?? '*', 'stats', { flags: { streaming: stream } });
    }
    case 'inspect':
      return inspectDraft(args, ctx, 'container');
    case 'image-inspect':
      return inspectDraft(args, ctx, 'image');
    case 'top': {
      const target = args.find((a) => !a.startsWith('-'));
      return ext(`lists the processes in ${target ?? 'a container'}`, ['processes'], target, 'top');
    }
    case 'events': {
      const a = p(['--since', '--until', '-f', '--filter', '--format']);
      const bounded = has(a, '--until');
      return ext(`reads Docker events${bounded ? '' : ' and follows them until stopped'}`, ['events'], undefined, 'events', { flags: { streaming: !bounded } });
    }
    case 'diff': {
      const target = args.find((a) => !a.startsWith('-'));
      return ext(`lists files changed in ${target ?? 'a container'}`, ['filesystem'], target, 'diff');
    }
    case 'port': {
      const target = args.find((a) => !a.startsWith('-'));
      return ext(`lists the published ports of ${target ?? 'a container'}`, ['network'], target, 'port');
    }
    case 'wait':
      return ext('waits for a container to stop', ['state'], args[0], 'wait');
    case 'exec':
      return execDraft(args, ctx, r);
    case 'attach': {
      const target = args.find((a) => !a.startsWith('-'));
      return { tier: 'interactive', summary: `attaches to the main process of ${target ?? 'a container'} (Ctrl-C there can stop it)`, target, dockerAction: 'attach', scope: 'docker', effects: [{ type: 'shell', program: 'attach' }] };
    }
    case 'restart':
    case 'stop':
    case 'rm': {
      const a = p(['-t', '--time', '-s', '--signal']);
      return stateLosing(sub, targetsOf(a.positionals, ctx), sub);
    }
    case 'container-prune':
      return stateLosing('rm', ['*'], 'container-prune', ' (stopped ones)');
    case 'kill': {
      const a = p(['-s', '--signal']);
      const signal = normaliseSignal(value(a, '-s', '--signal') ?? 'KILL');
      const targets = targetsOf(a.positionals, ctx);
      if (!signalEnds(signal)) {
        return changeDraft(`sends SIG${signal} to the main process of ${targets.join(', ')}`, targets[0], 'kill', [{ type: 'kill', signal, pids: [1], names: targets, broad: false, pid1: true, via: 'docker kill' }]);
      }
      return { ...stateLosing('kill', targets, 'kill'), summary: `kills ${targets.join(', ')} with SIG${signal}: processes, memory and the evidence in them are lost` };
    }
    case 'start':
    case 'unpause': {
      const targets = args.filter((a) => !a.startsWith('-'));
      return changeDraft(`${sub === 'start' ? 'starts' : 'unpauses'} ${targets.join(', ')}`, targets[0], sub, targets.map((c) => ({ type: 'container', op: sub, container: c })));
    }
    case 'pause': {
      const targets = args.filter((a) => !a.startsWith('-'));
      return changeDraft(`freezes every process in ${targets.join(', ')} (customers wait until unpause)`, targets[0], 'pause', targets.map((c) => ({ type: 'container', op: 'pause', container: c })));
    }
    case 'update': {
      const a = p(['-m', '--memory', '--memory-swap', '--memory-reservation', '--cpus', '--cpu-shares', '-c', '--cpuset-cpus', '--pids-limit', '--restart', '--cpu-period', '--cpu-quota', '--blkio-weight', '--kernel-memory']);
      const target = a.positionals[0];
      const changes = [...a.opts.entries()].map(([k, v]) => `${k}=${v.join(',')}`).join(' ');
      return changeDraft(`changes the limits of ${target ?? 'a container'} (${changes})`, target, 'update', [{ type: 'limits', detail: changes }]);
    }
    case 'rename':
      return changeDraft(`renames ${args[0]} to ${args[1]}`, args[0], 'rename');
    case 'commit': {
      const a = p(['-a', '--author', '-c', '--change', '-m', '--message']);
      const target = a.positionals[0];
      const noPause = (a.opts.get('--pause') ?? a.opts.get('-p') ?? []).some((v) => v === 'false');
      return {
        tier: 'snapshot',
        summary: `snapshots ${target ?? 'a container'}'s filesystem into the image ${a.positionals[1] ?? '(unnamed)'}${noPause ? '' : ' (pauses it for a moment)'}`,
        effects: [{ type: 'container', op: 'commit', container: target, detail: a.positionals[1] }],
        target,
        dockerAction: 'commit',
        scope: 'docker',
        observes: [],
      };
    }
    case 'cp': {
      const a = p();
      const [src, dest] = a.positionals;
      const isRemote = (s: string | undefined) => s !== undefined && /^[A-Za-z0-9][\w.-]*:/.test(s) && !s.startsWith('/');
      if (isRemote(src)) {
        const container = (src as string).split(':')[0];
        return { tier: 'snapshot', summary: `copies ${src} out of the container to ${dest ?? '.'}`, effects: [{ type: 'container', op: 'cp-out', container, detail: src }], target: container, dockerAction: 'cp-out', scope: 'docker', observes: ['filesystem'] };
      }
      if (isRemote(dest)) {
        const container = (dest as string).split(':')[0];
        return { ...changeDraft(`copies ${src} into ${dest}`, container, 'cp-in', [{ type: 'file', op: 'write', paths: [dest as string] }]), flags: { targeted: true, writesFile: true } };
      }
      return { tier: 'unknown', summary: 'docker cp without a container path', scope: 'docker', dockerAction: 'cp' };
    }
    case 'export': {
      const target = args.find((a) => !a.startsWith('-'));
      return { tier: 'snapshot', summary: `exports ${target ?? 'a container'}'s filesystem as a tar archive`, target, dockerAction: 'export', scope: 'docker', effects: [{ type: 'container', op: 'export', container: target }] };
    }
    case 'save':
      return ext(`saves the image ${args.filter((a) => !a.startsWith('-')).join(' ')} to an archive`, [], undefined, 'image-save', { flags: { writesFile: true } });
    case 'run':
      return runDraft(args, ctx, r, false);
    case 'create':
      return runDraft(args, ctx, r, true);
    case 'volume-ls':
    case 'volume-inspect':
      return ext(`docker volume ${sub.slice(7)}`, ['filesystem'], undefined, sub);
    case 'volume-rm':
    case 'volume-prune':
      return { tier: 'destructive', summary: `deletes volume data (${sub.slice(7)})`, scope: 'docker', dockerAction: sub };
    case 'volume-create':
      return changeDraft('creates a volume', undefined, sub);
    case 'system-prune':
      return { tier: 'destructive', summary: `removes stopped containers, unused networks and images${args.includes('--volumes') ? ' and volumes' : ''}`, scope: 'docker', dockerAction: 'system-prune', target: '*' };
    case 'rmi':
    case 'image-prune':
    case 'image-rm':
      return changeDraft(`removes images (${quoteArgv(args)})`, undefined, 'image-rm', [], sub === 'rmi');
    case 'pull':
    case 'build':
    case 'push':
    case 'load':
    case 'import':
    case 'tag':
    case 'login':
    case 'image-pull':
    case 'image-build':
    case 'image-tag':
    case 'image-load':
    case 'image-import':
      return changeDraft(`docker ${sub}`, undefined, sub.replace(/^image-/, ''));
    default:
      return { tier: 'unknown', summary: `docker ${sub}, which Sickbay cannot classify`, scope: 'docker', dockerAction: sub };
  }
}
