/**
 * What the lab needs of a container engine, as one small interface in front of the Docker
 * adapter (as testcontainers does): the engine, the console and the sweeper depend on this,
 * so their logic can be unit-tested with a fake runtime while integration tests use Docker.
 */
import type { LabelledObject } from '@/lib/lifecycle/sweep';
import type { ContainerState, ExecOptions, ExecResult, MemoryStats } from '@/lib/runtime/container';
import type { HealthcheckSpec } from '@/lib/scenario/types';
import type { EngineStorage, WritableLayer } from './disk';

export interface ContainerSpec {
  name: string;
  image: string;
  command?: string[];
  env: Record<string, string>;
  labels: Record<string, string>;
  hostname?: string;
  /** First entry is the primary network; the container is reachable there under each alias. */
  networks: { name: string; aliases: string[] }[];
  healthcheck?: HealthcheckSpec;
  memoryBytes: number;
  nanoCpus: number;
  /** Relative CPU weight under contention (Docker's default 1024 when unset). */
  cpuShares?: number;
  pidsLimit: number;
  capAdd: string[];
  /** Hardening for containers the learner works in (the console): all optional. */
  capDrop?: string[];
  readonlyRootfs?: boolean;
  /** mount point -> tmpfs options, e.g. { '/home/learner': 'rw,size=64m,uid=1000' } */
  tmpfs?: Record<string, string>;
  /** host path:container path[:ro] — only ever our own per-session proxy socket. */
  binds?: string[];
  init?: boolean;
  user?: string;
  workingDir?: string;
}

export interface ContainerRuntime {
  ping(): Promise<void>;
  imageExists(tag: string): Promise<boolean>;
  createNetwork(name: string, labels: Record<string, string>, internal: boolean): Promise<string>;
  /** Creates (does not start) a container; returns its id. */
  createContainer(spec: ContainerSpec): Promise<string>;
  startContainer(id: string): Promise<void>;
  disconnectNetwork(network: string, container: string): Promise<void>;
  inspectContainer(id: string): Promise<ContainerState>;
  exec(id: string, cmd: string[], options?: ExecOptions): Promise<ExecResult>;
  memory(id: string): Promise<MemoryStats>;
  logs(id: string, tail?: number): Promise<string>;
  /** Containers, networks and snapshot images matching label filters. */
  listObjects(filters: { label: string[] }): Promise<LabelledObject[]>;
  /** Removes objects (containers first); absent ones are fine. */
  removeObjects(objects: readonly LabelledObject[]): Promise<void>;
}

/** What the storage guard needs of the engine: its storage facts, the sessions' writable layers, a pause. */
export interface StorageRuntime {
  /** When set, every container created gets `--storage-opt size=` this many bytes. */
  storageLimitBytes: number | null;
  exec(id: string, cmd: string[], options?: ExecOptions): Promise<ExecResult>;
  pauseContainer(id: string): Promise<void>;
  engineStorage(): Promise<EngineStorage>;
  /** Whether the engine accepts `--storage-opt size=` (tries a throwaway container). */
  probeStorageQuota(options: { instance: string; image: string; bytes: number }): Promise<{ supported: boolean; why: string }>;
  /** Every container of the instance with its writable-layer size, by session. */
  writableLayers(instance: string): Promise<Map<string, WritableLayer[]>>;
}
