/**
 * Resolves what the learner names (full id, short id, name, or the name without the session
 * prefix) to an object of the session, looking only among the session's own objects: a name
 * or id prefix can never reach another session's container, even when it would be unique on
 * the engine. Anything else answers exactly like Docker does for an absent object.
 */
import { LABEL } from '@/lib/lifecycle/labels';
import type { NamesInUse } from '@/lib/proxy/bodies';
import { absent } from '@/lib/proxy/refusal';
import { ownItems } from '@/lib/proxy/responses';
import { scopeLabelFilters, sessionPrefix, targetName, type Labels, type SessionScope } from '@/lib/proxy/scope';
import { inSession } from '@/lib/lifecycle/objects';
import { SickbayError } from '@/lib/errors';
import type { EngineClient } from './engine-client';

export interface OwnedContainer {
  id: string;
  /** Engine name without the leading "/". */
  name: string;
  labels: Record<string, string>;
  state: string;
  /** The scenario's service name (or the sidecar's short name) for the audit log. */
  target: string;
  role: string | undefined;
}

export interface OwnedNetwork {
  id: string;
  name: string;
}

function pick<T extends { id: string; names: string[] }>(items: T[], ref: string, prefix: string): T | undefined {
  const exact = items.find((i) => i.id === ref);
  if (exact) return exact;
  const named = items.find((i) => i.names.includes(ref) || i.names.includes(`${prefix}${ref}`));
  if (named) return named;
  if (!/^[0-9a-f]{1,63}$/.test(ref)) return undefined;
  const byPrefix = items.filter((i) => i.id.startsWith(ref));
  // Docker refuses an ambiguous prefix; within one session we simply do not guess.
  return byPrefix.length === 1 ? byPrefix[0] : undefined;
}

/**
 * How long a listing of the session's containers is reused. Only the proxy's own calls add or
 * remove a session's containers (sidecars), and every non-GET call drops the cache, so the
 * TTL only bounds how stale a container's `state` can be.
 */
const CONTAINERS_TTL_MS = 2_000;

export class Ownership {
  private readonly filters: string;
  private cached?: { at: number; list: Promise<OwnedContainer[]> };

  constructor(
    private readonly engine: EngineClient,
    readonly scope: SessionScope,
  ) {
    this.filters = encodeURIComponent(JSON.stringify({ label: Object.fromEntries(scopeLabelFilters(scope).map((l) => [l, true])) }));
  }

  /** Forget the cached listing (after anything that may create, remove or change a container). */
  invalidate(): void {
    this.cached = undefined;
  }

  /** The session's containers; `fresh` skips the cache (counts by state, limits). */
  async containers(options: { fresh?: boolean } = {}): Promise<OwnedContainer[]> {
    const now = Date.now();
    if (!options.fresh && this.cached && now - this.cached.at < CONTAINERS_TTL_MS) return this.cached.list;
    const list = this.listContainers();
    this.cached = { at: now, list };
    list.catch(() => {
      if (this.cached?.list === list) this.cached = undefined;
    });
    return list;
  }

  private async listContainers(): Promise<OwnedContainer[]> {
    const res = await this.engine.json('GET', `/containers/json?all=1&filters=${this.filters}`);
    if (res.status !== 200) throw new SickbayError('engine_unavailable', `listing the session's containers failed (${res.status})`);
    return ownItems(res.body, this.scope).map((c) => {
      const labels = (c.Labels ?? {}) as Record<string, string>;
      const name = (Array.isArray(c.Names) ? (c.Names as string[]) : []).map((n) => n.replace(/^\//, '')).find((n) => !n.includes('/')) ?? '';
      return { id: String(c.Id), name, labels, state: String(c.State ?? ''), target: targetName(labels, name, this.scope) ?? name, role: labels[LABEL.role] };
    });
  }

  /**
   * Every name a container of the session answers to on its networks — service names,
   * container names and short ids, the lab's own (console, customers) included — and the
   * session's networks (DNS also answers `<name>.<network>`): what no alias may take.
   */
  async namesInUse(): Promise<NamesInUse> {
    const [res, networks] = await Promise.all([this.engine.json('GET', `/containers/json?all=1&filters=${this.filters}`), this.networks()]);
    if (res.status !== 200) throw new SickbayError('engine_unavailable', `listing the session's containers failed (${res.status})`);
    const items = Array.isArray(res.body) ? (res.body as Record<string, unknown>[]) : [];
    const names = items
      .filter((c) => inSession(c.Labels as Labels, this.scope))
      .flatMap((c) => [
        (c.Labels as Record<string, string> | undefined)?.[LABEL.service] ?? '',
        String(c.Id ?? '').slice(0, 12),
        ...(Array.isArray(c.Names) ? (c.Names as string[]).map((n) => n.replace(/^\//, '')) : []),
      ])
      .filter((n) => n !== '');
    return { names, networks: networks.map((n) => n.name) };
  }

  async container(ref: string): Promise<OwnedContainer> {
    const find = (all: OwnedContainer[]) => pick(all.map((c) => ({ ...c, names: [c.name] })), ref.replace(/^\//, ''), sessionPrefix(this.scope));
    // A miss in a cached listing is checked against a fresh one before answering "no such container".
    const found = find(await this.containers()) ?? find(await this.containers({ fresh: true }));
    if (!found) throw absent('container', ref);
    return found;
  }

  async networks(): Promise<OwnedNetwork[]> {
    const res = await this.engine.json('GET', `/networks?filters=${this.filters}`);
    if (res.status !== 200) throw new SickbayError('engine_unavailable', `listing the session's networks failed (${res.status})`);
    return ownItems(res.body, this.scope).map((n) => ({ id: String(n.Id), name: String(n.Name ?? '') }));
  }

  async network(ref: string): Promise<OwnedNetwork> {
    const found = pick((await this.networks()).map((n) => ({ ...n, names: [n.name] })), ref, sessionPrefix(this.scope));
    if (!found) throw absent('network', ref);
    return found;
  }
}

export interface ExecInfo {
  containerId: string;
  target: string;
  tty: boolean;
  stdin: boolean;
  command: string[];
}

/** Execs created through this proxy; only these may be started, resized or inspected. */
export class ExecRegistry {
  private readonly execs = new Map<string, ExecInfo>();

  constructor(private readonly capacity = 4096) {}

  add(id: string, info: ExecInfo): void {
    this.execs.set(id, info);
    if (this.execs.size > this.capacity) {
      const oldest = this.execs.keys().next().value;
      if (oldest !== undefined) this.execs.delete(oldest);
    }
  }

  get(id: string): ExecInfo | undefined {
    return this.execs.get(id);
  }

  has(id: string): boolean {
    return this.execs.has(id);
  }
}
