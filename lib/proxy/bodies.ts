/**
 * Schemas for the small request bodies the proxy accepts (exec, update, network endpoints),
 * and the policy checks that go beyond shape: an exec is never privileged, an update stays
 * under the lab's ceiling. Each `plan*` function returns the body the proxy forwards, built
 * from the validated value (never the learner's bytes).
 */
import { z } from 'zod';
import { parseStrictJson } from './json';
import { checkCpuShares } from './limits';
import { refuse } from './refusal';
import { checkBody, ciObject, consoleSize, envList, int, optBool, optString, zero, zeroStruct } from './schema';

const CONTAINER_REF = z.string().regex(/^\/?[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/, 'expected a container name or id');

export const ExecCreateSchema = ciObject({
  User: optString(64),
  Privileged: zero('exec --privileged is not allowed'),
  Tty: optBool,
  AttachStdin: optBool,
  AttachStdout: optBool,
  AttachStderr: optBool,
  Detach: optBool,
  DetachKeys: optString(32),
  Env: envList,
  WorkingDir: optString(4096),
  Cmd: z.array(z.string().max(65536)).min(1, 'an exec needs a command').max(1024),
  ConsoleSize: consoleSize,
});

export interface ExecPlan {
  body: Record<string, unknown>;
  command: string[];
  tty: boolean;
  stdin: boolean;
  detach: boolean;
  user?: string;
  workdir?: string;
  env: number;
}

export function planExecCreate(text: string): ExecPlan {
  const v = checkBody(ExecCreateSchema, parseStrictJson(text), 'exec');
  const body: Record<string, unknown> = {
    User: v.User ?? '',
    Privileged: false,
    Tty: v.Tty ?? false,
    AttachStdin: v.AttachStdin ?? false,
    AttachStdout: v.AttachStdout ?? false,
    AttachStderr: v.AttachStderr ?? false,
    Detach: v.Detach ?? false,
    DetachKeys: v.DetachKeys ?? '',
    Env: v.Env ?? [],
    WorkingDir: v.WorkingDir ?? '',
    Cmd: v.Cmd,
  };
  if (v.ConsoleSize) body.ConsoleSize = v.ConsoleSize;
  return {
    body,
    command: v.Cmd,
    tty: v.Tty ?? false,
    stdin: v.AttachStdin ?? false,
    detach: v.Detach ?? false,
    ...(v.User ? { user: v.User } : {}),
    ...(v.WorkingDir ? { workdir: v.WorkingDir } : {}),
    env: v.Env?.length ?? 0,
  };
}

export const ExecStartSchema = ciObject({ Detach: optBool, Tty: optBool, ConsoleSize: consoleSize });

export function planExecStart(text: string): { body: Record<string, unknown>; detach: boolean; tty: boolean } {
  const v = checkBody(ExecStartSchema, text.trim() === '' ? {} : parseStrictJson(text), 'exec start');
  const body: Record<string, unknown> = { Detach: v.Detach ?? false, Tty: v.Tty ?? false };
  if (v.ConsoleSize) body.ConsoleSize = v.ConsoleSize;
  return { body, detach: v.Detach ?? false, tty: v.Tty ?? false };
}

export interface Ceiling {
  memoryBytes: number;
  nanoCpus: number;
  pidsLimit: number;
  /** How refusals name it: "the lab's ceiling" (scenario containers) or "the debug sidecar limit". */
  name?: string;
}

const nonNegative = int.min(0);
const DEVICE_REASON = 'devices are not allowed';

/** Docker's UpdateConfig (Resources plus RestartPolicy), as the CLI sends it: every field, mostly zero. */
export const UpdateSchema = ciObject({
  Memory: nonNegative.optional(),
  MemorySwap: int.min(-1).optional(),
  MemoryReservation: nonNegative.optional(),
  NanoCpus: nonNegative.optional(),
  CpuShares: int.min(0).max(262_144).optional(),
  CpuPeriod: nonNegative.optional(),
  CpuQuota: int.min(-1).optional(),
  PidsLimit: int.nullable().optional(),
  BlkioWeight: int.min(0).max(1000).optional(),
  MemorySwappiness: int.min(-1).max(100).nullable().optional(),
  OomKillDisable: zero('disabling the OOM killer is not allowed'),
  RestartPolicy: ciObject({
    Name: z.enum(['', 'no'], { error: 'changing the restart policy is not allowed' }).optional(),
    MaximumRetryCount: zero('changing the restart policy is not allowed'),
  })
    .nullable()
    .optional(),
  CgroupParent: zero('cgroup-parent is not allowed'),
  CpuRealtimePeriod: zero('real-time CPU scheduling is not allowed'),
  CpuRealtimeRuntime: zero('real-time CPU scheduling is not allowed'),
  CpusetCpus: zero('pinning CPUs is not allowed'),
  CpusetMems: zero('pinning memory nodes is not allowed'),
  Devices: zero(DEVICE_REASON),
  DeviceCgroupRules: zero(DEVICE_REASON),
  DeviceRequests: zero(DEVICE_REASON),
  BlkioWeightDevice: zero('per-device block I/O limits are not allowed'),
  BlkioDeviceReadBps: zero('per-device block I/O limits are not allowed'),
  BlkioDeviceWriteBps: zero('per-device block I/O limits are not allowed'),
  BlkioDeviceReadIOps: zero('per-device block I/O limits are not allowed'),
  BlkioDeviceWriteIOps: zero('per-device block I/O limits are not allowed'),
  KernelMemory: zero('kernel memory limits are not allowed'),
  KernelMemoryTCP: zero('kernel memory limits are not allowed'),
  Ulimits: zero('ulimits are not allowed'),
  CpuCount: zero('Windows-only limits are not allowed'),
  CpuPercent: zero('Windows-only limits are not allowed'),
  IOMaximumIOps: zero('Windows-only limits are not allowed'),
  IOMaximumBandwidth: zero('Windows-only limits are not allowed'),
});

function mib(bytes: number): string {
  return `${Math.round(bytes / 1024 / 1024)} MiB`;
}

/**
 * `docker update` of an own container: zero means "unchanged" to Docker, so only fields the
 * learner set are forwarded; every limit stays at or below the lab's ceiling and none may be
 * lifted to "unlimited" (-1, or 0 for PidsLimit).
 */
export function planUpdate(text: string, ceiling: Ceiling): { body: Record<string, number>; flags: Record<string, number> } {
  const v = checkBody(UpdateSchema, parseStrictJson(text), 'update');
  const body: Record<string, number> = {};
  const over = (what: string, limit: string) => refuse(`${what} above ${ceiling.name ?? "the lab's ceiling"} of ${limit} is not allowed`);
  if (v.Memory) {
    if (v.Memory > ceiling.memoryBytes) throw over('--memory', mib(ceiling.memoryBytes));
    body.Memory = v.Memory;
  }
  if (v.MemorySwap) {
    if (v.MemorySwap === -1) throw refuse('unlimited swap (--memory-swap -1) is not allowed');
    if (v.MemorySwap > ceiling.memoryBytes) throw over('--memory-swap', mib(ceiling.memoryBytes));
    body.MemorySwap = v.MemorySwap;
  }
  if (v.MemoryReservation) {
    if (v.MemoryReservation > ceiling.memoryBytes) throw over('--memory-reservation', mib(ceiling.memoryBytes));
    body.MemoryReservation = v.MemoryReservation;
  }
  if (v.NanoCpus) {
    if (v.NanoCpus > ceiling.nanoCpus) throw over('--cpus', String(ceiling.nanoCpus / 1e9));
    body.NanoCpus = v.NanoCpus;
  }
  if (v.CpuQuota) {
    if (v.CpuQuota === -1) throw refuse('an unlimited CPU quota is not allowed');
    const period = v.CpuPeriod || 100_000;
    if ((v.CpuQuota / period) * 1e9 > ceiling.nanoCpus) throw over('--cpu-quota', `${ceiling.nanoCpus / 1e9} CPUs`);
    body.CpuQuota = v.CpuQuota;
  }
  if (v.CpuPeriod) {
    if (v.CpuPeriod < 1000 || v.CpuPeriod > 1_000_000) throw refuse('--cpu-period must be between 1000 and 1000000');
    body.CpuPeriod = v.CpuPeriod;
  }
  if (v.CpuShares) {
    checkCpuShares(v.CpuShares);
    body.CpuShares = v.CpuShares;
  }
  // Block I/O weight is a share of the host's disks, like CPU shares: not the learner's to raise.
  if (v.BlkioWeight) throw refuse('--blkio-weight is not allowed: block I/O priority is shared with other sessions');
  if (v.PidsLimit !== undefined && v.PidsLimit !== null) {
    if (v.PidsLimit <= 0) throw refuse('an unlimited --pids-limit is not allowed');
    if (v.PidsLimit > ceiling.pidsLimit) throw over('--pids-limit', String(ceiling.pidsLimit));
    body.PidsLimit = v.PidsLimit;
  }
  if (v.MemorySwappiness !== undefined && v.MemorySwappiness !== null && v.MemorySwappiness !== -1) body.MemorySwappiness = v.MemorySwappiness;
  const flags: Record<string, number> = {};
  for (const [k, n] of Object.entries(body)) flags[k.charAt(0).toLowerCase() + k.slice(1)] = n;
  return { body, flags };
}

const ALIAS = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'expected a network alias');

