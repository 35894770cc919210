/**
 * The Docker adapter: the only module that talks to the engine for the lab's own work
 * (the learner's traffic goes through the proxy). Small methods over dockerode, each
 * translating engine errors into SickbayError so callers never see dockerode's shapes.
 */
import { PassThrough } from 'node:stream';
import Docker from 'dockerode';
import { SickbayError } from '@/lib/errors';
import { BRIDGE_NAME_OPTION, bridgeName } from '@/lib/lifecycle/bridge';
import { LABEL } from '@/lib/lifecycle/labels';
import type { LabelledObject } from '@/lib/lifecycle/sweep';
import type { ContainerState, ExecOptions, ExecResult, MemoryStats } from '@/lib/runtime/container';
import { readCgroupMemory } from './cgroup-memory';
import { demuxDockerBuffer } from './demux';
import { engineStorage, probeStorageQuota, sessionWritableLayers, type EngineStorage, type WritableLayer } from './disk';
import type { ContainerRuntime, ContainerSpec, StorageRuntime } from './runtime';

const MS = 1_000_000; // Docker wants nanoseconds for healthcheck durations.

function engineError(action: string, err: unknown): SickbayError {
  const e = err as { statusCode?: number; json?: { message?: string }; message?: string; code?: string };
  const reason = e.json?.message ?? e.message ?? String(err);
  if (e.code === 'ENOENT' || e.code === 'ECONNREFUSED') {
    return new SickbayError('engine_unavailable', `Docker engine unreachable while trying to ${action}: ${reason}`, { cause: err });
  }
  if (e.statusCode === 404) return new SickbayError('not_found', `${action}: ${reason}`, { cause: err });
  if (e.statusCode === 409) return new SickbayError('conflict', `${action}: ${reason}`, { cause: err });
  return new SickbayError('internal', `${action}: ${reason}`, { cause: err });
}

async function wrap<T>(action: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw engineError(action, err);
  }
}

export class DockerRuntime implements ContainerRuntime, StorageRuntime {
  readonly docker: Docker;

  /** Writable-layer cap (`--storage-opt size=`) for every container, set when the engine's storage supports it (server/runtime/disk.ts). */
  storageLimitBytes: number | null = null;

  /** The engine runs on this host, so its cgroup files are readable here (see cgroup-memory.ts). */
  private readonly localCgroups: boolean;

  constructor(docker?: Docker) {
    // dockerode honours DOCKER_HOST and falls back to /var/run/docker.sock.
    this.docker = docker ?? new Docker();
    const host = process.env.DOCKER_HOST ?? '';
    this.localCgroups = host === '' || host.startsWith('unix://');
  }

  async ping(): Promise<void> {
    await wrap('ping the engine', () => this.docker.ping());
  }

  async imageExists(tag: string): Promise<boolean> {
    try {
      await this.docker.getImage(tag).inspect();
      return true;
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return false;
      throw engineError(`inspect image ${tag}`, err);
    }
  }

  async createNetwork(name: string, labels: Record<string, string>, internal: boolean): Promise<string> {
    return wrap(`create network ${name}`, async () => {
      // The bridge's host-side name carries our prefix: the host firewall drops by that prefix.
      const options = { [BRIDGE_NAME_OPTION]: bridgeName(name) };
      const net = await this.docker.createNetwork({ Name: name, Driver: 'bridge', Internal: internal, CheckDuplicate: true, Labels: labels, Options: options });
      return net.id;
    });
  }

