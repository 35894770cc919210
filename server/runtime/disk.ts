/**
 * What the engine's storage says, for the storage budget (server/engine/storage-budget.ts):
 * where its data root is and how full that disk is, whether it can cap a container's writable
 * layer, and how much each session's containers have written.
 *
 * Why `SizeRw` from the API instead of `du` of the overlay upper directories: it works for a
 * server that is not root (those directories are root-only) and for an engine on another host,
 * and it costs the same walk over the layer's files, done by dockerd. Measured here: about
 * 10-30 ms for a session of a few containers, 0.4 s for 24 containers holding 2000 files each
 * (roughly 8 µs a file), so it runs every few seconds, not every second (docs/security.md).
 */
import fs from 'node:fs';
import type Docker from 'dockerode';
import { quotaCandidate } from '@/lib/host/storage';
import { LABEL, MANAGED_BY } from '@/lib/lifecycle/labels';

export interface EngineStorage {
  /** DockerRootDir: where images, writable layers and logs live. */
  rootDir: string;
  driver: string;
  /** "Backing Filesystem" from the driver status (overlay2: extfs, xfs, ...). */
  backingFs?: string;
  /** The engine runs on this host (unix socket), so its data root can be statfs'd here. */
  local: boolean;
}

export async function engineStorage(docker: Docker): Promise<EngineStorage> {
  const info = (await docker.info()) as { DockerRootDir?: string; Driver?: string; DriverStatus?: [string, string][] };
  const host = process.env.DOCKER_HOST ?? '';
  const backing = (info.DriverStatus ?? []).find(([k]) => k === 'Backing Filesystem')?.[1];
  return {
    rootDir: info.DockerRootDir ?? '/var/lib/docker',
    driver: info.Driver ?? 'unknown',
    ...(backing ? { backingFs: backing } : {}),
    local: host === '' || host.startsWith('unix://'),
  };
}

/** Free and total bytes of a disk (free = what non-root writers may still use: dockerd, as root, has the reserve on top); null when unreadable. */
export function diskSpace(dir: string): { freeBytes: number; totalBytes: number } | null {
  try {
    const s = fs.statfsSync(dir);
    return { freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize };
  } catch {
    return null;
  }
}

/**
 * Asks the engine whether `--storage-opt size=` works, by creating (never starting) a
 * throwaway container with it. overlay2 accepts it only on xfs mounted with pquota, which
 * `docker info` does not show; an honest answer needs the engine to try.
 */
export async function probeStorageQuota(
  docker: Docker,
  options: { instance: string; image: string; bytes: number },
): Promise<{ supported: boolean; why: string }> {
  const storage = await engineStorage(docker);
  const candidate = quotaCandidate(storage.driver, storage.backingFs);
  if (!candidate.maybe) return { supported: false, why: candidate.why };
  try {
    const probe = await docker.createContainer({
      Image: options.image,
      Cmd: ['true'],
      Labels: { [LABEL.managedBy]: MANAGED_BY, [LABEL.instance]: options.instance, [LABEL.role]: 'storage-probe', [LABEL.expiresAt]: new Date(Date.now() + 600_000).toISOString() },
      HostConfig: { NetworkMode: 'none', StorageOpt: { size: String(options.bytes) } },
    });
    await probe.remove({ force: true }).catch(() => {});
    return { supported: true, why: `${storage.driver}${storage.backingFs ? ` on ${storage.backingFs}` : ''} accepts --storage-opt size` };
  } catch (err) {
    const e = err as { json?: { message?: string }; message?: string };
    return { supported: false, why: (e.json?.message ?? e.message ?? String(err)).trim() };
  }
}

export interface WritableLayer {
  id: string;
  name: string;
  role: string;
  running: boolean;
  sizeRw: number;
}

/** Every container of this instance with its writable-layer size, grouped by session. */
export async function sessionWritableLayers(docker: Docker, instance: string): Promise<Map<string, WritableLayer[]>> {
  const containers = await docker.listContainers({
    all: true,
    size: true,
    filters: { label: [`${LABEL.managedBy}=${MANAGED_BY}`, `${LABEL.instance}=${instance}`] },
  });
  const out = new Map<string, WritableLayer[]>();
  for (const c of containers) {
    const session = c.Labels?.[LABEL.session];
    if (!session) continue;
    const layer: WritableLayer = {
      id: c.Id,
      name: (c.Names?.[0] ?? c.Id).replace(/^\//, ''),
      role: c.Labels?.[LABEL.role] ?? '',
      running: c.State === 'running',
      sizeRw: (c as { SizeRw?: number }).SizeRw ?? 0, // Docker omits it when 0
    };
    out.set(session, [...(out.get(session) ?? []), layer]);
  }
  return out;
}
