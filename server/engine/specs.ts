/** How a scenario service becomes a container spec: one place, shared with the benchmark's floor. */
import { objectName } from '@/lib/lifecycle/objects';
import { CUSTOMER_SIGNAL_DIR } from '@/lib/scenario/traffic';
import type { ServiceSpec } from '@/lib/scenario/types';
import { parseBytes } from '@/lib/units';
import type { ContainerSpec } from '../runtime/runtime';

/** `signalDir`: the host folder of the session's customer signal, mounted into the customers service only. */
export function serviceContainerSpec(sessionId: string, service: string, spec: ServiceSpec, labels: Record<string, string>, signalDir?: string): ContainerSpec {
  return {
    name: objectName(sessionId, service),
    image: spec.image,
    command: spec.command,
    env: spec.env,
    labels,
    hostname: service,
    networks: spec.networks.map((net) => ({ name: objectName(sessionId, net), aliases: [service] })),
    healthcheck: spec.healthcheck,
    memoryBytes: parseBytes(spec.limits.memory),
    nanoCpus: Math.round(spec.limits.cpus * 1e9),
    pidsLimit: spec.limits.pids,
    capAdd: spec.capAdd,
    ...(spec.tmpfs ? { tmpfs: tmpfsOptions(spec.tmpfs) } : {}),
    ...(spec.customers && signalDir ? { binds: [`${signalDir}:${CUSTOMER_SIGNAL_DIR}`] } : {}),
  };
}

/** A Docker health-check test as an exec argv: ["CMD", ...argv] or ["CMD-SHELL", "cmd"]. */
export function healthTestArgv(test: string[] | undefined): string[] | null {
  if (!test || test.length < 2) return null;
  if (test[0] === 'CMD') return test.slice(1);
  if (test[0] === 'CMD-SHELL') return ['/bin/sh', '-c', test[1] as string];
  return null;
}

/** Scenario tmpfs sizes as Docker mount options: no devices, no set-uid, sized. */
function tmpfsOptions(mounts: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(mounts).map(([at, size]) => [at, `rw,nosuid,nodev,size=${size}`]));
}
