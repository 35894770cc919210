/** What the figures were measured on: they mean little without it. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import type Docker from 'dockerode';

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryBytes: number;
  memoryAvailableBytes: number;
  kernel: string;
  os: string;
  node: string;
  docker: { server: string; apiVersion: string; cli: string; storageDriver: string; cgroup: string };
  /** 1/5/15-minute load averages when the run started: anything else busy on the machine shows here. */
  loadAverage: number[];
}

/** MemAvailable from /proc/meminfo (what the kernel can hand out without swapping), in bytes. */
export function memAvailable(): number {
  try {
    const m = /^MemAvailable:\s+(\d+) kB/m.exec(fs.readFileSync('/proc/meminfo', 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch {
    /* not Linux: fall back */
  }
  return os.freemem();
}

function osName(): string {
  try {
    return /^PRETTY_NAME="?([^"\n]*)"?/m.exec(fs.readFileSync('/etc/os-release', 'utf8'))?.[1] ?? os.type();
  } catch {
    return os.type();
  }
}

function cliVersion(): string {
  try {
    return execFileSync('docker', ['version', '--format', '{{.Client.Version}}'], { encoding: 'utf8', timeout: 15_000, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

export async function machineInfo(docker: Docker): Promise<MachineInfo> {
  const [version, info] = await Promise.all([docker.version(), docker.info() as Promise<{ Driver?: string; CgroupVersion?: string; CgroupDriver?: string }>]);
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryBytes: os.totalmem(),
    memoryAvailableBytes: memAvailable(),
    kernel: os.release(),
    os: osName(),
    node: process.version,
    docker: {
      server: version.Version,
      apiVersion: version.ApiVersion,
      cli: cliVersion(),
      storageDriver: info.Driver ?? 'unknown',
      cgroup: `v${info.CgroupVersion ?? '?'} (${info.CgroupDriver ?? '?'})`,
    },
    loadAverage: os.loadavg().map((v) => Number(v.toFixed(2))),
  };
}

export function gitState(root: string): { commit: string; dirty: boolean } {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: root, encoding: 'utf8', timeout: 10_000 }).trim();
    const status = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, encoding: 'utf8', timeout: 10_000 });
    return { commit, dirty: status.trim().length > 0 };
  } catch {
    return { commit: 'unknown', dirty: false };
  }
}
