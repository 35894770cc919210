/**
 * Classifies one proxied Docker API call, as the proxy logged it (lib/proxy/audit.ts): the
 * action, its target, the flags that matter and, for exec and run, the command inside.
 * Companion calls (exec start, resize, ping, ...) only complete another call.
 */
import { type Classification, type Observation, type PartClassification, type Tier, combineParts, isInvasive, maxTier, settleFlags } from './classification';
import { classifyArgv } from './command';
import type { DockerCallBody } from './events';
import type { Draft } from './programs';
import { normaliseSignal, signalEnds } from './programs/selection';

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

/** One docker call as a classification of one part; `argv` is the action (and an exec's command). */
function single(d: Draft, argv: string[]): Classification {
  const part: PartClassification = {
    tier: d.tier,
    summary: d.summary,
    effects: d.effects ?? [],
    flags: settleFlags(d.tier, d.flags),
    observes: d.observes ?? [],
    program: 'docker',
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
    single({ tier: 'external', summary, observes, target, dockerAction: action, ...extra }, [action]);
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
        const c = single({ tier: 'unknown', summary: `starts an exec in ${name} (its command is in the exec-create call)`, target, dockerAction: action }, [action]);
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
      return single({ tier: 'interactive', summary: `attaches to the main process of ${name} (Ctrl-C there can stop it)`, target, dockerAction: 'attach', effects: [{ type: 'shell', program: 'attach' }] }, [action]);
    case 'restart':
    case 'stop':
    case 'rm':
    case 'remove':
    case 'delete':
    case 'down':
    case 'container-prune':
      return single({ tier: 'state-losing', summary: `${action === 'restart' ? 'restarts' : action === 'stop' ? 'stops' : 'removes'} ${name}: processes, memory and the evidence in them are lost`, target, dockerAction: action, effects: [{ type: 'container', op: action, container: target }] }, [action]);
    case 'kill': {
      const signal = normaliseSignal(String(flagOf(e, 'signal') ?? 'KILL'));
      if (!signalEnds(signal)) {
        return single({ tier: 'change', summary: `sends SIG${signal} to the main process of ${name}`, target, dockerAction: 'kill', flags: { targeted: true }, effects: [{ type: 'kill', signal, pids: [1], names: target ? [target] : [], broad: false, pid1: true, via: 'docker kill' }] }, [action]);
      }
      return single({ tier: 'state-losing', summary: `kills ${name} with SIG${signal}: processes, memory and the evidence in them are lost`, target, dockerAction: 'kill', effects: [{ type: 'container', op: 'kill', container: target }] }, [action]);
    }
    case 'start':
    case 'unpause':
    case 'pause':
    case 'rename':
      return single({ tier: 'change', summary: `${action === 'pause' ? 'freezes every process in' : `${action}s`} ${name}`, target, dockerAction: action, flags: { targeted: true }, effects: [{ type: 'container', op: action, container: target }] }, [action]);
    case 'update': {
      const detail = Object.entries(e.flags ?? {}).map(([k, v]) => `${k}=${String(v)}`).join(' ');
      return single({ tier: 'change', summary: `changes the limits of ${name}${detail ? ` (${detail})` : ''}`, target, dockerAction: 'update', flags: { targeted: true }, effects: [{ type: 'limits', detail }] }, [action]);
    }
    case 'commit':
      return single({ tier: 'snapshot', summary: `snapshots ${name}'s filesystem into an image`, target, dockerAction: 'commit', effects: [{ type: 'container', op: 'commit', container: target }] }, [action]);
    case 'cp-out':
    case 'archive-get':
    case 'export':
      return single({ tier: 'snapshot', summary: `copies files out of ${name}`, target, dockerAction: action, observes: ['filesystem'], effects: [{ type: 'container', op: 'cp-out', container: target, detail: String(flagOf(e, 'path') ?? '') }] }, [action]);
    case 'cp-in':
    case 'archive-put':
      return single({ tier: 'change', summary: `copies files into ${name}`, target, dockerAction: action, flags: { targeted: true, writesFile: true }, effects: [{ type: 'container', op: 'cp-in', container: target, detail: String(flagOf(e, 'path') ?? '') }] }, [action]);
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
          [action],
        );
      }
      return single({ tier: maxTier(['change', inner?.tier ?? 'change']), summary: `starts a new container${image ? ` from ${image}` : ''}`, target, dockerAction: action, flags: { ...inner?.flags, targeted: true }, effects: [{ type: 'container', op: 'create', detail: image }], inner }, [action]);
    }
    case 'network-connect':
    case 'network-disconnect': {
      const network = String(flagOf(e, 'network') ?? '');
      const verb = action === 'network-connect' ? 'connects' : 'disconnects';
      return single({ tier: 'change', summary: `${verb} ${name}${network ? ` ${action === 'network-connect' ? 'to' : 'from'} ${network}` : ''}`, target, dockerAction: action, flags: { targeted: true }, effects: [{ type: 'network', op: action.slice('network-'.length), detail: network }] }, [action]);
    }
    case 'network-create':
    case 'network-rm':
    case 'network-remove':
      return single({ tier: 'change', summary: `docker ${action}`, target, dockerAction: action, flags: { targeted: true }, effects: [{ type: 'network', op: action.slice('network-'.length) }] }, [action]);
    case 'network-prune':
    case 'image-rm':
    case 'image-prune':
    case 'rmi':
      return single({ tier: 'change', summary: `docker ${action}`, target, dockerAction: action, flags: { targeted: action === 'rmi' || action === 'image-rm' } }, [action]);
    case 'volume-rm':
    case 'volume-remove':
    case 'volume-prune':
    case 'system-prune':
      return single({ tier: 'destructive', summary: `docker ${action}: deletes data`, target, dockerAction: action }, [action]);
    case 'build':
    case 'pull':
    case 'push':
    case 'load':
    case 'import':
    case 'tag':
    case 'image-create':
      return single({ tier: 'change', summary: `docker ${action}`, target, dockerAction: action, flags: { targeted: true } }, [action]);
    default:
      return single({ tier: 'unknown', summary: `docker ${action} (${e.method} ${e.path}), which Sickbay cannot classify`, target, dockerAction: action }, [action]);
  }
}
