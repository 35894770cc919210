/**
 * One proxied call as its handler sees it (the lab's context, the audit record, the checked
 * request, the body and the raw sockets), and the small steps the handlers share.
 */
import type http from 'node:http';
import type { CheckedRequest } from '@/lib/proxy/request';
import type { Call } from './call';
import type { ProxyContext } from './context';
import type { OwnedContainer } from './ownership';

export interface Exchange {
  ctx: ProxyContext;
  call: Call;
  req: CheckedRequest;
  /** The request body, read under its cap (empty for uploads, which stream from `incoming`). */
  body: Buffer;
  incoming: http.IncomingMessage;
  res: http.ServerResponse;
}

/** Names the call's target in the audit: the service (or sidecar) name and its full id. */
export function setTarget(call: Call, container: OwnedContainer): void {
  call.facts.target = container.target;
  call.facts.targetId = container.id;
  if (container.role === 'sidecar') call.facts.flags = { ...call.facts.flags, sidecar: true };
}

/** The version-less path with the named object replaced by its full id. */
export function withId(req: CheckedRequest, id: string): string {
  const [, kind, , ...rest] = req.path.split('/');
  return ['', kind, id, ...rest].join('/');
}
