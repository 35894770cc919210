/**
 * The allowlist: every endpoint the learner's docker CLI may reach, with the action name the
 * audit log uses (docker CLI words), how the server handles it, what object it addresses and
 * which query keys it accepts. Anything not listed is refused; a few well-known dangerous
 * endpoints have their own refusal text so the learner learns why, not just that.
 */
import { checkPsArgs } from './ps-args';
import { Q, type QuerySpec } from './query';
import { refuse } from './refusal';

export type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';

export type Handler =
  /** Answered from the engine with headers adjusted (API version capped). */
  | 'ping'
  | 'version'
  /** Reduced to fields that say nothing about the host's other workloads. */
  | 'info'
  /** Lists: label filters forced in the query and every item verified again. */
  | 'list-containers'
  | 'list-networks'
  | 'list-images'
  | 'events'
  /** The target is checked to be the session's; then the call is streamed through. */
  | 'forward'
  /** Container inspect, with host paths taken out. */
  | 'container-inspect'
  /** exec start / attach: an HTTP upgrade, piped both ways. */
  | 'hijack'
  | 'exec-create'
  | 'sidecar-create'
  | 'update'
  | 'commit'
  | 'archive-put'
  | 'remove-sidecar'
  | 'network-inspect'
  | 'network-endpoint'
  | 'image-inspect'
  /** `docker rmi` of one of the session's own snapshots; anything else is absent or refused. */
  | 'remove-snapshot'
  /** Objects a session never has (volumes, plugins): Docker's not-found, so `docker inspect` keeps probing. */
  | 'absent';

export type TargetKind = 'container' | 'exec' | 'network' | 'image' | 'volume' | 'plugin' | 'none';

export interface Route {
  method: Method;
  /** Matched against the decoded, version-less path; a named group `ref` captures the object. */
  pattern: RegExp;
  action: string;
  handler: Handler;
  target: TargetKind;
  query: QuerySpec;
  body: 'none' | 'json' | 'tar';
}

interface Denial {
  method?: Method;
  pattern: RegExp;
  action: string;
  reason: string;
}

const REF = '(?<ref>[A-Za-z0-9][A-Za-z0-9_.-]{0,127})';
const IMAGE_REF = '(?<ref>[a-z0-9][a-z0-9._/:-]{0,254})';

const c = (suffix: string) => new RegExp(`^/containers/${REF}${suffix}$`);

function route(method: Method, pattern: RegExp, action: string, handler: Handler, target: TargetKind, query: QuerySpec = {}, body: Route['body'] = 'none'): Route {
  return { method, pattern, action, handler, target, query, body };
}

const LOGS_QUERY: QuerySpec = {
  follow: Q.bool,
  stdout: Q.bool,
  stderr: Q.bool,
  since: Q.time,
  until: Q.time,
  timestamps: Q.bool,
  details: Q.bool,
  tail: Q.match(/^(all|\d{1,7})$/, '"all" or a line count'),
};

