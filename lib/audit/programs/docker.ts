/**
 * The docker CLI, read from argv: which subcommand, which container, which flags matter
 * (follow, --no-stream, -it, --pid container:X, ...). Returns a Draft with scope 'docker',
 * the target as written and the proxy action it should cause (for matching typed lines with
 * the proxy's audit events).
 */
import { has, parseArgs, value } from '../args';
import { quoteArgv } from '../shell';
import { type ArgvContext, type Draft, type ProgramTable, type Recurse, each } from './draft';
import { execDraft, runDraft } from './docker-exec';
import { changeDraft, composeDraft, ext, inspectDraft, networkDraft, stateLosing, targetsOf } from './docker-objects';
import { normaliseSignal, signalEnds } from './selection';

const GLOBAL_VALUES = ['-H', '--host', '-c', '--context', '--config', '-l', '--log-level', '--tlscacert', '--tlscert', '--tlskey'];

const MANAGEMENT = new Set(['container', 'image', 'network', 'volume', 'system', 'compose', 'context', 'builder', 'buildx', 'plugin', 'swarm', 'node', 'service', 'stack', 'secret', 'config', 'trust', 'manifest']);

/** A pipeline stage that stops reading after a few lines, so the writer before it stops too. */
function stopsEarly(stage: string[]): boolean {
  const [prog = '', ...args] = stage;
  const name = prog.split('/').pop() ?? '';
  if (name === 'head') return true;
  if (name === 'grep' || name === 'egrep' || name === 'fgrep') return args.some((x) => /^-[a-zA-Z]*[mq]/.test(x) || x.startsWith('--max-count') || x === '--quiet');
  if (name === 'sed') return args.some((x) => /^(\d+)?q$|^\d+q;?$|[0-9]q'?$/.test(x));
  return false;
}

function dockerCliDraft(argsIn: string[], ctx: ArgvContext, r: Recurse): Draft {
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

export const docker: ProgramTable = each(['docker', 'podman', 'nerdctl'], (_prog, args, ctx, r) => dockerCliDraft(args, ctx, r));
