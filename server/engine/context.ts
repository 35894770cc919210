/** The ScenarioContext a scenario's faults and goals run against, backed by the real engine. */
import { SickbayError } from '@/lib/errors';
import { objectName } from '@/lib/lifecycle/objects';
import type { SessionEvent } from '@/lib/audit/events';
import { learnerActions } from '@/lib/scenario/actions';
import type { ContainerState } from '@/lib/runtime/container';
import type { ScenarioContext } from '@/lib/scenario/types';
import type { ContainerRuntime } from '../runtime/runtime';
import { hostBusy } from './host-busy';

export interface ContextInput<P> {
  sessionId: string;
  seed: string;
  params: P;
  containers: Record<string, string>;
  baseline: Record<string, ContainerState>;
  createdAt: number;
  /** When the session became ready (epoch ms): the zero of the clock learner actions are timed on. */
  readyAt?: number | null;
  clock: () => number;
  /** The session's event log so far (for actions() and recall()). */
  events: () => SessionEvent[];
  /** Appends a lab-note event (note()); absent: notes are refused. */
  appendNote?: (key: string, value: string) => void;
}


export function createContext<P>(runtime: ContainerRuntime, input: ContextInput<P>): ScenarioContext<P> {
  const containerOf = (service: string): string => {
    const id = input.containers[service];
    if (!id) throw new SickbayError('bad_request', `the scenario has no service "${service}"`);
    return id;
  };
  return {
    sessionId: input.sessionId,
    seed: input.seed,
    params: input.params,
    exec: (service, cmd, options) => runtime.exec(containerOf(service), cmd, options),
    inspect: (service) => runtime.inspectContainer(containerOf(service)),
    memory: (service) => runtime.memory(containerOf(service)),
    logs: (service, options) => runtime.logs(containerOf(service), options?.tail),
    baseline: (service) => {
      const state = input.baseline[service];
      if (!state) throw new SickbayError('conflict', `no baseline recorded for "${service}" (the session is not ready yet)`);
      return state;
    },
    disconnect: async (service, network) => runtime.disconnectNetwork(objectName(input.sessionId, network), containerOf(service)),
    actions: async () => learnerActions(input.events(), input.readyAt ? input.readyAt - input.createdAt : null),
    note: async (key, value) => {
      if (!input.appendNote) throw new SickbayError('conflict', 'lab notes can only be written while the session is being set up');
      input.appendNote(key, value);
    },
    recall: async (key) => {
      const notes = input.events().filter((e) => e.kind === 'lab-note' && e.key === key);
      const last = notes.at(-1);
      return last?.kind === 'lab-note' ? last.value : null;
    },
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    now: () => input.clock() - input.createdAt,
    hostBusy,
  };
}
