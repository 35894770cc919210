/**
 * `docker run` through the proxy creates one thing only: a debug sidecar from an allowlisted
 * image that may join an own container's PID and/or network namespace. The CLI sends the full
 * Config + HostConfig (every field, mostly zero); every field is known here and either checked
 * and kept, or required to stay at its zero value with the reason the learner reads. The
 * forwarded body is built from scratch: labels, limits, AutoRemove, no-new-privileges and a
 * name under the session's prefix are forced.
 */
import { z } from 'zod';
import { LABEL } from '../lifecycle/labels';
import { parseStrictJson } from './json';
import { checkCpuShares } from './limits';
import { refuse } from './refusal';
import { checkBody, ciObject, consoleSize, envList, int, isZeroStruct, nullOnly, optBool, optString, strSlice, zero, zeroStruct } from './schema';

const HOST_BINDS = '-v/--volume mounts (host paths and named volumes) are not allowed';
const MOUNTS = 'mounts (--mount, -v, --tmpfs) are not allowed';
const NOT_HOST = (what: string) => `${what}=host is not allowed`;
const RESOURCE = (what: string) => `${what} is not allowed for debug sidecars`;

/** "host" namespace modes get the explicit reason; anything else not listed is refused too. */
function namespaceMode(flag: string, allowed: readonly string[]) {
  return z
    .string()
    .max(200)
    .optional()
    .superRefine((v, ctx) => {
      if (v === undefined || allowed.includes(v)) return;
      ctx.addIssue({ code: 'custom', message: v === 'host' ? NOT_HOST(flag) : `${flag}=${v} is not allowed` });
    });
}

const HostConfigSchema = ciObject({
  // Kept (checked) fields.
  NetworkMode: z.string().max(200).optional(),
  PidMode: z.string().max(200).optional(),
  AutoRemove: optBool,
  ConsoleSize: consoleSize,
  CapDrop: z.array(z.string().regex(/^[A-Za-z_]{1,32}$/)).max(64).nullable().optional(),
  ReadonlyRootfs: optBool,
  Init: optBool,
  SecurityOpt: z
    .array(z.string().max(200))
    .max(8)
    .nullable()
    .optional()
    .superRefine((opts, ctx) => {
      for (const o of opts ?? []) {
        if (!/^no-new-privileges(:true|=true)?$/.test(o)) {
          ctx.addIssue({ code: 'custom', message: `--security-opt ${o} is not allowed (unconfined profiles and labels stay as the lab set them)` });
        }
      }
    }),
  RestartPolicy: ciObject({
    Name: z.enum(['', 'no'], { error: 'a restart policy is not allowed for debug sidecars' }).optional(),
    MaximumRetryCount: zero('a restart policy is not allowed for debug sidecars'),
  })
    .nullable()
    .optional(),
  Memory: int.min(0).optional(),
  MemorySwap: int.min(-1).optional(),
  NanoCpus: int.min(0).optional(),
  PidsLimit: int.nullable().optional(),
  CpuShares: int.min(0).max(262_144).optional(),
  MemorySwappiness: int.min(-1).max(100).nullable().optional(),
  OomScoreAdj: int.min(0).max(1000).optional(),
  IpcMode: namespaceMode('--ipc', ['', 'private', 'none']),
  UTSMode: namespaceMode('--uts', ['']),
  UsernsMode: namespaceMode('--userns', ['']),
  CgroupnsMode: namespaceMode('--cgroupns', ['', 'private']),
  // Fields that must stay off.
  Privileged: zero('privileged containers are not allowed'),
  CapAdd: zero('--cap-add is not allowed: sidecars get Docker\'s default capabilities at most'),
  Devices: zero('devices (--device) are not allowed'),
  DeviceCgroupRules: zero('device cgroup rules are not allowed'),
  DeviceRequests: zero('device requests (--gpus) are not allowed'),
  Binds: zero(HOST_BINDS),
  Mounts: zero(MOUNTS),
  Tmpfs: zero(MOUNTS),
  VolumesFrom: zero('--volumes-from is not allowed'),
  VolumeDriver: zero('volume drivers are not allowed'),
  Sysctls: zero('--sysctl is not allowed'),
  Runtime: zero('choosing a runtime (--runtime) is not allowed'),
  CgroupParent: zero('--cgroup-parent is not allowed'),
  Cgroup: zero('--cgroup is not allowed'),
  Isolation: zero('--isolation is not allowed'),
  StorageOpt: zero('--storage-opt is not allowed'),
  MaskedPaths: nullOnly('changing masked paths is not allowed'),
  ReadonlyPaths: nullOnly('changing read-only paths is not allowed'),
  PortBindings: zero('publishing ports (-p) is not allowed'),
  PublishAllPorts: zero('publishing ports (-P) is not allowed'),
  Links: zero('--link is not allowed'),
  Dns: zero('--dns is not allowed'),
  DnsOptions: zero('--dns-option is not allowed'),
  DnsSearch: zero('--dns-search is not allowed'),
  ExtraHosts: zero('--add-host is not allowed'),
  GroupAdd: zero('--group-add is not allowed'),
  LogConfig: zeroStruct('--log-driver and --log-opt are not allowed'),
  ContainerIDFile: z.string().max(4096).optional(), // the CLI's own file, never used by the engine
  ShmSize: zero(RESOURCE('--shm-size')),
  OomKillDisable: zero('disabling the OOM killer is not allowed'),
  Ulimits: zero(RESOURCE('--ulimit')),
  KernelMemory: zero(RESOURCE('--kernel-memory')),
  KernelMemoryTCP: zero(RESOURCE('kernel TCP memory limits')),
  MemoryReservation: zero(RESOURCE('--memory-reservation')),
  CpuPeriod: zero(RESOURCE('--cpu-period')),
  CpuQuota: zero(RESOURCE('--cpu-quota')),
  CpuRealtimePeriod: zero(RESOURCE('real-time CPU scheduling')),
  CpuRealtimeRuntime: zero(RESOURCE('real-time CPU scheduling')),
  CpusetCpus: zero(RESOURCE('--cpuset-cpus')),
  CpusetMems: zero(RESOURCE('--cpuset-mems')),
  BlkioWeight: zero(RESOURCE('--blkio-weight')),
  BlkioWeightDevice: zero(RESOURCE('--blkio-weight-device')),
  BlkioDeviceReadBps: zero(RESOURCE('--device-read-bps')),
  BlkioDeviceWriteBps: zero(RESOURCE('--device-write-bps')),
  BlkioDeviceReadIOps: zero(RESOURCE('--device-read-iops')),
  BlkioDeviceWriteIOps: zero(RESOURCE('--device-write-iops')),
  CpuCount: zero(RESOURCE('--cpu-count')),
  CpuPercent: zero(RESOURCE('--cpu-percent')),
  IOMaximumIOps: zero(RESOURCE('--io-maxiops')),
  IOMaximumBandwidth: zero(RESOURCE('--io-maxbandwidth')),
});

