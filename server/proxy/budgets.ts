/**
 * Engine look-ups behind the per-session budgets (lib/proxy/limits.ts decides): what the
 * session's containers hold now. Each look-up fails closed: an engine error refuses the call.
 */
import { SickbayError } from '@/lib/errors';
import { LABEL } from '@/lib/lifecycle/labels';
import type { PidEntry } from '@/lib/proxy/limits';
import { scopeLabelFilters } from '@/lib/proxy/scope';
import type { SnapshotUse } from '@/lib/proxy/snapshots';
import type { ProxyContext } from './context';

interface InspectLimits {
  HostConfig?: { PidsLimit?: number | null };
}

/** The PID limit of every container of the session the learner sees (services and sidecars). */
export async function sessionPidLimits(ctx: ProxyContext): Promise<PidEntry[]> {
  const containers = await ctx.owned.containers({ fresh: true });
  const entries = await Promise.all(
    containers.map(async (c): Promise<PidEntry | null> => {
      const res = await ctx.engine.json<InspectLimits>('GET', `/containers/${c.id}/json`);
      // A sidecar started with --rm can be gone between the listing and the inspect.
      if (res.status === 404) return null;
      if (res.status !== 200) throw new SickbayError('engine_unavailable', `inspecting ${c.target} failed (${res.status})`);
      return { id: c.id, name: c.target, pidsLimit: res.body?.HostConfig?.PidsLimit ?? null };
    }),
  );
  return entries.filter((e): e is PidEntry => e !== null);
}

interface ImageListItem {
  Id?: string;
  RepoTags?: string[] | null;
}

/** The session's snapshot images (untagged ones too) with the size of each one's own layer. */
export async function sessionSnapshots(ctx: ProxyContext): Promise<SnapshotUse[]> {
  const filters = JSON.stringify({ label: [...scopeLabelFilters(ctx.scope), `${LABEL.role}=snapshot`] });
  // all=1: a snapshot that lost its tag but is the parent of a later one still holds its layer.
  const list = await ctx.engine.json<ImageListItem[]>('GET', `/images/json?all=1&filters=${encodeURIComponent(filters)}`);
  if (list.status !== 200 || !Array.isArray(list.body)) throw new SickbayError('engine_unavailable', `listing the session's snapshots failed (${list.status})`);
  const prefix = `${ctx.options.commitRepository}:`;
  return Promise.all(
    list.body.map(async (image): Promise<SnapshotUse> => {
      const id = String(image.Id ?? '');
      const history = await ctx.engine.json<{ Size?: number }[]>('GET', `/images/${encodeURIComponent(id)}/history`);
      if (history.status !== 200 || !Array.isArray(history.body)) throw new SickbayError('engine_unavailable', `reading the history of snapshot ${id} failed (${history.status})`);
      // A commit adds exactly one layer: the newest history entry is the snapshot's own.
      const bytes = Number(history.body[0]?.Size ?? 0);
      const name = (image.RepoTags ?? []).find((t) => t.startsWith(prefix));
      return { id, bytes, ...(name ? { name } : {}) };
    }),
  );
}

/** The size of a container's writable layer: what a commit of it would add. */
export async function changedBytes(ctx: ProxyContext, containerId: string): Promise<number> {
  const res = await ctx.engine.json<{ SizeRw?: number }>('GET', `/containers/${containerId}/json?size=1`);
  if (res.status !== 200) throw new SickbayError('engine_unavailable', `measuring the container's changes failed (${res.status})`);
  return Number(res.body?.SizeRw ?? 0);
}
