/** Everything the benchmark starts carries our labels with its own instance name: it goes by label. */
import type Docker from 'dockerode';
import { LABEL, MANAGED_BY } from '@/lib/lifecycle/labels';

const labelsOf = (instance: string) => [`${LABEL.managedBy}=${MANAGED_BY}`, `${LABEL.instance}=${instance}`];

export async function countInstanceObjects(docker: Docker, instance: string): Promise<number> {
  const filters = { label: labelsOf(instance) };
  const [c, n] = await Promise.all([docker.listContainers({ all: true, filters }), docker.listNetworks({ filters })]);
  return c.length + n.length;
}

/** Removes every container, network and snapshot image of one instance; returns how many objects went. */
export async function removeInstanceObjects(docker: Docker, instance: string): Promise<number> {
  const filters = { label: labelsOf(instance) };
  const containers = await docker.listContainers({ all: true, filters });
  await Promise.all(containers.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => {})));
  const networks = await docker.listNetworks({ filters });
  await Promise.all(networks.map((n) => docker.getNetwork(n.Id).remove().catch(() => {})));
  const images = await docker.listImages({ filters }).catch(() => []);
  await Promise.all(images.map((i) => docker.getImage(i.Id).remove({ force: true }).catch(() => {})));
  return containers.length + networks.length + images.length;
}

export interface InstanceObjects {
  containers: string[];
  networks: string[];
  images: string[];
}

/** Names of every container, network and image still labelled with the instance (leftovers). */
export async function listInstanceObjects(docker: Docker, instance: string): Promise<InstanceObjects> {
  const filters = { label: labelsOf(instance) };
  const [containers, networks, images] = await Promise.all([docker.listContainers({ all: true, filters }), docker.listNetworks({ filters }), docker.listImages({ filters })]);
  return {
    containers: containers.map((c) => (c.Names[0] ?? c.Id).replace(/^\//, '')),
    networks: networks.map((n) => n.Name),
    images: images.map((i) => (i.RepoTags ?? [])[0] ?? i.Id),
  };
}