export const ROUTES: readonly Route[] = [
  route('GET', /^\/_ping$/, 'ping', 'ping', 'none'),
  route('HEAD', /^\/_ping$/, 'ping', 'ping', 'none'),
  route('GET', /^\/version$/, 'version', 'version', 'none'),
  route('GET', /^\/info$/, 'info', 'info', 'none'),

  route('GET', /^\/containers\/json$/, 'ps', 'list-containers', 'none', { all: Q.bool, limit: Q.int(-1, 10_000), size: Q.bool, filters: Q.filters }),
  route('POST', /^\/containers\/create$/, 'run', 'sidecar-create', 'none', {
    name: Q.match(/^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}$/, 'a container name'),
    platform: Q.empty('choosing a platform is not allowed'),
  }, 'json'),
  route('GET', c('/json'), 'inspect', 'container-inspect', 'container', { size: Q.bool }),
  route('GET', c('/logs'), 'logs', 'forward', 'container', LOGS_QUERY),
  route('GET', c('/stats'), 'stats', 'forward', 'container', { stream: Q.bool, 'one-shot': Q.bool }),
  route('GET', c('/top'), 'top', 'forward', 'container', {
    // ps runs on the host with these arguments: tokens from an allowlist, no column renames.
    ps_args: Q.check(checkPsArgs),
  }),
  route('GET', c('/changes'), 'diff', 'forward', 'container'),
  route('HEAD', c('/archive'), 'cp', 'forward', 'container', { path: Q.containerPath }),
  route('GET', c('/archive'), 'cp', 'forward', 'container', { path: Q.containerPath }),
  route('PUT', c('/archive'), 'cp', 'archive-put', 'container', { path: Q.containerPath, noOverwriteDirNonDir: Q.bool, copyUIDGID: Q.bool }, 'tar'),
  route('POST', c('/exec'), 'exec', 'exec-create', 'container', {}, 'json'),
  route('POST', c('/attach'), 'attach', 'hijack', 'container', { stream: Q.bool, stdin: Q.bool, stdout: Q.bool, stderr: Q.bool, logs: Q.bool, detachKeys: Q.detachKeys }),
  route('POST', c('/resize'), 'resize', 'forward', 'container', { h: Q.dimension, w: Q.dimension }),
  route('POST', c('/wait'), 'wait', 'forward', 'container', { condition: Q.oneOf('not-running', 'next-exit', 'removed') }),
  route('POST', c('/start'), 'start', 'forward', 'container', { detachKeys: Q.detachKeys }),
  route('POST', c('/stop'), 'stop', 'forward', 'container', { t: Q.seconds }),
  route('POST', c('/restart'), 'restart', 'forward', 'container', { t: Q.seconds }),
  route('POST', c('/kill'), 'kill', 'forward', 'container', { signal: Q.signal }),
  route('POST', c('/pause'), 'pause', 'forward', 'container'),
  route('POST', c('/unpause'), 'unpause', 'forward', 'container'),
  route('POST', c('/update'), 'update', 'update', 'container', {}, 'json'),
  route('DELETE', c(''), 'rm', 'remove-sidecar', 'container', { v: Q.bool, force: Q.bool }),
  route('POST', /^\/commit$/, 'commit', 'commit', 'container', {
    container: Q.match(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/, 'a container name or id'),
    repo: Q.match(/^[a-z0-9._/:-]{0,255}$/, 'a repository name'),
    tag: Q.match(/^[A-Za-z0-9_.-]{0,128}$/, 'a tag'),
    comment: Q.match(/^[^\0]{0,512}$/, 'a comment of at most 512 characters'),
    author: Q.match(/^[^\0]{0,256}$/, 'an author of at most 256 characters'),
    pause: Q.bool,
    changes: Q.empty('docker commit --change is not allowed: a snapshot keeps the container\'s own configuration'),
    // The body is a container config: docker CLI 20.10 sends `null` (checked by planCommit).
  }, 'json'),

  route('POST', /^\/exec\/(?<ref>[A-Za-z0-9]{1,64})\/start$/, 'exec-start', 'hijack', 'exec', {}, 'json'),
  route('POST', /^\/exec\/(?<ref>[A-Za-z0-9]{1,64})\/resize$/, 'exec-resize', 'forward', 'exec', { h: Q.dimension, w: Q.dimension }),
  route('GET', /^\/exec\/(?<ref>[A-Za-z0-9]{1,64})\/json$/, 'exec-inspect', 'forward', 'exec'),

  route('GET', /^\/events$/, 'events', 'events', 'none', { since: Q.time, until: Q.time, filters: Q.filters }),

  route('GET', /^\/networks$/, 'network-ls', 'list-networks', 'none', { filters: Q.filters }),
  route('GET', new RegExp(`^/networks/${REF}$`), 'network-inspect', 'network-inspect', 'network', { verbose: Q.bool, scope: Q.oneOf('', 'local') }),
  route('POST', new RegExp(`^/networks/${REF}/connect$`), 'network-connect', 'network-endpoint', 'network', {}, 'json'),
  route('POST', new RegExp(`^/networks/${REF}/disconnect$`), 'network-disconnect', 'network-endpoint', 'network', {}, 'json'),

  route('GET', /^\/images\/json$/, 'images', 'list-images', 'none', { all: Q.bool, digests: Q.bool, 'shared-size': Q.bool, filters: Q.filters }),
  route('GET', new RegExp(`^/images/${IMAGE_REF}/json$`), 'image-inspect', 'image-inspect', 'image'),
  route('DELETE', new RegExp(`^/images/${IMAGE_REF}$`), 'rmi', 'remove-snapshot', 'image', { force: Q.bool, noprune: Q.bool }),
  route('GET', new RegExp(`^/volumes/${REF}$`), 'volume-inspect', 'absent', 'volume'),
  route('GET', new RegExp(`^/plugins/${IMAGE_REF}/json$`), 'plugin-inspect', 'absent', 'plugin'),
];