export const NetworkConnectSchema = ciObject({
  Container: CONTAINER_REF,
  EndpointConfig: ciObject({
    Aliases: z.array(ALIAS).max(8).nullable().optional(),
    IPAMConfig: zeroStruct('static addresses are not allowed'),
    Links: zero('links are not allowed'),
    MacAddress: zero('setting a MAC address is not allowed'),
    DriverOpts: zero('driver options are not allowed'),
    GwPriority: zero('gateway priorities are not allowed'),
    NetworkID: zero('NetworkID is set by the engine'),
    EndpointID: zero('EndpointID is set by the engine'),
    Gateway: zero('Gateway is set by the engine'),
    IPAddress: zero('static addresses are not allowed'),
    IPPrefixLen: zero('static addresses are not allowed'),
    IPv6Gateway: zero('Gateway is set by the engine'),
    GlobalIPv6Address: zero('static addresses are not allowed'),
    GlobalIPv6PrefixLen: zero('static addresses are not allowed'),
    DNSNames: zero('DNSNames is set by the engine'),
  })
    .nullable()
    .optional(),
});

export const NetworkDisconnectSchema = ciObject({ Container: CONTAINER_REF, Force: optBool });

export interface EndpointPlan {
  /** The container as the learner named it; the server resolves it within the session. */
  containerRef: string;
  aliases: string[];
  force: boolean;
}