const ContainerCreateSchema = ciObject({
  Image: z.string().min(1).max(255),
  Cmd: strSlice,
  Entrypoint: strSlice,
  Env: envList,
  WorkingDir: optString(4096),
  User: optString(64),
  Tty: optBool,
  OpenStdin: optBool,
  StdinOnce: optBool,
  AttachStdin: optBool,
  AttachStdout: optBool,
  AttachStderr: optBool,
  StopSignal: z.string().regex(/^(SIG)?[A-Z0-9+-]{1,12}$|^\d{1,2}$|^$/i).optional(),
  StopTimeout: int.min(0).max(600).nullable().optional(),
  Labels: z.record(z.string().max(128), z.string().max(1024)).nullable().optional(),
  Hostname: zero('--hostname is not allowed for debug sidecars'),
  Domainname: zero('--domainname is not allowed'),
  // Image metadata only (no host effect); accepted and not forwarded. -p lands in PortBindings.
  ExposedPorts: z.record(z.string().regex(/^\d{1,5}(-\d{1,5})?(\/(tcp|udp|sctp))?$/), z.unknown()).nullable().optional(),
  Volumes: zero('anonymous volumes (-v /path) are not allowed'),
  Healthcheck: zero('health checks are not allowed for debug sidecars'),
  ArgsEscaped: zero('ArgsEscaped is Windows-only'),
  NetworkDisabled: zero('NetworkDisabled is not accepted: use --net none'),
  MacAddress: zero('setting a MAC address is not allowed'),
  OnBuild: zero('OnBuild is not accepted'),
  Shell: zero('Shell is not accepted'),
  HostConfig: HostConfigSchema.nullable().optional(),
  NetworkingConfig: ciObject({
    EndpointsConfig: z.record(z.string().max(200), z.unknown()).nullable().optional(),
  })
    .nullable()
    .optional(),
});

export interface SidecarLimits {
  images: readonly string[];
  labels: Readonly<Record<string, string>>;
  memoryBytes: number;
  nanoCpus: number;
  pidsLimit: number;
}

