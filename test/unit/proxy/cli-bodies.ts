/**
 * Request bodies exactly as docker CLI 28.2 sends them at API 1.41 (captured on the wire):
 * the schemas must accept these unchanged, or the real CLI breaks.
 */
export const RUN_SIDECAR = JSON.stringify({
  Hostname: '', Domainname: '', User: '', AttachStdin: false, AttachStdout: true, AttachStderr: true, Tty: false, OpenStdin: false, StdinOnce: false, Env: null,
  Cmd: ['ps', '-e'], Image: 'sickbay/service:latest', Volumes: {}, WorkingDir: '', Entrypoint: null, OnBuild: null, Labels: {},
  HostConfig: {
    Binds: null, ContainerIDFile: '', LogConfig: { Type: '', Config: {} }, NetworkMode: 'container:web', PortBindings: {}, RestartPolicy: { Name: 'no', MaximumRetryCount: 0 },
    AutoRemove: true, VolumeDriver: '', VolumesFrom: null, ConsoleSize: [0, 0], CapAdd: null, CapDrop: null, CgroupnsMode: '', Dns: [], DnsOptions: [], DnsSearch: [], ExtraHosts: null,
    GroupAdd: null, IpcMode: '', Cgroup: '', Links: null, OomScoreAdj: 0, PidMode: 'container:web', Privileged: false, PublishAllPorts: false, ReadonlyRootfs: false, SecurityOpt: null,
    UTSMode: '', UsernsMode: '', ShmSize: 0, Isolation: '', CpuShares: 0, Memory: 0, NanoCpus: 0, CgroupParent: '', BlkioWeight: 0, BlkioWeightDevice: [], BlkioDeviceReadBps: [],
    BlkioDeviceWriteBps: [], BlkioDeviceReadIOps: [], BlkioDeviceWriteIOps: [], CpuPeriod: 0, CpuQuota: 0, CpuRealtimePeriod: 0, CpuRealtimeRuntime: 0, CpusetCpus: '', CpusetMems: '',
    Devices: [], DeviceCgroupRules: null, DeviceRequests: null, MemoryReservation: 0, MemorySwap: 0, MemorySwappiness: -1, OomKillDisable: false, PidsLimit: 0, Ulimits: [], CpuCount: 0,
    CpuPercent: 0, IOMaximumIOps: 0, IOMaximumBandwidth: 0, MaskedPaths: null, ReadonlyPaths: null,
  },
  NetworkingConfig: { EndpointsConfig: {} },
});

/** `docker run --rm -it --pid container:web ...`: default network, named in EndpointsConfig. */
export const RUN_INTERACTIVE = (() => {
  const body = JSON.parse(RUN_SIDECAR);
  Object.assign(body, { AttachStdin: true, Tty: true, OpenStdin: true, StdinOnce: true, Cmd: ['bash'] });
  body.HostConfig.NetworkMode = 'default';
  body.NetworkingConfig = {
    EndpointsConfig: {
      default: { IPAMConfig: null, Links: null, Aliases: null, MacAddress: '', DriverOpts: null, GwPriority: 0, NetworkID: '', EndpointID: '', Gateway: '', IPAddress: '', IPPrefixLen: 0, IPv6Gateway: '', GlobalIPv6Address: '', GlobalIPv6PrefixLen: 0, DNSNames: null },
    },
  };
  return JSON.stringify(body);
})();

export const EXEC = '{"User":"root","Privileged":false,"Tty":false,"AttachStdin":false,"AttachStderr":true,"AttachStdout":true,"Detach":false,"DetachKeys":"","Env":["A=1"],"WorkingDir":"/tmp","Cmd":["ls"]}\n';
export const EXEC_START = '{"Detach":false,"Tty":true}\n';

export const UPDATE = '{"CpuShares":0,"Memory":209715200,"NanoCpus":500000000,"CgroupParent":"","BlkioWeight":0,"BlkioWeightDevice":null,"BlkioDeviceReadBps":null,"BlkioDeviceWriteBps":null,"BlkioDeviceReadIOps":null,"BlkioDeviceWriteIOps":null,"CpuPeriod":0,"CpuQuota":0,"CpuRealtimePeriod":0,"CpuRealtimeRuntime":0,"CpusetCpus":"","CpusetMems":"","Devices":null,"DeviceCgroupRules":null,"DeviceRequests":null,"MemoryReservation":0,"MemorySwap":209715200,"MemorySwappiness":null,"OomKillDisable":null,"PidsLimit":100,"Ulimits":null,"CpuCount":0,"CpuPercent":0,"IOMaximumIOps":0,"IOMaximumBandwidth":0,"RestartPolicy":{"Name":"","MaximumRetryCount":0}}\n';

/**
 * `docker commit web` from the console's CLI (20.10.24, captured on the wire): its empty config
 * goes out as the JSON null. CLI 28.2 sends no body at all.
 */
export const COMMIT_CLI_20_10 = 'null\n';

export const NETWORK_CONNECT = '{"Container":"sickbay-s1-web","EndpointConfig":{"IPAMConfig":{},"Links":null,"Aliases":["web2"],"MacAddress":"","DriverOpts":{},"GwPriority":0,"NetworkID":"","EndpointID":"","Gateway":"","IPAddress":"","IPPrefixLen":0,"IPv6Gateway":"","GlobalIPv6Address":"","GlobalIPv6PrefixLen":0,"DNSNames":null}}\n';
export const NETWORK_DISCONNECT = '{"Container":"sickbay-s1-web","Force":false}\n';

/** Applies `edit` to a parsed copy of a CLI body and serialises it again. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function edited(body: string, edit: (b: Record<string, any>) => void): string {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const parsed = JSON.parse(body) as Record<string, any>;
  edit(parsed);
  return JSON.stringify(parsed);
}
