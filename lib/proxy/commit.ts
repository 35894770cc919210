/**
 * `docker commit` is how a learner snapshots a container before invasive work. The snapshot
 * always lands in the session's own repository (the learner's name becomes the tag), so it
 * cannot overwrite a lab image such as sickbay/service and the sweeper can find it.
 */
import { LABEL } from '../lifecycle/labels';
import { isJsonObject, parseStrictJson } from './json';
import type { CheckedQuery } from './query';
import { refuse } from './refusal';

export interface CommitPlan {
  containerRef: string;
  tag: string;
  /** The forwarded query (container filled in by the server after resolution). */
  query: Record<string, string>;
}

function sanitiseTag(raw: string): string {
  const cleaned = raw.replace(/[^A-Za-z0-9_.-]/g, '-').replace(/^[.-]+/, '');
  return cleaned.slice(0, 128);
}

/** The tag a snapshot gets: the learner's repository's last component and tag, joined. */
export function snapshotTag(repo: string | undefined, tag: string | undefined, fallback: string): string {
  const base = (repo ?? '').split('/').pop()?.split(':')[0] ?? '';
  const joined = base && tag ? `${base}-${tag}` : base || tag || '';
  return sanitiseTag(joined) || sanitiseTag(fallback);
}

/**
 * The body of a commit request is the container config to apply to the image. The docker CLI
 * never fills it in (`--change` travels in the query, and is refused there), but 20.10 — the
 * console's CLI — sends its empty config as the JSON `null`, newer ones send nothing. Both, and
 * an empty object, are accepted; a config with anything in it is refused rather than silently
 * dropped: the proxy always sends its own (see commitBody).
 */
export function checkCommitBody(text: string): void {
  if (text.trim() === '') return;
  const value = parseStrictJson(text);
  if (value === null || (isJsonObject(value) && Object.keys(value).length === 0)) return;
  throw refuse("docker commit cannot set a configuration: a snapshot keeps the container's own configuration");
}

export function planCommit(query: CheckedQuery, repository: string, fallbackTag: string, body = ''): CommitPlan {
  const containerRef = query.container;
  if (!containerRef) throw refuse('docker commit needs a container');
  checkCommitBody(body);
  const tag = snapshotTag(query.repo, query.tag, fallbackTag);
  const forwarded: Record<string, string> = { repo: repository, tag };
  if (query.comment) forwarded.comment = query.comment;
  if (query.author) forwarded.author = query.author;
  if (query.pause !== undefined) forwarded.pause = query.pause;
  return { containerRef, tag, query: forwarded };
}

/** The commit body: a config that only adds labels (the engine merges the container's config in). */
export function commitBody(labels: Readonly<Record<string, string>>, scope: { sessionId: string; instance: string }): { Labels: Record<string, string> } {
  return { Labels: { ...labels, [LABEL.session]: scope.sessionId, [LABEL.instance]: scope.instance, [LABEL.role]: 'snapshot' } };
}