  async createContainer(spec: ContainerSpec): Promise<string> {
    const [primary, ...others] = spec.networks;
    const container = await wrap(`create container ${spec.name}`, () =>
      this.docker.createContainer({
        name: spec.name,
        Image: spec.image,
        ...(spec.command ? { Cmd: spec.command } : {}),
        Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
        Labels: spec.labels,
        Hostname: spec.hostname,
        ...(spec.user ? { User: spec.user } : {}),
        ...(spec.workingDir ? { WorkingDir: spec.workingDir } : {}),
        ...(spec.healthcheck
          ? {
              Healthcheck: {
                Test: spec.healthcheck.test,
                Interval: spec.healthcheck.intervalMs * MS,
                Timeout: spec.healthcheck.timeoutMs * MS,
                Retries: spec.healthcheck.retries,
                StartPeriod: spec.healthcheck.startPeriodMs * MS,
              },
            }
          : {}),
        HostConfig: {
          Memory: spec.memoryBytes,
          MemorySwap: spec.memoryBytes, // equal to Memory: no swap to hide a leak in
          NanoCpus: spec.nanoCpus,
          ...(spec.cpuShares ? { CpuShares: spec.cpuShares } : {}),
          PidsLimit: spec.pidsLimit,
          CapAdd: spec.capAdd,
          ...(spec.capDrop ? { CapDrop: spec.capDrop } : {}),
          ...(spec.readonlyRootfs ? { ReadonlyRootfs: true } : {}),
          ...(spec.tmpfs ? { Tmpfs: spec.tmpfs } : {}),
          ...(spec.binds ? { Binds: spec.binds } : {}),
          ...(spec.init ? { Init: true } : {}),
          ...(this.storageLimitBytes ? { StorageOpt: { size: String(this.storageLimitBytes) } } : {}),
          SecurityOpt: ['no-new-privileges'],
          RestartPolicy: { Name: 'no' },
          LogConfig: { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '2' } },
          NetworkMode: primary ? primary.name : 'none',
        },
        NetworkingConfig: primary ? { EndpointsConfig: { [primary.name]: { Aliases: primary.aliases } } } : undefined,
      }),
    );
    for (const net of others) {
      await wrap(`connect ${spec.name} to ${net.name}`, () =>
        this.docker.getNetwork(net.name).connect({ Container: container.id, EndpointConfig: { Aliases: net.aliases } }),
      );
    }
    return container.id;
  }

  async disconnectNetwork(network: string, container: string): Promise<void> {
    await wrap(`disconnect ${container} from ${network}`, () => this.docker.getNetwork(network).disconnect({ Container: container, Force: true }));
  }

  async startContainer(id: string): Promise<void> {
    await wrap(`start container ${id}`, () => this.docker.getContainer(id).start());
  }

  async pauseContainer(id: string): Promise<void> {
    await wrap(`pause container ${id}`, () => this.docker.getContainer(id).pause());
  }

  engineStorage(): Promise<EngineStorage> {
    return engineStorage(this.docker);
  }

  probeStorageQuota(options: { instance: string; image: string; bytes: number }): Promise<{ supported: boolean; why: string }> {
    return probeStorageQuota(this.docker, options);
  }

  writableLayers(instance: string): Promise<Map<string, WritableLayer[]>> {
    return sessionWritableLayers(this.docker, instance);
  }

  async inspectContainer(id: string): Promise<ContainerState> {
    const info = await wrap(`inspect container ${id}`, () => this.docker.getContainer(id).inspect());
    const health = (info.State.Health?.Status ?? 'none') as ContainerState['health'];
    return {
      id: info.Id,
      name: info.Name.replace(/^\//, ''),
      running: info.State.Running,
      startedAt: info.State.StartedAt,
      finishedAt: info.State.FinishedAt,
      pid: info.State.Pid,
      restartCount: info.RestartCount,
      oomKilled: info.State.OOMKilled,
      exitCode: info.State.ExitCode,
      health,
    };
  }

  async exec(id: string, cmd: string[], options: ExecOptions = {}): Promise<ExecResult> {
    const container = this.docker.getContainer(id);
    const exec = await wrap(`exec in ${id}`, () =>
      container.exec({
        Cmd: cmd,
        AttachStdout: !options.detach,
        AttachStderr: !options.detach,
        Tty: false,
        ...(options.user ? { User: options.user } : {}),
        ...(options.workdir ? { WorkingDir: options.workdir } : {}),
        ...(options.env ? { Env: Object.entries(options.env).map(([k, v]) => `${k}=${v}`) } : {}),
      }),
    );
    if (options.detach) {
      const res: unknown = await wrap(`start exec in ${id}`, () => exec.start({ Detach: true }));
      // dockerode hands back the response stream even when detached; close it or it leaks.
      (res as { destroy?: () => void } | undefined)?.destroy?.();
      return { exitCode: 0, stdout: '', stderr: '' };
    }
    const stream = await wrap(`start exec in ${id}`, () => exec.start({ hijack: true, stdin: false }));
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const chunks = { out: [] as Buffer[], err: [] as Buffer[] };
    stdout.on('data', (c: Buffer) => chunks.out.push(c));
    stderr.on('data', (c: Buffer) => chunks.err.push(c));
    this.docker.modem.demuxStream(stream, stdout, stderr);
    const timeoutMs = options.timeoutMs ?? 30_000;
    const finished = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        stream.destroy();
        resolve(false);
      }, timeoutMs);
      stream.on('end', () => (clearTimeout(timer), resolve(true)));
      stream.on('close', () => (clearTimeout(timer), resolve(true)));
      stream.on('error', () => (clearTimeout(timer), resolve(true)));
    });
    // The hijacked connection stays half-open after the output ends; close it or it leaks.
    stream.destroy();
    const text = { stdout: Buffer.concat(chunks.out).toString('utf8'), stderr: Buffer.concat(chunks.err).toString('utf8') };
    if (!finished) return { exitCode: 124, ...text, stderr: `${text.stderr}\n(timed out after ${timeoutMs} ms)` };
    const info = await wrap(`inspect exec in ${id}`, () => exec.inspect());
    return { exitCode: info.ExitCode ?? -1, ...text };
  }

  async memory(id: string): Promise<MemoryStats> {
    if (this.localCgroups) {
      const full = /^[0-9a-f]{64}$/.test(id) ? id : (await this.inspectContainer(id)).id;
      const fast = readCgroupMemory(full);
      if (fast) return fast;
    }
    const stats = (await wrap(`read stats of ${id}`, () =>
      this.docker.getContainer(id).stats({ stream: false, 'one-shot': true } as { stream: false }),
    )) as unknown as { memory_stats: { usage?: number; limit?: number; stats?: Record<string, number> } };
    const m = stats.memory_stats;
    // The same arithmetic as `docker stats`: page cache that can be dropped does not count.
    const inactive = m.stats?.total_inactive_file ?? m.stats?.inactive_file ?? 0;
    const usage = Math.max(0, (m.usage ?? 0) - inactive);
    const limit = m.limit ?? 0;
    return { usage, limit, percent: limit > 0 ? (usage / limit) * 100 : 0 };
  }

  async logs(id: string, tail = 200): Promise<string> {
    const buf = await wrap(`read logs of ${id}`, () =>
      this.docker.getContainer(id).logs({ stdout: true, stderr: true, tail, follow: false }),
    );
    const { stdout, stderr } = demuxDockerBuffer(Buffer.isBuffer(buf) ? buf : Buffer.from(String(buf)));
    return stdout + stderr;
  }

  /** Removes a container with its anonymous volumes; absent is fine. */
  async removeContainer(id: string): Promise<void> {
    try {
      await this.docker.getContainer(id).remove({ force: true, v: true });
    } catch (err) {
      const code = (err as { statusCode?: number }).statusCode;
      if (code === 404) return;
      if (code === 409) return; // removal already in progress
      throw engineError(`remove container ${id}`, err);
    }
  }

  async removeNetwork(id: string): Promise<void> {
    try {
      await this.docker.getNetwork(id).remove();
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return;
      throw engineError(`remove network ${id}`, err);
    }
  }

  async listObjects(filters: { label: string[] }): Promise<LabelledObject[]> {
    // Images: only snapshots. Our built images carry the managed-by label too, never a role.
    const snapshots = { label: [...filters.label, `${LABEL.role}=snapshot`] };
    const [containers, networks, images] = await Promise.all([
      wrap('list containers', () => this.docker.listContainers({ all: true, filters })),
      wrap('list networks', () => this.docker.listNetworks({ filters })),
      wrap('list snapshot images', () => this.docker.listImages({ filters: snapshots })),
    ]);
    return [
      ...containers.map((c) => ({ kind: 'container' as const, id: c.Id, labels: c.Labels ?? {} })),
      ...networks.map((n) => ({ kind: 'network' as const, id: n.Id, labels: n.Labels ?? {} })),
      ...images.map((i) => ({ kind: 'image' as const, id: i.Id, labels: i.Labels ?? {} })),
    ];
  }

  /** Containers first (a network with endpoints, or an image a sidecar runs, cannot go). */
  async removeObjects(objects: readonly LabelledObject[]): Promise<void> {
    await Promise.all(objects.filter((o) => o.kind === 'container').map((o) => this.removeContainer(o.id)));
    await Promise.all([
      ...objects.filter((o) => o.kind === 'network').map((o) => this.removeNetwork(o.id)),
      ...objects.filter((o) => o.kind === 'image').map((o) => this.removeImage(o.id)),
    ]);
  }

  async removeImage(id: string): Promise<void> {
    try {
      await this.docker.getImage(id).remove({ force: true });
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return;
      throw engineError(`remove image ${id}`, err);
    }
  }
}
