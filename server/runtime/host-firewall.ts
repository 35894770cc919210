/**
 * Installs the host firewall at start-up and removes it at shutdown (rules: lib/host/firewall.ts).
 *
 * Why a helper container instead of running nft/iptables in this process: the rules belong on
 * the engine's host, which is not always ours (DOCKER_HOST, Docker Desktop's VM), and a server
 * that can use the engine but is not root can still start a container with host networking
 * and NET_ADMIN. The helper (sickbay/host-firewall, nft only) runs for well under a second,
 * with every other capability dropped, no-new-privileges, a read-only root and small limits.
 */
import fs from 'node:fs';
import type Docker from 'dockerode';
import { SickbayError } from '@/lib/errors';
import {
  firewallPolicy,
  firewallTable,
  installScript,
  parseTables,
  removeScript,
  staleTables,
  type FirewallMode,
  type FirewallOwner,
  type ListedTable,
  type Liveness,
} from '@/lib/host/firewall';
import { LABEL, MANAGED_BY } from '@/lib/lifecycle/labels';
import { demuxDockerBuffer } from './demux';

export const FIREWALL_IMAGE = 'sickbay/host-firewall:latest';
const HELPER_TIMEOUT_MS = 60_000;
const MIB = 1024 * 1024;

/** Lists every Sickbay table after the script ran, for the stale-table decision. */
const LIST_TABLES = `nft list tables | while read -r _ fam name; do
  if [ "$fam" = inet ]; then case "$name" in sickbay_*) nft list table inet "$name" ;; esac; fi
done`;

export interface HostFirewall {
  /** True when this instance's table is in place. */
  readonly installed: boolean;
  readonly table: string;
  /** Why it is not installed (null when it is). */
  readonly problem: string | null;
  /** Removes this instance's table; never anyone else's. Idempotent. */
  remove(): Promise<void>;
}

export interface FirewallOptions {
  docker: Docker;
  instance: string;
  mode: FirewallMode;
  /** The address the app listens on: decides what `auto` does on failure. */
  listenHost: string;
  log: (message: string) => void;
  image?: string;
}

/** This process as a table owner, from /proc; 'unknown' parts make the mark match nothing. */
export function currentOwner(): FirewallOwner {
  const read = (f: string) => {
    try {
      return fs.readFileSync(f, 'utf8').trim();
    } catch {
      return 'unknown';
    }
  };
  let pidNs = 'unknown';
  try {
    pidNs = /\[(\d+)\]/.exec(fs.readlinkSync('/proc/self/ns/pid'))?.[1] ?? 'unknown';
  } catch {
    /* not Linux, or /proc hidden */
  }
  const start = processStart(process.pid);
  return { boot: read('/proc/sys/kernel/random/boot_id').replace(/-/g, '').slice(0, 12), pidNs, pid: process.pid, start: start ?? 'unknown' };
}

/** Field 22 of /proc/<pid>/stat (after the command name, which may hold spaces). */
function processStart(pid: number): string | null {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[19] ?? null;
}

function liveness(pid: number): Liveness {
  try {
    const start = processStart(pid);
    return start ? { running: true, start } : 'unknown';
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? { running: false } : 'unknown';
  }
}

/** The helper: host networking and NET_ADMIN, nothing else; our labels and small limits. */
function helperSpec(instance: string, script: string, nft: string, image: string): Docker.ContainerCreateOptions {
  return {
    Image: image,
    Cmd: ['sh', '-c', script],
    Env: [`SICKBAY_NFT=${nft}`],
    Labels: {
      [LABEL.managedBy]: MANAGED_BY,
      [LABEL.instance]: instance,
      [LABEL.role]: 'host-firewall',
      [LABEL.expiresAt]: new Date(Date.now() + 10 * 60_000).toISOString(),
    },
    HostConfig: {
      NetworkMode: 'host',
      CapDrop: ['ALL'],
      CapAdd: ['NET_ADMIN'],
      SecurityOpt: ['no-new-privileges'],
      ReadonlyRootfs: true,
      Memory: 64 * MIB,
      MemorySwap: 64 * MIB,
      NanoCpus: 500_000_000,
      PidsLimit: 16,
      RestartPolicy: { Name: 'no' },
      LogConfig: { Type: 'json-file', Config: { 'max-size': '1m', 'max-file': '1' } },
    },
  };
}

