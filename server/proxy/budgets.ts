/**
 * Engine look-ups behind the per-session budgets (lib/proxy/limits.ts decides): what the
 * session's containers hold now. Each look-up fails closed: an engine error refuses the call.
 */
import { SickbayError } from '@/lib/errors';
import type { PidEntry } from '@/lib/proxy/limits';
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
