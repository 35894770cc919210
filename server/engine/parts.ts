/** What every part of the engine shares: one object instead of the same eight constructor arguments. */
import type { Config } from '../config';
import type { ContainerRuntime } from '../runtime/runtime';
import type { Store } from '../store/store';
import type { SessionActivity } from './activity';
import type { AdmissionQueue } from './admission';
import type { CustomerSignal } from './customer-signal';
import type { Catalogue } from './catalogue';
import type { SessionTasks } from './tasks';

export interface EngineParts {
  store: Store;
  runtime: ContainerRuntime;
  catalogue: Catalogue;
  config: Config;
  clock: () => number;
  log: (message: string) => void;
  tasks: SessionTasks;
  activity: SessionActivity;
  admission: AdmissionQueue;
  /** The customers' per-second reports; without it a session records no customer signal. */
  signal?: CustomerSignal;
}