/** Known-dangerous endpoints, refused with a reason the learner can act on. */
const DENIALS: readonly Denial[] = [
  { method: 'POST', pattern: /^\/images\/create$/, action: 'pull', reason: 'pulling or importing images is not allowed: debug sidecars run from the preinstalled images' },
  { pattern: /^\/build(\/.*)?$/, action: 'build', reason: 'building images is not allowed' },
  { pattern: /^\/(session|grpc)$/, action: 'build', reason: 'BuildKit sessions are not allowed' },
  { pattern: /^\/images\/.+\/push$/, action: 'push', reason: 'pushing images is not allowed' },
  { pattern: /^\/images\/load$/, action: 'load', reason: 'loading images is not allowed' },
  { pattern: /^\/images\/(.+\/)?get$/, action: 'save', reason: 'saving images is not allowed' },
  { pattern: /^\/images\/.+\/tag$/, action: 'tag', reason: 'tagging images is not allowed: docker commit names snapshots itself' },
  { method: 'DELETE', pattern: /^\/images\/.+$/, action: 'rmi', reason: 'removing images is not allowed, except this session\'s own snapshots' },
  { pattern: /^\/images\/search$/, action: 'search', reason: 'searching a registry is not allowed' },
  { pattern: /^\/(containers|images|networks|volumes)\/prune$/, action: 'prune', reason: 'prune works engine-wide and is not allowed' },
  { pattern: /^\/system\/df$/, action: 'system-df', reason: 'disk usage is engine-wide and not shown' },
  { pattern: /^\/(swarm|nodes|services|tasks|secrets|configs)(\/.*)?$/, action: 'swarm', reason: 'swarm is not allowed' },
  { pattern: /^\/plugins(\/.*)?$/, action: 'plugin', reason: 'plugins are not allowed' },
  { pattern: /^\/volumes(\/.*)?$/, action: 'volume', reason: 'volumes are not allowed: sessions have no volumes' },
  { method: 'POST', pattern: /^\/networks\/create$/, action: 'network-create', reason: 'creating networks is not allowed' },
  { method: 'DELETE', pattern: /^\/networks\/.+$/, action: 'network-rm', reason: 'removing networks is not allowed' },
  { pattern: /^\/containers\/[^/]+\/attach\/ws$/, action: 'attach', reason: 'websocket attach is not allowed: use docker attach' },
  { pattern: /^\/containers\/[^/]+\/export$/, action: 'export', reason: 'exporting a whole container filesystem is not allowed: use docker cp or docker commit' },
  { pattern: /^\/containers\/[^/]+\/rename$/, action: 'rename', reason: 'renaming containers is not allowed' },
  { pattern: /^\/containers\/[^/]+\/checkpoints(\/.*)?$/, action: 'checkpoint', reason: 'checkpoints are not allowed' },
  { pattern: /^\/auth$/, action: 'login', reason: 'registry login is not allowed' },
  { pattern: /^\/distribution\/.+$/, action: 'pull', reason: 'registry lookups are not allowed' },
];

export interface RouteMatch {
  route: Route;
  /** The object the path names (container/network name or id, exec id, image name). */
  ref?: string;
}

/**
 * The action name for a refused path, so refusals are logged in CLI words too: the route's own
 * action when the path is allowlisted (a refused query or body), else the denial's.
 */
export function deniedAction(method: string, path: string): string {
  for (const r of ROUTES) if (r.method === method && r.pattern.test(path)) return r.action;
  for (const d of DENIALS) if ((!d.method || d.method === method) && d.pattern.test(path)) return d.action;
  return 'unknown';
}

/** Finds the route for a request, or throws the refusal that applies. */
export function matchRoute(method: string, path: string): RouteMatch {
  for (const r of ROUTES) {
    if (r.method !== method) continue;
    const m = r.pattern.exec(path);
    if (m) return { route: r, ref: m.groups?.ref };
  }
  for (const d of DENIALS) {
    if ((!d.method || d.method === method) && d.pattern.test(path)) throw refuse(d.reason);
  }
  throw refuse(`${method} ${path} is not on the allowlist of this lab's Docker proxy`);
}
