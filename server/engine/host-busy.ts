/** How busy this host is right now, for waits and timeouts that must not fail a learner for their neighbours' load. */
import os from 'node:os';
import { busyHostFactor } from '@/lib/lifecycle/admission';

/** busyHostFactor of the 1-minute load average: 1 on a quiet host, up to 3. Read when a wait begins. */
export function hostBusy(): number {
  return busyHostFactor(os.loadavg()[0] ?? 0, os.availableParallelism());
}
