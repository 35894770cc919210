/**
 * Response filters. The engine already answers lists with the session's label filters applied;
 * these checks run again on every item anyway (fail closed: an engine that ignored a filter,
 * or a filter the proxy got wrong, still shows nothing outside the session).
 */
import { isOwned, type Labels, type SessionScope } from './scope';
import { normaliseImage } from './sidecar';

type Item = Record<string, unknown>;

function labelsOf(item: unknown): Labels {
  const labels = (item as { Labels?: unknown } | null)?.Labels;
  return labels && typeof labels === 'object' ? (labels as Record<string, string>) : null;
}

/** Containers or networks from a list answer that belong to the session. */
export function ownItems(list: unknown, scope: SessionScope): Item[] {
  if (!Array.isArray(list)) return [];
  return list.filter((item): item is Item => isOwned(labelsOf(item), scope));
}

/** A network inspect answer with endpoints of containers outside the session removed. */
export function ownNetworkView(network: Item, ownContainerIds: ReadonlySet<string>): Item {
  const containers = network.Containers;
  if (!containers || typeof containers !== 'object') return network;
  const kept = Object.fromEntries(Object.entries(containers as Record<string, unknown>).filter(([id]) => ownContainerIds.has(id)));
  return { ...network, Containers: kept };
}

export interface ImageScope {
  images: readonly string[];
  snapshotRepository: string;
}

function tagAllowed(tag: string, scope: ImageScope): boolean {
  const t = normaliseImage(tag);
  return scope.images.some((a) => normaliseImage(a) === t) || t.startsWith(`${scope.snapshotRepository}:`);
}

/** Only the sidecar images and the session's snapshots, showing only their allowed tags. */
export function visibleImages(list: unknown, scope: ImageScope): Item[] {
  if (!Array.isArray(list)) return [];
  const out: Item[] = [];
  for (const item of list as Item[]) {
    const tags = Array.isArray(item.RepoTags) ? (item.RepoTags as unknown[]).filter((t): t is string => typeof t === 'string' && tagAllowed(t, scope)) : [];
    if (tags.length > 0) out.push({ ...item, RepoTags: tags, RepoDigests: [] });
  }
  return out;
}

export function imageRefAllowed(ref: string, scope: ImageScope): boolean {
  try {
    return tagAllowed(ref, scope);
  } catch {
    return false;
  }
}

export function imageView(image: Item, scope: ImageScope): Item {
  const tags = Array.isArray(image.RepoTags) ? (image.RepoTags as unknown[]).filter((t): t is string => typeof t === 'string' && tagAllowed(t, scope)) : [];
  return redactHostPaths({ ...image, RepoTags: tags, RepoDigests: [] });
}

/**
 * Which engine events the learner sees: the session's own objects only, and exec events only
 * for execs the learner made through this proxy. The lab's own execs (fault injection, goal
 * checks) would otherwise name the fault or the check in `docker events --since`.
 */
export function eventVisible(event: unknown, scope: SessionScope, isOwnExec: (execId: string) => boolean): boolean {
  if (!event || typeof event !== 'object') return false;
  const e = event as { Type?: unknown; Action?: unknown; status?: unknown; Actor?: { Attributes?: unknown } };
  if (e.Type !== 'container' && e.Type !== 'image') return false;
  const attrs = e.Actor?.Attributes;
  if (!attrs || typeof attrs !== 'object') return false;
  if (!isOwned(attrs as Record<string, string>, scope)) return false;
  const action = typeof e.Action === 'string' ? e.Action : typeof e.status === 'string' ? e.status : '';
  if (action.startsWith('exec_')) {
    const execId = (attrs as Record<string, unknown>).execID;
    return typeof execId === 'string' && isOwnExec(execId);
  }
  return true;
}

/**
 * A container or image inspect answer without the host's filesystem layout (overlay dirs, log
 * and resolv.conf paths, volume sources): nothing a debugging learner needs, and a map of the
 * host for anyone looking for a way out.
 */
export function redactHostPaths(inspect: Item): Item {
  const out: Item = { ...inspect };
  for (const key of ['LogPath', 'HostsPath', 'HostnamePath', 'ResolvConfPath']) if (typeof out[key] === 'string') out[key] = '';
  const driver = out.GraphDriver as { Name?: unknown; Data?: unknown } | undefined;
  if (driver && typeof driver === 'object') out.GraphDriver = { ...driver, Data: null };
  if (Array.isArray(out.Mounts)) out.Mounts = (out.Mounts as Item[]).map((m) => (m && typeof m === 'object' ? { ...m, Source: '' } : m));
  return out;
}

/** `docker info` without what would describe the host's other workloads. */
export function reduceInfo(info: Item, counts: { containers: number; running: number; paused: number; stopped: number }): Item {
  const keep = ['ServerVersion', 'OSType', 'Architecture', 'NCPU', 'MemTotal', 'KernelVersion', 'OperatingSystem', 'OSVersion', 'Driver', 'CgroupDriver', 'CgroupVersion', 'LoggingDriver', 'SecurityOptions', 'MemoryLimit', 'SwapLimit', 'CpuCfsPeriod', 'CpuCfsQuota', 'PidsLimit', 'OomKillDisable'];
  const out: Item = {};
  for (const k of keep) if (k in info) out[k] = info[k];
  return {
    ...out,
    ID: '',
    Name: 'sickbay',
    Containers: counts.containers,
    ContainersRunning: counts.running,
    ContainersPaused: counts.paused,
    ContainersStopped: counts.stopped,
    Images: 0,
    DockerRootDir: '',
    Labels: [],
    Warnings: null,
    Swarm: { NodeID: '', NodeAddr: '', LocalNodeState: 'inactive', ControlAvailable: false, Error: '', RemoteManagers: null },
  };
}

/** The ping answer's API version, capped so a newer CLI negotiates down to what the proxy knows. */
export function capApiVersion(engineVersion: string | undefined, max: string): string {
  if (!engineVersion) return max;
  const minor = (v: string) => Number(/^1\.(\d+)$/.exec(v)?.[1] ?? NaN);
  const e = minor(engineVersion);
  return Number.isFinite(e) && e < minor(max) ? engineVersion : max;
}