export function planNetworkEndpoint(text: string, action: 'network-connect' | 'network-disconnect'): EndpointPlan {
  const json = parseStrictJson(text);
  if (action === 'network-connect') {
    const v = checkBody(NetworkConnectSchema, json, 'network connect');
    return { containerRef: v.Container.replace(/^\//, ''), aliases: v.EndpointConfig?.Aliases ?? [], force: false };
  }
  const v = checkBody(NetworkDisconnectSchema, json, 'network disconnect');
  return { containerRef: v.Container.replace(/^\//, ''), aliases: [], force: v.Force ?? false };
}

/** What the session's containers answer to in Docker's embedded DNS (server/proxy/ownership.ts). */
export interface NamesInUse {
  /** Service names, container names and short (12 hex) ids: each is a DNS name on its networks. */
  names: readonly string[];
  /** The session's networks as the engine names them: DNS also answers `<name>.<network>`. */
  networks: readonly string[];
}

/** An alias as DNS compares it: case-folded, without the trailing dot of the absolute form. */
const dnsName = (name: string) => name.toLowerCase().replace(/\.+$/, '');

/**
 * Why a network connect's aliases are refused, or null. An alias answers DNS for its name on
 * that network, so an alias that is another container's name in the session (a service, the
 * customers, a container name, its short id) would let a learner's container answer for it —
 * e.g. a fake `app` that makes the customers and the goal checks see a fixed service. Checked
 * against Docker 20.10's embedded DNS: names match in any case; an alias equal to a name joins
 * its answers, and `<name>.<network>` as an alias replaces the real answer to that query (an
 * exact name wins over the name-in-network reading). `db.` is the absolute form of `db`: 20.10
 * never answers it, but it is the same name, so it is refused too. Any other `db.x` answers
 * only itself and stays allowed. A container may take back its own names in every form (a
 * reconnect loses its service name: network-partition's fix).
 */
export function aliasRefusal(aliases: readonly string[], inUse: NamesInUse, own: readonly string[]): string | null {
  const networks = inUse.networks.map(dnsName);
  const forms = (names: readonly string[]) => new Set(names.map(dnsName).flatMap((n) => [n, ...networks.map((net) => `${n}.${net}`)]));
  const [taken, mine] = [forms(inUse.names), forms(own)];
  const bad = aliases.find((a) => taken.has(dnsName(a)) && !mine.has(dnsName(a)));
  return bad === undefined
    ? null
    : `the alias "${bad}" is another container's name in this session (its name or short id, also as <name>.<network> or with a trailing dot): it would answer for that container on the network (a container may only take back its own names)`;
}

/** The forwarded connect/disconnect body, with the container resolved to its full id. */
export function endpointBody(plan: EndpointPlan, containerId: string, action: 'network-connect' | 'network-disconnect'): Record<string, unknown> {
  if (action === 'network-connect') return { Container: containerId, EndpointConfig: { Aliases: plan.aliases } };
  return { Container: containerId, Force: plan.force };
}
