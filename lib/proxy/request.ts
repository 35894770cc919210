/**
 * The first gate for every request: parse the target, find the route, check the query. What
 * comes out names an allowlisted endpoint with checked parameters; everything else was refused.
 */
import { parseRequestTarget } from './target';
import { checkQuery, type CheckedQuery } from './query';
import { matchRoute, type Route } from './routes';
import { UPLOAD_LIMITS } from './uploads';

/** JSON bodies of the allowed endpoints are a few KiB; anything near this is not the CLI. */
export const JSON_BODY_LIMIT = 64 * 1024;
/** `docker cp` into a container: streamed to the engine and counted on the way (server/proxy/uploads.ts). */
export const ARCHIVE_BODY_LIMIT = UPLOAD_LIMITS.maxBytes;

export interface CheckedRequest {
  method: string;
  version: string | null;
  path: string;
  route: Route;
  ref?: string;
  query: CheckedQuery;
}

export function checkRequest(method: string, rawUrl: string): CheckedRequest {
  const target = parseRequestTarget(rawUrl);
  const { route, ref } = matchRoute(method, target.path);
  const query = checkQuery(target.query, route.query, `${route.method} ${target.path}`);
  return { method, version: target.version, path: target.path, route, ...(ref !== undefined ? { ref } : {}), query };
}

export function bodyLimit(route: Route): number {
  if (route.body === 'tar') return ARCHIVE_BODY_LIMIT;
  if (route.body === 'json') return JSON_BODY_LIMIT;
  return 0;
}