export interface SidecarPlan {
  image: string;
  /** The learner's name (if any), without the session prefix the proxy adds. */
  name?: string;
  /** Container the sidecar joins, as the learner named it (resolved by the server). */
  pidRef?: string;
  netRef?: string;
  tty: boolean;
  interactive: boolean;
  command: string[];
  /** The body before the joined containers' ids and the name are filled in. */
  config: z.output<typeof ContainerCreateSchema>;
}

/** Normalises "name" to "name:latest"; refuses digests and image ids. */
export function normaliseImage(ref: string): string {
  if (ref.includes('@') || /^sha256:/.test(ref)) throw refuse('images must be named by tag, not by digest or id');
  const lastSlash = ref.lastIndexOf('/');
  const hasTag = ref.slice(lastSlash + 1).includes(':');
  let full = hasTag ? ref : `${ref}:latest`;
  // The CLI may expand "name" to "docker.io/library/name"; compare the short form.
  if (full.startsWith('docker.io/')) full = full.slice('docker.io/'.length);
  if (full.startsWith('library/')) full = full.slice('library/'.length);
  return full;
}

/** True when `image` is on the allowlist, or one of this session's snapshots. */
export function imageAllowed(image: string, allowlist: readonly string[], snapshotRepository?: string): boolean {
  const want = normaliseImage(image);
  if (allowlist.some((a) => normaliseImage(a) === want)) return true;
  return !!snapshotRepository && want.startsWith(`${snapshotRepository}:`);
}

/** True when `ref` names one of the allowlisted sidecar images (never throws). */
export function isSidecarImage(ref: string, allowlist: readonly string[]): boolean {
  try {
    return imageAllowed(ref, allowlist);
  } catch {
    return false;
  }
}

