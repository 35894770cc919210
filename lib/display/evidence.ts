/**
 * The evidence picker's entries: what the learner did, as they would name it. One typed
 * `docker stats` makes six proxy calls (ping, version, events, ps, …); the picker lists the
 * typed line once, with those calls folded underneath, newest first. The grouping is the
 * scoring's own (buildActions), so an entry is exactly what the rules call one action.
 */
import { classifyEvents, commandText } from '../audit/classify';
import type { SessionEvent } from '../audit/events';
import { buildActions } from '../scoring/actions';

export interface EvidenceEntry {
  /** The event id a diagnosis cites for this entry: the typed line, else the main proxy call. */
  id: number;
  /** ms since creation. */
  t: number;
  /** The command as typed (or a docker-CLI-like rendering of a call nobody typed). */
  text: string;
  /** Typed inside an interactive exec in this container. */
  inside?: string;
  /** The Docker calls the command made, folded under it. */
  calls: { id: number; text: string }[];
}

const PREAMBLE = new Set(['inspect', 'container-inspect']);

/** Newest first; console-only lines (`ls` in the console) are not actions and are not listed. */
export function evidenceEntries(events: readonly SessionEvent[], services: readonly string[] = []): EvidenceEntry[] {
  const byId = new Map(events.map((e) => [e.id, e]));
  const actions = buildActions(classifyEvents(events), { services });
  return actions
    .map((a) => {
      const own = a.ids.map((id) => byId.get(id)).filter((e): e is SessionEvent => e !== undefined);
      // The head: the typed line; for a call nobody typed, the call itself rather than the CLI's inspect before it.
      const head = own.find((e) => e.kind === 'typed') ?? own.find((e) => e.kind === 'docker' && !PREAMBLE.has(e.action)) ?? own[0];
      const calls = own.filter((e) => e !== head && e.kind === 'docker').map((e) => ({ id: e.id, text: commandText(e) }));
      const inside = head?.kind === 'typed' && head.where === 'exec' ? (head.target ?? a.targets[0]) : undefined;
      return { id: head?.id ?? a.ids[0] ?? 0, t: a.t, text: a.text, ...(inside ? { inside } : {}), calls };
    })
    .reverse();
}
