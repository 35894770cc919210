/**
 * How the proxy says no. A refusal is a SickbayError with code "forbidden" whose message is
 * exactly what the learner reads: the docker CLI prints the `message` of an error response, so
 * every refusal starts with "sickbay:" and names the reason. Objects outside the session are
 * "not_found" with Docker's own wording, so the proxy never confirms that they exist.
 */
import { SickbayError } from '../errors';

export const REFUSAL_PREFIX = 'sickbay: ';

export function refuse(reason: string): SickbayError {
  return new SickbayError('forbidden', `${REFUSAL_PREFIX}${reason}`);
}

export type ObjectKind = 'container' | 'exec' | 'network' | 'image' | 'volume' | 'plugin';

/** Docker's own not-found messages (the CLI's `inspect` probing relies on them). */
export function absent(kind: ObjectKind, ref: string): SickbayError {
  const message: Record<ObjectKind, string> = {
    container: `No such container: ${ref}`,
    exec: `No such exec instance: ${ref}`,
    network: `network ${ref} not found`,
    image: `No such image: ${ref}`,
    volume: `get ${ref}: no such volume`,
    plugin: `plugin "${ref}" not found`,
  };
  return new SickbayError('not_found', message[kind], { details: { kind, ref } });
}