/** Runs one shell command in the helper container; returns its output, throws on failure. */
export async function runFirewallHelper(docker: Docker, instance: string, script: string, nft: string, image = FIREWALL_IMAGE): Promise<string> {
  const container = await docker.createContainer(helperSpec(instance, script, nft, image)).catch((err: { statusCode?: number; message?: string }) => {
    throw new Error(err.statusCode === 404 ? `the helper image ${image} is missing` : `the helper container could not be created: ${err.message}`);
  });
  try {
    await container.start();
    let timer: NodeJS.Timeout | undefined;
    const waited = await Promise.race([
      container.wait() as Promise<{ StatusCode: number }>,
      new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), HELPER_TIMEOUT_MS))),
    ]).finally(() => clearTimeout(timer));
    const raw = await container.logs({ stdout: true, stderr: true, follow: false });
    const { stdout, stderr } = demuxDockerBuffer(Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw)));
    if (waited === null) throw new Error(`the helper did not finish within ${HELPER_TIMEOUT_MS / 1000}s`);
    if (waited.StatusCode !== 0) throw new Error(`nft failed (exit ${waited.StatusCode}): ${(stderr || stdout).trim().slice(0, 500)}`);
    return stdout;
  } finally {
    await container.remove({ force: true }).catch(() => {});
  }
}

/** Every Sickbay table on the engine's host, with its owner mark. */
export async function listFirewallTables(docker: Docker, instance: string, image = FIREWALL_IMAGE): Promise<ListedTable[]> {
  return parseTables(await runFirewallHelper(docker, instance, LIST_TABLES, '', image));
}

/**
 * Installs this instance's table (replacing a stale one of the same instance), then removes
 * tables of Sickbay processes on this host that are provably gone. On failure it throws when
 * the policy says the firewall is required, and otherwise logs a loud warning.
 */
export async function installHostFirewall(options: FirewallOptions): Promise<HostFirewall> {
  const { docker, instance, log } = options;
  const table = firewallTable(instance);
  const policy = firewallPolicy(options.mode, options.listenHost);
  const image = options.image ?? FIREWALL_IMAGE;
  const handle = (installed: boolean, problem: string | null): HostFirewall => {
    let removed = !installed;
    return {
      installed,
      table,
      problem,
      async remove() {
        if (removed) return;
        removed = true;
        await runFirewallHelper(docker, instance, 'printf "%s" "$SICKBAY_NFT" | nft -f -', removeScript([table]), image);
      },
    };
  };
  if (policy === 'off') {
    log('WARNING: the host firewall is off (SICKBAY_HOST_FIREWALL=off): scenario containers can reach services on this host');
    return handle(false, 'turned off');
  }
  const owner = currentOwner();
  try {
    const listing = await runFirewallHelper(docker, instance, `set -e; printf "%s" "$SICKBAY_NFT" | nft -f -; ${LIST_TABLES}`, installScript(instance, owner), image);
    const tables = parseTables(listing);
    if (!tables.some((t) => t.table === table && t.drops)) throw new Error(`nft accepted the rules but ${table} is not listed afterwards`);
    const stale = staleTables(tables, owner, table, liveness);
    if (stale.length) {
      await runFirewallHelper(docker, instance, 'printf "%s" "$SICKBAY_NFT" | nft -f -', removeScript(stale), image)
        .then(() => log(`host firewall: removed ${stale.length} table(s) left by stopped Sickbay servers (${stale.join(', ')})`))
        .catch((err) => log(`host firewall: could not remove stale tables ${stale.join(', ')}: ${(err as Error).message}`));
    }
    log(`host firewall: traffic from session bridges to this host is dropped (nft table inet ${table})`);
    return handle(true, null);
  } catch (err) {
    const reason = (err as Error).message;
    const what = `could not install the host firewall (${reason})`;
    const fix = `Build the helper image (npm run images), let the server use a Docker engine that allows --network host with NET_ADMIN, or set SICKBAY_HOST_FIREWALL=off to accept the risk.`;
    if (policy === 'required') {
      throw new SickbayError('engine_unavailable', `${what}: refusing to start, because scenario containers could reach every service on this host. ${fix}`, { cause: err });
    }
    for (const line of [
      '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!',
      `WARNING: ${what}.`,
      'Scenario containers (and a learner with root in them) can reach every service on this',
      'host that listens on all interfaces. Acceptable on your own laptop; never on a shared server.',
      fix,
      '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!',
    ])
      log(line);
    return handle(false, reason);
  }
}