function joinTarget(mode: string | undefined, flag: '--pid' | '--net'): string | undefined {
  if (mode === undefined || mode === '' || (flag === '--net' && (mode === 'default' || mode === 'none'))) return undefined;
  const m = /^container:(\/?[A-Za-z0-9][A-Za-z0-9_.-]{0,127})$/.exec(mode);
  if (m?.[1]) return m[1].replace(/^\//, '');
  if (mode === 'host') throw refuse(NOT_HOST(flag));
  throw refuse(`${flag} ${mode} is not allowed: a debug sidecar joins an own container (${flag} container:<name>) or nothing`);
}

export function planSidecar(text: string, nameQuery: string | undefined, limits: SidecarLimits, snapshotRepository?: string): SidecarPlan {
  const v = checkBody(ContainerCreateSchema, parseStrictJson(text), 'container create');
  if (!imageAllowed(v.Image, limits.images, snapshotRepository)) {
    throw refuse(`image ${v.Image} is not allowed for debug sidecars (allowed: ${limits.images.join(', ')}${snapshotRepository ? `, or a snapshot ${snapshotRepository}:<tag>` : ''})`);
  }
  const hc = v.HostConfig ?? {};
  const netRef = joinTarget(hc.NetworkMode, '--net');
  const pidRef = joinTarget(hc.PidMode, '--pid');
  // The CLI names the default network in EndpointsConfig even when nothing is asked for;
  // any real endpoint setting (another network, static address, alias) is refused.
  for (const [net, cfg] of Object.entries(v.NetworkingConfig?.EndpointsConfig ?? {})) {
    if (!isZeroStruct(cfg)) throw refuse(`network settings for "${net}" are not allowed: a debug sidecar joins an own container's network (--net container:<name>) or none`);
    if (net !== 'default' && net !== hc.NetworkMode) throw refuse(`joining network "${net}" is not allowed: use --net container:<name>`);
  }
  const checkLimit = (value: number | null | undefined, max: number, flag: string) => {
    if (value && value > max) throw refuse(`${flag} above the sidecar limit (${max}) is not allowed`);
  };
  checkLimit(hc.Memory, limits.memoryBytes, '--memory');
  checkLimit(hc.MemorySwap, limits.memoryBytes, '--memory-swap');
  if (hc.MemorySwap === -1) throw refuse('unlimited swap (--memory-swap -1) is not allowed');
  checkLimit(hc.NanoCpus, limits.nanoCpus, '--cpus');
  if (hc.PidsLimit !== undefined && hc.PidsLimit !== null && hc.PidsLimit < 0) throw refuse('an unlimited --pids-limit is not allowed');
  checkLimit(hc.PidsLimit, limits.pidsLimit, '--pids-limit');
  checkCpuShares(hc.CpuShares);
  for (const key of Object.keys(v.Labels ?? {})) {
    if (key.toLowerCase().startsWith('sickbay.')) throw refuse(`label ${key} is reserved for the lab`);
  }
  if (v.Labels && Object.keys(v.Labels).length > 32) throw refuse('at most 32 labels');
  const name = nameQuery?.replace(/^\//, '') || undefined;
  return {
    image: v.Image,
    ...(name ? { name } : {}),
    ...(pidRef ? { pidRef } : {}),
    ...(netRef ? { netRef } : {}),
    tty: v.Tty ?? false,
    interactive: v.OpenStdin ?? false,
    command: [...(v.Entrypoint ?? []), ...(v.Cmd ?? [])],
    config: v,
  };
}

export interface SidecarResolved {
  /** Full ids of the containers whose namespaces the sidecar joins. */
  pidId?: string;
  netId?: string;
}

/** The body the proxy sends to POST /containers/create. */
export function sidecarBody(plan: SidecarPlan, resolved: SidecarResolved, limits: SidecarLimits, scope: { sessionId: string; instance: string }): Record<string, unknown> {
  const v = plan.config;
  const hc = v.HostConfig ?? {};
  const memory = hc.Memory || limits.memoryBytes;
  const body: Record<string, unknown> = {
    Image: v.Image,
    Tty: v.Tty ?? false,
    OpenStdin: v.OpenStdin ?? false,
    StdinOnce: v.StdinOnce ?? false,
    AttachStdin: v.AttachStdin ?? false,
    AttachStdout: v.AttachStdout ?? false,
    AttachStderr: v.AttachStderr ?? false,
    Labels: {
      ...(v.Labels ?? {}),
      ...limits.labels,
      [LABEL.session]: scope.sessionId,
      [LABEL.instance]: scope.instance,
      [LABEL.role]: 'sidecar',
    },
    HostConfig: {
      NetworkMode: resolved.netId ? `container:${resolved.netId}` : 'none',
      ...(resolved.pidId ? { PidMode: `container:${resolved.pidId}` } : {}),
      AutoRemove: true,
      Memory: memory,
      MemorySwap: memory, // no swap: a sidecar cannot hide a leak of its own
      NanoCpus: hc.NanoCpus || limits.nanoCpus,
      PidsLimit: hc.PidsLimit || limits.pidsLimit,
      SecurityOpt: ['no-new-privileges'],
      RestartPolicy: { Name: 'no' },
      LogConfig: { Type: 'json-file', Config: { 'max-size': '1m', 'max-file': '1' } },
      ...(hc.CapDrop?.length ? { CapDrop: hc.CapDrop } : {}),
      ...(hc.ReadonlyRootfs ? { ReadonlyRootfs: true } : {}),
      ...(hc.Init ? { Init: true } : {}),
      ...(hc.ConsoleSize ? { ConsoleSize: hc.ConsoleSize } : {}),
      ...(hc.CpuShares ? { CpuShares: hc.CpuShares } : {}),
      ...(hc.OomScoreAdj ? { OomScoreAdj: hc.OomScoreAdj } : {}),
      ...(hc.IpcMode ? { IpcMode: hc.IpcMode } : {}),
      ...(hc.CgroupnsMode ? { CgroupnsMode: hc.CgroupnsMode } : {}),
      ...(hc.MemorySwappiness !== undefined && hc.MemorySwappiness !== null && hc.MemorySwappiness >= 0 ? { MemorySwappiness: hc.MemorySwappiness } : {}),
    },
  };
  if (v.Cmd) body.Cmd = v.Cmd;
  if (v.Entrypoint) body.Entrypoint = v.Entrypoint;
  if (v.Env?.length) body.Env = v.Env;
  if (v.WorkingDir) body.WorkingDir = v.WorkingDir;
  if (v.User) body.User = v.User;
  if (v.StopSignal) body.StopSignal = v.StopSignal;
  if (v.StopTimeout !== undefined && v.StopTimeout !== null) body.StopTimeout = v.StopTimeout;
  return body;
}

/** Sidecars live under the session's name prefix: names are engine-wide, and a clash would reveal another session's object. */
export function sidecarName(plan: SidecarPlan, prefix: string, randomSuffix: string): string {
  if (plan.name?.startsWith(prefix)) return plan.name;
  return `${prefix}${plan.name ?? `debug-${randomSuffix}`}`;
}
