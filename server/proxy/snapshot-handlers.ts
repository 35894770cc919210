/**
 * `docker commit` of a session container (the snapshot before invasive work, within the
 * session's snapshot budget) and `docker rmi` of one of the session's own snapshots.
 */
import { SickbayError } from '@/lib/errors';
import { commitBody, planCommit } from '@/lib/proxy/commit';
import { absent, refuse } from '@/lib/proxy/refusal';
import { isSidecarImage } from '@/lib/proxy/sidecar';
import { checkRemoveQuery, checkSnapshotBudget, isOwnSnapshot, namesAnId } from '@/lib/proxy/snapshots';
import { changedBytes, sessionSnapshots } from './budgets';
import { type Exchange, setTarget } from './exchange';
import { builtBodyPath, enginePath, forwardJson } from './forward';
import { bodyText } from './http-io';

function snapshotFallbackTag(): string {
  return `snapshot-${new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)}`;
}

export async function commit(x: Exchange): Promise<void> {
  const { options, scope } = x.ctx;
  const plan = planCommit(x.req.query, options.commitRepository, snapshotFallbackTag(), bodyText(x.body));
  const container = await x.ctx.owned.container(plan.containerRef);
  setTarget(x.call, container);
  x.call.facts.flags = { ...x.call.facts.flags, repository: options.commitRepository, tag: plan.tag };
  const path = builtBodyPath('/commit', { container: container.id, ...plan.query });
  // One at a time: two commits at once must not both fit a budget only one of them fits.
  await x.ctx.serial(async () => {
    const [existing, bytes] = await Promise.all([sessionSnapshots(x.ctx), changedBytes(x.ctx, container.id)]);
    checkSnapshotBudget(existing, container.target, bytes);
    await forwardJson(x.ctx, x.call, x.res, 'POST', path, (b) => b, commitBody(options.sidecar.labels, scope));
  });
}

/** `docker rmi` of one of the session's snapshots, by its name or id. */
export async function removeSnapshot(x: Exchange): Promise<void> {
  const ref = x.req.ref ?? '';
  x.call.facts.target = ref;
  const { noprune } = checkRemoveQuery(x.req.query);
  const inspect = await x.ctx.engine.json<{ Id?: string; Config?: { Labels?: Record<string, string> | null } }>('GET', enginePath(`/images/${ref}/json`, null));
  const own = inspect.status === 200 && isOwnSnapshot(inspect.body?.Config?.Labels, x.ctx.scope);
  if (!own) {
    if (inspect.status !== 200 && inspect.status !== 404) throw new SickbayError('engine_unavailable', `looking up image ${ref} failed (${inspect.status})`);
    // The sidecar images are visible to the learner: say why, instead of pretending they are absent.
    if (isSidecarImage(ref, x.ctx.options.sidecar.images)) throw refuse(`only this session's snapshots (${x.ctx.options.commitRepository}:<tag>) can be removed`);
    throw absent('image', ref);
  }
  const id = String(inspect.body?.Id ?? '');
  x.call.facts.targetId = id;
  // By id when named by id (the learner's short id could mean another image by the time it is
  // used); by the name otherwise, so only that tag goes when the image has another.
  const what = namesAnId(ref) ? id : ref;
  await forwardJson(x.ctx, x.call, x.res, 'DELETE', enginePath(`/images/${what}`, x.req.version, { noprune }), (b) => b);
}
