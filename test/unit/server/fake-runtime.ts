/**
 * An in-memory ContainerRuntime for unit tests of the engine's own logic (pool, cancel,
 * expiry, recovery). Integration tests use the real Docker engine; this fake only keeps the
 * objects and labels the engine creates, so a test can see what is left behind.
 */
import { SickbayError } from '@/lib/errors';
import type { LabelledObject } from '@/lib/lifecycle/sweep';
import type { ContainerState, ExecResult, MemoryStats } from '@/lib/runtime/container';
import type { ContainerRuntime, ContainerSpec } from '@/server/runtime/runtime';

interface FakeContainer {
  id: string;
  spec: ContainerSpec;
  running: boolean;
  startedAt: string;
  pid: number;
}

export class FakeRuntime implements ContainerRuntime {
  readonly containers = new Map<string, FakeContainer>();
  readonly networks = new Map<string, { id: string; name: string; labels: Record<string, string> }>();
  /** Images that exist; everything else is "missing". */
  readonly images = new Set<string>();
  /** When set, startContainer waits for it: a test can hold provisioning mid-way. */
  startGate: Promise<void> | null = null;
  /** The next this-many container creations fail (an engine hiccup under load). */
  failCreates = 0;
  /** The next this-many inspections say "unhealthy" (Docker's checks timing out on a busy host), then "none". */
  unhealthyInspections = 0;
  /** While true every call fails as if the engine's socket were gone (dockerd stopped). */
  down = false;
  private seq = 0;

  constructor(images: string[] = []) {
    for (const i of images) this.images.add(i);
  }

  private nextId(): string {
    this.seq += 1;
    return this.seq.toString(16).padStart(64, '0');
  }

  private reachable(): void {
    if (this.down) throw new SickbayError('engine_unavailable', 'Docker engine unreachable: connect ENOENT /var/run/docker.sock');
  }

  async ping(): Promise<void> {
    this.reachable();
  }

  async imageExists(tag: string): Promise<boolean> {
    this.reachable();
    return this.images.has(tag);
  }

  async createNetwork(name: string, labels: Record<string, string>): Promise<string> {
    this.reachable();
    const id = this.nextId();
    this.networks.set(id, { id, name, labels });
    return id;
  }

  async createContainer(spec: ContainerSpec): Promise<string> {
    this.reachable();
    if (this.failCreates > 0) {
      this.failCreates -= 1;
      throw new SickbayError('internal', 'create container: the engine is overloaded');
    }
    if ([...this.containers.values()].some((c) => c.spec.name === spec.name)) throw new SickbayError('conflict', `name ${spec.name} in use`);
    const id = this.nextId();
    this.containers.set(id, { id, spec, running: false, startedAt: '', pid: 0 });
    return id;
  }

  async startContainer(id: string): Promise<void> {
    if (this.startGate) await this.startGate;
    this.reachable();
    const c = this.require(id);
    c.running = true;
    c.startedAt = new Date().toISOString();
    c.pid = 1000 + this.seq;
  }

  async disconnectNetwork(): Promise<void> {}

  async inspectContainer(id: string): Promise<ContainerState> {
    this.reachable();
    const c = this.require(id);
    const health = this.unhealthyInspections > 0 ? 'unhealthy' : 'none';
    if (health === 'unhealthy') this.unhealthyInspections -= 1;
    return { id: c.id, name: c.spec.name, running: c.running, startedAt: c.startedAt, pid: c.pid, restartCount: 0, oomKilled: false, exitCode: 0, health };
  }

  async exec(): Promise<ExecResult> {
    return { exitCode: 0, stdout: '', stderr: '' };
  }

  async memory(): Promise<MemoryStats> {
    return { usage: 0, limit: 0, percent: 0 };
  }

  async logs(): Promise<string> {
    return '';
  }

  async listObjects(filters: { label: string[] }): Promise<LabelledObject[]> {
    this.reachable();
    const matches = (labels: Record<string, string>) =>
      filters.label.every((f) => {
        const [k, v] = f.split('=') as [string, string | undefined];
        return v === undefined ? k in labels : labels[k] === v;
      });
    return [
      ...[...this.containers.values()].filter((c) => matches(c.spec.labels)).map((c) => ({ kind: 'container' as const, id: c.id, labels: c.spec.labels })),
      ...[...this.networks.values()].filter((n) => matches(n.labels)).map((n) => ({ kind: 'network' as const, id: n.id, labels: n.labels })),
    ];
  }

  async removeObjects(objects: readonly LabelledObject[]): Promise<void> {
    this.reachable();
    for (const o of objects) {
      if (o.kind === 'container') this.containers.delete(o.id);
      if (o.kind === 'network') this.networks.delete(o.id);
    }
  }

  private require(id: string): FakeContainer {
    const c = this.containers.get(id);
    if (!c) throw new SickbayError('not_found', `no container ${id}`);
    return c;
  }
}
