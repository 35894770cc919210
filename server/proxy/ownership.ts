/**
 * Resolves what the learner names (full id, short id, name, or the name without the session
 * prefix) to an object of the session, looking only among the session's own objects: a name
 * or id prefix can never reach another session's container, even when it would be unique on
 * the engine. Anything else answers exactly like Docker does for an absent object.
 */
import { LABEL } from '@/lib/lifecycle/labels';
import { absent } from '@/lib/proxy/refusal';
import { ownItems } from '@/lib/proxy/responses';
import { scopeLabelFilters, sessionPrefix, targetName, type SessionScope } from '@/lib/proxy/scope';
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

export class Ownership {
  private readonly filters: string;

  constructor(
    private readonly engine: EngineClient,
    readonly scope: SessionScope,
  ) {
    this.filters = encodeURIComponent(JSON.stringify({ label: Object.fromEntries(scopeLabelFilters(scope).map((l) => [l, true])) }));
  }

  async containers(): Promise<OwnedContainer[]> {
    const res = await this.engine.json('GET', `/containers/json?all=1&filters=${this.filters}`);
    if (res.status !== 200) throw new SickbayError('engine_unavailable', `listing the session's containers failed (${res.status})`);
    return ownItems(res.body, this.scope).map((c) => {
      const labels = (c.Labels ?? {}) as Record<string, string>;
      const name = (Array.isArray(c.Names) ? (c.Names as string[]) : []).map((n) => n.replace(/^\//, '')).find((n) => !n.includes('/')) ?? '';
      return { id: String(c.Id), name, labels, state: String(c.State ?? ''), target: targetName(labels, name, this.scope) ?? name, role: labels[LABEL.role] };
    });
  }

  async container(ref: string): Promise<OwnedContainer> {
    const all = await this.containers();
    const found = pick(all.map((c) => ({ ...c, names: [c.name] })), ref.replace(/^\//, ''), sessionPrefix(this.scope));
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
