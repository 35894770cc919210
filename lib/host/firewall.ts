/**
 * The host firewall as data: the nft scripts that keep session networks off the host, the
 * owner mark that tells a live instance's table from one left by a killed process, and the
 * decision which tables may go. server/runtime/host-firewall.ts runs the scripts in a helper
 * container on the engine's host; docs/security.md ("The host firewall") says why nft.
 *
 * Why it is needed: an `--internal` bridge only stops forwarding. Packets from a container to
 * the bridge's own gateway address (or any host address, once a NET_ADMIN container adds a
 * route) go to the host's input hook, and the host accepts them, so a root process in a
 * scenario container reaches every host service listening on all interfaces.
 */
import { BRIDGE_PREFIX } from '../lifecycle/bridge';

export type FirewallMode = 'auto' | 'required' | 'off';
export const FIREWALL_MODES: readonly FirewallMode[] = ['auto', 'required', 'off'];

/** What start-up does when the rules cannot be installed. */
export type FirewallPolicy = 'required' | 'warn' | 'off';

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|\[::1\]|localhost)$/i;

/**
 * `auto`: a server that only listens on loopback is someone's own laptop, where running
 * without the firewall (no root, no helper image) is allowed with a loud warning; a server
 * listening beyond loopback is shared, and refuses to start without it.
 */
export function firewallPolicy(mode: FirewallMode, listenHost: string): FirewallPolicy {
  if (mode === 'off') return 'off';
  if (mode === 'required') return 'required';
  return LOOPBACK.test(listenHost.trim()) ? 'warn' : 'required';
}

/** One nft table per instance; instances are `[a-z0-9-]`, so `-` -> `_` keeps names distinct. */
export const TABLE_PREFIX = 'sickbay_';

export function firewallTable(instance: string): string {
  if (!/^[a-z0-9-]{1,40}$/.test(instance)) throw new Error(`not an instance name: ${instance}`);
  return `${TABLE_PREFIX}${instance.replace(/-/g, '_')}`;
}

/**
 * Who installed a table: the process (pid and its start time, so a reused pid is not mistaken
 * for the owner) in a pid namespace on a boot of a kernel. A table whose owner is on our boot
 * and in our pid namespace but no longer running was left by a killed server and may go;
 * anything else (another host, a container, a process we cannot see) is left alone.
 */
export interface FirewallOwner {
  /** /proc/sys/kernel/random/boot_id without dashes, first 12 hex digits. */
  boot: string;
  /** Inode of /proc/self/ns/pid. */
  pidNs: string;
  pid: number;
  /** Field 22 of /proc/<pid>/stat: clock ticks after boot when the process started. */
  start: string;
}

export function formatOwner(owner: FirewallOwner): string {
  const clean = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '').slice(0, 24) || 'unknown';
  return `boot=${clean(owner.boot)} pidns=${clean(owner.pidNs)} pid=${Math.trunc(owner.pid)} start=${clean(owner.start)}`;
}

export function parseOwner(text: string): FirewallOwner | null {
  const m = /boot=([a-z0-9]+) pidns=([a-z0-9]+) pid=(\d+) start=([a-z0-9]+)/.exec(text);
  if (!m) return null;
  return { boot: m[1] as string, pidNs: m[2] as string, pid: Number(m[3]), start: m[4] as string };
}

/**
 * Replaces the instance's table in one nft transaction: `table` creates it when absent, so
 * the `delete` always succeeds, and the new table is added in the same commit. Re-running it
 * (a restart, or a start after `kill -9`) leaves exactly one table, never a duplicate, and there
 * is no moment without the drop rule.
 *
 * The rules: replies to connections the host opened itself (a `curl` from the host to a
 * container) are let through; everything else that enters the host from a Sickbay bridge is
 * dropped, IPv4 and IPv6 alike (`inet`). Only the input hook is touched: traffic between
 * containers is bridged or forwarded, never "input", and Docker's embedded DNS (127.0.0.11)
 * answers inside each container's own namespace.
 */
export function installScript(instance: string, owner: FirewallOwner): string {
  const table = firewallTable(instance);
  const iface = `${BRIDGE_PREFIX}*`;
  return [
    `table inet ${table}`,
    `delete table inet ${table}`,
    `table inet ${table} {`,
    '  chain input {',
    '    type filter hook input priority 0; policy accept;',
    `    iifname "${iface}" ct state established,related accept comment "sickbay: replies to connections the host opened"`,
    `    iifname "${iface}" drop comment "sickbay host firewall ${formatOwner(owner)}"`,
    '  }',
    '}',
    '',
  ].join('\n');
}

/** Removes tables if they exist (create-then-delete in one transaction: absent is fine). */
export function removeScript(tables: readonly string[]): string {
  return tables.flatMap((t) => [`table inet ${t}`, `delete table inet ${t}`]).join('\n') + '\n';
}

export interface ListedTable {
  table: string;
  owner: FirewallOwner | null;
  /** The table holds the drop rule for Sickbay's bridges. */
  drops: boolean;
}

/** Reads `nft list table inet sickbay_...` output (several tables concatenated). */
export function parseTables(listing: string): ListedTable[] {
  const out: ListedTable[] = [];
  let current: ListedTable | null = null;
  for (const line of listing.split('\n')) {
    const head = /^table inet (sickbay_[a-z0-9_]+) \{/.exec(line.trim());
    if (head) {
      current = { table: head[1] as string, owner: null, drops: false };
      out.push(current);
      continue;
    }
    if (!current) continue;
    if (line.includes(`iifname "${BRIDGE_PREFIX}*"`) && /\bdrop\b/.test(line)) {
      current.drops = true;
      current.owner = parseOwner(line) ?? current.owner;
    }
  }
  return out;
}

/** What the server can tell about a pid in its own namespace. */
export type Liveness = { running: true; start: string } | { running: false } | 'unknown';

/**
 * Tables left by a dead Sickbay on this host: same boot, same pid namespace, and the owner
 * pid gone or now a different process. Never our own table, never one we cannot judge.
 */
export function staleTables(tables: readonly ListedTable[], self: FirewallOwner, ownTable: string, liveness: (pid: number) => Liveness): string[] {
  const stale: string[] = [];
  for (const t of tables) {
    if (t.table === ownTable || !t.owner) continue;
    if (t.owner.boot !== self.boot || t.owner.pidNs !== self.pidNs || self.boot === 'unknown' || self.pidNs === 'unknown') continue;
    const state = liveness(t.owner.pid);
    if (state === 'unknown') continue;
    if (!state.running || state.start !== t.owner.start) stale.push(t.table);
  }
  return stale;
}
